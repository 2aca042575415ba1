import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFile, decompressionTotals, decompressionWorkers, openFile, type TTree } from "../../src/root/index.js";
import { HepflowError, Jagged } from "../../src/util/index.js";
import type { Columns } from "../../src/util/index.js";
import { rootFile } from "../shared.js";
import { pooledTotals } from "../../src/root/ttree/parallel.js";

/** Every column as bytes (offsets and content), so "identical" means byte for byte. */
function bytesOf(cols: Columns): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const [k, v] of Object.entries(cols)) {
    const parts = v instanceof Jagged ? [v.offsets, v.content] : [v];
    out[k] = parts.map((a) => Array.from(new Uint8Array((a as Uint8Array).buffer, (a as Uint8Array).byteOffset, (a as Uint8Array).byteLength)));
  }
  return out;
}

async function readWith(workers: number, file: string, tree: string, stepSize?: number): Promise<{ cols: Columns[]; objects: number; compressedBytes: number }> {
  decompressionWorkers(workers, { minBytes: 0 }); // the files here are small: use the pool anyway
  const f = await openFile(file);
  try {
    const t = await f.tree(tree);
    const start = { ...decompressionTotals };
    const cols: Columns[] = [];
    if (stepSize) for await (const c of t.iterate(undefined, { stepSize })) cols.push(c.columns);
    else cols.push(await t.arrays());
    return { cols, objects: decompressionTotals.objects - start.objects, compressedBytes: decompressionTotals.compressedBytes - start.compressedBytes };
  } finally {
    await f.close();
  }
}

describe("baskets decompressed on worker threads", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hepflow-parallel-read-"));
  afterAll(() => {
    decompressionWorkers(undefined, { minBytes: 8 * 1024 * 1024 });
    rmSync(dir, { recursive: true, force: true });
  });

  // ROOT-written files (LZMA, zlib; ZSTD stays on the reading thread) and NanoAOD's 947 branches: the pool's columns are the serial read's, and the
  // pool threads' decompressions are counted as the serial read counts its own
  for (const [file, tree] of [
    ["uproot-HZZ-lzma.root", "events"],
    ["uproot-HZZ-zlib.root", "events"],
    ["uproot-HZZ-zstd.root", "events"],
    ["nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events"],
  ] as const) {
    it(`${file}: arrays() on 2 threads equals the serial read`, async () => {
      const serial = await readWith(0, rootFile(file), tree);
      const onThreads = pooledTotals.objects;
      const pooled = await readWith(2, rootFile(file), tree);
      // LZMA and zlib baskets go to the threads; ZSTD ones stay on the reading thread
      expect(pooledTotals.objects - onThreads > 0).toBe(!file.includes("zstd"));
      expect(serial.objects).toBeGreaterThan(0);
      expect({ objects: pooled.objects, bytes: pooled.compressedBytes }).toEqual({ objects: serial.objects, bytes: serial.compressedBytes });
      expect(bytesOf(pooled.cols[0]!)).toEqual(bytesOf(serial.cols[0]!));
    });
  }

  it("iterate() in steps over a multi-cluster file equals the serial steps", async () => {
    const file = path.join(dir, "steps.root");
    const w = await createFile(file, { compression: "zlib:1" });
    const t = w.writeTree(
      "t",
      [
        { name: "n", type: "i32" },
        { name: "x", type: "f64", counter: "n" },
        { name: "e", type: "i64" },
      ],
      { entriesPerBasket: 700 },
    );
    const n = 5000,
      counts = Int32Array.from({ length: n }, (_, i) => (i * 7) % 5);
    const o = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) o[i + 1] = o[i]! + counts[i]!;
    t.write({
      n: counts,
      x: new Jagged(
        o,
        Float64Array.from({ length: o[n]! }, (_, i) => Math.sin(i)),
      ),
      e: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 3n),
    });
    await w.close();
    const serial = await readWith(0, file, "t", 1500);
    const pooled = await readWith(2, file, "t", 1500);
    expect(pooled.cols.length).toBe(serial.cols.length);
    expect(pooled.cols.length).toBeGreaterThan(1);
    pooled.cols.forEach((c, i) => expect(bytesOf(c)).toEqual(bytesOf(serial.cols[i]!)));
    expect(pooled.objects).toBe(serial.objects);
  });

  it("a corrupt basket raises the serial read's error, naming file, branch and offset, on the pool too", async () => {
    const src = rootFile("uproot-HZZ-lzma.root");
    const f = await openFile(src);
    const ref = ((await f.tree("events")) as TTree).branch("Jet_Px").baskets.find((b) => !b.embedded)!;
    await f.close();
    const bytes = readFileSync(src);
    // scramble the middle of the basket's LZMA stream (past its key and ROOT block header)
    for (let i = ref.seek! + Math.floor(ref.bytes! / 2); i < ref.seek! + Math.floor(ref.bytes! / 2) + 16; i++) bytes[i] = bytes[i]! ^ 0x5a;
    const bad = path.join(dir, "corrupt.root");
    writeFileSync(bad, bytes);
    const errorOf = async (workers: number) => {
      decompressionWorkers(workers, { minBytes: 0 });
      const g = await openFile(bad);
      try {
        await (await g.tree("events")).arrays(["Jet_Px"]);
        return null;
      } catch (e) {
        return e as HepflowError;
      } finally {
        await g.close();
      }
    };
    const serial = await errorOf(0),
      pooled = await errorOf(2);
    expect(serial).toBeInstanceOf(HepflowError);
    expect(serial!.message).toContain("Jet_Px");
    expect([pooled?.code, pooled?.message]).toEqual([serial!.code, serial!.message]);
  });
});
