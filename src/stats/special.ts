/**
 * Special functions the likelihood and the asymptotic formulae need, accurate to a few ulp so
 * that log-likelihoods and tail probabilities (CLs ~ 1e-9) agree with scipy to ~1e-12.
 */

// Lanczos coefficients for g = 607/128, n = 15 (Godfrey's set; relative error ~1e-15).
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174, -0.49191381609762019978, 0.33994649984811888699e-4, 0.46523628927048575665e-4, -0.98374475304879564677e-4, 0.15808870322491248884e-3,
  -0.21026444172410488319e-3, 0.2174396181152126432e-3, -0.16431810653676389022e-3, 0.84418223983852743293e-4, -0.2619083840158140867e-4, 0.36899182659531622704e-5,
];
const HALF_LOG_2PI = 0.91893853320467274178;

/** log Γ(x) for x > 0: the continuous Poisson normalisation pyhf uses (scipy.special.gammaln). */
export function lgamma(x: number): number {
  if (x < 0.5) {
    // reflection keeps the Lanczos sum in its accurate range
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  if (x > 1e7) {
    // Stirling series: the Lanczos sum loses nothing here but this is cheaper and exact enough
    const r = 1 / x;
    return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + r / 12 - (r * r * r) / 360;
  }
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log of the continuous Poisson pmf: n·log(λ) − λ − logΓ(n+1), with 0·log(0) = 0 (scipy xlogy). */
export function poissonLogPdf(n: number, lam: number): number {
  const xlogy = n === 0 ? 0 : n * Math.log(lam);
  return xlogy - lam - lgamma(n + 1);
}

/** log of the normal density, written as pyhf's numpy backend writes it. */
export function normalLogPdf(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / (Math.SQRT2 * sigma);
  return -Math.log(sigma * Math.sqrt(2 * Math.PI)) - z * z;
}

/**
 * erfc(x) with full relative precision in the far tail (W. J. Cody's rational Chebyshev
 * approximations), because CLs in the expected band reaches 1e-9 and below.
 */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.5) {
    return 1 - erfSmall(x);
  } else if (ax < 4) {
    const C = [5.64188496988670089e-1, 8.88314979438837594, 6.61191906371416295e1, 2.98635138197400131e2, 8.8195222124176909e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8];
    const D = [1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3];
    let num = C[8]! * ax;
    let den = ax;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]!) * ax;
      den = (den + D[i]!) * ax;
    }
    r = expMinusSquare(ax) * ((num + C[7]!) / (den + D[7]!));
  } else {
    const P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
    const Q = [2.56852019228982242, 1.87295284992346725, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
    const z = 1 / (ax * ax);
    let num = P[5]! * z;
    let den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]!) * z;
      den = (den + Q[i]!) * z;
    }
    const INV_SQRT_PI = 0.56418958354775628695;
    r = (expMinusSquare(ax) * (INV_SQRT_PI - (z * (num + P[4]!)) / (den + Q[4]!))) / ax;
  }
  return x < 0 ? 2 - r : r;
}

/** exp(−x²) without the cancellation of squaring a rounded x (Cody's split trick). */
function expMinusSquare(x: number): number {
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp(-xs * xs) * Math.exp(-del);
}

function erfSmall(x: number): number {
  const P = [3.1611237438705656, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
  const Q = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
  const z = x * x;
  let num = P[4]! * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + P[i]!) * z;
    den = (den + Q[i]!) * z;
  }
  return (x * (num + P[3]!)) / (den + Q[3]!);
}

/** Standard normal CDF Φ(x), accurate in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Φ⁻¹(p): Acklam's rational start refined by Halley steps on the accurate Φ. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  let x: number;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - plow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  for (let i = 0; i < 2; i++) {
    // Halley refinement; work with the smaller tail to keep relative precision
    const e = x < 0 ? normalCdf(x) - p : 1 - p - normalCdf(-x);
    const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
    x = x - u / (1 + (x * u) / 2);
  }
  return x;
}
