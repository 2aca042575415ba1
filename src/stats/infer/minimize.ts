/**
 * Bounded minimiser for smooth NLLs with an analytic gradient: projected Newton with the exact
 * Hessian when the caller has one (else a finite-difference Hessian of the gradient), Levenberg
 * damping when the Hessian is not positive definite, and Armijo backtracking along the projected
 * path. Variables at a bound whose gradient points outward are held (ε-active set), and
 * coordinates on a bound whose Newton component points through it are dropped from the step.
 * Converges quadratically, so fits reach the optimum to ~1e-13 in the NLL, which the pyhf
 * references (SLSQP at ftol 1e-12) require.
 */
import { cholesky, choleskySolve } from "./linalg.js";
import { BlockArrowFactor } from "./structured.js";
import type { BlockArrowMatrix } from "./structured.js";

/** f(x) and its gradient written into g. */
export type ObjectiveWithGradient = (x: Float64Array, g: Float64Array) => number;

export interface MinimizeOptions {
  maxIterations?: number;
  /** Stop when the Newton decrement gᵀH⁻¹g (≈ 2·(f − f*)) falls below this. */
  decrementTolerance?: number;
  /** Exact Hessian of f (row-major n²); without it a forward-difference Hessian of the gradient is used. */
  hessian?: (x: Float64Array, H: Float64Array) => void;
  /**
   * Use the finite-difference Hessian in the first iteration even when `hessian` is given: for
   * piecewise interpolations whose slope jumps at the starting point, the difference across the
   * jump gives the first step the length pyhf's optimiser takes (see docs/stats.md).
   */
  differenceFirst?: boolean;
  /**
   * Exact Hessian in block-arrow form (per-bin parameters × global ones, see structured.ts): used
   * instead of `hessian` for the Newton steps, which then cost O(P·g²) rather than O(P³).
   * `differenceFirst` does not apply (a dense difference Hessian is what this avoids).
   */
  structuredHessian?: { matrix: BlockArrowMatrix; fill: (x: Float64Array, M: BlockArrowMatrix) => void };
}

export interface MinimizeResult {
  x: Float64Array;
  fun: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  message: string;
}

/** Minimise `fg` over the box [lower, upper] with the `fixed` coordinates held at their x0 values. */
export function minimizeBounded(
  fg: ObjectiveWithGradient,
  x0: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  fixed: boolean[],
  { maxIterations = 200, decrementTolerance = 1e-13, hessian, differenceFirst = false, structuredHessian }: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  const x = x0.slice();
  for (let i = 0; i < n; i++) if (!fixed[i]) x[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]!));
  const g = new Float64Array(n);
  const gt = new Float64Array(n);
  const xt = new Float64Array(n);
  const hdiag = new Float64Array(n).fill(1);
  let evaluations = 0;
  const eval_ = (p: Float64Array, grad: Float64Array) => {
    evaluations++;
    return fg(p, grad);
  };
  let f = eval_(x, g);
  if (!Number.isFinite(f)) {
    return { x, fun: f, converged: false, iterations: 0, evaluations, message: "the NLL is not finite at the starting point" };
  }
  let smallSteps = 0;
  // a coordinate this close to a bound counts as on it (ε-active set): otherwise a parameter left
  // a hair above its bound keeps truncating every step and the line search stalls
  const eps = Float64Array.from(lower, (l, i) => 1e-9 * (Number.isFinite(upper[i]! - l) ? Math.max(1, upper[i]! - l) : 1));
  const atLower = (v: number, i: number) => v <= lower[i]! + eps[i]!;
  const atUpper = (v: number, i: number) => v >= upper[i]! - eps[i]!;
  const full = new Float64Array(hessian ? n * n : 0);
  for (let iter = 1; iter <= maxIterations; iter++) {
    // active set: free coordinates not pinned at a bound by an outward gradient
    const free: number[] = [];
    for (let i = 0; i < n; i++) {
      if (fixed[i]) continue;
      const atLo = atLower(x[i]!, i) && g[i]! > 0;
      const atHi = atUpper(x[i]!, i) && g[i]! < 0;
      if (!atLo && !atHi) free.push(i);
    }
    const m = free.length;
    if (m === 0) return done(true, "all parameters fixed or at bounds", iter);
    let sub: number[];
    let d: Float64Array = new Float64Array(0);
    let tau = 0;
    if (structuredHessian) {
      const r = structuredStep(structuredHessian, x, g, free, atLower, atUpper);
      if (!r) return done(false, "could not build a descent direction (Hessian not positive definite)", iter);
      ({ sub, d, tau } = r);
    } else {
      const H = new Float64Array(m * m);
      if (hessian && !(differenceFirst && iter === 1)) {
        hessian(x, full);
        for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) H[a * m + b] = full[free[a]! * n + free[b]!]!;
      }
      // otherwise the forward-difference Hessian of the analytic gradient on the free coordinates
      else
        for (let a = 0; a < m; a++) {
          const i = free[a]!;
          const scale = Math.max(Math.abs(x[i]!), 1 / Math.sqrt(Math.max(hdiag[i]!, 1e-300)), 1e-4);
          let h = 1e-7 * scale;
          if (x[i]! + h > upper[i]! && x[i]! - h >= lower[i]!) h = -h;
          xt.set(x);
          xt[i]! += h;
          eval_(xt, gt);
          for (let b = 0; b < m; b++) H[b * m + a] = (gt[free[b]!]! - g[free[b]!]!) / h;
        }
      for (let a = 0; a < m; a++) {
        for (let b = 0; b < a; b++) {
          const v = 0.5 * (H[a * m + b]! + H[b * m + a]!);
          H[a * m + b] = v;
          H[b * m + a] = v;
        }
        if (H[a * m + a]! > 0) hdiag[free[a]!] = H[a * m + a]!;
      }
      // Newton direction on the free set; coordinates sitting on a bound whose Newton
      // component points through it are dropped and the direction recomputed (projected Newton)
      sub = free.map((_, a) => a);
      for (;;) {
        const k = sub.length;
        const Hs = new Float64Array(k * k);
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) Hs[a * k + b] = H[sub[a]! * m + sub[b]!]!;
        let maxDiag = 0;
        for (let a = 0; a < k; a++) maxDiag = Math.max(maxDiag, Math.abs(Hs[a * k + a]!));
        tau = 0;
        let L = Hs;
        for (let attempt = 0; ; attempt++) {
          L = Hs.slice();
          for (let a = 0; a < k; a++) L[a * k + a]! += tau * Math.max(Math.abs(Hs[a * k + a]!), 1e-12 * (maxDiag || 1));
          if (cholesky(L, k)) break;
          tau = tau === 0 ? 1e-8 : tau * 10;
          if (attempt === 59) return done(false, "could not build a descent direction (Hessian not positive definite)", iter);
        }
        d = new Float64Array(k);
        for (let a = 0; a < k; a++) d[a] = -g[free[sub[a]!]!]!;
        choleskySolve(L, k, d);
        const keep = sub.filter((a, j) => {
          const i = free[a]!;
          return !((atLower(x[i]!, i) && d[j]! < 0) || (atUpper(x[i]!, i) && d[j]! > 0));
        });
        if (keep.length === sub.length) break;
        if (keep.length === 0) {
          // every Newton component points through its bound although each gradient points inward:
          // take a diagonally scaled gradient step instead, which moves inward
          for (let j = 0; j < k; j++) d[j] = -g[free[sub[j]!]!]! / Math.max(Math.abs(Hs[j * k + j]!), 1e-12);
          tau = 1;
          break;
        }
        sub = keep;
      }
    }
    const freeNow = sub.map((a) => free[a]);
    let decrement = 0;
    for (let a = 0; a < freeNow.length; a++) decrement -= g[freeNow[a]!]! * d[a]!;
    if (decrement < decrementTolerance && tau === 0) return done(true, "converged (Newton decrement below tolerance)", iter);
    // backtracking along the projected path
    let t = 1;
    let accepted = false;
    let fNew = f;
    for (let k = 0; k < 50; k++) {
      xt.set(x);
      let slope = 0;
      for (let a = 0; a < freeNow.length; a++) {
        const i = freeNow[a]!;
        const v = x[i]! + t * d[a]!;
        xt[i] = atLower(v, i) && d[a]! < 0 ? lower[i]! : atUpper(v, i) && d[a]! > 0 ? upper[i]! : v;
        slope += g[i]! * (xt[i]! - x[i]!);
      }
      fNew = eval_(xt, gt);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * Math.min(slope, 0)) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) {
      // no decrease representable in floating point: converged if the decrement is at rounding level
      const ok = decrement < 1e-8 * Math.max(1, Math.abs(f));
      return done(ok, ok ? "converged (no further decrease possible)" : "line search failed", iter);
    }
    const df = f - fNew;
    x.set(xt);
    g.set(gt);
    f = fNew;
    smallSteps = df < 1e-15 * Math.max(1, Math.abs(f)) ? smallSteps + 1 : 0;
    if (smallSteps >= 3) return done(true, "converged (NLL stationary)", iter);
  }
  return done(false, `no convergence after ${maxIterations} iterations`, maxIterations);

  function done(converged: boolean, message: string, iterations: number): MinimizeResult {
    return { x, fun: f, converged, iterations, evaluations, message };
  }
}

/**
 * One projected-Newton direction with the block-arrow Hessian: the same active-set and Levenberg
 * rules as the dense path, with each trial factorisation done by the Schur complement.
 */
function structuredStep(
  sh: NonNullable<MinimizeOptions["structuredHessian"]>,
  x: Float64Array,
  g: Float64Array,
  free: number[],
  atLower: (v: number, i: number) => boolean,
  atUpper: (v: number, i: number) => boolean,
): { sub: number[]; d: Float64Array; tau: number } | null {
  const M = sh.matrix;
  sh.fill(x, M);
  const n = x.length;
  let sub = free.map((_, a) => a);
  const active = new Uint8Array(n);
  const r = new Float64Array(n);
  for (;;) {
    active.fill(0);
    for (const a of sub) active[free[a]!] = 1;
    let tau = 0;
    let f: BlockArrowFactor;
    for (let attempt = 0; ; attempt++) {
      f = new BlockArrowFactor(M, active, tau);
      if (f.ok) break;
      tau = tau === 0 ? 1e-8 : tau * 10;
      if (attempt === 59) return null;
    }
    r.fill(0);
    for (const a of sub) r[free[a]!] = -g[free[a]!]!;
    f.solve(r);
    const d = Float64Array.from(sub, (a) => r[free[a]!]!);
    const keep = sub.filter((a, j) => {
      const i = free[a]!;
      return !((atLower(x[i]!, i) && d[j]! < 0) || (atUpper(x[i]!, i) && d[j]! > 0));
    });
    if (keep.length === sub.length) return { sub, d, tau };
    if (keep.length === 0) {
      for (let j = 0; j < sub.length; j++) d[j] = -g[free[sub[j]!]!]! / Math.max(Math.abs(M.diag(free[sub[j]!]!)), 1e-12);
      return { sub, d, tau: 1 };
    }
    sub = keep;
  }
}
