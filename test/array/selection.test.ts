import { describe, expect, it } from "vitest";
import { Jagged, absGe, absGt, absLe, absLt, and, arange, combinationMax, combinationMin, combinations, countTrue, filterEvents, firsts, hasBits, isJaggedLike, nth, or, not, pick, select, zip } from "../../src/array/index.js";
import { isHepflowError } from "../../src/util/index.js";

// Hand-made events: 3 jets, 0 jets, 1 jet, 2 jets.
const offsets = new Int32Array([0, 3, 3, 4, 6]);
const f32 = Math.fround;

describe("fused |x| comparisons", () => {
  const eta = new Jagged(offsets, new Float32Array([2.4, -2.4, 2.39, -3, 0, -2.41]));
  it("absLt/absLe/absGt/absGe compare |x| with a float32 threshold for float32 data", () => {
    // the stored value is float32(2.4); the threshold is rounded the same way, so |±2.4| < 2.4 is false
    expect(Array.from(absLt(eta, 2.4).content)).toEqual([0, 0, 1, 0, 1, 0]);
    expect(Array.from(absLe(eta, 2.4).content)).toEqual([1, 1, 1, 0, 1, 0]);
    expect(Array.from(absGt(eta, 2.4).content)).toEqual([0, 0, 0, 1, 0, 1]);
    expect(Array.from(absGe(eta, 2.4).content)).toEqual([1, 1, 0, 1, 0, 1]);
    expect(absLt(eta, 2.4).offsets).toBe(offsets);
  });
  it("a float64 column compares in float64: float32(2.4) is above 2.4 there", () => {
    expect(Array.from(absLt(new Float64Array([f32(2.4), -2.3999, 2.4]), 2.4))).toEqual([0, 1, 0]);
  });
  it("NaN fails every comparison", () => {
    const x = new Float32Array([NaN]);
    expect([absLt(x, 1)[0], absLe(x, 1)[0], absGt(x, 1)[0], absGe(x, 1)[0]]).toEqual([0, 0, 0, 0]);
  });
});

describe("hasBits", () => {
  it("is true where every requested bit is set (NanoAOD jetId: 2 = tight, 4 = tight-lepton-veto)", () => {
    const jetId = new Jagged(offsets, new Int32Array([6, 2, 4, 0, 7, 5]));
    expect(Array.from(hasBits(jetId, 4).content)).toEqual([1, 0, 1, 0, 1, 1]);
    expect(Array.from(hasBits(jetId, 6).content)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(Array.from(hasBits(new Uint8Array([0, 1, 3]), 1))).toEqual([0, 1, 1]);
  });
  it("rejects bit patterns that are not 31-bit integers", () => {
    for (const bad of [-1, 1.5, 2 ** 31]) {
      try {
        hasBits(new Int32Array(1), bad);
        expect.unreachable();
      } catch (e) {
        expect(isHepflowError(e, "ARRAY_VALUE")).toBe(true);
      }
    }
  });
});

describe("masks with values other than 0/1", () => {
  it("and/or/not/countTrue/select treat any non-zero as true", () => {
    const a = new Jagged(offsets, new Uint8Array([2, 0, 255, 1, 0, 7]));
    const b = new Jagged(offsets, new Uint8Array([1, 1, 3, 0, 0, 9]));
    expect(Array.from(and(a, b).content)).toEqual([1, 0, 1, 0, 0, 1]);
    expect(Array.from(or(a, b).content)).toEqual([1, 1, 1, 1, 0, 1]);
    expect(Array.from(and(a).content)).toEqual([1, 0, 1, 1, 0, 1]); // a single mask is normalized to 0/1
    expect(Array.from(not(a).content)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(Array.from(countTrue(a))).toEqual([2, 0, 1, 1]);
    const x = new Jagged(offsets, new Float32Array([1, 2, 3, 4, 5, 6]));
    const s = select(x, a);
    expect(Array.from(s.offsets)).toEqual([0, 2, 2, 3, 4]);
    expect(Array.from(s.content)).toEqual([1, 3, 4, 6]);
  });
});

describe("and/or four bytes at a time", () => {
  it("every byte value, aligned or not, with a ragged tail: the bytewise (a != 0) op (b != 0)", () => {
    // all 256 × 256 byte pairs, in three masks so three-way and/or are covered; lengths not multiples of 4
    const n = 65_536 + 3;
    const a = new Uint8Array(n + 1),
      b = new Uint8Array(n),
      c = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = i & 255;
      b[i] = (i >>> 8) & 255;
      c[i] = i % 7 === 0 ? 0 : 128;
    }
    const ref = (f: (x: boolean, y: boolean, z: boolean) => boolean, x: Uint8Array) => Array.from({ length: n }, (_, i) => +f(x[i]! !== 0, b[i]! !== 0, c[i]! !== 0));
    expect(Array.from(and(a.subarray(0, n), b, c))).toEqual(ref((x, y, z) => x && y && z, a));
    expect(Array.from(or(a.subarray(0, n), b, c))).toEqual(ref((x, y, z) => x || y || z, a));
    // a view starting at byte 1 takes the byte-by-byte path: same values
    const shifted = a.subarray(1);
    expect(Array.from(and(shifted, b))).toEqual(ref((x, y) => x && y, shifted));
    expect(Array.from(and(a.subarray(0, n)))).toEqual(ref((x) => x, a));
  });
});

describe("countTrue", () => {
  it("counts per event on sparse and dense collections alike (two code paths), and offsets not starting at 0", () => {
    const content = new Uint8Array([1, 0, 1, 1, 0, 0, 1, 1, 1, 0]);
    // sparse: 2 events over 3 elements, starting at element 4 of the content
    expect(Array.from(countTrue(new Jagged(new Int32Array([4, 5, 7]), content)))).toEqual([0, 1]);
    // dense: 2 events over 10 elements
    expect(Array.from(countTrue(new Jagged(new Int32Array([0, 6, 10]), content)))).toEqual([3, 3]);
    expect(Array.from(countTrue(new Jagged(new Int32Array([2, 4, 9]), content)))).toEqual([2, 3]);
  });
  it("of a flat mask is the number of true entries (a cutflow count)", () => {
    expect(countTrue(new Uint8Array([1, 0, 3, 0, 1]))).toBe(3);
    expect(countTrue(new Uint8Array(0))).toBe(0);
  });
});

describe("filterEvents", () => {
  it("gathers every column type and keeps shared offsets shared", () => {
    const jets = zip({ pt: new Jagged(offsets, new Float32Array([1, 2, 3, 4, 5, 6])), id: new Jagged(offsets, new Int32Array([6, 6, 2, 4, 6, 0])) });
    const ids = new BigInt64Array([10n, 11n, 12n, 13n]);
    const out = filterEvents({ jets, ids, w: new Float64Array([0.1, 0.2, 0.3, 0.4]), flag: new Uint8Array([1, 0, 1, 0]) }, new Uint8Array([0, 1, 1, 1]));
    expect(out.jets.pt.offsets).toBe(out.jets.id.offsets);
    expect(Array.from(out.jets.pt.offsets)).toEqual([0, 0, 1, 3]);
    expect(out.jets.pt.content).toEqual(new Float32Array([4, 5, 6]));
    expect(out.jets.id.content).toEqual(new Int32Array([4, 6, 0]));
    expect(out.ids).toEqual(new BigInt64Array([11n, 12n, 13n]));
    expect(out.w).toEqual(new Float64Array([0.2, 0.3, 0.4]));
    expect(out.flag).toEqual(new Uint8Array([0, 1, 0]));
  });
  it("keeps nothing or everything", () => {
    const pt = new Jagged(offsets, new Float32Array([1, 2, 3, 4, 5, 6]));
    const none = filterEvents(pt, new Uint8Array(4));
    expect(Array.from(none.offsets)).toEqual([0]);
    expect(none.content.length).toBe(0);
    const all = filterEvents(pt, new Uint8Array([1, 1, 1, 1]));
    expect(Array.from(all.offsets)).toEqual(Array.from(offsets));
    expect(Array.from(all.content)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("per-combination extrema", () => {
  const btag = new Jagged(new Int32Array([0, 4, 2]), new Float32Array([0.1, 0.9, 0.3, 0.6, 0.2, 0.8]));
  it("combinationMax/Min give each trijet's largest/smallest member value", () => {
    const tri = combinations(btag, 3); // event 0: (012) (013) (023) (123); event 1 has no triplet
    expect(Array.from(combinationMax(btag, tri).content)).toEqual([f32(0.9), f32(0.9), f32(0.6), f32(0.9)]);
    expect(Array.from(combinationMin(btag, tri).content)).toEqual([f32(0.1), f32(0.1), f32(0.1), f32(0.3)]);
    expect(combinationMax(btag, tri).offsets).toBe(tri[0]!.offsets);
    expect(combinationMax(btag, tri).content).toBeInstanceOf(Float32Array);
  });
  it("pairs work too, and NaN propagates like numpy.maximum", () => {
    const x = new Jagged(new Int32Array([0, 3]), new Float64Array([1, NaN, 3]));
    const pairs = combinations(x, 2); // (01) (02) (12)
    expect(Array.from(combinationMax(x, pairs).content)).toEqual([NaN, 3, NaN]);
    expect(Array.from(combinationMin(x, pairs).content)).toEqual([NaN, 1, NaN]);
  });
  it("rejects out-of-range indices and index columns from different calls", () => {
    const idx = new Jagged(new Int32Array([0, 1, 1]), new Int32Array([5]));
    try {
      combinationMax(btag, [idx]);
      expect.unreachable();
    } catch (e) {
      expect(isHepflowError(e, "ARRAY_INDEX")).toBe(true);
    }
    const a = combinations(btag, 2),
      b = combinations(btag, 2);
    expect(() => combinationMax(btag, [a[0]!, b[1]!])).toThrow(/share offsets/);
  });
});

describe("picking per event", () => {
  const pt = new Jagged(offsets, new Float32Array([30.1, 50.2, 20.3, 15.4, 45.5, 60.6]));
  const eta = new Jagged(offsets, new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
  it("pick, nth and firsts keep float32 data float32 (exact values, NaN for missing)", () => {
    const p = pick(pt, new Int32Array([1, -1, 0, 5]));
    expect(p).toBeInstanceOf(Float32Array);
    expect(Array.from(p)).toEqual([f32(50.2), NaN, f32(15.4), NaN]);
    expect(nth(pt, 1)).toBeInstanceOf(Float32Array);
    expect(Array.from(nth(pt, 1))).toEqual([f32(50.2), NaN, NaN, f32(60.6)]);
    expect(Array.from(firsts(pt))).toEqual([f32(30.1), NaN, f32(15.4), f32(45.5)]);
    // integer data becomes float64 so that NaN can mark the missing ones
    const ids = new Jagged(offsets, new Int32Array([1, 2, 3, 4, 5, 6]));
    expect(nth(ids, 2)).toBeInstanceOf(Float64Array);
    expect(Array.from(nth(ids, 2))).toEqual([3, NaN, NaN, NaN]);
  });
  it("pick on a collection picks the same element of every field", () => {
    const best = pick(zip({ pt, eta }), new Int32Array([2, -1, 0, 1]));
    expect(Object.keys(best)).toEqual(["pt", "eta"]);
    expect(Array.from(best.pt)).toEqual([f32(20.3), NaN, f32(15.4), f32(60.6)]);
    expect(Array.from(best.eta)).toEqual([f32(0.3), NaN, f32(0.4), f32(0.6)]);
  });
  it("pick checks that the index has one entry per event", () => {
    expect(() => pick(pt, new Int32Array(3))).toThrow(/4 and 3/);
  });
});

describe("arange and isJaggedLike", () => {
  it("arange gives consecutive integers, exactly, beyond 2^32", () => {
    expect(Array.from(arange(3, 6))).toEqual([3, 4, 5]);
    expect(arange(5, 5).length).toBe(0);
    expect(Array.from(arange(2 ** 40, 2 ** 40 + 2))).toEqual([2 ** 40, 2 ** 40 + 1]);
    try {
      arange(4, 2);
      expect.unreachable();
    } catch (e) {
      expect(isHepflowError(e, "ARRAY_VALUE")).toBe(true);
    }
  });
  it("recognizes jagged columns structurally, not typed arrays, strings or collections", () => {
    const j = new Jagged(offsets, new Float32Array(6));
    expect(isJaggedLike(j)).toBe(true);
    // a column built by another copy of the module (e.g. dist/ vs src/) has the same shape
    expect(isJaggedLike({ offsets, content: new Float32Array(6) })).toBe(true);
    expect(isJaggedLike(new Float32Array(3))).toBe(false);
    expect(isJaggedLike(["a"])).toBe(false);
    expect(isJaggedLike(zip({ pt: j }))).toBe(false);
    expect(isJaggedLike(null)).toBe(false);
    // and the kernels accept such a column
    expect(Array.from(countTrue({ offsets, content: new Uint8Array([1, 1, 0, 1, 0, 1]) } as Jagged<Uint8Array>))).toEqual([2, 0, 1, 1]);
  });
});
