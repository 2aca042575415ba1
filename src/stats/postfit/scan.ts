/** Profile-likelihood scans in one or two parameters: Δ(−2 ln L) with all other parameters refitted. */
import { itemAt } from "../../util/index.js";
import { checkResult } from "./prefit.js";
import type { Model } from "../model.js";
import { fit } from "../infer/mle.js";
import type { FitOptions, FitResult } from "../infer/mle.js";

/** A 1D scan: values of the parameter and Δ(2·NLL) relative to the free fit at each. */
export interface Scan1D {
  parameter: string;
  values: number[];
  deltaTwiceNll: number[];
  converged: boolean[];
  bestfit: number;
  twiceNllMin: number;
}

/** Evenly spaced points from lo to hi. */
export function linspace(lo: number, hi: number, n: number): number[] {
  return n === 1 ? [lo] : Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

function freeFit(model: Model, data: ArrayLike<number>, base: FitOptions, result?: FitResult): FitResult {
  return result ? checkResult(model, result) : fit(data, model, base);
}

/** Default scan range: best fit ± 2σ (cabinetry's default), clipped to the parameter's bounds. */
export function defaultRange(model: Model, result: FitResult, parameter: string, bounds?: [number, number][]): [number, number] {
  checkResult(model, result);
  const i = model.config.parameterIndex(parameter);
  // the bounds may be the caller's own (fitOptions.bounds), of any length
  const [lo, hi] = itemAt(bounds ?? model.config.suggestedBounds(), i, `bounds of ${parameter}`, "FIT_SETTINGS_INVALID");
  const sigma = itemAt(result.uncertainties, i, `uncertainty of ${parameter}`, "PARS_INVALID");
  const best = itemAt(result.bestfit, i, `best fit of ${parameter}`, "PARS_INVALID");
  const s = Number.isFinite(sigma) && sigma > 0 ? sigma : 1;
  return [Math.max(lo, best - 2 * s), Math.min(hi, best + 2 * s)];
}

/** Scan one parameter over `values` (default: `points` = 11 points over best fit ± 2σ, as cabinetry). */
export function scan1D(model: Model, data: ArrayLike<number>, parameter: string, opts: { values?: number[]; points?: number; fitOptions?: FitOptions; result?: FitResult } = {}): Scan1D {
  const base = opts.fitOptions ?? {};
  const free = freeFit(model, data, base, opts.result);
  const i = model.config.parameterIndex(parameter);
  const values = opts.values ?? linspace(...defaultRange(model, free, parameter, base.bounds), opts.points ?? 11);
  const delta: number[] = [];
  const converged: boolean[] = [];
  for (const v of values) {
    const r = fit(data, model, { ...base, init: free.bestfit, fixed: { ...base.fixed, [parameter]: v }, uncertainties: false });
    delta.push(r.twiceNll - free.twiceNll);
    converged.push(r.converged);
  }
  return { parameter, values, deltaTwiceNll: delta, converged, bestfit: itemAt(free.bestfit, i, `best fit of ${parameter}`, "PARS_INVALID"), twiceNllMin: free.twiceNll };
}

/** A 2D scan on the grid x × y; deltaTwiceNll[ix][iy]. */
export interface Scan2D {
  parameters: [string, string];
  x: number[];
  y: number[];
  deltaTwiceNll: number[][];
  converged: boolean[][];
  bestfit: [number, number];
  twiceNllMin: number;
}

/** Scan two parameters on a grid (default: 11 × 11 points over best fit ± 2σ each). */
export function scan2D(model: Model, data: ArrayLike<number>, parameters: [string, string], opts: { x?: number[]; y?: number[]; points?: number; fitOptions?: FitOptions; result?: FitResult } = {}): Scan2D {
  const base = opts.fitOptions ?? {};
  const free = freeFit(model, data, base, opts.result);
  const [a, b] = parameters;
  const x = opts.x ?? linspace(...defaultRange(model, free, a, base.bounds), opts.points ?? 11);
  const y = opts.y ?? linspace(...defaultRange(model, free, b, base.bounds), opts.points ?? 11);
  const delta: number[][] = [];
  const converged: boolean[][] = [];
  for (const vx of x) {
    const row: number[] = [];
    const ok: boolean[] = [];
    for (const vy of y) {
      const r = fit(data, model, { ...base, init: free.bestfit, fixed: { ...base.fixed, [a]: vx, [b]: vy }, uncertainties: false });
      row.push(r.twiceNll - free.twiceNll);
      ok.push(r.converged);
    }
    delta.push(row);
    converged.push(ok);
  }
  const c = model.config;
  return {
    parameters,
    x,
    y,
    deltaTwiceNll: delta,
    converged,
    bestfit: [itemAt(free.bestfit, c.parameterIndex(a), `best fit of ${a}`, "PARS_INVALID"), itemAt(free.bestfit, c.parameterIndex(b), `best fit of ${b}`, "PARS_INVALID")],
    twiceNllMin: free.twiceNll,
  };
}
