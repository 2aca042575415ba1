/**
 * Goodness of fit against the saturated model: the saturated model's expected counts equal the
 * observed ones, its constraint terms are taken at the suggested init (cabinetry's convention), and
 * 2·ΔNLL is compared with a χ² of (bins − free unconstrained parameters) degrees of freedom.
 */
import { HepflowError } from "../../util/index.js";
import type { Model } from "../model.js";
import { fit } from "../infer/mle.js";
import type { FitOptions, FitResult } from "../infer/mle.js";
import { lgamma, poissonLogPdf } from "../special.js";
import { checkResult, prefitParameters } from "./prefit.js";

/** Outcome of the saturated-model test. */
export interface GoodnessOfFit {
  deltaTwiceNll: number;
  ndof: number;
  pValue: number;
  twiceNllFit: number;
  twiceNllSaturated: number;
}

/** Regularised upper incomplete gamma function Q(a, x) (series below a+1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || x < 0 || Number.isNaN(x)) return NaN;
  if (x === 0) return 1;
  const lnPre = a * Math.log(x) - x - lgamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(lnPre);
  }
  // Lentz's method for the continued fraction of Q
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(lnPre) * h;
}

/** χ² survival function P(χ²_k > x). */
export function chi2Sf(x: number, k: number): number {
  return gammaQ(k / 2, x / 2);
}

/** Saturated-model goodness of fit of `model` to `data`. */
export function goodnessOfFit(model: Model, data: ArrayLike<number>, opts: { fitOptions?: FitOptions; result?: FitResult } = {}): GoodnessOfFit {
  const r = opts.result ? checkResult(model, opts.result) : fit(data, model, { ...opts.fitOptions, uncertainties: false });
  if (!r.converged) throw new HepflowError("FIT_NOT_CONVERGED", `the fit did not converge (${r.message}); no goodness of fit from it`);
  const c = model.config;
  let main = 0;
  for (let b = 0; b < c.nmaindata; b++) main += poissonLogPdf(data[b]!, data[b]!);
  // cabinetry takes the saturated model's constraint terms at the suggested init, not the best fit
  const sat = -2 * (main + model.logpdfConstraint(c.suggestedInit(), data));
  const pre = prefitParameters(model);
  const userFixed = new Set(Object.keys(opts.fitOptions?.fixed ?? {}).map((n) => c.parameterIndex(n)));
  const freeUnconstrained = pre.names.filter((_, i) => !pre.constrained[i] && !pre.fixed[i] && !userFixed.has(i)).length;
  const ndof = c.nmaindata - freeUnconstrained;
  const delta = r.twiceNll - sat;
  return { deltaTwiceNll: delta, ndof, pValue: ndof > 0 ? chi2Sf(Math.max(delta, 0), ndof) : NaN, twiceNllFit: r.twiceNll, twiceNllSaturated: sat };
}
