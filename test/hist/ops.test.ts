import { describe, expect, it } from "vitest";
import { Hist, Regular, StrCategory, Variable, fromRoot, toRoot, histFromJSON } from "../../src/hist/index.js";
import { openFile } from "../../src/root/index.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { REFERENCE, rootFile } from "../shared.js";
import { rng } from "./reference.js";

/** A 3-axis weight histogram filled with known integer weights (exact in float64). */
function filled(): Hist {
  const h = new Hist([Regular(6, 0, 6, { name: "x" }), Variable([0, 1, 3], { name: "y" }), StrCategory(["a", "b"], { name: "c" })], { storage: "weight" });
  const r = rng(1);
  for (const c of ["a", "b", "zz"]) {
    const x = Float64Array.from({ length: 500 }, () => r() * 8 - 1);
    const y = Float64Array.from({ length: 500 }, () => r() * 4 - 0.5);
    const w = Float64Array.from({ length: 500 }, () => Math.floor(r() * 4));
    h.fill({ x, y, c }, { weight: w });
  }
  return h;
}

/** Reference: sum of bins by a plain loop over (x, y, c) storage positions with a predicate. */
function sumWhere(h: Hist, pred: (ix: number, iy: number, ic: number) => boolean, field = 0): number {
  const [ex, ey, ec] = h.shape({ flow: true }) as [number, number, number];
  let s = 0;
  for (let c = 0; c < ec; c++) for (let y = 0; y < ey; y++) for (let x = 0; x < ex; x++) if (pred(x, y, c)) s += h.data[field]![x + ex * (y + ey * c)]!;
  return s;
}

describe("reshaping", () => {
  it("project sums over the other axes including their flow bins", () => {
    const h = filled();
    const px = h.project("x");
    const vx = px.values({ flow: true });
    for (let x = 0; x < 8; x++) expect(vx[x]).toBe(sumWhere(h, (ix) => ix === x));
    const pyc = h.project("c", "y"); // reordered axes
    expect(pyc.axes.map((a) => a.name)).toEqual(["c", "y"]);
    expect(pyc.at(1, 0).value).toBe(sumWhere(h, (_, iy, ic) => iy === 1 && ic === 1));
    expect(h.sumOver("x", "y").values({ flow: true })[2]).toBe(sumWhere(h, (_, __, ic) => ic === 2));
    expect(h.sum()).toBe(sumWhere(h, () => true));
  });
  it("pick a category keeps that slice only", () => {
    const h = filled();
    const p = h.pick({ c: "b" });
    expect(p.rank).toBe(2);
    expect(p.sum()).toBe(sumWhere(h, (_, __, ic) => ic === 1));
    expect(p.variances({ flow: true })[9]).toBe(h.data[1]![9 + 8 * 4]!);
    expect(() => h.pick({ c: "nope" })).toThrow(/no category "nope"/);
  });
  it("pick of a middle axis, or of two, copies each kept bin of every storage field, flow bins included", () => {
    const h = filled();
    const [ex, ey] = h.shape({ flow: true }) as [number, number, number];
    const py = h.pick({ y: 1 }); // y position 2 (bin 1 after the underflow)
    const pxy = h.pick({ x: -1, y: 2 }); // x underflow, y overflow
    for (let f = 0; f < h.data.length; f++) {
      const want = Array.from({ length: ex * 3 }, (_, i) => h.data[f]![(i % ex) + ex * (2 + ey * Math.floor(i / ex))]!);
      expect(Array.from(py.data[f]!)).toEqual(want);
      expect(Array.from(pxy.data[f]!)).toEqual([0, 1, 2].map((c) => h.data[f]![0 + ex * (3 + ey * c)]!));
    }
    const m = new Hist([Regular(3, 0, 3, { name: "x" }), StrCategory(["a", "b"], { name: "c" })], { storage: "mean" });
    const r = rng(7);
    for (const c of ["a", "b"]) m.fill({ x: Float64Array.from({ length: 40 }, () => r() * 4 - 0.5), c }, { sample: Float64Array.from({ length: 40 }, () => r()) });
    const mb = m.pick({ c: "b" });
    for (let f = 0; f < m.data.length; f++) expect(Array.from(mb.data[f]!)).toEqual(Array.from(m.data[f]!.subarray(5, 10)));
  });
  it("slice moves cut-away bins to the flow bins", () => {
    const h = filled();
    const s = h.slice("x", 2, 5);
    expect(s.axes[0]!.size).toBe(3);
    expect(Array.from((s.axes[0] as unknown as { edges: Float64Array }).edges)).toEqual([2, 3, 4, 5]);
    expect(s.sum()).toBe(h.sum());
    const pick = (hh: Hist) => hh.pick({ c: "a", y: 0 }).values({ flow: true });
    const before = pick(h),
      after = pick(s);
    expect(after[0]).toBe(before[0]! + before[1]! + before[2]!); // underflow + bins 0, 1
    expect(Array.from(after.slice(1, 4))).toEqual(Array.from(before.slice(3, 6)));
    expect(after[4]).toBe(before[6]! + before[7]!); // bin 5 + overflow
  });
  it("rebin by factor and to new edges", () => {
    const h = filled();
    const r = h.rebin("x", 3);
    expect(r.axes[0]!.size).toBe(2);
    const b = h.project("x").values({ flow: true }),
      rb = r.project("x").values({ flow: true });
    expect(Array.from(rb)).toEqual([b[0], b[1]! + b[2]! + b[3]!, b[4]! + b[5]! + b[6]!, b[7]]);
    const t = h.rebinTo("x", [1, 2, 5]);
    const tb = t.project("x").values({ flow: true });
    expect(Array.from(tb)).toEqual([b[0]! + b[1]!, b[2], b[3]! + b[4]! + b[5]!, b[6]! + b[7]!]);
    expect(() => h.rebin("x", 4)).toThrow(/does not divide/);
    expect(() => h.rebinTo("x", [0, 2.5])).toThrow(/not an edge/);
  });
  it("scale multiplies sumw by f and sumw2 by f²", () => {
    const h = filled();
    const v = h.values({ flow: true }),
      w2 = h.variances({ flow: true });
    h.scale(0.5);
    expect(Array.from(h.values({ flow: true }))).toEqual(Array.from(v, (x) => x * 0.5));
    expect(Array.from(h.variances({ flow: true }))).toEqual(Array.from(w2, (x) => x * 0.25));
  });
});

describe("merging", () => {
  it("adding chunk histograms equals one fill, and a fixed merge order is bit-identical", () => {
    const r = rng(42);
    const x = Float64Array.from({ length: 3000 }, () => r() * 12 - 1);
    const w = Float64Array.from({ length: 3000 }, () => r());
    const mk = () => new Hist([Regular(10, 0, 10), StrCategory([], { growth: true })], { storage: "weight" });
    const chunks = [0, 1, 2].map((k) => mk().fill([x.subarray(k * 1000, (k + 1) * 1000), k === 1 ? "wjets" : "ttbar"], { weight: w.subarray(k * 1000, (k + 1) * 1000) }));
    const m1 = Hist.merge(chunks),
      m2 = Hist.merge(chunks);
    expect(Buffer.from(m1.data[0]!.buffer).equals(Buffer.from(m2.data[0]!.buffer))).toBe(true);
    const whole = mk();
    whole.fill([x.subarray(0, 1000), "ttbar"], { weight: w.subarray(0, 1000) });
    whole.fill([x.subarray(1000, 2000), "wjets"], { weight: w.subarray(1000, 2000) });
    whole.fill([x.subarray(2000), "ttbar"], { weight: w.subarray(2000) });
    // same categories in the same order; sums agree to rounding (relative 1e-12) since only the order of additions differs
    expect((m1.axes[1] as unknown as { categories: string[] }).categories).toEqual(["ttbar", "wjets"]);
    const a = m1.values({ flow: true }),
      b = whole.values({ flow: true });
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(b[i]!));
  });
  it("refuses different binning", () => {
    expect(() => new Hist([Regular(2, 0, 1)]).add(new Hist([Regular(2, 0, 2)]))).toThrow(/differs/);
  });
});

describe("serialization", () => {
  it("JSON round-trips exactly, including NaN", () => {
    const h = filled();
    h.data[0]![3] = NaN;
    const back = histFromJSON(JSON.parse(JSON.stringify(h)));
    expect(back.axes.map((a) => a.toJSON())).toEqual(h.axes.map((a) => a.toJSON()));
    expect(Array.from(back.data[0]!)).toEqual(Array.from(h.data[0]!));
    expect(Array.from(back.data[1]!)).toEqual(Array.from(h.data[1]!));
  });
  it("JSON with a wrong array size is rejected", () => {
    const j = JSON.parse(JSON.stringify(new Hist([Regular(2, 0, 1)])));
    j.data.values.pop();
    expect(() => Hist.fromJSON(j)).toThrow(/must hold 4 numbers/);
  });
});

describe("ROOT conversion", () => {
  it("toRoot lays out bins in ROOT's global-bin order with flow bins", () => {
    const h = new Hist([Regular(2, 0, 2, { name: "x" }), Variable([0, 1, 5], { name: "y", overflow: false })], { storage: "weight" });
    h.fill([new Float64Array([0.5, 1.5, 1.5, 3, -1]), new Float64Array([0.5, 2, 2, 0.5, 9])], { weight: new Float64Array([1, 2, 3, 4, 5]) });
    const rh = toRoot(h, "h2");
    expect(rh.className).toBe("TH2D");
    // ROOT global bin = bx + 4 * by
    expect(rh.contents[1 + 4 * 1]).toBe(1);
    expect(rh.contents[2 + 4 * 2]).toBe(5);
    expect(rh.sumw2![2 + 4 * 2]).toBe(13);
    expect(rh.contents[3 + 4 * 1]).toBe(4);
    expect(rh.contents.reduce((a, b) => a + b, 0)).toBe(10); // the y-overflow fill (w=5) is dropped: the axis has no overflow
    expect(Array.from(rh.yaxis!.edges!)).toEqual([0, 1, 5]);
    expect(rh.stats.tsumw).toBe(6); // in-range bins only
    expect(rh.stats.tsumwx).toBe(0.5 * 1 + 1.5 * 5);
    const back = fromRoot(rh);
    expect(back.at(1, 1).value).toBe(5);
    expect(back.at(1, 1).variance).toBe(13);
  });
  it("category axes become labelled ROOT bins and back", () => {
    const h = new Hist([StrCategory(["ttbar", "wjets"], { name: "p" })]).fill({ p: ["wjets", "wjets", "ttbar"] });
    const rh = toRoot(h, "cats");
    expect(rh.xaxis.labels).toEqual(["ttbar", "wjets"]);
    expect(Array.from(rh.contents)).toEqual([0, 1, 2, 0]);
    const back = fromRoot(rh);
    expect(back.valueAt("wjets").value).toBe(2);
  });
  it("fromRoot of TH1F histograms read from uproot-histograms.root matches JSROOT's contents", async () => {
    const ref = JSON.parse(readFileSync(path.join(REFERENCE, "root", "uproot-histograms.root.json"), "utf8")) as { histograms: { path: string; typename: string; contents: number[]; xaxis: { nbins: number; xmin: number; xmax: number } }[] };
    const file = await openFile(rootFile("uproot-histograms.root"));
    const th1 = ref.histograms.filter((r) => r.typename === "TH1F");
    expect(th1.length).toBeGreaterThan(0);
    for (const r of th1) {
      const h = fromRoot((await file.get(r.path)) as Parameters<typeof fromRoot>[0]);
      expect(h.axes[0]!.size).toBe(r.xaxis.nbins);
      expect(Array.from(h.values({ flow: true }))).toEqual(r.contents);
    }
  });
});

describe("ROOT file round trip through the writer", () => {
  it("toRoot → createFile/putHistogram → openFile/get → fromRoot keeps contents and sumw2", async () => {
    const { createFile } = await import("../../src/root/index.js");
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const out = path.join(mkdtempSync(path.join(tmpdir(), "hepflow-hist-")), "h.root");
    const h = new Hist([Variable([50, 100, 200, 550], { name: "observable", label: "m_{bjj} [GeV]" })], { storage: "weight" });
    h.fill(new Float64Array([40, 60, 150, 150, 600]), { weight: new Float64Array([0.5, 1.25, 2, 3, 7]) });
    const w = await createFile(out);
    w.putHistogram("4j2b_ttbar", toRoot(h, "4j2b_ttbar"));
    await w.close();
    const back = fromRoot((await (await openFile(out)).get("4j2b_ttbar")) as Parameters<typeof fromRoot>[0]);
    expect(Array.from(back.values({ flow: true }))).toEqual([0.5, 1.25, 5, 0, 7]);
    expect(Array.from(back.variances({ flow: true }))).toEqual([0.25, 1.5625, 13, 0, 49]);
    expect(Array.from((back.axes[0] as unknown as { edges: Float64Array }).edges)).toEqual([50, 100, 200, 550]);
  });
});

describe("accumulator form", () => {
  it("element-wise addition of two accumulators equals Hist.add, and round-trips", async () => {
    const { toAccumulator, fromAccumulator } = await import("../../src/hist/index.js");
    const mk = (seed: number) => {
      const r = rng(seed);
      const h = new Hist([Regular(4, 0, 4, { name: "x" }), StrCategory(["a", "b"], { name: "p" })], { storage: "weight" });
      h.fill({ x: Float64Array.from({ length: 100 }, () => r() * 5 - 0.5), p: seed % 2 ? "a" : "b" }, { weight: Float64Array.from({ length: 100 }, () => r()) });
      return h;
    };
    const a = toAccumulator(mk(1)),
      b = toAccumulator(mk(2));
    expect(a.hepflowHist).toBe(b.hepflowHist);
    // what analysis/accumulate does with typed arrays: element-wise addition
    const merged = { hepflowHist: a.hepflowHist, sumw: (a.sumw as Float64Array).map((v, i) => v + (b.sumw as Float64Array)[i]!), sumw2: (a.sumw2 as Float64Array).map((v, i) => v + (b.sumw2 as Float64Array)[i]!) };
    const ref = mk(1).add(mk(2));
    const got = fromAccumulator(merged);
    expect(Array.from(got.data[0]!)).toEqual(Array.from(ref.data[0]!));
    expect(Array.from(got.data[1]!)).toEqual(Array.from(ref.data[1]!));
  });
});
