/**
 * Parameter ranking (impacts): the shift of the fitted POI when one nuisance parameter is fixed
 * at its best fit ± its pre-fit and post-fit uncertainty and everything else is refitted.
 */
import { HepflowError, itemAt } from "../../util/index.js";
import type { Model } from "../model.js";
import { fit } from "../infer/mle.js";
import type { FitOptions, FitResult } from "../infer/mle.js";
import { checkResult, prefitParameters } from "./prefit.js";

/**
 * Impacts of one parameter on the POI (Δμ = μ̂(θ fixed) − μ̂). An unconstrained parameter (normfactor,
 * shapefactor) has no pre-fit width, so its pre-fit impacts are NaN (null in JSON): not computed, as
 * in cabinetry, rather than a misleading 0.
 */
export interface Impact {
  name: string;
  bestfit: number;
  uncertainty: number;
  prefitUp: number;
  prefitDown: number;
  postfitUp: number;
  postfitDown: number;
  /** The parameter has a constraint term (a pre-fit width). */
  constrained: boolean;
  /** All refits converged. */
  converged: boolean;
}

/** Ranking options: a precomputed free fit, and which parameters to rank (default: all non-fixed but the POI). */
export interface RankingOptions {
  fitOptions?: FitOptions;
  result?: FitResult;
  parameters?: string[];
}

/** Impacts of the nuisance parameters, sorted by decreasing |post-fit up| + |post-fit down| (as cabinetry orders them). */
export function ranking(model: Model, data: ArrayLike<number>, opts: RankingOptions = {}): { poi: string; poiBestfit: number; poiUncertainty: number; impacts: Impact[] } {
  const c = model.config;
  if (c.poiIndex === null || c.poiName === null) throw new HepflowError("NO_POI", "the ranking needs a parameter of interest");
  const base = opts.fitOptions ?? {};
  const nominal = opts.result ? checkResult(model, opts.result) : fit(data, model, base);
  if (!nominal.converged) throw new HepflowError("FIT_NOT_CONVERGED", `the free fit did not converge (${nominal.message}); no ranking from it`);
  const poi = c.poiIndex;
  const poiOf = (r: FitResult) => itemAt(r.bestfit, poi, `best fit of ${c.poiName}`, "PARS_INVALID");
  const mu = poiOf(nominal);
  const pre = prefitParameters(model);
  const bounds = base.bounds ?? c.suggestedBounds();
  const userFixed = new Set(Object.keys(base.fixed ?? {}).map((n) => c.parameterIndex(n)));
  const indices = opts.parameters ? opts.parameters.map((n) => c.parameterIndex(n)) : pre.names.map((_, i) => i).filter((i) => i !== poi && !pre.fixed[i] && !userFixed.has(i));
  const impacts: Impact[] = [];
  for (const i of indices) {
    // indices come from parameterIndex or from pre.names itself, so each names a parameter; the
    // bounds may be the caller's own (fitOptions.bounds), of any length
    const parName = itemAt(pre.names, i, "parameter name", "PARS_INVALID");
    const [lo, hi] = itemAt(bounds, i, `bounds of ${parName} (fitOptions.bounds)`, "FIT_SETTINGS_INVALID");
    const best = itemAt(nominal.bestfit, i, `best fit of ${parName}`, "PARS_INVALID");
    const width = itemAt(pre.width, i, `pre-fit width of ${parName}`, "PARS_INVALID");
    let converged = true;
    const shift = (sign: 1 | -1, width: number): number => {
      // unconstrained parameters have no pre-fit width: no pre-fit impact
      if (width === 0) return NaN;
      // a failed Hessian gives a NaN width: no number rather than a made-up one
      if (!(width > 0)) return NaN;
      const delta = sign * width;
      // a fixed value past the parameter's bound is moved onto the bound, as cabinetry does
      const value = Math.min(Math.max(best + delta, lo), hi);
      const r = fit(data, model, { ...base, init: nominal.bestfit, fixed: { ...base.fixed, [parName]: value }, uncertainties: false });
      converged &&= r.converged;
      return poiOf(r) - mu;
    };
    const sigma = itemAt(nominal.uncertainties, i, `uncertainty of ${parName}`, "PARS_INVALID");
    impacts.push({
      name: parName,
      bestfit: best,
      uncertainty: sigma,
      prefitUp: shift(1, width),
      prefitDown: shift(-1, width),
      postfitUp: shift(1, sigma),
      postfitDown: shift(-1, sigma),
      constrained: width > 0,
      converged,
    });
  }
  const size = (x: Impact) => (Number.isNaN(x.postfitUp) ? 0 : Math.abs(x.postfitUp)) + (Number.isNaN(x.postfitDown) ? 0 : Math.abs(x.postfitDown));
  impacts.sort((a, b) => size(b) - size(a));
  return { poi: c.poiName, poiBestfit: mu, poiUncertainty: itemAt(nominal.uncertainties, poi, `uncertainty of ${c.poiName}`, "PARS_INVALID"), impacts };
}
