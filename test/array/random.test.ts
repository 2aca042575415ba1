import { describe, expect, it } from "vitest";
import { Jagged, counterNormal, filterEvents, randomNormal, seedFromText } from "../../src/array/index.js";
import { isHepflowError } from "../../src/util/index.js";

describe("counter-based normal deviates", () => {
  const offsets = new Int32Array([0, 3, 3, 5]);
  const like = new Jagged(offsets, new Float32Array(5));

  it("each value is counterNormal(seed, event id, local index)", () => {
    const z = randomNormal(like, [100, 101, 2 ** 33 + 7], 42);
    expect(z.offsets).toBe(offsets);
    expect(Array.from(z.content)).toEqual([counterNormal(42, 100, 0), counterNormal(42, 100, 1), counterNormal(42, 100, 2), counterNormal(42, 2 ** 33 + 7, 0), counterNormal(42, 2 ** 33 + 7, 1)]);
  });

  it("does not depend on which other events are present (chunking, filtering)", () => {
    const ids = new Float64Array([100, 101, 102]);
    const all = randomNormal(like, ids, 9);
    const mask = new Uint8Array([0, 0, 1]);
    const sub = randomNormal(filterEvents(like, mask), filterEvents(ids, mask), 9);
    expect(Array.from(sub.content)).toEqual(Array.from(all.content.subarray(3)));
  });

  it("differs between seeds, events, the high 32 bits of the event id, and objects", () => {
    const base = counterNormal(1, 5, 0);
    expect(counterNormal(2, 5, 0)).not.toBe(base);
    expect(counterNormal(1, 6, 0)).not.toBe(base);
    expect(counterNormal(1, 5 + 2 ** 32, 0)).not.toBe(base);
    expect(counterNormal(1, 5, 1)).not.toBe(base);
    expect(counterNormal(1, 5, 0)).toBe(base);
  });

  it("is N(0, 1): mean, variance and tail fractions", () => {
    const n = 200_000;
    let s = 0,
      s2 = 0,
      beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const g = counterNormal(3, i >> 3, i & 7);
      s += g;
      s2 += g * g;
      if (Math.abs(g) > 2) beyond2++;
    }
    // standard errors: mean 1/sqrt(n) ≈ 0.0022, variance sqrt(2/n) ≈ 0.0032,
    // P(|g| > 2) = 0.0455 with binomial error sqrt(p(1-p)/n) ≈ 0.00047: allow 5σ each
    expect(Math.abs(s / n)).toBeLessThan(0.012);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.016);
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.0024);
  });

  it("seedFromText is FNV-1a and rejects non-uint32 seeds in randomNormal", () => {
    // FNV-1a 32-bit test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968
    expect([seedFromText(""), seedFromText("a"), seedFromText("foobar")]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
    for (const bad of [-1, 1.5, 2 ** 32]) {
      try {
        randomNormal(like, [0, 1, 2], bad);
        expect.unreachable();
      } catch (e) {
        expect(isHepflowError(e, "ARRAY_VALUE")).toBe(true);
      }
    }
    expect(() => randomNormal(like, [0, 1], 1)).toThrow(/3 and 2/);
  });
});
