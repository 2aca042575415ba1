/**
 * Maximum-likelihood fits of a Model to data: free fits, fits with the POI (or any parameter)
 * fixed, and uncertainties/correlations from the Hessian of the NLL at the minimum.
 */
import { HepflowError, itemAt } from "../../util/index.js";
import type { Model } from "../model.js";
import { inverseSPD } from "./linalg.js";
import { minimizeBounded } from "./minimize.js";
import { BlockArrowFactor } from "./structured.js";
import type { BlockArrowMatrix } from "./structured.js";

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
  /**
   * Newton linear algebra: "dense" (P × P Cholesky), "structured" (block-arrow Schur complement over
   * the global parameters, for models with many per-bin parameters) or "auto" (default: structured
   * when per-bin parameters dominate, see structuredPays()).
   */
  solver?: "auto" | "dense" | "structured";
}

/** Models above this many parameters get no materialised P × P covariance/correlation (use covarianceOf). */
export const DENSE_COVARIANCE_MAX_PARS = 2000;

/**
 * Whether the block-arrow solver beats the dense one: it does once per-bin parameters outnumber
 * the global ones well and the model is big enough for O(P³) to matter (bench/stats-scaling).
 */
export function structuredPays(model: Model): boolean {
  const s = model.hessianStructure();
  return s.npars >= 120 && s.local.length >= 2 * s.global.length;
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
  /** Any covariance entry by parameter index (also when covariance is not materialised); null without uncertainties. */
  covarianceOf: ((i: number, j: number) => number) | null;
  /** The Newton solver that ran. */
  solver: "dense" | "structured";
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
  // init has one entry per pair of bounds (checked above)
  for (const [i, [lo, hi]] of bounds.entries()) {
    if (!(lo <= hi)) throw new HepflowError("FIT_SETTINGS_INVALID", `empty bounds [${lo}, ${hi}] for ${c.parameterNames[i]}`);
    const x = itemAt(init, i, `initial value of ${c.parameterNames[i]}`, "FIT_SETTINGS_INVALID");
    if (!fixed[i] && (x < lo || x > hi)) {
      throw new HepflowError("FIT_SETTINGS_INVALID", `initial value ${x} of ${c.parameterNames[i]} is outside its bounds [${lo}, ${hi}]`);
    }
  }
  return { init, lower, upper, fixed };
}

/** "bin 2 of channel "SR"" or "auxiliary datum 3 (parameter lumi)" for data index i: bins keep the user's order within a channel. */
function dataEntryName(model: Model, i: number): string {
  const c = model.config;
  let at = 0;
  for (const ch of c.channels) {
    const n = c.channelNbins[ch] ?? 0;
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
  for (const [i, v] of d.entries()) {
    if (!Number.isFinite(v) || (i < model.config.nmaindata && v < 0)) {
      throw new HepflowError("DATA_INVALID", `${dataEntryName(model, i)} is ${v}; observed counts must be finite and non-negative, auxiliary data finite`);
    }
  }
  return d;
}

/** Maximum-likelihood fit (pyhf.infer.mle.fit): minimises twice the NLL within bounds. */
export function fit(data: ArrayLike<number>, model: Model, opts: FitOptions = {}): FitResult {
  const d = checkData(model, data);
  const { init, lower, upper, fixed } = fitSetup(model, opts);
  const fg = (x: Float64Array, g: Float64Array) => model.nllAndGradient(x, d, g);
  const n = model.config.npars;
  const solver = opts.solver === "dense" || opts.solver === "structured" ? opts.solver : structuredPays(model) ? "structured" : "dense";
  const structured = solver === "structured" ? { matrix: model.hessianStructure().matrix(), fill: (x: Float64Array, M: BlockArrowMatrix) => model.nllHessianStructured(x, d, M) } : undefined;
  const hessian = (x: Float64Array, H: Float64Array) => model.nllHessian(x, d, H);
  const r = minimizeBounded(fg, init, lower, upper, fixed, {
    maxIterations: opts.maxIterations,
    hessian: structured ? undefined : hessian,
    structuredHessian: structured,
    differenceFirst: model.hasKinks,
  });
  let uncertainties = new Float64Array(n);
  let covariance: Float64Array[] | null = null;
  let correlation: Float64Array[] | null = null;
  let covarianceOf: ((i: number, j: number) => number) | null = null;
  const materialise = (cov: (i: number, j: number) => number) => {
    if (n > DENSE_COVARIANCE_MAX_PARS) return;
    covariance = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => cov(i, j)));
    correlation = Array.from({ length: n }, (_, i) =>
      Float64Array.from({ length: n }, (_, j) => {
        const s = uncertainties[i]! * uncertainties[j]!;
        return s > 0 ? covariance![i]![j]! / s : i === j ? 1 : 0;
      }),
    );
  };
  const noInverse = () => {
    uncertainties.fill(NaN);
    for (let i = 0; i < n; i++) if (fixed[i]) uncertainties[i] = 0;
  };
  if (opts.uncertainties !== false && structured) {
    const M = structured.matrix;
    structured.fill(r.x, M);
    const f = new BlockArrowFactor(
      M,
      Uint8Array.from(fixed, (x) => (x ? 0 : 1)),
    );
    if (f.ok) {
      const inv = f.inverse();
      uncertainties = Float64Array.from(inv.variance, (v) => Math.sqrt(Math.max(v, 0)));
      covarianceOf = (i, j) => inv.get(i, j);
      materialise(covarianceOf);
    } else noInverse();
  } else if (opts.uncertainties !== false) {
    const free = fixed.map((f, i) => (f ? -1 : i)).filter((i) => i >= 0);
    const full = new Float64Array(n * n);
    model.nllHessian(r.x, d, full);
    const H = Float64Array.from({ length: free.length * free.length }, (_, k) => full[free[Math.floor(k / free.length)]! * n + free[k % free.length]!]!);
    const inv = inverseSPD(H, free.length);
    if (inv) {
      const pos = new Int32Array(n).fill(-1);
      free.forEach((i, a) => (pos[i] = a));
      covarianceOf = (i, j) => (pos[i]! < 0 || pos[j]! < 0 ? 0 : inv[pos[i]! * free.length + pos[j]!]!);
      uncertainties = Float64Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(covarianceOf!(i, i), 0)));
      materialise(covarianceOf);
    } else noInverse();
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
    covarianceOf,
    solver,
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
