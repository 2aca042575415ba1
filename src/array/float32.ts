/**
 * exp, sin, cos, sinh and cosh of float32 values in float32 arithmetic: the polynomials the SIMD
 * kernels evaluate in 16 (AVX-512), 8 or 4 lanes (native/kernels.h `fexp`/`fsincos`, wasm/kernels.wat
 * `$expf`/`$sincosf`), one value at a time. Every operation is rounded with Math.fround — a float64
 * operation on float32 operands rounded to float32 is the float32 operation (+ − × ÷ need no more than
 * 2·24 + 2 bits) — so these give the kernels' bits, and the expression language's float32 columns
 * the same values with or without SIMD.
 *
 * Accuracy, measured on every float32 input (docs/performance.md): exp within 0.99 ulp of the exact
 * value, sinh 1.62, cosh 1.43, sin and cos 2.47 for |x| <= 6000 (numpy's float32 loops, which these
 * replace in a physicist's code, are of the same order); sin and cos of larger |x| are the float64
 * functions rounded. Coefficients: least-squares fits in relative error on Chebyshev nodes (an
 * iteratively reweighted approach to minimax), rounded to float32.
 */

const f = Math.fround;
const MAGIC = 12582912; // 1.5·2^23: t + MAGIC − MAGIC in float32 rounds |t| < 2^22 to an integer, ties to even

/** e^x · 2^extra: x = k ln2 + r, |r| <= ln2/2, e^r by a degree-6 polynomial, 2^k applied in two halves (subnormals round once). */
function expScaled(x: number, extra: number): number {
  x = Math.min(Math.max(x, -104), 90);
  const k = f(f(f(x * 1.4426950216293335) + MAGIC) - MAGIC);
  const r = f(f(x - f(k * 0.693359375)) - f(k * -0.00021219444170128554));
  let P = 0.0013814604608342052;
  P = f(f(P * r) + 0.008368710987269878);
  P = f(f(P * r) + 0.04166838899254799);
  P = f(f(P * r) + 0.1666652113199234);
  P = f(f(P * r) + 0.4999999403953552);
  const p = f(f(f(P * f(r * r)) + r) + 1);
  const ki = k + extra;
  const k1 = ki >> 1;
  return f(f(p * 2 ** k1) * 2 ** (ki - k1));
}

/** Beyond this |x| (and for ±inf and NaN) sin and cos are the float64 functions rounded. */
const SINCOS_FAST = 6000;

/** sin (which 0) or cos (which 1) of a float32 value: x = q π/2 + r, π/2 in three parts (two of 12 bits: q·part exact for |q| < 4096). */
function sinCos(x: number, which: 0 | 1): number {
  if (!(Math.abs(x) <= SINCOS_FAST)) return f(which === 0 ? Math.sin(x) : Math.cos(x));
  if (x === 0 && which === 0) return x;
  const q = f(f(f(x * 0.6366197466850281) + MAGIC) - MAGIC);
  const r = f(f(f(x - f(q * 1.57080078125)) - f(q * -4.453584551811218e-6)) - f(q * -8.705515752716053e-10));
  const z = f(r * r);
  let S = -0.00019515285384841263;
  S = f(f(S * z) + 0.008332161232829094);
  S = f(f(S * z) + -0.16666655242443085);
  const s = f(f(f(S * z) * r) + r);
  let C = 2.4433153157588094e-5;
  C = f(f(C * z) + -0.0013887316454201937);
  C = f(f(C * z) + 0.04166664555668831);
  const c = f(f(f(f(C * z) - 0.5) * z) + 1);
  const qi = q | 0;
  if (which === 0) return qi & 1 ? (qi & 2 ? -c : c) : qi & 2 ? -s : s;
  return qi & 1 ? ((qi + 1) & 2 ? -s : s) : (qi + 1) & 2 ? -c : c;
}

export const expF32 = (x: number): number => expScaled(x, 0);
export const sinF32 = (x: number): number => sinCos(x, 0);
export const cosF32 = (x: number): number => sinCos(x, 1);
/** e^|x|/2 = h: sinh = ±(h − 1/(4h)) for |x| >= 1, an odd degree-9 polynomial below. */
export function sinhF32(x: number): number {
  const a = Math.abs(x);
  if (a < 1) {
    const z = f(x * x);
    let Q = 2.816950427586562e-6;
    Q = f(f(Q * z) + 0.0001983615948120132);
    Q = f(f(Q * z) + 0.008333349600434303);
    Q = f(f(Q * z) + 0.1666666716337204);
    return f(f(f(Q * z) * x) + x);
  }
  const h = expScaled(a, -1);
  const s = f(h - f(0.25 / h));
  return x < 0 ? -s : s;
}
export function coshF32(x: number): number {
  const h = expScaled(Math.abs(x), -1);
  return f(h + f(0.25 / h));
}

/** The functions in the order of simd.ts's SIMD_FN (exp, sin, cos, sinh, cosh). */
const BY_CODE = [expF32, sinF32, cosF32, sinhF32, coshF32] as const;

/** out[i] = fn(a[i]) with fn a SIMD_FN code: what SimdKernels.map gives, without SIMD. */
export function mapF32(fn: number, a: Float32Array, out: Float32Array): void {
  const g = BY_CODE[fn];
  if (!g) throw new Error(`mapF32: no float32 function with code ${fn}`);
  for (let i = 0; i < a.length; i++) out[i] = g(a[i]!);
}
