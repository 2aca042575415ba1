/** Pulls and constraints of the nuisance parameters after a fit. */
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
  for (let i = 0; i < pre.names.length; i++) {
    if (i === model.config.poiIndex || pre.fixed[i]) continue;
    if (!pre.constrained[i] && !includeUnconstrained) continue;
    const w = pre.width[i]!;
    out.push({
      name: pre.names[i]!,
      bestfit: result.bestfit[i]!,
      uncertainty: result.uncertainties[i]!,
      prefit: pre.init[i]!,
      prefitWidth: w,
      pull: w > 0 ? (result.bestfit[i]! - pre.init[i]!) / w : null,
      constraint: w > 0 ? result.uncertainties[i]! / w : null,
    });
  }
  return out;
}
