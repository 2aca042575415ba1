import { describe, expect, it } from "vitest";
import { garwoodInterval } from "../../src/plot/index.js";

describe("garwoodInterval", () => {
  // Reference: scipy.stats.chi2.ppf, lower = ½·χ²(α/2; 2n), upper = ½·χ²(1−α/2; 2n+2), α = 1 − 0.682689.
  const reference: [number, number, number][] = [
    [0, 0, 1.8410216450092634],
    [1, 0.17275377902344996, 3.299526559115855],
    [5, 2.8403088555932205, 8.382472652146888],
    [10, 6.891305560638357, 14.266949761009391],
    [100, 90.0167451771134, 111.03336094114967],
    [2.5, 1.0279951346305933, 5.283478177386314],
  ];
  it.each(reference)("n = %d matches scipy", (n, lo, hi) => {
    const [l, h] = garwoodInterval(n);
    // 1e-9 relative: bisection stops at 1e-12 relative and the gamma function is accurate to ~1e-14.
    expect(l).toBeCloseTo(lo, 9);
    expect(Math.abs(h - hi) / hi).toBeLessThan(1e-9);
  });
});
