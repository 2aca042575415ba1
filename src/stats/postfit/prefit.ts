/** Pre-fit central values and widths of every parameter, as pyhf's model config defines them. */
import { HepflowError } from "../../util/index.js";
import type { Model } from "../model.js";
import type { FitResult } from "../infer/mle.js";

/**
 * A fit result passed in by the caller must belong to this model: the post-fit tables index its
 * vectors by the model's parameter order, so a result of another model would give wrong numbers.
 */
export function checkResult(model: Model, result: FitResult): FitResult {
  const n = model.config.npars;
  if (result.bestfit.length !== n || result.uncertainties.length !== n) {
    throw new HepflowError("PARS_INVALID", `the fit result has ${result.bestfit.length} parameters but the model has ${n}; pass the result of a fit of this model`);
  }
  return result;
}

/** Per-parameter pre-fit value and width (0 for unconstrained or fixed parameters). */
export interface PrefitParameters {
  names: string[];
  init: Float64Array;
  width: Float64Array;
  constrained: boolean[];
  fixed: boolean[];
}

/** Pre-fit values (suggested init) and widths: σ for Gaussian constraints, 1/√τ for Poisson ones. */
export function prefitParameters(model: Model): PrefitParameters {
  const c = model.config;
  const width = new Float64Array(c.npars);
  const constrained = new Array<boolean>(c.npars).fill(false);
  for (const s of c.parameterSets) {
    for (let i = 0; i < s.n; i++) {
      if (s.constraint === "normal") width[s.offset + i] = s.sigmas[i]!;
      else if (s.constraint === "poisson") width[s.offset + i] = 1 / Math.sqrt(s.factors[i]!);
      constrained[s.offset + i] = s.constraint !== null;
    }
  }
  const fixed = c.suggestedFixed();
  fixed.forEach((f, i) => {
    if (f) width[i] = 0;
  });
  return { names: c.parameterNames.slice(), init: c.suggestedInit(), width, constrained, fixed };
}
