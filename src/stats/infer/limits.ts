/**
 * Upper limits on the POI at a CLs confidence level: by root finding on CLs(mu) − (1 − cl) for the
 * observed and each expected curve, or pyhf-style by linear interpolation on a grid scan.
 */
import { HepflowError, itemAt } from "../../util/index.js";
import type { ProgressListener } from "../../util/index.js";
import { ToyCalculator, ToyPool } from "./toys.js";
import type { ToyHypotestResult } from "./toys.js";
import type { Model } from "../model.js";
import { AsymptoticCalculator } from "./asymptotics.js";
import { band, mapBand, type ExpectedBand, type HypotestResult } from "./asymptotics.js";
import type { FitOptions } from "./mle.js";
import { fit, fitSetup, fixedPoiFit } from "./mle.js";
import { normalQuantile } from "../special.js";
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
  /**
   * How the expected band is found: "pyhf" (root finding on pyhf's expected CLs curves, the
   * default) or "combine" (Combine AsymptoticLimits' crossing of the Asimov q_μ with
   * [N + Φ⁻¹(1 − α·Φ(N))]², which uses the q_μ formula on both sides of the median).
   */
  expected?: "pyhf" | "combine";
  /** With expected "combine": exact roots or Combine's own search (see CombineSearchOptions). */
  combineSearch?: CombineSearchOptions;
}

export interface UpperLimitResult {
  obs: number;
  /** Expected limits for −2σ…+2σ. */
  exp: ExpectedBand;
  cl: number;
  method: "root" | "scan";
  /** The hypotests run (scan points, or the points the root finder visited), sorted by mu. */
  points: { mu: number; cls: number; expected: ExpectedBand }[];
  converged: boolean;
}

/** numpy.interp(x, xp, fp) for increasing xp: clamps outside, linear inside. */
export function interp(x: number, xp: number[], fp: number[]): number {
  const n = xp.length;
  if (n === 0 || fp.length !== n) throw new HepflowError("SETTINGS_INVALID", `interpolation needs as many values as points (got ${fp.length} values at ${n} points)`);
  // Every index below stays in [0, n): the bisection keeps 0 <= lo < hi <= n - 1.
  if (x <= xp[0]!) return fp[0]!;
  if (x >= xp[n - 1]!) return fp[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid]! <= x) lo = mid;
    else hi = mid;
  }
  if (xp[hi] === xp[lo]) return fp[lo]!;
  return fp[lo]! + ((x - xp[lo]!) * (fp[hi]! - fp[lo]!)) / (xp[hi]! - xp[lo]!);
}

function checkScan(scan: number[]): void {
  if (scan.length < 2) throw new HepflowError("SETTINGS_INVALID", "a limit scan needs at least two POI values");
  let prev = -Infinity;
  for (const mu of scan) {
    if (!(mu > prev)) throw new HepflowError("SETTINGS_INVALID", `a limit scan needs increasing POI values, got ${prev} then ${mu}`);
    prev = mu;
  }
}

/** Observed and expected limits from hypotests on an increasing scan: pyhf's linear interpolation of CLs(mu) at `level`. */
function scanLimits(level: number, scan: number[], rs: { cls: number; expected: ExpectedBand }[]): { obs: number; exp: ExpectedBand } {
  const crossing = (c: number[]) => interp(level, c.reverse(), scan.slice().reverse());
  return { obs: crossing(rs.map((r) => r.cls)), exp: band((k) => crossing(rs.map((r) => r.expected[k]))) };
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
  const bounds: [number, number][] = Array.from(lower, (l, i) => [l, itemAt(upper, i, "upper bound", "MODEL_INVALID")]);
  let poiBounds = itemAt(bounds, poi, "the bounds of the parameter of interest", "MODEL_INVALID");
  const results = new Map<number, HypotestResult>();
  let calc = new AsymptoticCalculator(data, model, testStat, { ...opts, bounds });
  const test = (mu: number): HypotestResult => {
    let r = results.get(mu);
    if (!r) {
      if (mu > poiBounds[1]) {
        // an expected limit above the POI's bound: let the POI float further, as the pyhf reference does
        poiBounds = [poiBounds[0], Math.max(100, 2 * mu)];
        bounds[poi] = poiBounds;
        calc = new AsymptoticCalculator(data, model, testStat, { ...opts, bounds });
      }
      r = calc.hypotest(mu);
      results.set(mu, r);
    }
    return r;
  };
  let limits: { obs: number; exp: ExpectedBand };
  if (method === "scan") {
    const top = poiBounds[1];
    const scan = opts.scan ?? Array.from({ length: 21 }, (_, i) => (top * i) / 20);
    checkScan(scan);
    limits = scanLimits(level, scan, scan.map(test));
  } else if (method === "root") {
    const rtol = opts.rtol ?? 1e-10;
    const crossing = (cv: (r: HypotestResult) => number) => {
      const f = (mu: number) => cv(test(mu)) - level;
      let lo = Math.max(poiBounds[0], 0);
      let flo = f(lo);
      if (flo < 0) throw new HepflowError("LIMIT_FAILED", `CLs is already below ${level} at the POI's lower bound ${lo}; no upper limit in range`);
      let hi = poiBounds[1] > lo ? poiBounds[1] : lo + 1;
      let fhi = f(hi);
      for (let k = 0; fhi > 0; k++) {
        if (k > 30) throw new HepflowError("LIMIT_FAILED", `CLs stays above ${level} up to mu = ${hi}; cannot bracket the upper limit`);
        lo = hi;
        flo = fhi;
        hi *= 2;
        fhi = f(hi);
      }
      return brent(f, lo, hi, flo, fhi, { rtol, xtol: 1e-12 });
    };
    const obs = crossing((r) => r.cls);
    limits = { obs, exp: band((k) => crossing((r) => r.expected[k])) };
  } else {
    throw new HepflowError("SETTINGS_INVALID", `unknown limit method "${String(method)}" (root or scan)`);
  }
  if (opts.expected === "combine") limits = { obs: limits.obs, exp: combineExpectedLimits(data, model, testStat, { ...opts, bounds }, level, opts.combineSearch) };
  const points = [...results.values()].sort((a, b) => a.mu - b.mu).map((r) => ({ mu: r.mu, cls: r.cls, expected: r.expected }));
  return { obs: limits.obs, exp: limits.exp, cl, method, points, converged: [...results.values()].every((r) => r.converged) };
}

/** Options of the toy-based limit: the scan, and the toys of every scan point. */
export interface ToyUpperLimitOptions extends Omit<UpperLimitOptions, "method" | "rtol"> {
  toys?: number;
  seed?: number;
  workers?: number;
  onProgress?: ProgressListener;
}

/**
 * Toy-based upper limit (pyhf's upper_limit with calctype="toybased" and a scan): a toy hypotest at
 * every scan point, then linear interpolation of the observed and expected CLs curves. Every point
 * uses the same seed, so neighbouring points see the same random streams and the CLs curve is not
 * roughened by independent toy noise. Default scan: 21 points from 0 to twice the asymptotic +2σ
 * expected limit (within the POI's bounds).
 */
export async function upperLimitToys(data: ArrayLike<number>, model: Model, opts: ToyUpperLimitOptions = {}): Promise<UpperLimitResult> {
  const cl = opts.cl ?? 0.95;
  if (!(cl > 0 && cl < 1)) throw new HepflowError("SETTINGS_INVALID", `confidence level must be between 0 and 1, got ${cl}`);
  const testStat = checkTestStat(opts.testStat ?? "qtilde");
  if (testStat === "q0") throw new HepflowError("SETTINGS_INVALID", "upper limits need q, qtilde, t or ttilde, not the discovery statistic q0");
  const poi = model.config.poiIndex;
  if (poi === null) throw new HepflowError("NO_POI", "upper limits need a parameter of interest");
  let scan = opts.scan;
  if (!scan) {
    const guessStat = testStat === "q" || testStat === "t" ? "q" : "qtilde";
    const asym = upperLimit(data, model, { ...opts, testStat: guessStat, method: "root", rtol: 1e-4 });
    const { lower, upper } = fitSetup(model, opts);
    const top = Math.min(itemAt(upper, poi, "upper bound of the parameter of interest", "MODEL_INVALID"), 2 * Math.max(...asym.exp, asym.obs));
    const bottom = Math.max(itemAt(lower, poi, "lower bound of the parameter of interest", "MODEL_INVALID"), 0);
    scan = Array.from({ length: 21 }, (_, i) => bottom + ((top - bottom) * i) / 20);
  }
  checkScan(scan);
  const rs: ToyHypotestResult[] = [];
  // one pool of threads for the whole scan
  const pool = new ToyPool(opts.workers);
  try {
    const calc = new ToyCalculator(data, model, testStat, { ...opts, toys: opts.toys ?? 1000, seed: opts.seed ?? 0 });
    for (const mu of scan) rs.push(await calc.hypotest(mu, undefined, opts.onProgress, pool));
  } finally {
    await pool.close();
  }
  const limits = scanLimits(1 - cl, scan, rs);
  return { obs: limits.obs, exp: limits.exp, cl, method: "scan", points: rs.map((r) => ({ mu: r.mu, cls: r.cls, expected: r.expected })), converged: rs.every((r) => r.converged) };
}

/** How combineExpectedLimits searches for the crossings. */
export interface CombineSearchOptions {
  /**
   * "exact": Brent root finding to 1e-10. "combine": Combine's own search — stepping from 5% of
   * the POI's upper bound for the median, bisection for the band (between the previous quantile's
   * limit and the median, or median + 2σ/4σ) — stopping as Combine does at a half-width below
   * max(rRelAcc·r, rAbsAcc) or when the NLL is within 0.005 of its target (0.05 × Minuit's
   * tolerance 0.1); it reproduces Combine's printed numbers, which carry that search's error.
   */
  search?: "exact" | "combine";
  /** Combine's --rAbsAcc (default 0.0005) and --rRelAcc (default 0.005). */
  rAbsAcc?: number;
  rRelAcc?: number;
}

/**
 * Combine's expected limits (AsymptoticLimits with its default --newExpected): on the Asimov data
 * of the background-only fit to data, the limit for quantile Φ(N) is where the profiled
 * ΔNLL_A(μ) = NLL_A(μ) − NLL_A(μ̂_A) (μ̂_A ≥ 0) reaches ½[N + Φ⁻¹(1 − α·Φ(N))]²
 * (Cowan et al. eq. 88, solved by crossing rather than assuming q quadratic in μ).
 */
export function combineExpectedLimits(data: ArrayLike<number>, model: Model, testStat: TestStatName, opts: FitOptions, level: number, search: CombineSearchOptions = {}): ExpectedBand {
  const poi = model.config.poiIndex;
  if (poi === null) throw new HepflowError("NO_POI", "expected limits need a parameter of interest");
  const calc = new AsymptoticCalculator(data, model, testStat, opts);
  const asimov = calc.asimovData().data;
  const free = fit(asimov, model, { ...opts, uncertainties: false });
  const dnll = (mu: number) => (fixedPoiFit(mu, asimov, model, { ...opts, uncertainties: false }).twiceNll - free.twiceNll) / 2;
  const top = itemAt(fitSetup(model, opts).upper, poi, "upper bound of the parameter of interest", "MODEL_INVALID");
  const quantiles: ExpectedBand = [0.025, 0.16, 0.5, 0.84, 0.975];
  const threshold = (pb: number) => 0.5 * (normalQuantile(pb) + normalQuantile(1 - level * pb)) ** 2;
  if (search.search === "combine") {
    const rel = search.rRelAcc ?? 0.005;
    const abs = search.rAbsAcc ?? 0.0005;
    const nllTol = 0.05 * 0.1;
    const stepping = (rMax: number, pb: number) => {
      const t = threshold(pb);
      let r = 0.05 * rMax,
        err = rMax,
        stride = r,
        over = false,
        there = 0;
      while (err > Math.max(rel * r, abs)) {
        const here = dnll(r);
        if (Math.abs(here - t) < nllTol) break;
        if (here < t) {
          if (t - here < 0.5 * Math.abs(t - there)) stride *= 0.5;
          r += stride;
        } else {
          stride *= 0.5;
          over = true;
          r -= stride;
        }
        if (over) err = stride;
        there = here;
      }
      return r;
    };
    const bisection = (lo: number, hi: number, pb: number) => {
      const t = threshold(pb);
      let r = 0.5 * (lo + hi),
        err = 0.5 * (hi - lo);
      while (err > Math.max(rel * r, abs)) {
        const here = dnll(r);
        if (Math.abs(here - t) < nllTol) break;
        if (here < t) lo = r;
        else hi = r;
        r = 0.5 * (lo + hi);
        err = 0.5 * (hi - lo);
      }
      return r;
    };
    const median = stepping(top, 0.5);
    const sigma = median / normalQuantile(1 - 0.5 * level);
    const m2 = bisection(0, median, quantiles[0]);
    const m1 = bisection(m2, median, quantiles[1]);
    const p1 = bisection(median, median + 2 * sigma, quantiles[3]);
    const p2 = bisection(p1, median + 4 * sigma, quantiles[4]);
    return [m2, m1, median, p1, p2];
  }
  const lowest = Math.max(itemAt(free.bestfit, poi, "best-fit parameter of interest", "MODEL_INVALID"), 0);
  return mapBand(quantiles, (pb) => {
    const target = threshold(pb);
    const f = (mu: number) => dnll(mu) - target;
    let lo = lowest;
    let hi = top > lo ? top : lo + 1;
    let fhi = f(hi);
    for (let k = 0; fhi < 0; k++) {
      if (k > 30) throw new HepflowError("LIMIT_FAILED", `the Asimov ΔNLL stays below ${target} up to mu = ${hi}`);
      lo = hi;
      hi *= 2;
      fhi = f(hi);
    }
    return brent(f, lo, hi, f(lo), fhi, { rtol: 1e-10, xtol: 1e-12 });
  });
}
