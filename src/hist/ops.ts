/**
 * Reshaping a histogram: projections, picking category bins, slicing, rebinning. Each is one
 * `scatter` of the old bins into a new layout, so all storages (including mean) are handled
 * the same way and results are deterministic.
 */
import { HepflowError } from "../util/index.js";
import { type Axis, EdgeAxis, IntegerAxis, RegularAxis, VariableAxis } from "./axis.js";
import { cloneAxis, Hist, scatter } from "./hist.js";
import { mergeBin } from "./storage.js";

function stridesOf(axes: Axis[]): number[] {
  let s = 1;
  return axes.map((a) => {
    const r = s;
    s *= a.extent;
    return r;
  });
}

function identity(n: number): Int32Array {
  const m = new Int32Array(n);
  for (let i = 0; i < n; i++) m[i] = i;
  return m;
}

/** Build the result: `newAxisOf[k]` is the new position of old axis k (−1 = summed away / picked). */
function rebuild(h: Hist, newAxes: Axis[], newAxisOf: number[], maps: Int32Array[]): Hist {
  const out = new Hist(newAxes, { storage: h.storage, name: h.name, label: h.label });
  const ns = stridesOf(newAxes);
  const targetStrides = newAxisOf.map((j) => (j >= 0 ? ns[j]! : 0));
  scatter(
    h.axes.map((a) => a.extent),
    h.data,
    maps,
    targetStrides,
    out.data,
    h.storage,
  );
  return out;
}

/** Keep only the given axes (in the given order), summing over all bins of the others, flow bins included. */
export function project(h: Hist, ...keep: (string | number)[]): Hist {
  const ks = keep.map((k) => h.axisIndex(k));
  if (new Set(ks).size !== ks.length) throw new HepflowError("HIST_AXIS", `project: axis listed twice in ${keep.join(", ")}`);
  if (ks.length === 0) throw new HepflowError("HIST_AXIS", "project: keep at least one axis (use sum() for the total)");
  const newAxisOf = h.axes.map((_, k) => ks.indexOf(k));
  const maps = h.axes.map((a, k) => (newAxisOf[k]! >= 0 ? identity(a.extent) : new Int32Array(a.extent)));
  return rebuild(
    h,
    ks.map((k) => cloneAxis(h.axes[k]!)),
    newAxisOf,
    maps,
  );
}

/** Sum over the given axes, keeping the others in order. */
export function sumOver(h: Hist, ...axes: (string | number)[]): Hist {
  const drop = new Set(axes.map((k) => h.axisIndex(k)));
  return project(h, ...h.axes.map((_, k) => k).filter((k) => !drop.has(k)));
}

/**
 * Fix axes at one bin each and remove them: category axes take a category value
 * (`{ process: "ttbar", variation: "nominal" }`), other axes a bin index (−1 / size for flows).
 */
export function pick(h: Hist, sel: Record<string, string | number | boolean>): Hist {
  const fixed = new Map<number, number>();
  for (const [name, v] of Object.entries(sel)) {
    const k = h.axisIndex(name);
    const a = h.axes[k]!;
    let bin: number;
    if (a.isCategory) {
      bin = a.index(v);
      if (bin >= a.size) throw new HepflowError("HIST_INDEX", `axis ${name} has no category ${JSON.stringify(v)}`, { object: h.name || undefined });
    } else {
      bin = Number(v);
      if (!Number.isInteger(bin) || bin < -1 || bin > a.size || a.position(bin) < 0) throw new HepflowError("HIST_INDEX", `axis ${name} has no bin ${String(v)}`, { object: h.name || undefined });
    }
    fixed.set(k, a.position(bin));
  }
  const kept = h.axes.map((_, k) => k).filter((k) => !fixed.has(k));
  if (kept.length === 0) throw new HepflowError("HIST_INDEX", "pick: selecting every axis leaves a single bin; use at(...) for one bin");
  // The picked bins form one sub-block of the old layout: visit it alone rather than scattering
  // every old bin (a region's process × variation views are ~100 picks of a 1 600-bin histogram).
  const out = new Hist(
    kept.map((k) => cloneAxis(h.axes[k]!)),
    { storage: h.storage, name: h.name, label: h.label },
  );
  const strides = stridesOf(h.axes);
  let base = 0;
  for (const [k, p] of fixed) base += p * strides[k]!;
  const extents = kept.map((k) => h.axes[k]!.extent);
  const steps = kept.map((k) => strides[k]!);
  const idx = new Array<number>(kept.length).fill(0);
  const total = extents.reduce((p, e) => p * e, 1);
  for (let t = 0, s = base; t < total; t++) {
    mergeBin(h.storage, out.data, t, h.data, s);
    for (let j = 0; j < kept.length; j++) {
      s += steps[j]!;
      if (++idx[j]! < extents[j]!) break;
      s -= steps[j]! * extents[j]!;
      idx[j] = 0;
    }
  }
  return out;
}

function edgeAxis(h: Hist, key: string | number, op: string): [number, EdgeAxis] {
  const k = h.axisIndex(key);
  const a = h.axes[k]!;
  if (!(a instanceof EdgeAxis)) throw new HepflowError("HIST_AXIS", `${op}: axis ${a.name || k} is a ${a.kind} axis; only Regular, Variable and Integer axes can be ${op === "slice" ? "sliced" : "rebinned"}`);
  return [k, a];
}

/**
 * Map old bins onto a new edge axis whose edges are a subset of the old ones: old bin b goes to
 * the new bin containing it; bins outside the new range go to its flow bins (dropped if absent).
 */
function mapToSubEdges(old: EdgeAxis, next: EdgeAxis, firstEdge: number, edgeIndex: Int32Array): Int32Array {
  const m = new Int32Array(old.extent);
  const ouf = old.underflow ? 1 : 0;
  const nSize = next.size;
  for (let p = 0; p < old.extent; p++) {
    const b = p - ouf;
    let nb: number;
    if (b < 0) nb = -1;
    else if (b >= old.size) nb = nSize;
    else if (b < firstEdge) nb = -1;
    else {
      nb = nSize;
      for (let j = 0; j < nSize; j++)
        if (b >= edgeIndex[j]! && b < edgeIndex[j + 1]!) {
          nb = j;
          break;
        }
    }
    m[p] = next.position(nb);
  }
  return m;
}

function replaceAxis(h: Hist, k: number, next: Axis, map: Int32Array): Hist {
  const axes = h.axes.map((a, i) => (i === k ? next : cloneAxis(a)));
  const maps = h.axes.map((a, i) => (i === k ? map : identity(a.extent)));
  return rebuild(
    h,
    axes,
    h.axes.map((_, i) => i),
    maps,
  );
}

/**
 * Keep bins [start, stop) of an edge axis. Contents of the cut-away bins are added to the new
 * underflow/overflow bins (boost-histogram's "shrink" slicing), so totals are preserved when
 * the axis has flow bins; without them the cut-away contents are dropped.
 */
export function slice(h: Hist, key: string | number, start: number, stop: number): Hist {
  const [k, a] = edgeAxis(h, key, "slice");
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > a.size || stop <= start)
    throw new HepflowError("HIST_INDEX", `slice: bins [${start}, ${stop}) are not a non-empty range of axis ${a.name || k} with ${a.size} bins`);
  const edges = a.edges.slice(start, stop + 1);
  const opts = { name: a.name, label: a.label, underflow: a.underflow, overflow: a.overflow };
  const next: EdgeAxis =
    a instanceof RegularAxis
      ? new RegularAxis(stop - start, edges[0]!, edges[edges.length - 1]!, { ...opts, ...(a.transform === "log" ? { transform: "log" as const } : {}) })
      : a instanceof IntegerAxis
        ? new IntegerAxis(a.lower + start, a.lower + stop, opts)
        : new VariableAxis(edges, opts);
  const idx = new Int32Array(stop - start + 1);
  for (let i = 0; i < idx.length; i++) idx[i] = start + i;
  return replaceAxis(h, k, next, mapToSubEdges(a, next, start, idx));
}

/** Merge every `factor` adjacent bins of an edge axis; the bin count must be divisible by factor. */
export function rebin(h: Hist, key: string | number, factor: number): Hist {
  const [k, a] = edgeAxis(h, key, "rebin");
  if (!Number.isInteger(factor) || factor < 1 || a.size % factor !== 0) throw new HepflowError("HIST_REBIN", `rebin: factor ${factor} does not divide the ${a.size} bins of axis ${a.name || k}`);
  const nb = a.size / factor;
  const idx = new Int32Array(nb + 1);
  for (let i = 0; i <= nb; i++) idx[i] = i * factor;
  const opts = { name: a.name, label: a.label, underflow: a.underflow, overflow: a.overflow };
  const next: EdgeAxis =
    a instanceof RegularAxis
      ? new RegularAxis(nb, a.lower, a.upper, { ...opts, ...(a.transform === "log" ? { transform: "log" as const } : {}) })
      : new VariableAxis(
          Array.from(idx, (i) => a.edges[i]!),
          opts,
        );
  return replaceAxis(h, k, next, mapToSubEdges(a, next, 0, idx));
}

/**
 * Rebin an edge axis to new edges, each of which must be one of the old edges (compared with a
 * relative tolerance of 1e-12, enough for edges computed by arithmetic, far below any bin width).
 * Old bins outside the new range go to the flow bins.
 */
export function rebinTo(h: Hist, key: string | number, edges: ArrayLike<number>): Hist {
  const [k, a] = edgeAxis(h, key, "rebin");
  const idx = new Int32Array(edges.length);
  for (let i = 0; i < edges.length; i++) {
    const x = edges[i]!;
    let found = -1;
    for (let j = 0; j < a.edges.length; j++) {
      const e = a.edges[j]!;
      if (Math.abs(e - x) <= 1e-12 * Math.max(1, Math.abs(e))) {
        found = j;
        break;
      }
    }
    if (found < 0) throw new HepflowError("HIST_REBIN", `rebinTo: edge ${x} is not an edge of axis ${a.name || k}; new edges must be a subset of the old ones`);
    if (i > 0 && found <= idx[i - 1]!) throw new HepflowError("HIST_REBIN", `rebinTo: edges must increase, but ${x} follows ${edges[i - 1]}`);
    idx[i] = found;
  }
  const next = new VariableAxis(
    Array.from(idx, (i) => a.edges[i]!),
    { name: a.name, label: a.label, underflow: a.underflow, overflow: a.overflow },
  );
  return replaceAxis(h, k, next, mapToSubEdges(a, next, idx[0]!, idx));
}
