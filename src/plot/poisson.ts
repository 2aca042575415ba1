/**
 * Garwood (central, 68.27%) Poisson intervals for data error bars, the convention of CMS/ATLAS plots:
 * lower = ½·χ²⁻¹(α/2; 2n), upper = ½·χ²⁻¹(1−α/2; 2n+2). Expressed with the regularised gamma function.
 */

const ALPHA = 1 - 0.6826894921370859;

/** Lower and upper ends of the 68.27% Garwood interval for an observed count n ≥ 0 (n may be non-integer for weighted pseudo-data). */
export function garwoodInterval(n: number): [number, number] {
  const lower = n <= 0 ? 0 : gammaQuantile(n, ALPHA / 2);
  const upper = gammaQuantile(n + 1, 1 - ALPHA / 2);
  return [lower, upper];
}

/** x with P(a, x) = p, by bisection on a bracket: robust and fast enough for a few hundred bins. */
function gammaQuantile(a: number, p: number): number {
  let lo = 0,
    hi = Math.max(1, a + 20 * Math.sqrt(a) + 20);
  while (regularizedGammaP(a, hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = 0.5 * (lo + hi);
    if (regularizedGammaP(a, mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Regularised lower incomplete gamma P(a, x): series below a+1, Lentz continued fraction above. */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a,
      sum = term;
    for (let k = 1; k < 10000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(logPrefactor);
  }
  const tiny = 1e-300;
  let b = x + 1 - a,
    c = 1 / tiny,
    d = 1 / b,
    f = d;
  for (let k = 1; k < 10000; k++) {
    const an = -k * (k - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return 1 - Math.exp(logPrefactor) * f;
}

/** ln Γ(a) by the Lanczos approximation (g = 7, 9 terms; ~1e-15 relative). */
export function logGamma(a: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - logGamma(1 - a);
  const z = a - 1;
  let x = c[0]!;
  for (let i = 1; i < g + 2; i++) x += c[i]! / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}
