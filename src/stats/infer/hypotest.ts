/** hypotest(): CLs of one POI value with the asymptotic or the toy calculator. */
import { HepflowError } from "../../util/index.js";
import type { ProgressListener } from "../../util/index.js";
import type { Model } from "../model.js";
import { AsymptoticCalculator } from "./asymptotics.js";
import type { HypotestResult } from "./asymptotics.js";
import type { FitOptions } from "./mle.js";
import { checkTestStat } from "./teststat.js";
import type { TestStatName } from "./teststat.js";
import { ToyCalculator } from "./toys.js";
import type { ToyHypotestResult } from "./toys.js";

/** Options of hypotest/upperLimit: test statistic, calculator, toys, and fit settings. */
export interface HypotestOptions extends FitOptions {
  testStat?: TestStatName;
  calculator?: "asymptotics" | "toys";
  /** Return the expected band (always computed; kept for pyhf-like call sites). */
  expected?: boolean;
  toys?: number;
  seed?: number;
}

/** Test the POI value `poiValue` (pyhf.infer.hypotest). The toy calculator runs in this thread here; hypotestToys() uses workers. */
export function hypotest(poiValue: number, data: ArrayLike<number>, model: Model, opts: HypotestOptions = {}): HypotestResult | ToyHypotestResult {
  const testStat = checkTestStat(opts.testStat ?? "qtilde");
  const calc = opts.calculator ?? "asymptotics";
  if (calc === "asymptotics") return new AsymptoticCalculator(data, model, testStat, opts).hypotest(poiValue);
  if (calc === "toys") return new ToyCalculator(data, model, testStat, { ...opts, toys: opts.toys ?? 1000, seed: opts.seed ?? 0 }).hypotestSync(poiValue);
  throw new HepflowError("SETTINGS_INVALID", `unknown calculator "${String(calc)}" (asymptotics or toys)`);
}

/** Toy-based hypotest with the toys spread over worker threads; the result does not depend on the number of workers. */
export async function hypotestToys(poiValue: number, data: ArrayLike<number>, model: Model, opts: HypotestOptions & { workers?: number; onProgress?: ProgressListener } = {}): Promise<ToyHypotestResult> {
  const testStat = checkTestStat(opts.testStat ?? "qtilde");
  return new ToyCalculator(data, model, testStat, { ...opts, toys: opts.toys ?? 1000, seed: opts.seed ?? 0 }).hypotest(poiValue, opts.workers, opts.onProgress);
}
