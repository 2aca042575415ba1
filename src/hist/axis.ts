/**
 * Histogram axes. An axis maps a value to a bin index: 0..size-1 for normal bins, -1 for the
 * underflow and `size` for the overflow. Storage positions add 1 when the axis has an
 * underflow bin, so every axis occupies `extent` = size + flow bins consecutive positions.
 * Binning rule for continuous axes, as numpy and boost-histogram: bins are [low, high); a value
 * equal to the upper edge of the last bin goes to the overflow; NaN goes to the overflow.
 */
import { HepflowError } from "../util/index.js";

/** Options common to all axes. */
export interface AxisOptions {
  /** Name used to address the axis in fill/pick/project (e.g. "observable"). */
  name?: string;
  /** Human-readable label, may carry units (e.g. "H_T [GeV]"). */
  label?: string;
}

/** Options of continuous axes. */
export interface FlowOptions extends AxisOptions {
  /** Keep an underflow bin (default true). */
  underflow?: boolean;
  /** Keep an overflow bin (default true). */
  overflow?: boolean;
}

/** JSON form of an axis (see Axis.toJSON). */
export type AxisJSON =
  | { type: "regular"; bins: number; lower: number; upper: number; transform?: "log"; name: string; label: string; underflow: boolean; overflow: boolean }
  | { type: "variable"; edges: number[]; name: string; label: string; underflow: boolean; overflow: boolean }
  | { type: "integer"; lower: number; upper: number; name: string; label: string; underflow: boolean; overflow: boolean }
  | { type: "boolean"; name: string; label: string }
  | { type: "strcategory"; categories: string[]; growth: boolean; overflow: boolean; name: string; label: string }
  | { type: "intcategory"; categories: number[]; growth: boolean; overflow: boolean; name: string; label: string };

/** What every axis offers. */
export abstract class Axis {
  abstract readonly kind: AxisJSON["type"];
  readonly name: string;
  readonly label: string;
  abstract readonly underflow: boolean;
  abstract readonly overflow: boolean;

  constructor(opts: AxisOptions) {
    this.name = opts.name ?? "";
    this.label = opts.label ?? opts.name ?? "";
  }

  /** Number of normal (non-flow) bins. */
  abstract get size(): number;

  /** Number of storage positions: size plus flow bins. */
  get extent(): number {
    return this.size + (this.underflow ? 1 : 0) + (this.overflow ? 1 : 0);
  }

  /** True for category axes, which are filled with one label per fill call or per value. */
  get isCategory(): boolean {
    return false;
  }

  /** Bin index of a value: -1 underflow, size overflow (whether or not the axis keeps those bins). */
  abstract index(value: number | string | boolean): number;

  /** Storage position of a bin index, or -1 when the axis has no such bin (the value is dropped). */
  position(bin: number): number {
    if (bin < 0) return this.underflow ? 0 : -1;
    if (bin >= this.size) return this.overflow ? this.size + (this.underflow ? 1 : 0) : -1;
    return bin + (this.underflow ? 1 : 0);
  }

  /** Serializable description; `axisFromJSON` is its inverse. */
  abstract toJSON(): AxisJSON;

  /** True when both axes bin identically (names and labels included). */
  equals(other: Axis): boolean {
    return JSON.stringify(this.toJSON()) === JSON.stringify(other.toJSON());
  }
}

/** Axes with numeric bin edges (Regular, Variable, Integer). */
export abstract class EdgeAxis extends Axis {
  /** Bin edges, size+1 of them. */
  abstract readonly edges: Float64Array;

  get size(): number {
    return this.edges.length - 1;
  }

  /** Bin centers (arithmetic mean of the edges). */
  get centers(): Float64Array {
    const e = this.edges,
      out = new Float64Array(this.size);
    for (let i = 0; i < out.length; i++) out[i] = 0.5 * (e[i]! + e[i + 1]!);
    return out;
  }

  /** Bin widths. */
  get widths(): Float64Array {
    const e = this.edges,
      out = new Float64Array(this.size);
    for (let i = 0; i < out.length; i++) out[i] = e[i + 1]! - e[i]!;
    return out;
  }

  /** Bin index by binary search on the edges; the reference rule all continuous axes agree with. */
  index(value: number | string | boolean): number {
    const x = Number(value);
    const e = this.edges,
      n = e.length - 1;
    if (!(x < e[n]!)) return n; // also NaN
    if (x < e[0]!) return -1;
    let lo = 0,
      hi = n; // invariant: e[lo] <= x < e[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x < e[mid]!) hi = mid;
      else lo = mid;
    }
    return lo;
  }
}

function checkFinite(v: number, what: string): void {
  if (!Number.isFinite(v)) throw new HepflowError("HIST_AXIS", `${what} must be a finite number, got ${v}`);
}

/** Equal-width bins between lower and upper, optionally equal-width in log(x). */
export class RegularAxis extends EdgeAxis {
  readonly kind = "regular" as const;
  readonly edges: Float64Array;
  readonly underflow: boolean;
  readonly overflow: boolean;
  readonly transform: "none" | "log";

  constructor(
    readonly bins: number,
    readonly lower: number,
    readonly upper: number,
    opts: FlowOptions & { transform?: "log" } = {},
  ) {
    super(opts);
    if (!Number.isInteger(bins) || bins < 1) throw new HepflowError("HIST_AXIS", `Regular axis ${opts.name ?? ""}: bins must be a positive integer, got ${bins}`);
    checkFinite(lower, "Regular axis lower edge");
    checkFinite(upper, "Regular axis upper edge");
    if (!(upper > lower)) throw new HepflowError("HIST_AXIS", `Regular axis ${opts.name ?? ""}: upper edge ${upper} must exceed lower edge ${lower}`);
    this.transform = opts.transform ?? "none";
    if (this.transform === "log" && !(lower > 0)) throw new HepflowError("HIST_AXIS", `Regular axis ${opts.name ?? ""} with log transform needs lower > 0, got ${lower}`);
    this.underflow = opts.underflow ?? true;
    this.overflow = opts.overflow ?? true;
    const a = this.forward(lower),
      b = this.forward(upper);
    // numpy.linspace's rule (start + i·step, last edge = stop): decimal ranges such as
    // [50, 550) in 25 bins get exact edges, so values on a nominal edge land where numpy puts them.
    const step = (b - a) / bins;
    const e = new Float64Array(bins + 1);
    for (let i = 0; i <= bins; i++) e[i] = this.inverse(a + i * step);
    e[0] = lower;
    e[bins] = upper;
    this.edges = e;
  }

  /** x in the space where bins are equal-width. */
  forward(x: number): number {
    return this.transform === "log" ? Math.log(x) : x;
  }

  inverse(t: number): number {
    return this.transform === "log" ? Math.exp(t) : t;
  }

  /** O(1) bin index: an estimate from the linear formula, corrected against the edges so it always agrees with `edges`. */
  override index(value: number | string | boolean): number {
    const x = Number(value);
    const n = this.bins,
      e = this.edges;
    const a = this.forward(this.lower),
      b = this.forward(this.upper);
    if (x !== x) return n; // NaN → overflow
    const f = ((this.forward(x) - a) / (b - a)) * n;
    if (f !== f) return -1; // log of a negative value: below every edge
    if (!(f < n)) return x < e[n]! ? n - 1 : n;
    if (!(f >= 0)) return x >= e[0]! ? 0 : -1;
    let i = Math.floor(f);
    if (x < e[i]!) i--;
    else if (x >= e[i + 1]!) i++;
    return i;
  }

  toJSON(): AxisJSON {
    return {
      type: "regular",
      bins: this.bins,
      lower: this.lower,
      upper: this.upper,
      ...(this.transform === "log" ? { transform: "log" as const } : {}),
      name: this.name,
      label: this.label,
      underflow: this.underflow,
      overflow: this.overflow,
    };
  }
}

/** Bins with arbitrary increasing edges. */
export class VariableAxis extends EdgeAxis {
  readonly kind = "variable" as const;
  readonly edges: Float64Array;
  readonly underflow: boolean;
  readonly overflow: boolean;

  constructor(edges: ArrayLike<number>, opts: FlowOptions = {}) {
    super(opts);
    if (edges.length < 2) throw new HepflowError("HIST_AXIS", `Variable axis ${opts.name ?? ""}: needs at least 2 edges, got ${edges.length}`);
    this.edges = Float64Array.from(edges);
    for (let i = 0; i < this.edges.length; i++) {
      checkFinite(this.edges[i]!, `Variable axis edge ${i}`);
      if (i > 0 && !(this.edges[i]! > this.edges[i - 1]!)) throw new HepflowError("HIST_AXIS", `Variable axis ${opts.name ?? ""}: edges must increase strictly, but edge ${i} = ${this.edges[i]} follows ${this.edges[i - 1]}`);
    }
    this.underflow = opts.underflow ?? true;
    this.overflow = opts.overflow ?? true;
  }

  toJSON(): AxisJSON {
    return { type: "variable", edges: Array.from(this.edges), name: this.name, label: this.label, underflow: this.underflow, overflow: this.overflow };
  }
}

/** One bin per integer in [lower, upper). */
export class IntegerAxis extends EdgeAxis {
  readonly kind = "integer" as const;
  readonly edges: Float64Array;
  readonly underflow: boolean;
  readonly overflow: boolean;

  constructor(
    readonly lower: number,
    readonly upper: number,
    opts: FlowOptions = {},
  ) {
    super(opts);
    if (!Number.isInteger(lower) || !Number.isInteger(upper) || upper <= lower) throw new HepflowError("HIST_AXIS", `Integer axis ${opts.name ?? ""}: needs integers lower < upper, got ${lower}, ${upper}`);
    this.edges = new Float64Array(upper - lower + 1);
    for (let i = 0; i < this.edges.length; i++) this.edges[i] = lower + i;
    this.underflow = opts.underflow ?? true;
    this.overflow = opts.overflow ?? true;
  }

  override index(value: number | string | boolean): number {
    const x = Number(value);
    if (!(x < this.upper)) return this.upper - this.lower;
    if (x < this.lower) return -1;
    return Math.floor(x) - this.lower;
  }

  toJSON(): AxisJSON {
    return { type: "integer", lower: this.lower, upper: this.upper, name: this.name, label: this.label, underflow: this.underflow, overflow: this.overflow };
  }
}

/** Two bins: false (0) and true (anything else); no flow bins. */
export class BooleanAxis extends Axis {
  readonly kind = "boolean" as const;
  readonly underflow = false;
  readonly overflow = false;

  get size(): number {
    return 2;
  }

  index(value: number | string | boolean): number {
    return value === false || value === 0 || value === "false" ? 0 : 1;
  }

  toJSON(): AxisJSON {
    return { type: "boolean", name: this.name, label: this.label };
  }
}

/** Options of category axes. */
export interface CategoryOptions extends AxisOptions {
  /** Add unseen categories when filled (default false). */
  growth?: boolean;
  /** Keep an "other" bin for unknown categories (default: true unless growth). */
  overflow?: boolean;
}

abstract class CategoryAxis<T extends string | number> extends Axis {
  readonly underflow = false;
  readonly overflow: boolean;
  readonly growth: boolean;
  protected readonly cats: T[];
  protected readonly lookup = new Map<T, number>();

  constructor(categories: readonly T[], opts: CategoryOptions) {
    super(opts);
    this.growth = opts.growth ?? false;
    this.overflow = opts.overflow ?? !this.growth;
    this.cats = [];
    for (const c of categories) {
      if (this.lookup.has(c)) throw new HepflowError("HIST_AXIS", `category axis ${this.name}: category ${JSON.stringify(c)} is listed twice`);
      this.lookup.set(c, this.cats.length);
      this.cats.push(c);
    }
  }

  get size(): number {
    return this.cats.length;
  }

  override get isCategory(): boolean {
    return true;
  }

  /** The categories in bin order. */
  get categories(): readonly T[] {
    return this.cats;
  }

  /** Category of bin i. */
  value(i: number): T {
    return this.cats[i]!;
  }

  protected abstract coerce(value: number | string | boolean): T;

  /** Bin of a category, or size (other/dropped) when unknown; never grows. */
  index(value: number | string | boolean): number {
    return this.lookup.get(this.coerce(value)) ?? this.cats.length;
  }

  /** Bin of a category, adding it first when the axis grows. Only Hist calls this (growth relayouts storage). */
  indexGrowing(value: number | string | boolean): number {
    const v = this.coerce(value);
    const i = this.lookup.get(v);
    if (i !== undefined) return i;
    if (!this.growth) return this.cats.length;
    this.lookup.set(v, this.cats.length);
    this.cats.push(v);
    return this.cats.length - 1;
  }
}

/** Bins labelled by strings (process, variation, region). */
export class StrCategoryAxis extends CategoryAxis<string> {
  readonly kind = "strcategory" as const;
  protected coerce(value: number | string | boolean): string {
    return String(value);
  }
  toJSON(): AxisJSON {
    return { type: "strcategory", categories: [...this.cats], growth: this.growth, overflow: this.overflow, name: this.name, label: this.label };
  }
}

/** Bins labelled by integers (e.g. a channel number, a systematic index). */
export class IntCategoryAxis extends CategoryAxis<number> {
  readonly kind = "intcategory" as const;
  protected coerce(value: number | string | boolean): number {
    const v = Number(value);
    if (!Number.isInteger(v)) throw new HepflowError("HIST_FILL", `IntCategory axis ${this.name}: ${String(value)} is not an integer`);
    return v;
  }
  toJSON(): AxisJSON {
    return { type: "intcategory", categories: [...this.cats], growth: this.growth, overflow: this.overflow, name: this.name, label: this.label };
  }
}

/** `bins` equal-width bins on [lower, upper) plus flow bins (boost-histogram's Regular). */
export function Regular(bins: number, lower: number, upper: number, opts: FlowOptions & { transform?: "log" } = {}): RegularAxis {
  return new RegularAxis(bins, lower, upper, opts);
}
/** Bins with the given increasing edges. */
export function Variable(edges: ArrayLike<number>, opts: FlowOptions = {}): VariableAxis {
  return new VariableAxis(edges, opts);
}
/** One bin per integer in [lower, upper). */
export function Integer(lower: number, upper: number, opts: FlowOptions = {}): IntegerAxis {
  return new IntegerAxis(lower, upper, opts);
}
/** A false/true axis. */
// biome-ignore lint/suspicious/noShadowRestrictedNames: boost-histogram's name (axis.Boolean), used as hist.Boolean()
export function Boolean(opts: AxisOptions = {}): BooleanAxis {
  return new BooleanAxis(opts);
}
/** String categories, optionally growing when filled with new ones. */
export function StrCategory(categories: readonly string[], opts: CategoryOptions = {}): StrCategoryAxis {
  return new StrCategoryAxis(categories, opts);
}
/** Integer categories, optionally growing. */
export function IntCategory(categories: readonly number[], opts: CategoryOptions = {}): IntCategoryAxis {
  return new IntCategoryAxis(categories, opts);
}

/** Rebuild an axis from its JSON form. */
export function axisFromJSON(j: AxisJSON): Axis {
  const base = { name: j.name, label: j.label };
  switch (j.type) {
    case "regular":
      return new RegularAxis(j.bins, j.lower, j.upper, { ...base, underflow: j.underflow, overflow: j.overflow, ...(j.transform ? { transform: j.transform } : {}) });
    case "variable":
      return new VariableAxis(j.edges, { ...base, underflow: j.underflow, overflow: j.overflow });
    case "integer":
      return new IntegerAxis(j.lower, j.upper, { ...base, underflow: j.underflow, overflow: j.overflow });
    case "boolean":
      return new BooleanAxis(base);
    case "strcategory":
      return new StrCategoryAxis(j.categories, { ...base, growth: j.growth, overflow: j.overflow });
    case "intcategory":
      return new IntCategoryAxis(j.categories, { ...base, growth: j.growth, overflow: j.overflow });
    default:
      throw new HepflowError("HIST_JSON", `unknown axis type ${JSON.stringify((j as { type: unknown }).type)}`);
  }
}
