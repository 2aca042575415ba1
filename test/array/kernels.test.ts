import { describe, expect, it } from "vitest";
import {
  Jagged,
  all,
  and,
  any,
  argmax,
  argmin,
  argsort,
  broadcast,
  cartesian,
  combinations,
  concatenate,
  count,
  countTrue,
  fillNone,
  filterEvents,
  firsts,
  gt,
  lt,
  max,
  min,
  nth,
  offsetsFromCounts,
  pad,
  parents,
  pick,
  select,
  sortBy,
  sum,
  take,
  zip,
  zipNano,
  abs,
  not,
  or,
} from "../../src/array/index.js";
import { isHepflowError } from "../../src/util/index.js";

// Four hand-made events: 3 jets, 0 jets, 1 jet, 2 jets.
const offsets = new Int32Array([0, 3, 3, 4, 6]);
const pt = new Jagged(offsets, new Float64Array([30, 50, 20, 15, 45, 60]));
const eta = new Jagged(offsets, new Float32Array([0.5, -2.5, 1.0, 2.4, -0.1, 3.0]));

describe("reductions", () => {
  it("count, sum, min, max, argmax, argmin per event", () => {
    expect(Array.from(count(pt))).toEqual([3, 0, 1, 2]);
    expect(Array.from(sum(pt))).toEqual([100, 0, 15, 105]);
    expect(Array.from(min(pt))).toEqual([20, NaN, 15, 45]);
    expect(Array.from(max(pt, -1))).toEqual([50, -1, 15, 60]);
    expect(Array.from(argmax(pt))).toEqual([1, -1, 0, 1]);
    expect(Array.from(argmin(pt))).toEqual([2, -1, 0, 0]);
  });
  it("float32 content sums as a float32 running sum (the reference's H_T)", () => {
    const j = new Jagged(new Int32Array([0, 3]), new Float32Array([16777216, 1, 1]));
    // float32: 2^24 + 1 rounds back to 2^24 at each step; float64 would give 2^24 + 2
    const s = sum(j);
    expect(s).toBeInstanceOf(Float32Array);
    expect(s[0]).toBe(16777216);
    expect(sum(new Jagged(new Int32Array([0, 3]), new Float64Array([16777216, 1, 1])))[0]).toBe(16777218);
  });
  it("argmax takes the first of ties and skips NaN", () => {
    const j = new Jagged(new Int32Array([0, 3]), new Float64Array([NaN, 7, 7]));
    expect(Array.from(argmax(j))).toEqual([1]);
  });
  it("any/all with the empty-event identities", () => {
    const m = gt(pt, 25);
    expect(Array.from(any(m))).toEqual([1, 0, 0, 1]);
    expect(Array.from(all(m))).toEqual([0, 1, 0, 1]);
    expect(Array.from(countTrue(m))).toEqual([2, 0, 0, 2]);
  });
});

describe("masks", () => {
  it("compares float32 columns in float32 at the cut value", () => {
    // float32(2.4) = 2.4000000953674316 > 2.4 as float64: a float64 comparison would say false.
    expect(Array.from(lt(abs(eta), 2.4).content)).toEqual([1, 0, 1, 0, 1, 0]);
    // the float64 column compares in float64
    const e64 = new Float64Array([2.4, Math.fround(2.4)]);
    expect(Array.from(lt(e64, 2.4))).toEqual([0, 0]);
    expect(Array.from(lt(new Float32Array(e64), 2.4))).toEqual([0, 0]);
  });
  it("and/or/not element-wise and shape checks", () => {
    const a = gt(pt, 25),
      b = lt(pt, 55);
    expect(Array.from(and(a, b).content)).toEqual([1, 1, 0, 0, 1, 0]);
    expect(Array.from(or(a, b).content)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(not(a).content)).toEqual([0, 0, 1, 1, 0, 0]);
    const other = new Jagged(new Int32Array([0, 2, 3, 4, 6]), new Uint8Array(6));
    expect(() => and(a, other)).toThrow(/counts differ/);
  });
  it("select keeps one shared offsets array for the whole collection", () => {
    const jets = zip({ pt, eta });
    const good = select(jets, gt(jets.pt, 25));
    expect(good.pt.offsets).toBe(good.eta.offsets);
    expect(Array.from(good.pt.offsets)).toEqual([0, 2, 2, 2, 4]);
    expect(Array.from(good.pt.content)).toEqual([30, 50, 45, 60]);
    expect(good.eta.content).toBeInstanceOf(Float32Array);
    expect(Array.from(good.eta.content)).toEqual([0.5, -2.5, Math.fround(-0.1), 3.0]);
  });
  it("filterEvents filters flat, jagged and records, keeping shared offsets shared", () => {
    const events = { jets: zip({ pt, eta }), met: new Float32Array([1, 2, 3, 4]), name: ["a", "b", "c", "d"] };
    const out = filterEvents(events, new Uint8Array([1, 0, 0, 1]));
    expect(Array.from(out.met)).toEqual([1, 4]);
    expect(out.name).toEqual(["a", "d"]);
    expect(out.jets.pt.offsets).toBe(out.jets.eta.offsets);
    expect(Array.from(out.jets.pt.offsets)).toEqual([0, 3, 5]);
    expect(Array.from(out.jets.pt.content)).toEqual([30, 50, 20, 45, 60]);
  });
  it("filterEvents rejects a mask of the wrong length", () => {
    try {
      filterEvents(pt, new Uint8Array(3));
      expect.unreachable();
    } catch (e) {
      expect(isHepflowError(e, "ARRAY_SHAPE")).toBe(true);
    }
  });
});

describe("structure", () => {
  it("firsts, nth, pick, pad, fillNone", () => {
    expect(Array.from(firsts(pt))).toEqual([30, NaN, 15, 45]);
    expect(Array.from(nth(pt, -1))).toEqual([20, NaN, 15, 60]);
    expect(Array.from(pick(pt, argmax(pt)))).toEqual([50, NaN, 15, 60]);
    const p = pad(pt, 2, NaN, { clip: true });
    expect(Array.from(p.offsets)).toEqual([0, 2, 4, 6, 8]);
    expect(Array.from(p.content)).toEqual([30, 50, NaN, NaN, 15, NaN, 45, 60]);
    expect(Array.from(pad(pt, 2).offsets)).toEqual([0, 3, 5, 7, 9]);
    expect(Array.from(fillNone(firsts(pt), -1))).toEqual([30, -1, 15, 45]);
  });
  it("argsort descending and sortBy reorder every field", () => {
    expect(Array.from(argsort(pt, { ascending: false }).content)).toEqual([1, 0, 2, 0, 1, 0]);
    expect(Array.from(argsort(pt).content)).toEqual([2, 0, 1, 0, 0, 1]);
    const s = sortBy(zip({ pt, eta }), "pt");
    expect(Array.from(s.pt.content)).toEqual([50, 30, 20, 15, 60, 45]);
    expect(Array.from(s.eta.content)).toEqual([-2.5, 0.5, 1.0, Math.fround(2.4), 3.0, Math.fround(-0.1)]);
  });
  it("argsort is stable and puts NaN last", () => {
    const j = new Jagged(new Int32Array([0, 4]), new Float64Array([2, NaN, 1, 2]));
    expect(Array.from(argsort(j).content)).toEqual([2, 0, 3, 1]);
  });
  it("concatenate electrons + muons per event", () => {
    const eo = new Int32Array([0, 1, 1, 2]),
      mo = new Int32Array([0, 0, 2, 3]);
    const el = zip({ pt: new Jagged(eo, new Float32Array([10, 11])), charge: new Jagged(eo, new Int32Array([-1, 1])) });
    const mu = zip({ pt: new Jagged(mo, new Float32Array([20, 21, 22])), charge: new Jagged(mo, new Int32Array([1, 1, -1])) });
    const lep = concatenate([el, mu]);
    expect(lep.pt.offsets).toBe(lep.charge.offsets);
    expect(Array.from(lep.pt.offsets)).toEqual([0, 1, 3, 5]);
    expect(Array.from(lep.pt.content)).toEqual([10, 20, 21, 11, 22]);
    expect(Array.from(lep.charge.content)).toEqual([-1, 1, 1, 1, -1]);
  });
  it("take gathers by local indices and checks bounds", () => {
    const idx = new Jagged(new Int32Array([0, 1, 1, 1, 3]), new Int32Array([2, 1, 0]));
    expect(Array.from(take(pt, idx).content)).toEqual([20, 60, 45]);
    const bad = new Jagged(new Int32Array([0, 1, 1, 1, 1]), new Int32Array([3]));
    expect(() => take(pt, bad)).toThrow(/out of range/);
  });
  it("broadcast, parents, offsetsFromCounts", () => {
    expect(Array.from(broadcast(new Float32Array([1, 2, 3, 4]), pt).content)).toEqual([1, 1, 1, 3, 4, 4]);
    expect(Array.from(parents(offsets))).toEqual([0, 0, 0, 2, 3, 3]);
    expect(Array.from(offsetsFromCounts([3, 0, 1, 2]))).toEqual(Array.from(offsets));
  });
});

describe("combinatorics", () => {
  it("combinations(2) and (3) in lexicographic order with shared offsets", () => {
    const [a, b] = combinations(pt, 2);
    expect(a!.offsets).toBe(b!.offsets);
    expect(Array.from(a!.offsets)).toEqual([0, 3, 3, 3, 4]);
    expect(Array.from(a!.content)).toEqual([0, 0, 1, 0]);
    expect(Array.from(b!.content)).toEqual([1, 2, 2, 1]);
    const five = new Int32Array([0, 5]);
    const [i, j, k] = combinations(five, 3);
    const triples = Array.from(i!.content, (_, n) => `${i!.content[n]}${j!.content[n]}${k!.content[n]}`);
    expect(triples).toEqual(["012", "013", "014", "023", "024", "034", "123", "124", "134", "234"]);
  });
  it("combinations agree with a brute-force count C(n,3) for n = 0..8", () => {
    const counts = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const [i] = combinations(offsetsFromCounts(counts), 3);
    const expected = counts.map((n) => (n < 3 ? 0 : (n * (n - 1) * (n - 2)) / 6));
    expect(Array.from(count(i!))).toEqual(expected);
  });
  it("cartesian pairs every a with every b, a-major", () => {
    const [ia, ib] = cartesian(new Int32Array([0, 2, 2]), new Int32Array([0, 3, 4]));
    expect(Array.from(ia.offsets)).toEqual([0, 6, 6]);
    expect(Array.from(ia.content)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(ib.content)).toEqual([0, 1, 2, 0, 1, 2]);
  });
});

describe("zip", () => {
  it("zipNano groups NanoAOD branches into collections without copying", () => {
    const cols = { nJet: new Int32Array([3, 0, 1, 2]), Jet_pt: pt, Jet_eta: new Jagged(new Int32Array(offsets), eta.content), MET_pt: new Float32Array(4) };
    const ev = zipNano(cols) as Record<string, unknown> & { Jet: { pt: Jagged; eta: Jagged } };
    expect(ev.Jet.pt.content).toBe(pt.content);
    expect(ev.Jet.eta.offsets).toBe(ev.Jet.pt.offsets); // re-pointed to one shared offsets array
    expect(ev.MET_pt).toBe(cols.MET_pt);
  });
  it("zip refuses fields of different structure", () => {
    expect(() => zip({ pt, x: new Jagged(new Int32Array([0, 1, 2, 3, 6]), new Float64Array(6)) })).toThrow(/counts differ/);
  });
});

describe("arithmetic with numpy precision rules", () => {
  it("float32 × scalar is float32(pt × float32(1.03)); float32 × float64 column is float64", async () => {
    const { mul, add, sub, div } = await import("../../src/array/index.js");
    const p = new Float32Array([33.3, 25.1]);
    const up = mul(p, 1.03);
    expect(up).toBeInstanceOf(Float32Array);
    expect(Array.from(up)).toEqual(Array.from(p, (v) => Math.fround(v * Math.fround(1.03))));
    const res = mul(p, new Float64Array([1.01, 0.99]));
    expect(res).toBeInstanceOf(Float64Array);
    expect(Array.from(res)).toEqual([p[0]! * 1.01, p[1]! * 0.99]);
    const j = mul(new Jagged(new Int32Array([0, 1, 2]), p), 2);
    expect(j.offsets).toEqual(new Int32Array([0, 1, 2]));
    expect(Array.from(add(new Float64Array([1]), 2))).toEqual([3]);
    expect(Array.from(sub(new Float64Array([1]), 2))).toEqual([-1]);
    expect(Array.from(div(new Float64Array([1]), 4))).toEqual([0.25]);
    expect(() => mul(p, new Float32Array(3))).toThrow(/columns have 2 and 3/);
  });
});
