import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFile, openFile, type BranchSpec } from "../../src/root/index.js";
import { Jagged, type NumericArray } from "../../src/util/index.js";
import { rootFile } from "../shared.js";

// A file larger than several read windows (8 MB of compressed baskets each), written by hepflow's
// writer from values given by formulas, so every value read back is checked against its formula.
const N = 1_500_000;
const PER_BASKET = 100_000;
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-stream-"));
const file = path.join(dir, "big.root");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const count = (i: number): number => i % 5;
const SCHEMA: BranchSpec[] = [
  { name: "x", type: "f64" },
  { name: "n", type: "i32" },
  { name: "v", type: "f32", counter: "n" },
  { name: "b", type: "u8" },
  // A std::vector column is decoded from all its baskets at once (kept, not streamed): with
  // compression "none" its baskets are views of reused read buffers unless copied.
  { name: "w", type: "f64", vector: true },
];
const wlen = (i: number): number => i % 3;

beforeAll(async () => {
  const w = await createFile(file, { compression: "none" });
  const t = w.writeTree("T", SCHEMA, { entriesPerBasket: PER_BASKET });
  for (let first = 0; first < N; first += PER_BASKET) {
    const x = new Float64Array(PER_BASKET),
      n = new Int32Array(PER_BASKET),
      b = new Uint8Array(PER_BASKET);
    const offsets = new Int32Array(PER_BASKET + 1);
    for (let k = 0; k < PER_BASKET; k++) offsets[k + 1] = offsets[k]! + count(first + k);
    const v = new Float32Array(offsets[PER_BASKET]!);
    const woff = new Int32Array(PER_BASKET + 1);
    for (let k = 0; k < PER_BASKET; k++) woff[k + 1] = woff[k]! + wlen(first + k);
    const wv = new Float64Array(woff[PER_BASKET]!);
    for (let k = 0; k < PER_BASKET; k++) for (let j = 0; j < wlen(first + k); j++) wv[woff[k]! + j] = (first + k) * 0.25 + j;
    for (let k = 0; k < PER_BASKET; k++) {
      const i = first + k;
      x[k] = i * 0.5;
      n[k] = count(i);
      b[k] = i % 251;
      for (let j = 0; j < count(i); j++) v[offsets[k]! + j] = i + j / 8;
    }
    t.write({ x, n, v: new Jagged(offsets, v), b, w: new Jagged(woff, wv) });
  }
  await w.close();
}, 60_000);

/** Checks every value of [start, stop) against the formulas it was written from; returns the number of mismatches. */
function mismatches(cols: Record<string, unknown>, start: number, stop: number): number {
  const x = cols.x as Float64Array,
    n = cols.n as Int32Array,
    b = cols.b as Uint8Array,
    v = cols.v as Jagged<NumericArray>;
  const w = cols.w as Jagged<NumericArray> | undefined;
  let bad = 0;
  if (x.length !== stop - start || v.offsets.length !== stop - start + 1) return Infinity;
  for (let e = start; e < stop; e++) {
    const k = e - start;
    if (x[k] !== e * 0.5 || n[k] !== count(e) || b[k] !== e % 251) bad++;
    if (v.offsets[k + 1]! - v.offsets[k]! !== count(e)) {
      bad++;
      continue;
    }
    for (let j = 0; j < count(e); j++) if (v.content[v.offsets[k]! + j] !== Math.fround(e + j / 8)) bad++;
    if (!w) continue;
    if (w.offsets[k + 1]! - w.offsets[k]! !== wlen(e)) {
      bad++;
      continue;
    }
    for (let j = 0; j < wlen(e); j++) if (w.content[w.offsets[k]! + j] !== e * 0.25 + j) bad++;
  }
  return bad;
}

describe("streamed reading of a file larger than the read window", () => {
  it("reads every value of all entries (flat, collection, std::vector) in bounded reads", async () => {
    const f = await openFile(file);
    const reads: number[] = [];
    const readMany = f.source.readMany.bind(f.source);
    f.source.readMany = (ranges) => {
      reads.push(ranges.reduce((s, r) => s + r.length, 0));
      return readMany(ranges);
    };
    const readInto = f.source.readInto!.bind(f.source);
    f.source.readInto = (offset, dst) => {
      reads.push(dst.length);
      return readInto(offset, dst);
    };
    const t = await f.tree("T");
    const cols = await t.arrays(["x", "n", "v", "b", "w"]);
    expect(mismatches(cols, 0, N)).toBe(0);
    // ~45 MB of baskets: several requests, none above one read window (4 MB) plus the largest basket.
    expect(reads.length).toBeGreaterThan(3);
    expect(Math.max(...reads)).toBeLessThanOrEqual(4 * 1024 * 1024 + 1024 * 1024);
    await f.close();
  });

  it("ranges that start and stop inside baskets and iterate steps agree with the formulas", async () => {
    const f = await openFile(file);
    const t = await f.tree("T");
    for (const [a, b] of [
      [333_333, 1_234_567],
      [99_999, 100_001],
      [N - 7, N],
      [0, 1],
      [250_000, 250_000],
    ] as const) {
      expect(mismatches(await t.arrays(["x", "n", "v", "b", "w"], { entryStart: a, entryStop: b }), a, b), `[${a}, ${b})`).toBe(0);
    }
    let at = 0,
      bad = 0;
    for await (const chunk of t.iterate(["v", "x", "n", "b"], { stepSize: 170_000 })) {
      expect(chunk.entryStart).toBe(at);
      bad += mismatches(chunk.columns, chunk.entryStart, chunk.entryStop);
      at = chunk.entryStop;
    }
    expect(at).toBe(N);
    expect(bad).toBe(0);
    await f.close();
  });
});

describe("small output arrays", () => {
  it("columns carved from one shared buffer are independent views", async () => {
    const f = await openFile(rootFile("uproot-HZZ.root"));
    const t = await f.tree("events");
    const a = await t.arrays(["NJet", "Jet_Px", "MET_px", "MET_py"], { entryStart: 0, entryStop: 50 });
    const again = await t.arrays(["NJet", "Jet_Px", "MET_px", "MET_py"], { entryStart: 0, entryStop: 50 });
    const px = a.MET_px as Float32Array,
      py = a.MET_py as Float32Array;
    // Writing one column must not change another, whatever buffer they live in.
    px.fill(12345);
    expect(Array.from(py)).toEqual(Array.from(again.MET_py as Float32Array));
    expect(Array.from((a.Jet_Px as Jagged<Float32Array>).content)).toEqual(Array.from((again.Jet_Px as Jagged<Float32Array>).content));
    expect(Array.from(a.NJet as Int32Array)).toEqual(Array.from(again.NJet as Int32Array));
    expect(px.byteLength).toBe(50 * 4);
    await f.close();
  });
});
