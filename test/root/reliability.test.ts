// Defects of issue 13 in the reader, each reproduced on a file we build or patch here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, beforeAll } from "vitest";
import { MemorySource } from "../../src/io/index.js";
import { createFile, openFile, type RootHistogram } from "../../src/root/index.js";
import { compress, decompress } from "../../src/root/compression.js";
import { RootFile } from "../../src/root/file.js";
import { xxh3_64 } from "../../src/root/rntuple/checksum.js";
import { HepflowError } from "../../src/util/index.js";
import { rootFile } from "../shared.js";

const BIN = new URL("../../bin/hepflow.js", import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-rel-"));

function th1(name: string): RootHistogram {
  const contents = new Float64Array(12).map((_, i) => i);
  return {
    className: "TH1D",
    name,
    title: name,
    dimension: 1,
    xaxis: { nbins: 10, xmin: 0, xmax: 1, title: "x" },
    contents,
    sumw2: contents.slice(),
    entries: 55,
    stats: { tsumw: 55, tsumw2: 55, tsumwx: 1, tsumwx2: 1 },
  };
}

/** A directory record's fields we patch: where its nbytesKeys and seekKeys sit, and their values. */
function dirRecord(bytes: Uint8Array, at: number): { nbytesKeysAt: number; seekKeysAt: number; big: boolean; nbytesKeys: number; seekKeys: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const big = v.getInt16(at) > 1000;
  const nbytesKeysAt = at + 2 + 4 + 4;
  const seekKeysAt = nbytesKeysAt + 4 + 4 + (big ? 16 : 8);
  return { nbytesKeysAt, seekKeysAt, big, nbytesKeys: v.getInt32(nbytesKeysAt), seekKeys: big ? Number(v.getBigInt64(seekKeysAt)) : v.getInt32(seekKeysAt) };
}

let nested: Uint8Array;
beforeAll(async () => {
  const p = path.join(dir, "nested.root");
  const w = await createFile(p);
  w.mkdir("one/two");
  w.putHistogram("one/h", th1("h"));
  w.putHistogram("one/two/h2", th1("h2"));
  await w.close();
  nested = new Uint8Array(readFileSync(p));
});

describe("directory cycles (issue 13 item 1)", () => {
  async function cyclic(): Promise<Uint8Array> {
    const f = await openFile(new MemorySource(nested, "nested.root"));
    const one = await f.key("one");
    const two = await f.key("one/two");
    await f.close();
    const bad = nested.slice();
    const parent = dirRecord(bad, one.seekKey + one.keyLen);
    const child = dirRecord(bad, two.seekKey + two.keyLen);
    // Point "two"'s key list at its parent's: "two" then contains "two" again, forever.
    const v = new DataView(bad.buffer);
    v.setInt32(child.nbytesKeysAt, parent.nbytesKeys);
    if (child.big) v.setBigInt64(child.seekKeysAt, BigInt(parent.seekKeys));
    else v.setInt32(child.seekKeysAt, parent.seekKeys);
    return bad;
  }

  it("listing a file whose subdirectory points at its parent's key list is a HepflowError", async () => {
    const f = await openFile(new MemorySource(await cyclic(), "cyclic.root"));
    await expect(f.keys()).rejects.toMatchObject({ name: "HepflowError", code: "ROOT_DIRECTORY_CYCLE" });
  });

  it("a path through the cycle is refused, not resolved to the parent's object", async () => {
    const f = await openFile(new MemorySource(await cyclic(), "cyclic.root"));
    await expect(f.get("one/two/h")).rejects.toMatchObject({ code: "ROOT_DIRECTORY_CYCLE" });
  });

  it("hepflow ls on it exits non-zero with one line, quickly", async () => {
    const p = path.join(dir, "cyclic.root");
    writeFileSync(p, await cyclic());
    const r = cli(["ls", p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^hepflow: .*cyclic\.root.*cycle/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});

describe("zeroed key lists and unreadable objects (issue 13 item 2)", () => {
  it("a zeroed top key list is an error, not an empty file", async () => {
    const bad = nested.slice();
    const begin = new DataView(bad.buffer).getInt32(8);
    const nbytesName = new DataView(bad.buffer).getInt32(28);
    const top = dirRecord(bad, begin + nbytesName);
    bad.fill(0, top.seekKeys, top.seekKeys + top.nbytesKeys);
    await expect(RootFile.open(new MemorySource(bad, "zeroed.root"))).rejects.toMatchObject({ code: "ROOT_CORRUPT" });
    const p = path.join(dir, "zeroed.root");
    writeFileSync(p, bad);
    const r = cli(["ls", p]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("key list");
  }, 60_000);

  it("ls exits non-zero when an object cannot be read; --keep-going still prints the rest", async () => {
    // Destroy the TTree's payload in a copy of a real file: its key stays listed, the tree cannot be read.
    const src = new Uint8Array(readFileSync(rootFile("uproot-HZZ-zlib.root")));
    const f = await openFile(new MemorySource(src, "hzz.root"));
    const k = await f.key("events");
    await f.close();
    const bad = src.slice();
    bad.fill(0xff, k.seekKey + k.keyLen, k.seekKey + k.nbytes);
    const p = path.join(dir, "badtree.root");
    writeFileSync(p, bad);
    const plain = cli(["ls", p]);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain("events");
    const going = cli(["ls", "--keep-going", p]);
    expect(going.status).toBe(1);
    expect(going.stdout).toContain("events;1  TTree");
    expect(going.stdout).toContain("cannot read");
    expect(going.stderr).toMatch(/1 object.* could not be read/);
  }, 60_000);
});

describe("RNTuple lengths beyond the file (issue 13 item 3)", () => {
  it("a compressed envelope claiming 2^40 bytes is a HepflowError before any allocation", async () => {
    const name = "test_int_float_rntuple_v1-0-0-0.root";
    const bytes = new Uint8Array(readFileSync(rootFile(name)));
    const f = await openFile(new MemorySource(bytes, name));
    const key = (await f.keys()).find((k) => /RNTuple/.test(k.className))!.key;
    await f.close();
    const bad = bytes.slice();
    // The anchor's payload: byte count + version (6), 4 version u16 (8), then seekHeader, nbytesHeader, lenHeader.
    const anchor = key.seekKey + key.keyLen + 6;
    const v = new DataView(bad.buffer);
    expect(Number(v.getBigUint64(anchor + 24)) > Number(v.getBigUint64(anchor + 16))).toBe(true); // compressed header
    v.setBigUint64(anchor + 24, 1n << 40n);
    // Re-seal the anchor so the length, not the checksum, is what the reader meets.
    v.setBigUint64(anchor + 64, xxh3_64(bad.subarray(anchor, anchor + 64)));
    const g = await openFile(new MemorySource(bad, name));
    const err = await g.tree(key.name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HepflowError);
    expect((err as HepflowError).message).toContain(String(2 ** 40));
  });

  it("decompress checks the block headers against the promised size first", () => {
    const payload = new Uint8Array(50_000).map((_, i) => i % 7);
    const packed = compress(payload, { codec: "zlib", level: 1 });
    expect(decompress(packed, payload.length)).toEqual(payload);
    expect(() => decompress(packed, 2 ** 40)).toThrow(HepflowError);
    expect(() => decompress(packed, 2 ** 40)).toThrow(/claims 1099511627776/);
  });
});

describe("the robustness test's own header offsets (issue 13 item 13)", () => {
  it("seekInfo is at byte 37 in a small file and at 45 in a big one", async () => {
    const { seekInfoOf } = await import("./fault-cases.js");
    for (const name of ["uproot-HZZ-zlib.root", "uproot-histograms.root"]) {
      const bytes = new Uint8Array(readFileSync(rootFile(name)));
      const f = await openFile(new MemorySource(bytes, name));
      expect(seekInfoOf(bytes)).toBe(f.header.seekInfo);
      await f.close();
    }
  });
});
