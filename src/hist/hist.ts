/**
 * Hist: axes × storage, as in boost-histogram. Bins are stored in one flat array per storage
 * quantity, first axis fastest (ROOT's global-bin order), flow bins included.
 */
import { HepflowError, Jagged } from "../util/index.js";
import { type Axis, EdgeAxis, IntCategoryAxis, type RegularAxis, StrCategoryAxis } from "./axis.js";
import { accumulate, addPositions, fillRegular2Fused, fillRegularFused, fusable, indexBuffer } from "./fill.js";
import type { Values } from "./fill.js";
import { allocStorage, checkStorageKind, mergeBin, STORAGE_FIELDS } from "./storage.js";
import type { StorageKind } from "./storage.js";
import * as ops from "./ops.js";
import { histFromJSON, histToJSON } from "./serialize.js";
import type { HistJSON } from "./serialize.js";

/** A value column for one axis: numbers (flat or jagged: the content is used), strings, or one value for the whole fill. */
export type FillValue = ArrayLike<number> | Jagged | readonly string[] | number | string | boolean;

/** Per-fill options: weights (scalar or one per value) and, for mean storage, the sample. */
export interface FillOptions {
  weight?: number | ArrayLike<number> | Jagged;
  sample?: number | ArrayLike<number> | Jagged;
}

/** Histogram construction options. */
export interface HistOptions {
  storage?: StorageKind;
  /** Histogram name (e.g. for ROOT conversion). */
  name?: string;
  /** Human-readable title / label of the counted quantity. */
  label?: string;
}

type CategoryAx = StrCategoryAxis | IntCategoryAxis;

function isCat(a: Axis): a is CategoryAx {
  return a instanceof StrCategoryAxis || a instanceof IntCategoryAxis;
}

/**
 * Bin of every label of a category column. Labels usually come in runs (one process per
 * chunk, events sorted by sample), so the previous label is checked before the map lookup.
 */
function categoryIndices(ax: CategoryAx, c: ArrayLike<number> | readonly string[]): Int32Array {
  const idx = new Int32Array(c.length);
  let last: unknown,
    bin = -1;
  for (let i = 0; i < c.length; i++) {
    const v = c[i]!;
    if (v !== last || bin < 0) {
      bin = ax.indexGrowing(v);
      last = v;
    }
    idx[i] = bin;
  }
  return idx;
}

function columnOf(v: ArrayLike<number> | Jagged | readonly string[]): ArrayLike<number> | readonly string[] {
  if (v instanceof Jagged) {
    if (v.content instanceof Jagged) throw new HepflowError("HIST_FILL", "cannot fill from a doubly-jagged column; flatten it first");
    return v.content as ArrayLike<number> | readonly string[];
  }
  return v;
}

/** An n-dimensional histogram. */
export class Hist {
  readonly axes: Axis[];
  readonly storage: StorageKind;
  name: string;
  label: string;
  /** Storage arrays, named by STORAGE_FIELDS[storage]; flow bins included, first axis fastest. */
  data: Float64Array[];
  private strides: number[] = [];

  constructor(axes: Axis[], opts: HistOptions = {}) {
    if (axes.length === 0) throw new HepflowError("HIST_AXIS", "a histogram needs at least one axis");
    const names = axes.map((a) => a.name).filter((n) => n !== "");
    if (new Set(names).size !== names.length) throw new HepflowError("HIST_AXIS", `axis names must be unique, got ${names.join(", ")}`);
    // category axes are mutable (growth), so each histogram owns its copy: one axis object
    // passed to several histograms must not grow behind another histogram's storage
    this.axes = axes.map(cloneAxis);
    this.storage = checkStorageKind(opts.storage ?? "double");
    this.name = opts.name ?? "";
    this.label = opts.label ?? "";
    this.computeStrides();
    this.data = allocStorage(this.storage, this.totalBins);
  }

  private computeStrides(): void {
    let s = 1;
    this.strides = this.axes.map((a) => {
      const r = s;
      s *= a.extent;
      return r;
    });
  }

  /** Number of bins including flow bins. */
  get totalBins(): number {
    return this.axes.reduce((p, a) => p * a.extent, 1);
  }

  /** Number of axes. */
  get rank(): number {
    return this.axes.length;
  }

  /** Bins per axis, with or without flow bins. */
  shape(opts: { flow?: boolean } = {}): number[] {
    return this.axes.map((a) => (opts.flow ? a.extent : a.size));
  }

  /** Axis by name or position. */
  axis(key: string | number): Axis {
    return this.axes[this.axisIndex(key)]!;
  }

  /** Position of an axis given by name or position. */
  axisIndex(key: string | number): number {
    if (typeof key === "number") {
      if (key >= 0 && key < this.axes.length) return key;
    } else {
      const i = this.axes.findIndex((a) => a.name === key);
      if (i >= 0) return i;
    }
    throw new HepflowError("HIST_AXIS", `no axis ${JSON.stringify(key)}; axes are ${this.axes.map((a, i) => a.name || String(i)).join(", ")}`, { object: this.name || undefined });
  }

  /** Storage array by field name ("values", "sumw", "sumw2", "mean", "m2"). */
  field(name: string): Float64Array {
    const i = STORAGE_FIELDS[this.storage].indexOf(name);
    if (i < 0) throw new HepflowError("HIST_STORAGE", `${this.storage} storage has no "${name}"; it has ${STORAGE_FIELDS[this.storage].join(", ")}`);
    return this.data[i]!;
  }

  /**
   * Fill from columns keyed by axis name (or given in axis order). A category axis takes either
   * one value for the whole call — resolved once, never per value — or a column of values.
   * Jagged columns contribute their content; all columns must have the same length.
   */
  fill(values: Record<string, FillValue> | FillValue[] | FillValue, opts: FillOptions = {}): this {
    const inputs = this.resolveInputs(values);
    let n = -1;
    const check = (len: number, what: string): void => {
      if (n < 0) n = len;
      else if (len !== n) throw new HepflowError("HIST_FILL", `${what} has ${len} values but other columns have ${n}; fill columns of equal length`, { object: this.name || undefined });
    };
    const cols: (ArrayLike<number> | readonly string[] | null)[] = inputs.map((v, k) => {
      if (typeof v === "object" && v !== null) {
        const c = columnOf(v);
        check(c.length, `axis ${this.axes[k]!.name || k}`);
        return c;
      }
      return null;
    });
    const weight = opts.weight === undefined ? 1 : typeof opts.weight === "number" ? opts.weight : (columnOf(opts.weight) as ArrayLike<number>);
    if (typeof weight !== "number") check(weight.length, "weight");
    if (this.storage === "int" && opts.weight !== undefined) throw new HepflowError("HIST_FILL", "int storage counts unweighted fills; use double or weight storage for weights", { object: this.name || undefined });
    let sample: number | Values | undefined;
    if (this.storage === "mean") {
      if (opts.sample === undefined) throw new HepflowError("HIST_FILL", "mean storage needs a sample: fill(values, { sample })", { object: this.name || undefined });
      sample = typeof opts.sample === "number" ? opts.sample : (columnOf(opts.sample) as Values);
      if (typeof sample !== "number") check(sample.length, "sample");
    }
    if (n < 0) n = 1;

    // Category columns are resolved to bins first (growing axes add their new categories), since
    // growth changes the layout and positions are computed after it.
    const presolved: (Int32Array | undefined)[] = [];
    let grown = false;
    const before = this.axes.map((a) => a.size);
    this.axes.forEach((ax, k) => {
      if (!isCat(ax)) return;
      const c = cols[k];
      if (c === null || c === undefined) {
        if (ax.growth) ax.indexGrowing(inputs[k] as string | number | boolean);
      } else presolved[k] = categoryIndices(ax, c);
      if (ax.size !== before[k]) grown = true;
    });
    if (grown) this.relayout(before);

    let base = 0;
    for (let k = 0; k < this.axes.length; k++) {
      if (cols[k] !== null) continue;
      const ax = this.axes[k]!;
      const p = ax.position(ax.index(inputs[k] as string | number | boolean));
      if (p < 0) return this; // the fixed value has no bin: nothing of this fill is kept
      base += p * this.strides[k]!;
    }
    const arrayAxes = cols.map((c, k) => (c === null ? -1 : k)).filter((k) => k >= 0);

    if (arrayAxes.length === 1 && (this.storage === "double" || this.storage === "weight") && fusable(this.axes[arrayAxes[0]!]!)) {
      const k = arrayAxes[0]!;
      fillRegularFused(this.axes[k] as Parameters<typeof fillRegularFused>[0], cols[k] as Values, base, this.strides[k]!, this.data, this.storage, weight);
      return this;
    }
    if (arrayAxes.length === 2 && (this.storage === "double" || this.storage === "weight") && arrayAxes.every((k) => fusable(this.axes[k]!))) {
      const [kx, ky] = arrayAxes as [number, number];
      fillRegular2Fused(this.axes[kx] as RegularAxis, this.axes[ky] as RegularAxis, cols[kx] as Values, cols[ky] as Values, base, this.strides[kx]!, this.strides[ky]!, this.data, this.storage, weight);
      return this;
    }
    const idx = indexBuffer(n);
    idx.fill(base, 0, n);
    for (const k of arrayAxes) addPositions(this.axes[k]!, cols[k]!, idx, this.strides[k]!, presolved[k]);
    accumulate(this.storage, this.data, idx, n, weight, sample);
    return this;
  }

  private resolveInputs(values: Record<string, FillValue> | FillValue[] | FillValue): FillValue[] {
    if (Array.isArray(values) && (values.length === 0 || values.length === this.axes.length) && !(this.axes.length === 1 && typeof values[0] === "number")) {
      if (values.length !== this.axes.length) throw new HepflowError("HIST_FILL", `fill got ${values.length} columns for ${this.axes.length} axes`);
      return values as FillValue[];
    }
    if (typeof values !== "object" || ArrayBuffer.isView(values) || Array.isArray(values) || values instanceof Jagged) {
      if (this.axes.length !== 1) throw new HepflowError("HIST_FILL", `fill got one column for ${this.axes.length} axes; pass { axisName: column, ... }`);
      return [values as FillValue];
    }
    const rec = values as Record<string, FillValue>;
    for (const key of Object.keys(rec)) {
      if (!this.axes.some((a) => a.name === key)) throw new HepflowError("HIST_FILL", `fill got "${key}", which is not an axis; axes are ${this.axes.map((a) => a.name).join(", ")}`, { object: this.name || undefined });
    }
    return this.axes.map((a, k) => {
      const v = rec[a.name];
      if (v === undefined) throw new HepflowError("HIST_FILL", `fill is missing axis "${a.name || k}"`, { object: this.name || undefined });
      return v;
    });
  }

  /** Move the contents to a new layout after category axes grew (old categories keep their bins). */
  private relayout(oldSizes: number[]): void {
    const oldExt = this.axes.map((a, k) => oldSizes[k]! + (a.underflow ? 1 : 0) + (a.overflow ? 1 : 0));
    const maps = this.axes.map((a, k) => {
      const m = new Int32Array(oldExt[k]!);
      const uf = a.underflow ? 1 : 0;
      for (let p = 0; p < m.length; p++) {
        const bin = p - uf;
        m[p] = bin >= oldSizes[k]! ? a.extent - 1 : p; // old overflow stays the overflow
      }
      return m;
    });
    const oldData = this.data;
    this.computeStrides();
    this.data = allocStorage(this.storage, this.totalBins);
    scatter(oldExt, oldData, maps, this.strides, this.data, this.storage);
  }

  /** Bin contents (sum of weights; means for mean storage), first axis fastest, as a new array. */
  values(opts: { flow?: boolean } = {}): Float64Array {
    return this.view(this.storage === "mean" ? this.data[2]! : this.data[0]!, opts.flow ?? false);
  }

  /**
   * Variances: sum of squared weights for weight storage; the counts themselves for double and
   * int storage (Poisson, as hist assumes for unweighted fills); for mean storage the variance
   * of the mean, m2 / (sumw − sumw2/sumw) / (sumw²/sumw2).
   */
  variances(opts: { flow?: boolean } = {}): Float64Array {
    if (this.storage === "weight") return this.view(this.data[1]!, opts.flow ?? false);
    if (this.storage !== "mean") return this.values(opts);
    const [sw, sw2, , m2] = this.data as [Float64Array, Float64Array, Float64Array, Float64Array];
    const v = new Float64Array(sw.length);
    for (let i = 0; i < v.length; i++) {
      const w = sw[i]!,
        w2 = sw2[i]!;
      const denom = w - w2 / w;
      v[i] = denom > 0 ? m2[i]! / denom / ((w * w) / w2) : NaN;
    }
    return this.view(v, opts.flow ?? false);
  }

  /** Sum of weights per bin (the counts for mean storage). */
  counts(opts: { flow?: boolean } = {}): Float64Array {
    return this.view(this.data[0]!, opts.flow ?? false);
  }

  private view(a: Float64Array, flow: boolean): Float64Array {
    if (flow) return a.slice();
    const shape = this.shape();
    const out = new Float64Array(shape.reduce((p, s) => p * s, 1));
    const ufs = this.axes.map((ax) => (ax.underflow ? 1 : 0));
    const idx = new Array<number>(shape.length).fill(0);
    for (let w = 0; w < out.length; w++) {
      let p = 0;
      for (let k = 0; k < shape.length; k++) p += (idx[k]! + ufs[k]!) * this.strides[k]!;
      out[w] = a[p]!;
      for (let k = 0; k < shape.length; k++) {
        if (++idx[k]! < shape[k]!) break;
        idx[k] = 0;
      }
    }
    return out;
  }

  /** Flat storage position of bin indices (-1 = underflow, size = overflow per axis). */
  position(bins: number[]): number {
    if (bins.length !== this.axes.length) throw new HepflowError("HIST_INDEX", `got ${bins.length} bin indices for ${this.axes.length} axes`);
    let p = 0;
    for (let k = 0; k < bins.length; k++) {
      const ax = this.axes[k]!;
      const q = ax.position(bins[k]!);
      if (q < 0 || bins[k]! < -1 || bins[k]! > ax.size) throw new HepflowError("HIST_INDEX", `bin ${bins[k]} does not exist on axis ${ax.name || k} (size ${ax.size}, underflow ${ax.underflow}, overflow ${ax.overflow})`);
      p += q * this.strides[k]!;
    }
    return p;
  }

  /** Content and variance of one bin given by indices (-1 = underflow, size = overflow). */
  at(...bins: number[]): { value: number; variance: number } {
    const p = this.position(bins);
    const d = this.data;
    switch (this.storage) {
      case "weight":
        return { value: d[0]![p]!, variance: d[1]![p]! };
      case "mean": {
        const w = d[0]![p]!,
          w2 = d[1]![p]!;
        const den = w - w2 / w;
        return { value: d[2]![p]!, variance: den > 0 ? d[3]![p]! / den / ((w * w) / w2) : NaN };
      }
      default:
        return { value: d[0]![p]!, variance: d[0]![p]! };
    }
  }

  /** Bin indices of a point given by values (numbers or category labels), one per axis. */
  binsOf(values: (number | string | boolean)[]): number[] {
    return this.axes.map((a, k) => {
      const v = values[k];
      if (v === undefined) throw new HepflowError("HIST_INDEX", `got ${values.length} values for ${this.axes.length} axes`);
      return a.index(v);
    });
  }

  /** Content and variance of the bin containing a point given by values. */
  valueAt(...values: (number | string | boolean)[]): { value: number; variance: number } {
    return this.at(...this.binsOf(values));
  }

  /** Sum of contents (sum of weights), flow bins included by default. */
  sum(opts: { flow?: boolean } = {}): number {
    const a = this.counts({ flow: opts.flow ?? true });
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return s;
  }

  /** Multiply contents by f in place (squared weights by f²); returns this. */
  scale(f: number): this {
    const d = this.data;
    if (this.storage === "mean") {
      for (let i = 0; i < d[0]!.length; i++) {
        d[0]![i]! *= f;
        d[1]![i]! *= f * f;
        d[3]![i]! *= f;
      }
      return this;
    }
    for (let i = 0; i < d[0]!.length; i++) d[0]![i]! *= f;
    if (this.storage === "weight") for (let i = 0; i < d[1]!.length; i++) d[1]![i]! *= f * f;
    return this;
  }

  /** An independent copy. */
  copy(): Hist {
    const h = new Hist(
      this.axes.map((a) => cloneAxis(a)),
      { storage: this.storage, name: this.name, label: this.label },
    );
    h.data = this.data.map((a) => a.slice());
    return h;
  }

  /**
   * Add another histogram into this one in place (the reduce step of map-reduce). Axes must bin
   * identically; growable category axes take the union of categories, new ones appended in the
   * order `other` has them, so merging in a fixed order is bit-identical run to run.
   */
  add(other: Hist): this {
    if (other.storage !== this.storage) throw new HepflowError("HIST_MERGE", `cannot add ${other.storage} storage into ${this.storage} storage`, { object: this.name || undefined });
    if (other.axes.length !== this.axes.length) throw new HepflowError("HIST_MERGE", `cannot add a ${other.axes.length}-axis histogram to a ${this.axes.length}-axis one`, { object: this.name || undefined });
    const before = this.axes.map((a) => a.size);
    let grown = false;
    this.axes.forEach((a, k) => {
      const b = other.axes[k]!;
      if (isCat(a) && isCat(b) && a.kind === b.kind && a.growth) {
        for (const c of b.categories) a.indexGrowing(c);
        if (a.size !== before[k]) grown = true;
      }
    });
    if (grown) this.relayout(before);
    const maps = this.axes.map((a, k) => {
      const b = other.axes[k]!;
      if (isCat(a) && isCat(b) && a.kind === b.kind && a.name === b.name) {
        const m = new Int32Array(b.extent);
        for (let i = 0; i < b.size; i++) {
          const j = a.index(b.value(i));
          if (j >= a.size && !a.overflow) throw new HepflowError("HIST_MERGE", `category ${JSON.stringify(b.value(i))} of axis ${a.name} is missing here and the axis cannot grow`, { object: this.name || undefined });
          m[i] = a.position(j);
        }
        if (b.overflow) {
          if (!a.overflow) throw new HepflowError("HIST_MERGE", `axis ${a.name}: the other histogram has an overflow bin this one lacks`);
          m[b.size] = a.position(a.size);
        }
        return m;
      }
      if (!a.equals(b)) throw new HepflowError("HIST_MERGE", `axis ${k} (${a.name}) differs between the histograms; only identical binning can be added`, { object: this.name || undefined });
      return identity(a.extent);
    });
    scatter(
      other.axes.map((a) => a.extent),
      other.data,
      maps,
      this.strides,
      this.data,
      this.storage,
    );
    return this;
  }

  /** Keep only the given axes, summing over the others (flow bins included). */
  project(...axes: (string | number)[]): Hist {
    return ops.project(this, ...axes);
  }

  /** Sum over the given axes, keeping the others. */
  sumOver(...axes: (string | number)[]): Hist {
    return ops.sumOver(this, ...axes);
  }

  /** Fix axes at one bin each (category value, or bin index for other axes) and drop them. */
  pick(sel: Record<string, string | number | boolean>): Hist {
    return ops.pick(this, sel);
  }

  /** Keep bins [start, stop) of an edge axis; cut-away contents move to the flow bins. */
  slice(axis: string | number, start: number, stop: number): Hist {
    return ops.slice(this, axis, start, stop);
  }

  /** Merge every `factor` adjacent bins of an edge axis. */
  rebin(axis: string | number, factor: number): Hist {
    return ops.rebin(this, axis, factor);
  }

  /** Rebin an edge axis to a subset of its edges. */
  rebinTo(axis: string | number, edges: ArrayLike<number>): Hist {
    return ops.rebinTo(this, axis, edges);
  }

  /** Plain JSON data (JSON.stringify(h) uses it); `Hist.fromJSON` is the inverse. */
  toJSON(): HistJSON {
    return histToJSON(this);
  }

  /** Rebuild a histogram from its JSON form. */
  static fromJSON(j: HistJSON): Hist {
    return histFromJSON(j);
  }

  /** Sum histograms in the given order into a new one (the reduce of map-reduce; same order → same bits). */
  static merge(hists: Hist[]): Hist {
    const [first, ...rest] = hists;
    if (!first) throw new HepflowError("HIST_MERGE", "merge needs at least one histogram");
    const out = first.copy();
    for (const h of rest) out.add(h);
    return out;
  }

  /** Internal strides (first axis fastest), for kernels and conversions. */
  get layout(): readonly number[] {
    return this.strides;
  }
}

function identity(n: number): Int32Array {
  const m = new Int32Array(n);
  for (let i = 0; i < n; i++) m[i] = i;
  return m;
}

/** Deep-copy an axis through its JSON form (category axes are mutable when they grow). */
export function cloneAxis(a: Axis): Axis {
  return a instanceof EdgeAxis || !isCat(a)
    ? a
    : a instanceof StrCategoryAxis
      ? new StrCategoryAxis(a.categories, { name: a.name, label: a.label, growth: a.growth, overflow: a.overflow })
      : new IntCategoryAxis(a.categories as number[], { name: a.name, label: a.label, growth: a.growth, overflow: a.overflow });
}

/**
 * Merge every bin of a source layout into a target: source position p_k on axis k goes to
 * target position maps[k][p_k] (−1 drops the bin) times targetStrides[k] (0 removes the axis).
 * Bins are visited in source order, so results are deterministic.
 */
export function scatter(srcExtents: number[], src: Float64Array[], maps: Int32Array[], targetStrides: number[], dst: Float64Array[], kind: StorageKind): void {
  const r = srcExtents.length;
  const total = srcExtents.reduce((p, e) => p * e, 1);
  const idx = new Array<number>(r).fill(0);
  for (let s = 0; s < total; s++) {
    let t = 0;
    for (let k = 0; k < r; k++) {
      const m = maps[k]![idx[k]!]!;
      if (m < 0) {
        t = -1;
        break;
      }
      t += m * targetStrides[k]!;
    }
    if (t >= 0) mergeBin(kind, dst, t, src, s);
    for (let k = 0; k < r; k++) {
      if (++idx[k]! < srcExtents[k]!) break;
      idx[k] = 0;
    }
  }
}
