/**
 * Maximum-likelihood fits of a Model to data: free fits, fits with the POI (or any parameter)
 * fixed, and uncertainties/correlations from the Hessian of the NLL at the minimum.
 */
import { HepflowError } from "../../util/index.js";
import type { Model } from "../model.js";
import { inverseSPD } from "./linalg.js";
import { minimizeBounded } from "./minimize.js";

/** Fit settings; anything omitted comes from the model's suggested init/bounds/fixed. */
export interface FitOptions {
  init?: ArrayLike<number>;
  bounds?: [number, number][];
  /** Parameters fixed at the given values (pyhf names, e.g. "mu" or "gamma[2]"), on top of the suggested fixed ones. */
  fixed?: Record<string, number>;
  /** Per-parameter fixed flags replacing the model's suggested_fixed. */
  fixedMask?: boolean[];
  /** Compute uncertainties, covariance and correlation (default true). */
  uncertainties?: boolean;
  maxIterations?: number;
}

/** Outcome of a fit; vectors are aligned with parameterNames. */
export interface FitResult {
  bestfit: Float64Array;
  uncertainties: Float64Array;
  covariance: Float64Array[] | null;
  correlation: Float64Array[] | null;
  twiceNll: number;
  converged: boolean;
  message: string;
  parameterNames: string[];
  iterations: number;
  evaluations: number;
}

/** Resolve init/bounds/fixed for a fit from the options and the model's suggestions. */
export function fitSetup(model: Model, opts: FitOptions = {}): { init: Float64Array; lower: Float64Array; upper: Float64Array; fixed: boolean[] } {
  const c = model.config;
  const init = opts.init ? Float64Array.from(opts.init) : c.suggestedInit();
  const bounds = opts.bounds ?? c.suggestedBounds();
  const fixed = (opts.fixedMask ?? c.suggestedFixed()).slice();
  if (init.length !== c.npars || bounds.length !== c.npars || fixed.length !== c.npars) {
    throw new HepflowError("FIT_SETTINGS_INVALID", `init, bounds and fixed must each have ${c.npars} entries (the model's parameters)`);
  }
  for (const [name, value] of Object.entries(opts.fixed ?? {})) {
    const i = c.parameterIndex(name);
    if (!Number.isFinite(value)) throw new HepflowError("FIT_SETTINGS_INVALID", `fixed value of "${name}" is not a number`);
    fixed[i] = true;
    init[i] = value;
  }
  const lower = Float64Array.from(bounds, (b) => b[0]);
  const upper = Float64Array.from(bounds, (b) => b[1]);
  for (let i = 0; i < c.npars; i++) {
    if (!(lower[i] <= upper[i])) throw new HepflowError("FIT_SETTINGS_INVALID", `empty bounds [${lower[i]}, ${upper[i]}] for ${c.parameterNames[i]}`);
    if (!fixed[i] && (init[i] < lower[i] || init[i] > upper[i])) {
      throw new HepflowError("FIT_SETTINGS_INVALID", `initial value ${init[i]} of ${c.parameterNames[i]} is outside its bounds [${lower[i]}, ${upper[i]}]`);
    }
  }
  return { init, lower, upper, fixed };
}

/** "bin 2 of channel "SR"" or "auxiliary datum 3 (parameter lumi)" for data index i: bins keep the user's order within a channel. */
function dataEntryName(model: Model, i: number): string {
  const c = model.config;
  let at = 0;
  for (const ch of c.channels) {
    const n = c.channelNbins[ch]!;
    if (i < at + n) return `observed count in bin ${i - at} of channel "${ch}" (data entry ${i})`;
    at += n;
  }
  return `auxiliary datum ${i - at} (data entry ${i})`;
}

function checkData(model: Model, data: ArrayLike<number>): Float64Array {
  const n = model.config.nmaindata + model.config.nauxdata;
  if (data.length !== n) {
    throw new HepflowError("DATA_INVALID", `data has ${data.length} entries but the model expects ${n} (${model.config.nmaindata} main bins + ${model.config.nauxdata} auxiliary)`);
  }
  const d = Float64Array.from(data);
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]) || (i < model.config.nmaindata && d[i] < 0)) {
      throw new HepflowError("DATA_INVALID", `${dataEntryName(model, i)} is ${d[i]}; observed counts must be finite and non-negative, auxiliary data finite`);
    }
  }
  return d;
}

/** Maximum-likelihood fit (pyhf.infer.mle.fit): minimises twice the NLL within bounds. */
export function fit(data: ArrayLike<number>, model: Model, opts: FitOptions = {}): FitResult {
  const d = checkData(model, data);
  const { init, lower, upper, fixed } = fitSetup(model, opts);
  const fg = (x: Float64Array, g: Float64Array) => model.nllAndGradient(x, d, g);
  const hessian = (x: Float64Array, H: Float64Array) => model.nllHessian(x, d, H);
  const r = minimizeBounded(fg, init, lower, upper, fixed, { maxIterations: opts.maxIterations, hessian, differenceFirst: model.hasKinks });
  const n = model.config.npars;
  let uncertainties = new Float64Array(n);
  let covariance: Float64Array[] | null = null;
  let correlation: Float64Array[] | null = null;
  if (opts.uncertainties !== false) {
    const free = fixed.map((f, i) => (f ? -1 : i)).filter((i) => i >= 0);
    const full = new Float64Array(n * n);
    model.nllHessian(r.x, d, full);
    const H = Float64Array.from({ length: free.length * free.length }, (_, k) => full[free[Math.floor(k / free.length)] * n + free[k % free.length]]);
    const inv = inverseSPD(H, free.length);
    if (inv) {
      covariance = Array.from({ length: n }, () => new Float64Array(n));
      correlation = Array.from({ length: n }, () => new Float64Array(n));
      free.forEach((i, a) => free.forEach((j, b) => (covariance![i][j] = inv[a * free.length + b])));
      uncertainties = Float64Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(covariance![i][i], 0)));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const s = uncertainties[i] * uncertainties[j];
          correlation[i][j] = s > 0 ? covariance[i][j] / s : i === j ? 1 : 0;
        }
      }
    } else {
      uncertainties.fill(NaN);
      for (let i = 0; i < n; i++) if (fixed[i]) uncertainties[i] = 0;
    }
  }
  return {
    bestfit: r.x,
    uncertainties,
    covariance,
    correlation,
    twiceNll: 2 * r.fun,
    converged: r.converged,
    message: r.message,
    parameterNames: model.config.parameterNames.slice(),
    iterations: r.iterations,
    evaluations: r.evaluations,
  };
}

/** Fit with the POI fixed at `poiValue` (pyhf.infer.mle.fixed_poi_fit). */
export function fixedPoiFit(poiValue: number, data: ArrayLike<number>, model: Model, opts: FitOptions = {}): FitResult {
  const c = model.config;
  if (c.poiIndex === null || c.poiName === null) throw new HepflowError("NO_POI", "the model has no parameter of interest; give one with poiName");
  const init = opts.init ? Float64Array.from(opts.init) : c.suggestedInit();
  init[c.poiIndex] = poiValue;
  const fixedMask = (opts.fixedMask ?? c.suggestedFixed()).slice();
  fixedMask[c.poiIndex] = true;
  return fit(data, model, { ...opts, init, fixedMask });
}
