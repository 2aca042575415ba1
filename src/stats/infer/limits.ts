/**
 * Upper limits on the POI at a CLs confidence level: by root finding on CLs(mu) − (1 − cl) for the
 * observed and each expected curve, or pyhf-style by linear interpolation on a grid scan.
 */
import { HepflowError } from "../../util/index.js";
import type { Model } from "../model.js";
import { AsymptoticCalculator } from "./asymptotics.js";
import type { HypotestResult } from "./asymptotics.js";
import type { FitOptions } from "./mle.js";
import { fitSetup } from "./mle.js";
import { brent } from "./roots.js";
import { checkTestStat } from "./teststat.js";
import type { TestStatName } from "./teststat.js";

export interface UpperLimitOptions extends FitOptions {
  cl?: number;
  method?: "root" | "scan";
  /** POI grid for method "scan" (default: 21 points from 0 to the POI's upper bound). */
  scan?: number[];
  testStat?: TestStatName;
  /** Relative tolerance of the root finder. */
  rtol?: number;
}

export interface UpperLimitResult {
  obs: number;
  /** Expected limits for −2σ…+2σ. */
  exp: number[];
  cl: number;
  method: "root" | "scan";
  /** The hypotests run (scan points, or the points the root finder visited), sorted by mu. */
  points: { mu: number; cls: number; expected: number[] }[];
  converged: boolean;
}

/** numpy.interp(x, xp, fp) for increasing xp: clamps outside, linear inside. */
export function interp(x: number, xp: number[], fp: number[]): number {
  const n = xp.length;
  if (x <= xp[0]) return fp[0];
  if (x >= xp[n - 1]) return fp[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (xp[hi] === xp[lo]) return fp[lo];
  return fp[lo] + ((x - xp[lo]) * (fp[hi] - fp[lo])) / (xp[hi] - xp[lo]);
}

/** Upper limit on the POI (pyhf.infer.intervals.upper_limits.upper_limit / toms748_scan). */
export function upperLimit(data: ArrayLike<number>, model: Model, opts: UpperLimitOptions = {}): UpperLimitResult {
  const cl = opts.cl ?? 0.95;
  if (!(cl > 0 && cl < 1)) throw new HepflowError("SETTINGS_INVALID", `confidence level must be between 0 and 1, got ${cl}`);
  const level = 1 - cl;
  const testStat = checkTestStat(opts.testStat ?? "qtilde");
  if (testStat === "q0") throw new HepflowError("SETTINGS_INVALID", "upper limits need q, qtilde (or t/ttilde with toys), not the discovery statistic q0");
  const method = opts.method ?? "root";
  const poi = model.config.poiIndex;
  if (poi === null) throw new HepflowError("NO_POI", "upper limits need a parameter of interest");
  const { lower, upper } = fitSetup(model, opts);
  const bounds: [number, number][] = Array.from(lower, (l, i) => [l, upper[i]]);
  const results = new Map<number, HypotestResult>();
  let calc = new AsymptoticCalculator(data, model, testStat, { ...opts, bounds });
  const test = (mu: number): HypotestResult => {
    let r = results.get(mu);
    if (!r) {
      if (mu > bounds[poi][1]) {
        // an expected limit above the POI's bound: let the POI float further, as the pyhf reference does
        bounds[poi] = [bounds[poi][0], Math.max(100, 2 * mu)];
        calc = new AsymptoticCalculator(data, model, testStat, { ...opts, bounds });
      }
      r = calc.hypotest(mu);
      results.set(mu, r);
    }
    return r;
  };
  const curves: ((r: HypotestResult) => number)[] = [(r) => r.cls, ...[0, 1, 2, 3, 4].map((k) => (r: HypotestResult) => r.expected[k])];
  let limits: number[];
  if (method === "scan") {
    const top = bounds[poi][1];
    const scan = opts.scan ?? Array.from({ length: 21 }, (_, i) => (top * i) / 20);
    if (scan.length < 2) throw new HepflowError("SETTINGS_INVALID", "a limit scan needs at least two POI values");
    const rs = scan.map(test);
    limits = curves.map((cv) => interp(level, rs.map(cv).reverse(), scan.slice().reverse()));
  } else if (method === "root") {
    const rtol = opts.rtol ?? 1e-10;
    limits = curves.map((cv) => {
      const f = (mu: number) => cv(test(mu)) - level;
      let lo = Math.max(bounds[poi][0], 0);
      let flo = f(lo);
      if (flo < 0) throw new HepflowError("LIMIT_FAILED", `CLs is already below ${level} at the POI's lower bound ${lo}; no upper limit in range`);
      let hi = bounds[poi][1] > lo ? bounds[poi][1] : lo + 1;
      let fhi = f(hi);
      for (let k = 0; fhi > 0; k++) {
        if (k > 30) throw new HepflowError("LIMIT_FAILED", `CLs stays above ${level} up to mu = ${hi}; cannot bracket the upper limit`);
        lo = hi;
        flo = fhi;
        hi *= 2;
        fhi = f(hi);
      }
      return brent(f, lo, hi, flo, fhi, { rtol, xtol: 1e-12 });
    });
  } else {
    throw new HepflowError("SETTINGS_INVALID", `unknown limit method "${String(method)}" (root or scan)`);
  }
  const points = [...results.values()].sort((a, b) => a.mu - b.mu).map((r) => ({ mu: r.mu, cls: r.cls, expected: r.expected }));
  return { obs: limits[0], exp: limits.slice(1), cl, method, points, converged: [...results.values()].every((r) => r.converged) };
}
