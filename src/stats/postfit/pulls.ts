/** Pulls and constraints of the nuisance parameters after a fit. */
import { itemAt } from "../../util/index.js";
import type { Model } from "../model.js";
import type { FitResult } from "../infer/mle.js";
import { checkResult, prefitParameters } from "./prefit.js";

/** One parameter's pull: (θ̂ − θ₀)/σ₀ and constraint σ̂/σ₀; null when it has no pre-fit width. */
export interface Pull {
  name: string;
  bestfit: number;
  uncertainty: number;
  prefit: number;
  prefitWidth: number;
  pull: number | null;
  constraint: number | null;
}

/** Pulls of all non-fixed parameters except the POI (cabinetry's pull plot content; unconstrained ones have null pulls). */
export function pulls(model: Model, result: FitResult, { includeUnconstrained = false }: { includeUnconstrained?: boolean } = {}): Pull[] {
  checkResult(model, result);
  const pre = prefitParameters(model);
  const out: Pull[] = [];
  // checkResult made the result as long as the model's parameter list
  const at = (list: ArrayLike<number>, i: number, what: string) => itemAt(list, i, what, "PARS_INVALID");
  for (const [i, name] of pre.names.entries()) {
    if (i === model.config.poiIndex || pre.fixed[i]) continue;
    if (!pre.constrained[i] && !includeUnconstrained) continue;
    const w = at(pre.width, i, `pre-fit width of ${name}`);
    const bestfit = at(result.bestfit, i, `best fit of ${name}`);
    const uncertainty = at(result.uncertainties, i, `uncertainty of ${name}`);
    const prefit = at(pre.init, i, `pre-fit value of ${name}`);
    out.push({ name, bestfit, uncertainty, prefit, prefitWidth: w, pull: w > 0 ? (bestfit - prefit) / w : null, constraint: w > 0 ? uncertainty / w : null });
  }
  return out;
}
