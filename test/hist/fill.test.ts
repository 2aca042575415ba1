import { describe, expect, it } from "vitest";
import { Boolean as BoolAxis, Hist, IntCategory, Integer, Regular, StrCategory, Variable } from "../../src/hist/index.js";
import { Jagged } from "../../src/array/index.js";
import { isHepflowError } from "../../src/util/index.js";
import { binByScan, linspace, rng } from "./reference.js";

function sampleValues(n: number, lo: number, hi: number, edges: number[], seed: number): Float64Array {
  const r = rng(seed);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    // a mix of in-range values, exact edges, out-of-range values and NaN/±Inf
    xs[i] = u < 0.7 ? lo + (hi - lo) * r() : u < 0.85 ? edges[Math.floor(r() * edges.length)]! : u < 0.97 ? lo - (hi - lo) + 3 * (hi - lo) * r() : [NaN, Infinity, -Infinity][Math.floor(r() * 3)]!;
  }
  return xs;
}

function referenceCounts(edges: number[], xs: ArrayLike<number>, w?: ArrayLike<number>): { sumw: number[]; sumw2: number[] } {
  const n = edges.length - 1;
  const sumw = new Array<number>(n + 2).fill(0),
    sumw2 = new Array<number>(n + 2).fill(0);
  for (let i = 0; i < xs.length; i++) {
    const b = binByScan(edges, xs[i]!) + 1;
    const wi = w ? w[i]! : 1;
    sumw[b]! += wi;
    sumw2[b]! += wi * wi;
  }
  return { sumw, sumw2 };
}

describe("1D Regular fill matches numpy's binning rule (plain-loop reference)", () => {
  for (const [lo, hi, n] of [
    [50, 550, 25],
    [0, 1, 10],
    [-3, 3, 7],
    [0.1, 0.7, 3],
  ] as const) {
    it(`Regular(${n}, ${lo}, ${hi}) with float64 and float32 input`, () => {
      const edges = linspace(lo, hi, n);
      const xs = sampleValues(20_000, lo, hi, edges, n * 7 + 1);
      for (const input of [xs, new Float32Array(xs)]) {
        const h = new Hist([Regular(n, lo, hi)]);
        h.fill(input);
        expect(Array.from(h.values({ flow: true }))).toEqual(referenceCounts(edges, input).sumw);
      }
    });
  }
  it("known answers at the edges of Regular(25, 50, 550)", () => {
    const h = new Hist([Regular(25, 50, 550)]);
    h.fill(new Float64Array([50, 70, 69.99999999999999, 549.9999, 550, 49.99999, NaN]));
    expect(h.at(0).value).toBe(2); // 50 and 69.999…
    expect(h.at(1).value).toBe(1); // 70 opens bin 1
    expect(h.at(24).value).toBe(1);
    expect(h.at(25).value).toBe(2); // 550 (upper edge) and NaN → overflow
    expect(h.at(-1).value).toBe(1);
  });
  it("weights: weight storage keeps sum w and sum w² per bin", () => {
    const edges = linspace(0, 10, 5);
    const xs = sampleValues(5000, 0, 10, edges, 99);
    const r = rng(5);
    const w = Float64Array.from(xs, () => r() * 2 - 0.5);
    const h = new Hist([Regular(5, 0, 10)], { storage: "weight" }).fill(xs, { weight: w });
    const ref = referenceCounts(edges, xs, w);
    // sums run in the same element order as the reference loop → exact equality
    expect(Array.from(h.values({ flow: true }))).toEqual(ref.sumw);
    expect(Array.from(h.variances({ flow: true }))).toEqual(ref.sumw2);
  });
  it("axes without flow bins drop out-of-range values", () => {
    const h = new Hist([Regular(2, 0, 2, { underflow: false, overflow: false })]).fill(new Float64Array([-1, 0.5, 1.5, 2, 3]));
    expect(Array.from(h.values({ flow: true }))).toEqual([1, 1]);
  });
  it("log-transformed Regular bins equal-width in ln x", () => {
    const h = new Hist([Regular(3, 1, 1000, { transform: "log" })]).fill(new Float64Array([1, 9.9, 10.5, 99, 101, 999, 1000, 0.5, -2, 0, NaN]));
    // 0.5, −2 and 0 are below 1 (log of a negative is NaN, still an underflow); 1000 and NaN overflow
    expect(Array.from(h.values({ flow: true }))).toEqual([3, 2, 2, 2, 2]);
  });
});

describe("other axes", () => {
  it("Variable axis matches the scan reference", () => {
    const edges = [0, 1, 2.5, 7, 7.5, 20];
    const xs = sampleValues(5000, 0, 20, edges, 3);
    const h = new Hist([Variable(edges)]).fill(xs);
    expect(Array.from(h.values({ flow: true }))).toEqual(referenceCounts(edges, xs).sumw);
  });
  it("Variable axis with very uneven and decimal edges (many bins in one lookup cell, float32 input) matches the scan reference", () => {
    // 60 narrow bins packed into 0.1% of the range, then wide ones: the O(1) lookup grid has
    // cells holding dozens of edges, so the walk along the edges must finish the job exactly
    const edges = [...Array.from({ length: 60 }, (_, i) => 100 + i * 0.013), 101, 250, 333.3, 1e4];
    const xs = sampleValues(20_000, 100, 1e4, edges, 17);
    for (let i = 0; i < 5000; i++) xs[i] = 100 + (i % 997) * 0.0008; // dense in the narrow bins
    const h = new Hist([Variable(edges)]).fill(xs);
    expect(Array.from(h.values({ flow: true }))).toEqual(referenceCounts(edges, xs).sumw);
    const x32 = Float32Array.from(xs);
    const h32 = new Hist([Variable(edges)]).fill(x32);
    expect(Array.from(h32.values({ flow: true }))).toEqual(referenceCounts(edges, x32).sumw);
  });
  it("two Regular axes around a fixed category (fused 2D loop) match the scan reference per axis", () => {
    const ex = linspace(-3, 3, 7),
      ey = linspace(0.1, 0.7, 5);
    const xs = sampleValues(8000, -3, 3, ex, 5),
      ys = sampleValues(8000, 0.1, 0.7, ey, 6);
    const w = Float64Array.from(xs, (_, i) => 0.25 + (i % 13) * 0.5);
    for (const input of [
      [xs, ys],
      [Float32Array.from(xs), Float32Array.from(ys)],
    ] as const) {
      const h = new Hist([Regular(7, -3, 3, { name: "x" }), StrCategory(["a", "b"], { name: "c" }), Regular(5, 0.1, 0.7, { name: "y" })], { storage: "weight" });
      h.fill({ x: input[0], c: "b", y: input[1] }, { weight: w });
      // storage layout, first axis fastest: x (9 with flow) × c (a, b, other) × y (7 with flow)
      const sumw = new Array<number>(9 * 3 * 7).fill(0),
        sumw2 = new Array<number>(9 * 3 * 7).fill(0);
      for (let i = 0; i < xs.length; i++) {
        const p = binByScan(ex, input[0][i]!) + 1 + 9 * (1 + 3 * (binByScan(ey, input[1][i]!) + 1));
        sumw[p]! += w[i]!;
        sumw2[p]! += w[i]! * w[i]!;
      }
      // same element order as the reference loop → exact equality
      expect(Array.from(h.field("sumw"))).toEqual(sumw);
      expect(Array.from(h.field("sumw2"))).toEqual(sumw2);
    }
  });
  it("Integer and Boolean axes", () => {
    const h = new Hist([Integer(0, 3), BoolAxis()]);
    h.fill([new Int32Array([0, 1, 2, 3, -1, 2]), new Uint8Array([0, 1, 1, 0, 1, 1])]);
    expect(h.at(2, 1).value).toBe(2);
    expect(h.at(3, 0).value).toBe(1);
    expect(h.at(-1, 1).value).toBe(1);
    expect(h.sum()).toBe(6);
  });
  it("StrCategory: unknown values go to the overflow; columns of labels fill per value", () => {
    const h = new Hist([StrCategory(["a", "b"], { name: "c" })]);
    h.fill({ c: ["a", "b", "b", "zz"] });
    expect(Array.from(h.values({ flow: true }))).toEqual([1, 2, 1]);
  });
  it("IntCategory grows in first-seen order", () => {
    const h = new Hist([IntCategory([], { growth: true })]).fill(new Int32Array([5, 3, 5, 7]));
    expect(h.axes[0]!.size).toBe(3);
    expect(Array.from(h.values())).toEqual([2, 1, 1]);
  });
});

describe("multi-axis category fills", () => {
  it("observable × process × variation with one label per fill and growth keeping earlier contents", () => {
    const h = new Hist([Regular(4, 0, 4, { name: "x" }), StrCategory([], { name: "process", growth: true }), StrCategory([], { name: "variation", growth: true })], { storage: "weight" });
    h.fill({ x: new Float64Array([0.5, 1.5, 1.5]), process: "ttbar", variation: "nominal" }, { weight: 2 });
    h.fill({ x: new Float32Array([3.5]), process: "wjets", variation: "nominal" });
    h.fill({ x: new Float64Array([0.5, 9]), process: "ttbar", variation: "up" }, { weight: new Float64Array([0.5, 3]) });
    expect(Array.from(h.pick({ process: "ttbar", variation: "nominal" }).values({ flow: true }))).toEqual([0, 2, 4, 0, 0, 0]);
    expect(Array.from(h.pick({ process: "ttbar", variation: "nominal" }).variances({ flow: true }))).toEqual([0, 4, 8, 0, 0, 0]);
    expect(Array.from(h.pick({ process: "wjets", variation: "nominal" }).values())).toEqual([0, 0, 0, 1]);
    expect(Array.from(h.pick({ process: "ttbar", variation: "up" }).values({ flow: true }))).toEqual([0, 0.5, 0, 0, 0, 3]);
    expect(h.valueAt(1.2, "ttbar", "nominal").value).toBe(4);
  });
  it("two array axes and a fixed category", () => {
    const h = new Hist([Regular(2, 0, 2), Variable([0, 10, 100]), StrCategory(["s"])]);
    h.fill([new Float64Array([0.5, 1.5, 1.5, 5]), new Float64Array([5, 50, 50, 500]), "s"]);
    expect(h.at(1, 1, 0).value).toBe(2);
    expect(h.at(2, 2, 0).value).toBe(1);
  });
  it("jagged columns fill with their content", () => {
    const j = new Jagged(new Int32Array([0, 2, 3]), new Float32Array([0.5, 1.5, 1.5]));
    const h = new Hist([Regular(2, 0, 2)]).fill(j);
    expect(Array.from(h.values())).toEqual([1, 2]);
  });
  it("errors name the problem", () => {
    const h = new Hist([Regular(2, 0, 2, { name: "x" }), StrCategory([], { name: "p", growth: true })]);
    expect(() => h.fill({ x: new Float64Array(2) })).toThrow(/missing axis "p"/);
    expect(() => h.fill({ x: new Float64Array(2), p: "a", q: 1 })).toThrow(/"q", which is not an axis/);
    try {
      h.fill({ x: new Float64Array(2), p: "a" }, { weight: new Float64Array(3) });
      expect.unreachable();
    } catch (e) {
      expect(isHepflowError(e, "HIST_FILL")).toBe(true);
    }
  });
});

describe("int and mean storage", () => {
  it("int storage counts and refuses weights", () => {
    const h = new Hist([Regular(2, 0, 2)], { storage: "int" }).fill(new Float64Array([0.1, 0.2, 1.5]));
    expect(Array.from(h.values())).toEqual([2, 1]);
    expect(() => h.fill(new Float64Array([1]), { weight: 2 })).toThrow(/unweighted/);
  });
  it("mean storage: per-bin weighted mean and variance of the mean against a direct two-pass computation", () => {
    const r = rng(11);
    const n = 2000;
    const x = Float64Array.from({ length: n }, () => r() * 2);
    const s = Float64Array.from({ length: n }, () => 10 + 5 * r());
    const w = Float64Array.from({ length: n }, () => 0.5 + r());
    const h = new Hist([Regular(2, 0, 2)], { storage: "mean" }).fill(x, { sample: s, weight: w });
    for (let b = 0; b < 2; b++) {
      let sw = 0,
        sw2 = 0,
        swx = 0;
      for (let i = 0; i < n; i++)
        if (Math.floor(x[i]!) === b) {
          sw += w[i]!;
          sw2 += w[i]! ** 2;
          swx += w[i]! * s[i]!;
        }
      const mean = swx / sw;
      let m2 = 0;
      for (let i = 0; i < n; i++) if (Math.floor(x[i]!) === b) m2 += w[i]! * (s[i]! - mean) ** 2;
      const variance = m2 / (sw - sw2 / sw) / ((sw * sw) / sw2);
      const got = h.at(b);
      // relative 1e-12: West's one-pass update and the two-pass formula differ only by rounding
      expect(Math.abs(got.value - mean) / mean).toBeLessThan(1e-12);
      expect(Math.abs(got.variance - variance) / variance).toBeLessThan(1e-10);
    }
  });
});

describe("axis ownership", () => {
  it("a growable axis object passed to two histograms grows independently", () => {
    const proc = StrCategory([], { name: "p", growth: true });
    const h1 = new Hist([Regular(2, 0, 2, { name: "x" }), proc]);
    const h2 = new Hist([Regular(2, 0, 2, { name: "x" }), proc]);
    h1.fill({ x: new Float64Array([0.5]), p: "a" });
    h2.fill({ x: new Float64Array([1.5]), p: "b" });
    expect(h1.axes[1]!.size).toBe(1);
    expect(h2.valueAt(1.5, "b").value).toBe(1);
    expect(proc.size).toBe(0);
  });
});
