/**
 * pyhf's multiplicative interpolation codes for normsys (1 and 4), each returning the factor and
 * its first and second derivatives in α so the NLL gradient and Hessian are analytic. The additive
 * histosys codes (0, 2, 4p) are in modifiers/histosys.ts.
 */

/**
 * Code 1: piecewise exponential, (hi)^α for α > 0, (lo)^(−α) otherwise. The slope jumps at α = 0,
 * where fits start; there we return the left derivative (histosys code0 explains why the side
 * matters, and why the two codes differ).
 */
export function code1(alpha: number, lo: number, hi: number, out: Float64Array, i: number, d: Float64Array, d2: Float64Array): void {
  if (alpha > 0) {
    const v = hi ** alpha;
    const l = Math.log(hi);
    out[i] = v;
    d[i] = v * l;
    d2[i] = v * l * l;
  } else {
    const v = lo ** -alpha;
    const l = Math.log(lo);
    out[i] = v;
    d[i] = -v * l;
    d2[i] = v * l * l;
  }
}

/** Polynomial coefficients a1..a6 of code 4 (α0 = 1), fixed by value, slope and curvature at ±1. */
export function code4Coefficients(lo: number, hi: number): Float64Array {
  const lu = Math.log(hi);
  const ld = Math.log(lo);
  const b = [hi - 1, lo - 1, lu * hi, -ld * lo, lu * lu * hi, ld * ld * lo];
  const A = [
    [15 / 16, -15 / 16, -7 / 16, -7 / 16, 1 / 16, -1 / 16],
    [3 / 2, 3 / 2, -9 / 16, 9 / 16, 1 / 16, 1 / 16],
    [-5 / 8, 5 / 8, 5 / 8, 5 / 8, -1 / 8, 1 / 8],
    [-3 / 2, -3 / 2, 7 / 8, -7 / 8, -1 / 8, -1 / 8],
    [3 / 16, -3 / 16, -3 / 16, -3 / 16, 1 / 16, -1 / 16],
    [1 / 2, 1 / 2, -5 / 16, 5 / 16, 1 / 16, 1 / 16],
  ];
  const c = new Float64Array(6);
  for (let r = 0; r < 6; r++) {
    let s = 0;
    for (let k = 0; k < 6; k++) s += A[r]![k]! * b[k]!;
    c[r] = s;
  }
  return c;
}

/** Code 4: exponential outside |α| ≥ 1, sixth-order polynomial inside (coefficients from code4Coefficients). */
export function code4(alpha: number, lo: number, hi: number, c: Float64Array, co: number, out: Float64Array, i: number, d: Float64Array, d2: Float64Array): void {
  if (alpha >= 1) {
    const v = hi ** alpha;
    const l = Math.log(hi);
    out[i] = v;
    d[i] = v * l;
    d2[i] = v * l * l;
  } else if (alpha <= -1) {
    const v = lo ** -alpha;
    const l = Math.log(lo);
    out[i] = v;
    d[i] = -v * l;
    d2[i] = v * l * l;
  } else {
    const a = alpha;
    const a2 = a * a;
    const a3 = a2 * a;
    const a4 = a3 * a;
    const a5 = a4 * a;
    out[i] = 1 + c[co]! * a + c[co + 1]! * a2 + c[co + 2]! * a3 + c[co + 3]! * a4 + c[co + 4]! * a5 + c[co + 5]! * a5 * a;
    d[i] = c[co]! + 2 * c[co + 1]! * a + 3 * c[co + 2]! * a2 + 4 * c[co + 3]! * a3 + 5 * c[co + 4]! * a4 + 6 * c[co + 5]! * a5;
    d2[i] = 2 * c[co + 1]! + 6 * c[co + 2]! * a + 12 * c[co + 3]! * a2 + 20 * c[co + 4]! * a3 + 30 * c[co + 5]! * a4;
  }
}

/**
 * CMS Combine's log-normal (lnN, AsymPow): factor exp(θ·L(θ)) with L = log κ_hi for θ ≥ ½,
 * −log κ_lo for θ ≤ −½, and in between avg + halfdiff·h(2θ), h(x) = (3x⁵ − 10x³ + 15x)/8, which
 * joins the two logs smoothly (value, slope and curvature of L continuous). For a symmetric κ
 * (κ_lo = 1/κ_hi) it is exactly κ^θ. `lo`/`hi` are the datacard's κ_down/κ_up.
 */
export function combineAsymPow(theta: number, lo: number, hi: number, out: Float64Array, i: number, d: Float64Array, d2: Float64Array): void {
  const lhi = Math.log(hi);
  const llo = -Math.log(lo);
  let L: number,
    L1 = 0,
    L2 = 0;
  if (Math.abs(theta) >= 0.5) L = theta >= 0 ? lhi : llo;
  else {
    const avg = 0.5 * (lhi + llo);
    const half = 0.5 * (lhi - llo);
    const x = 2 * theta;
    const x2 = x * x;
    L = avg + half * 0.125 * x * (x2 * (3 * x2 - 10) + 15);
    L1 = 2 * half * 0.125 * (15 * x2 * x2 - 30 * x2 + 15);
    L2 = 4 * half * 0.125 * (60 * x2 * x - 60 * x);
  }
  const g1 = L + theta * L1;
  const v = Math.exp(theta * L);
  out[i] = v;
  d[i] = v * g1;
  d2[i] = v * (2 * L1 + theta * L2 + g1 * g1);
}
