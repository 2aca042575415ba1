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

type FusedKernel = (xs: Values, v: Float64Array, v2: Float64Array | null, base: number, stride: number, lo: number, scale: number, n: number, e: Float64Array, ws: Values | null, wc: number) => void;

const kernels = new Map<string, FusedKernel>();

/** The one-axis binning of the fused loops, as source text for value `x` of axis `a` into `b<a>`. */
const binSource = (a: string): string => `
      const f${a} = (${a} - l${a}) * k${a};
      let b${a};
      if (f${a} >= 0 && f${a} < n${a}) {
        b${a} = (f${a} | 0) + 1;
        b${a} -= ${a} < e${a}[b${a} - 1] ? 1 : 0;
        b${a} += ${a} >= e${a}[b${a}] ? 1 : 0;
      }
      else b${a} = f${a} < 0 ? 0 : ${a} < e${a}[n${a}] ? n${a} : n${a} + 1;`;

/**
 * The fused Regular-axis loop, generated once per (input element type, weight mode, storage,
 * stride 1, i.e. the filled axis is the first). Separate function objects keep each specialization monomorphic: one shared
 * function fed both Float32Array and Float64Array runs about half as fast. The source is fixed
 * text (no user input).
 * Binning: an O(1) estimate k = floor((x − lo)·n/(hi − lo)) is off by at most one bin from the
 * exact answer (the rounding of f is a few ulps, far below a bin; see the tests at exact
 * edges), so two comparisons with the stored edges always correct it (bin b holds
 * [e[b-1], e[b]) in storage numbering, 0 being the underflow). Doing both comparisons on every
 * value, as branch-free selects, is faster than first testing whether f lies near an edge.
 */
function fusedKernel(key: string, arrayWeight: boolean, weightStorage: boolean, unit: boolean): FusedKernel {
  let k = kernels.get(key);
  if (k) return k;
  const src = `
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];${binSource("x")}
      const p = ${unit ? "bx" : "base + bx * stride"};
      const w = ${arrayWeight ? "ws[i]" : "wc"};
      v[p] += w;
      ${weightStorage ? "v2[p] += w * w;" : ""}
    }`;
  k = new Function("xs", "v", "v2", "base", "stride", "lx", "kx", "nx", "ex", "ws", "wc", src) as FusedKernel;
  kernels.set(key, k);
  return k;
}

/**
 * Fused fill of one Regular axis (linear, with both flow bins) into double/weight storage:
 * `data[i]` lands at base + stride * position. Arrays are updated in place.
 */
export function fillRegularFused(ax: RegularAxis, data: Values, base: number, stride: number, arrays: Float64Array[], kind: "double" | "weight", weight: number | Values): void {
  const arrayWeight = typeof weight !== "number";
  const unit = stride === 1;
  const key = `${(data as object).constructor.name}/${arrayWeight ? (weight as object).constructor.name : "scalar"}/${kind}/${unit ? "unit" : "strided"}`;
  const k = fusedKernel(key, arrayWeight, kind === "weight", unit);
  // stride 1: views starting at base make the index the bin itself (an add per value costs ~10%)
  const view = (a: Float64Array): Float64Array => (unit && base !== 0 ? a.subarray(base, base + ax.bins + 2) : a);
  k(data, view(arrays[0]!), kind === "weight" ? view(arrays[1]!) : null, base, stride, ax.lower, ax.bins / (ax.upper - ax.lower), ax.bins, ax.edges, arrayWeight ? (weight as Values) : null, arrayWeight ? 0 : (weight as number));
}

type Fused2Kernel = (
  xs: Values,
  ys: Values,
  v: Float64Array,
  v2: Float64Array | null,
  base: number,
  sx: number,
  sy: number,
  lx: number,
  kx: number,
  nx: number,
  ex: Float64Array,
  ly: number,
  ky: number,
  ny: number,
  ey: Float64Array,
  ws: Values | null,
  wc: number,
) => void;

const kernels2 = new Map<string, Fused2Kernel>();

/** Fused loop over two Regular axes (2D histograms, or 2D × fixed categories), generated per input types and weight mode. */
function fused2Kernel(key: string, arrayWeight: boolean, weightStorage: boolean): Fused2Kernel {
  let k = kernels2.get(key);
  if (k) return k;
  const src = `
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i], y = ys[i];${binSource("x")}${binSource("y")}
      const p = base + bx * sx + by * sy;
      const w = ${arrayWeight ? "ws[i]" : "wc"};
      v[p] += w;
      ${weightStorage ? "v2[p] += w * w;" : ""}
    }`;
  k = new Function("xs", "ys", "v", "v2", "base", "sx", "sy", "lx", "kx", "nx", "ex", "ly", "ky", "ny", "ey", "ws", "wc", src) as Fused2Kernel;
  kernels2.set(key, k);
  return k;
}

/** Fused fill of two Regular axes (linear, both flow bins) into double/weight storage; arrays updated in place. */
export function fillRegular2Fused(ax: RegularAxis, ay: RegularAxis, xs: Values, ys: Values, base: number, sx: number, sy: number, arrays: Float64Array[], kind: "double" | "weight", weight: number | Values): void {
  const arrayWeight = typeof weight !== "number";
  const key = `${(xs as object).constructor.name}/${(ys as object).constructor.name}/${arrayWeight ? (weight as object).constructor.name : "scalar"}/${kind}`;
  const k = fused2Kernel(key, arrayWeight, kind === "weight");
  k(
    xs,
    ys,
    arrays[0]!,
    kind === "weight" ? arrays[1]! : null,
    base,
    sx,
    sy,
    ax.lower,
    ax.bins / (ax.upper - ax.lower),
    ax.bins,
    ax.edges,
    ay.lower,
    ay.bins / (ay.upper - ay.lower),
    ay.bins,
    ay.edges,
    arrayWeight ? (weight as Values) : null,
    arrayWeight ? 0 : (weight as number),
  );
}

/** True when fillRegularFused applies to this axis. */
export function fusable(ax: Axis): ax is RegularAxis {
  return ax instanceof RegularAxis && ax.transform === "none" && ax.underflow && ax.overflow;
}

const lookups = new WeakMap<Float64Array, Int32Array>();

/**
 * For non-uniform edges: a uniform grid over [e[0], e[n]) with, per cell, the bin holding the
 * cell's lower end. A value's cell gives its bin to within the few edges inside that cell, so
 * a fill costs O(1) instead of a binary search. 8 cells per bin (at most 4096) keep most cells
 * inside a single bin. Cached per edge array (axes are immutable in their edges).
 */
function edgeLookup(e: Float64Array): Int32Array {
  let lut = lookups.get(e);
  if (lut) return lut;
  const n = e.length - 1,
    lo = e[0]!,
    hi = e[n]!;
  const cells = Math.max(1, Math.min(4096, 8 * n));
  lut = new Int32Array(cells);
  let b = 0;
  for (let g = 0; g < cells; g++) {
    const start = lo + ((hi - lo) * g) / cells;
    while (b < n - 1 && start >= e[b + 1]!) b++;
    lut[g] = b;
  }
  lookups.set(e, lut);
  return lut;
}

/** Add stride × position of each value to idx (or set -1 when the value has no bin on this axis). */
export function addPositions(ax: Axis, data: Values | readonly (string | number | boolean)[], idx: Int32Array, stride: number, presolved?: Int32Array): void {
  const len = data.length;
  if (presolved) {
    for (let i = 0; i < len; i++) {
      const p = ax.position(presolved[i]!);
      if (p < 0) idx[i] = -1;
      else if (idx[i]! >= 0) idx[i]! += p * stride;
    }
    return;
  }
  if (ax instanceof EdgeAxis && !(ax instanceof RegularAxis && ax.transform !== "none")) {
    const e = ax.edges,
      n = e.length - 1,
      uf = ax.underflow ? 1 : 0;
    const pu = ax.underflow ? 0 : -1,
      po = ax.overflow ? n + uf : -1;
    const num = data as Values;
    const reg = ax instanceof RegularAxis;
    const lo = e[0]!,
      scale = reg ? n / ((ax as RegularAxis).upper - lo) : 0;
    const lut = reg ? null : edgeLookup(e);
    const cells = lut ? lut.length : 0,
      gscale = cells / (e[n]! - lo);
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
          // the grid cell's first bin, then a step or two along the edges (exact for any edges)
          b = lut![Math.min(cells - 1, ((x - lo) * gscale) | 0)]!;
          while (x >= e[b + 1]!) b++;
          while (x < e[b]!) b--;
        }
        p = b + uf;
      }
      if (p < 0) idx[i] = -1;
      else if (idx[i]! >= 0) idx[i]! += p * stride;
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const p = ax.position(ax.index(data[i] as number | string | boolean));
    if (p < 0) idx[i] = -1;
    else if (idx[i]! >= 0) idx[i]! += p * stride;
  }
}

/** Accumulate values at precomputed positions (idx -1 = dropped). */
export function accumulate(kind: StorageKind, arrays: Float64Array[], idx: Int32Array, n: number, weight: number | Values, sample: number | Values | undefined): void {
  const ws = typeof weight === "number" ? null : weight;
  const wc = typeof weight === "number" ? weight : 0;
  if (kind === "double" || kind === "int") {
    const v = arrays[0]!;
    if (ws === null) {
      for (let i = 0; i < n; i++) {
        const p = idx[i]!;
        if (p >= 0) v[p]! += wc;
      }
    } else
      for (let i = 0; i < n; i++) {
        const p = idx[i]!;
        if (p >= 0) v[p]! += ws[i]!;
      }
    return;
  }
  if (kind === "weight") {
    const v = arrays[0]!,
      v2 = arrays[1]!;
    for (let i = 0; i < n; i++) {
      const p = idx[i]!;
      if (p < 0) continue;
      const w = ws === null ? wc : ws[i]!;
      v[p]! += w;
      v2[p]! += w * w;
    }
    return;
  }
  const sw = arrays[0]!,
    sw2 = arrays[1]!,
    mean = arrays[2]!,
    m2 = arrays[3]!;
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
    m2[p]! += w * delta * (x - nm);
    mean[p] = nm;
    sw[p] = W;
    sw2[p]! += w * w;
  }
}
