/** Discovery significance: p0 and Z from the q0 test statistic with the asymptotic calculator. */
import type { Model } from "../model.js";
import { normalQuantile } from "../special.js";
import { AsymptoticCalculator } from "./asymptotics.js";
import type { FitOptions } from "./mle.js";

export interface SignificanceResult {
  p0Obs: number;
  zObs: number;
  /** Median expected p0 (Asimov data with mu = 1). */
  p0Exp: number;
  zExp: number;
  /** Expected p0 for −2σ…+2σ. */
  p0ExpBand: number[];
  q0: number;
  converged: boolean;
}

/** Z = Φ⁻¹(1 − p), computed from the small tail to keep precision. */
export function pToZ(p: number): number {
  return -normalQuantile(p);
}

/** Observed and expected discovery p-value and significance (pyhf.infer.hypotest(0, test_stat="q0")). */
export function significance(data: ArrayLike<number>, model: Model, opts: FitOptions = {}): SignificanceResult {
  const r = new AsymptoticCalculator(data, model, "q0", opts).hypotest(0);
  if (r.testStatistic === Infinity) {
    // The background-only model predicts zero events where data (or the Asimov data) have some:
    // it is excluded outright. Say so exactly instead of letting inf − inf turn into NaN.
    return { p0Obs: 0, zObs: Infinity, p0Exp: 0, zExp: Infinity, p0ExpBand: [0, 0, 0, 0, 0], q0: Infinity, converged: r.converged };
  }
  return {
    p0Obs: r.clsb,
    zObs: pToZ(r.clsb),
    p0Exp: r.expected[2],
    zExp: pToZ(r.expected[2]),
    p0ExpBand: r.expected,
    q0: r.testStatistic,
    converged: r.converged,
  };
}
