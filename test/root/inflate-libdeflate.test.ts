import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { deflateRawSync, inflateSync } from "node:zlib";
import { decompress, decompressionWorkers, inflateImplementation, openFile, type TTree } from "../../src/root/index.js";
import { decompressInto } from "../../src/root/compression.js";
import { HepflowError } from "../../src/util/index.js";
import { rootFile } from "../shared.js";

// hepflow's libdeflate binding (native/, built by the install script) against node:zlib, the fallback

const DIST = pathToFileURL(path.resolve(__dirname, "../../dist/root/index.js")).href;

/** Every basket of every branch of a TTree, as the key's payload and its uncompressed length. */
async function basketsOf(file: string, tree: string): Promise<{ payload: Buffer; objLen: number; branch: string }[]> {
  const bytes = readFileSync(file);
  const f = await openFile(file);
  try {
    const t = (await f.tree(tree)) as TTree;
    const out: { payload: Buffer; objLen: number; branch: string }[] = [];
    for (const b of t.branches) {
      for (const r of t.branch(b.name).baskets) {
        if (r.embedded || !r.bytes || r.seek === undefined) continue;
        // TKey: fNbytes (4), fVersion (2), fObjlen (4), fDatime (4), fKeylen (2), … then the payload
        const key = bytes.subarray(r.seek, r.seek + r.bytes);
        out.push({ payload: key.subarray(key.readInt16BE(14), key.readInt32BE(0)), objLen: key.readInt32BE(6), branch: b.name });
      }
    }
    return out;
  } finally {
    await f.close();
  }
}

/** node:zlib on ROOT's block framing, written here independently of compression.ts. */
function zlibReference(payload: Buffer, objLen: number): Buffer {
  if (payload.length === objLen) return payload;
  const parts: Buffer[] = [];
  for (let at = 0; at < payload.length; ) {
    expect(payload.toString("latin1", at, at + 2)).toBe("ZL");
    const c = payload.readUIntLE(at + 3, 3);
    parts.push(inflateSync(payload.subarray(at + 9, at + 9 + c)));
    at += 9 + c;
  }
  return Buffer.concat(parts);
}

/** Runs `body` (an async function's source, given the dist build `m`) on a worker thread with `env`; resolves with what it returns. */
function onWorker(body: string, env: Record<string, string | undefined>): Promise<unknown> {
  const src = `const { parentPort } = require("node:worker_threads");
import(${JSON.stringify(DIST)}).then((m) => (${body})(m)).then((v) => parentPort.postMessage({ v }), (e) => parentPort.postMessage({ e: { name: e.name, code: e.code, file: e.file, object: e.object, message: e.message } }));`;
  return new Promise((resolve, reject) => {
    const w = new Worker(src, { eval: true, env: { ...process.env, ...env } });
    w.once("message", (r: { v?: unknown; e?: unknown }) => {
      void w.terminate();
      if ("e" in r) reject(Object.assign(new Error("worker failed"), r.e));
      else resolve(r.v);
    });
    w.once("error", reject);
  });
}

/** Reads every column of a tree in a worker; returns the bytes of each column, or the error's fields. */
const readAll = (file: string, tree: string) => `async (m) => {
  const f = await m.openFile(${JSON.stringify(file)});
  try {
    const cols = await (await f.tree(${JSON.stringify(tree)})).arrays();
    const out = {};
    for (const [k, v] of Object.entries(cols)) out[k] = [v.offsets, v.content ?? v].filter(Boolean).map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64"));
    return { impl: m.inflateImplementation(), cols: out };
  } finally { await f.close(); }
}`;

describe("zlib through the libdeflate binding", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hepflow-libdeflate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the binding is built and loaded (install libdeflate-dev, then npm run build:native)", () => {
    expect(inflateImplementation()).toEqual({ name: "libdeflate" });
  });

  // HZZ (ROOT 6) and the uproot samples written by ROOT 5.24 … 6.20
  const files = ["uproot-HZZ-zlib.root", "uproot-sample-5.24.00-zlib.root", "uproot-sample-5.30.00-zlib.root", "uproot-sample-6.10.05-zlib.root", "uproot-sample-6.20.04-zlib.root"];
  for (const name of files) {
    it(`${name}: every basket equals node:zlib's inflate`, async () => {
      const baskets = await basketsOf(rootFile(name), name.startsWith("uproot-HZZ") ? "events" : "sample");
      let compressed = 0;
      for (const b of baskets) {
        const want = zlibReference(b.payload, b.objLen);
        expect(Buffer.from(decompress(b.payload, b.objLen)).equals(want), b.branch).toBe(true);
        // into a caller's buffer (the basket pool's path), here at an offset of a larger one
        const big = new Uint8Array(b.objLen + 3);
        decompressInto(b.payload, big.subarray(3));
        expect(Buffer.from(big.subarray(3)).equals(want), b.branch).toBe(true);
        if (b.payload.length !== b.objLen) compressed++;
      }
      expect(compressed).toBeGreaterThan(0);
    });
  }

  it("ROOT's old raw-deflate blocks (CS) and an object of several blocks", () => {
    const a = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 251));
    const b = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 7));
    const block = (tag: string, body: Buffer, u: number) => {
      const h = Buffer.alloc(9);
      h.write(tag, 0, "latin1");
      h[2] = 8;
      h.writeUIntLE(body.length, 3, 3);
      h.writeUIntLE(u, 6, 3);
      return Buffer.concat([h, body]);
    };
    const src = Buffer.concat([block("CS", deflateRawSync(a), a.length), block("CS", deflateRawSync(b), b.length)]);
    expect(Buffer.from(decompress(src, a.length + b.length)).equals(Buffer.concat([a, b]))).toBe(true);
    expect(Buffer.from(decompress(src.subarray(0, 9 + src.readUIntLE(3, 3)), a.length)).equals(a)).toBe(true);
  });

  it("a corrupt and a truncated basket raise the same HepflowError as with node:zlib, naming the file and branch", async () => {
    const name = "uproot-HZZ-zlib.root";
    const bytes = readFileSync(rootFile(name));
    const f = await openFile(rootFile(name));
    const t = (await f.tree("events")) as TTree;
    const r = t.branch("Jet_Px").baskets[0]!;
    const seek = r.seek!;
    await f.close();
    const keyLen = bytes.readInt16BE(seek + 14);
    const body = seek + keyLen + 9; // the deflate stream of the basket's first block
    const corrupt = Buffer.from(bytes);
    for (let i = 40; i < 56; i++) corrupt[body + i]! ^= 0xa5;
    const truncated = Buffer.from(bytes);
    // the block header says fewer compressed bytes: the stream stops half way
    truncated.writeUIntLE(Math.floor(truncated.readUIntLE(body - 6, 3) / 2), body - 6, 3);
    for (const [label, damaged] of [
      ["corrupt", corrupt],
      ["truncated", truncated],
    ] as const) {
      const file = path.join(dir, `${label}.root`);
      writeFileSync(file, damaged);
      const read = `async (m) => { const f = await m.openFile(${JSON.stringify(file)}); try { await (await f.tree("events")).arrays(["Jet_Px"]); } finally { await f.close(); } }`;
      const withNode = (await onWorker(read, { HEPFLOW_INFLATE: "node" }).then(
        () => undefined,
        (e) => e,
      )) as { name: string; code: string; file: string; object: string } | undefined;
      let here: unknown;
      const g = await openFile(file);
      try {
        await (await g.tree("events")).arrays(["Jet_Px"]);
      } catch (e) {
        here = e;
      } finally {
        await g.close();
      }
      expect(here, label).toBeInstanceOf(HepflowError);
      const e = here as HepflowError;
      expect(e.code, label).toBe("ROOT_DECOMPRESS");
      expect({ name: "HepflowError", code: e.code, file: e.file, object: e.object }, label).toEqual({ name: withNode?.name, code: withNode?.code, file: withNode?.file, object: withNode?.object });
      expect(e.file).toBe(file);
      expect(e.object).toMatch(/Jet_Px/);
    }
  });

  it("a worker thread loads its own copy and reads as node:zlib does; so does the basket pool", async () => {
    const file = rootFile("uproot-HZZ-zlib.root");
    const [bound, plain] = (await Promise.all([onWorker(readAll(file, "events"), {}), onWorker(readAll(file, "events"), { HEPFLOW_INFLATE: "node" })])) as { impl: { name: string }; cols: Record<string, string[]> }[];
    expect(bound!.impl.name).toBe("libdeflate");
    expect(plain!.impl.name).toBe("node:zlib");
    expect(Object.keys(bound!.cols).length).toBeGreaterThan(10);
    expect(bound!.cols).toEqual(plain!.cols);
    // the pool's threads (dist/root/ttree/inflate-worker.js) decode with libdeflate too; their columns are node:zlib's
    decompressionWorkers(2, { minBytes: 0 });
    try {
      const f = await openFile(file);
      const cols = await (await f.tree("events")).arrays();
      await f.close();
      for (const [k, v] of Object.entries(cols)) {
        const parts = [(v as { offsets?: Uint8Array }).offsets, (v as { content?: Uint8Array }).content ?? v].filter(Boolean) as Uint8Array[];
        expect(
          parts.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64")),
          k,
        ).toEqual(plain!.cols[k]);
      }
    } finally {
      decompressionWorkers(undefined, { minBytes: 8 * 1024 * 1024 });
    }
  });
});
