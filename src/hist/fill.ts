/**
 * Fill kernels. A fill turns each value into a storage position per axis and accumulates.
 * The common case — one column on a Regular axis, the other axes fixed for the whole call
 * (process, variation) — runs as one fused loop with no per-value calls or allocation.
 */
import { EdgeAxis, RegularAxis } from "./axis.js";
import type { Axis } from "./axis.js";
import type { StorageKind } from "./storage.js";

/** A numeric input column as the kernels see it. */
export type Values = ArrayLike<number>;

let scratch = new Int32Array(0);

/** A reusable index buffer of at least n elements (kernels are synchronous, so one per thread suffices). */
export function indexBuffer(n: number): Int32Array {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, scratch.length * 2));
  return scratch;
}

type FusedKernel = (xs: Values, v: Float64Array, v2: Float64Array | null, base: number, stride: number, lo: number, scale: number, n: number, e: Float64Array, ws: Values | null, wc: number, tol: number) => void;

const kernels = new Map<string, FusedKernel>();

/**
 * The fused Regular-axis loop, generated once per (input element type, weight mode, storage).
 * Separate function objects keep each specialization monomorphic: one shared function fed both
 * Float32Array and Float64Array runs about half as fast. The source is fixed text (no user input).
 * Binning: an O(1) estimate from the linear formula; only when the estimate lies within `tol`
 * (in bin units) of a bin boundary is it checked against the edges (bin b holds [e[b-1], e[b])
 * in storage numbering, 0 being the underflow). See `edgeTolerance` for why that is enough.
 */
function fusedKernel(key: string, arrayWeight: boolean, weightStorage: boolean): FusedKernel {
  let k = kernels.get(key);
  if (k) return k;
  const src = `
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const f = (x - lo) * scale;
      let b;
      if (f >= 0 && f < n) {
        const k = f | 0;
        b = k + 1;
        const fr = f - k;
        if (fr < tol || fr > 1 - tol) { b -= x < e[b - 1] ? 1 : 0; b += x >= e[b] ? 1 : 0; }
      }
      else b = f < 0 ? 0 : x < e[n] ? n : n + 1;
      const p = base + b * stride;
      const w = ${arrayWeight ? "ws[i]" : "wc"};
      v[p] += w;
      ${weightStorage ? "v2[p] += w * w;" : ""}
    }`;
  k = new Function("xs", "v", "v2", "base", "stride", "lo", "scale", "n", "e", "ws", "wc", "tol", src) as FusedKernel;
  kernels.set(key, k);
  return k;
}

/**
 * Fused fill of one Regular axis (linear, with both flow bins) into double/weight storage:
 * `data[i]` lands at base + stride * position. Arrays are updated in place.
 */
export function fillRegularFused(
  ax: RegularAxis, data: Values, base: number, stride: number,
  arrays: Float64Array[], kind: "double" | "weight", weight: number | Values,
): void {
  const arrayWeight = typeof weight !== "number";
  const key = `${(data as object).constructor.name}/${arrayWeight ? ((weight as object).constructor.name) : "scalar"}/${kind}`;
  const k = fusedKernel(key, arrayWeight, kind === "weight");
  k(data, arrays[0]!, kind === "weight" ? arrays[1]! : null, base, stride, ax.lower, ax.bins / (ax.upper - ax.lower), ax.bins, ax.edges,
    arrayWeight ? (weight as Values) : null, arrayWeight ? 0 : (weight as number), edgeTolerance(ax));
}

/**
 * How far (in bin units) the computed f = (x − lo)·n/(hi − lo) can be from the exact position
 * of x relative to the computed edges lo + k·(hi − lo)/n. Each of f and an edge carries a few
 * roundings of relative size u = 2⁻⁵³: |Δf| ≤ 3u·n and |Δedge|·n/(hi − lo) ≤ u·max(|lo|, |hi|)·n/(hi − lo)
 * + 2u·n. 1e-15 ≈ 9u covers the sum with a safety factor; outside that band floor(f) is exact.
 */
export function edgeTolerance(ax: RegularAxis): number {
  const scale = ax.bins / (ax.upper - ax.lower);
  return Math.min(0.5, 1e-15 * (5 * ax.bins + Math.max(Math.abs(ax.lower), Math.abs(ax.upper)) * scale));
}

/** True when fillRegularFused applies to this axis. */
export function fusable(ax: Axis): ax is RegularAxis {
  return ax instanceof RegularAxis && ax.transform === "none" && ax.underflow && ax.overflow;
}

/** Add stride × position of each value to idx (or set -1 when the value has no bin on this axis). */
export function addPositions(ax: Axis, data: Values | readonly (string | number | boolean)[], idx: Int32Array, stride: number, presolved?: Int32Array): void {
  const len = data.length;
  if (presolved) {
    for (let i = 0; i < len; i++) {
      const p = ax.position(presolved[i]!);
      if (p < 0) idx[i] = -1; else if (idx[i]! >= 0) idx[i] += p * stride;
    }
    return;
  }
  if (ax instanceof EdgeAxis && !(ax instanceof RegularAxis && ax.transform !== "none")) {
    const e = ax.edges, n = e.length - 1, uf = ax.underflow ? 1 : 0;
    const pu = ax.underflow ? 0 : -1, po = ax.overflow ? n + uf : -1;
    const num = data as Values;
    const reg = ax instanceof RegularAxis;
    const lo = e[0]!, scale = reg ? n / ((ax as RegularAxis).upper - lo) : 0;
    for (let i = 0; i < len; i++) {
      const x = num[i]!;
      let p: number;
      if (!(x < e[n]!)) p = po;
      else if (x < lo) p = pu;
      else {
        let b: number;
        if (reg) {
          b = Math.min(n - 1, ((x - lo) * scale) | 0);
          if (x < e[b]!) b--;
          else if (x >= e[b + 1]!) b++;
        } else {
          let a = 0, h = n;
          while (h - a > 1) { const m = (a + h) >> 1; if (x < e[m]!) h = m; else a = m; }
          b = a;
        }
        p = b + uf;
      }
      if (p < 0) idx[i] = -1; else if (idx[i]! >= 0) idx[i] += p * stride;
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const p = ax.position(ax.index(data[i] as number | string | boolean));
    if (p < 0) idx[i] = -1; else if (idx[i]! >= 0) idx[i] += p * stride;
  }
}

/** Accumulate values at precomputed positions (idx -1 = dropped). */
export function accumulate(kind: StorageKind, arrays: Float64Array[], idx: Int32Array, n: number, weight: number | Values, sample: number | Values | undefined): void {
  const ws = typeof weight === "number" ? null : weight;
  const wc = typeof weight === "number" ? weight : 0;
  if (kind === "double" || kind === "int") {
    const v = arrays[0]!;
    if (ws === null) { for (let i = 0; i < n; i++) { const p = idx[i]!; if (p >= 0) v[p] += wc; } }
    else for (let i = 0; i < n; i++) { const p = idx[i]!; if (p >= 0) v[p] += ws[i]!; }
    return;
  }
  if (kind === "weight") {
    const v = arrays[0]!, v2 = arrays[1]!;
    for (let i = 0; i < n; i++) {
      const p = idx[i]!;
      if (p < 0) continue;
      const w = ws === null ? wc : ws[i]!;
      v[p] += w; v2[p] += w * w;
    }
    return;
  }
  const sw = arrays[0]!, sw2 = arrays[1]!, mean = arrays[2]!, m2 = arrays[3]!;
  const ss = typeof sample === "number" ? null : sample!;
  const sc = typeof sample === "number" ? sample : 0;
  for (let i = 0; i < n; i++) {
    const p = idx[i]!;
    if (p < 0) continue;
    const w = ws === null ? wc : ws[i]!;
    if (w === 0) continue;
    const x = ss === null ? sc : ss[i]!;
    const W = sw[p]! + w;
    const delta = x - mean[p]!;
    const nm = mean[p]! + (w * delta) / W;
    m2[p] += w * delta * (x - nm);
    mean[p] = nm;
    sw[p] = W;
    sw2[p] += w * w;
  }
}
