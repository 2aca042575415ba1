/**
 * TTree::Draw over columns: evaluate the variable(s), the selection and the weight on each
 * chunk, bring them to one shape, and fill a histogram. ROOT's documented semantics:
 * - "y:x" draws y against x (the first expression is the vertical axis, as in TTree::Draw);
 * - the selection's value multiplies the weight (a boolean selection is 0/1); entries whose
 *   selection is 0 are not filled;
 * - a per-event variable with a per-element selection (`nJet` with `Jet_pt > 30`) is filled
 *   once per passing element, as TTreeFormula repeats a scalar over the array's instances;
 * - an event where an expression has no value (`Jet_pt[2]` with two jets) is not filled;
 * - mean and RMS are over the fills inside the axis range (TH1's default statistics).
 * Where ROOT takes the minimum length of two different collections, hepflow refuses (EXPR_SHAPE).
 */
import { HepflowError } from "../util/index.js";
import type { ProgressListener } from "../util/index.js";
import type { TreeLike } from "../root/index.js";
import type { NumberArray } from "../array/index.js";
import { compile, type Expression } from "./compile.js";
import type { Kind, Value } from "./values.js";
import { specialize } from "./kernels.js";

/** Options of `draw`. */
export interface DrawOptions {
  /** Selection (ROOT's "selection"): a boolean cut, or a number that multiplies the weight. */
  where?: string;
  /** Per-event (or per-element) weight. */
  weight?: string;
  /** Bins per axis (default: one per integer for integer variables with a small span, else 100 in 1D, 40 in 2D). */
  bins?: number;
  /** Axis range [lo, hi) of x (and, for 2D, `yRange` for y); default from the data. */
  range?: [number, number];
  yRange?: [number, number];
  /** Entries per chunk (bounds memory). */
  stepSize?: number;
  onProgress?: ProgressListener;
  /**
   * The histogram so far, after a chunk, at most once per `partialIntervalMs` (default 200): for
   * displays that fill while reading. Before the range is fixed (automatic ranges wait for the
   * data) the binning of a partial result follows the data read so far.
   */
  onPartial?: (partial: DrawResult) => void;
  partialIntervalMs?: number;
}

/** One histogram axis: regular bins between lo and hi. */
export interface DrawAxis {
  expr: string;
  bins: number;
  lo: number;
  hi: number;
  kind: Kind;
  mean: number;
  rms: number;
}

/** What `draw` fills: 1D (`y` absent) or 2D; `values[ix * ny + iy]` in 2D. No flow bins in `values`. */
export interface DrawResult {
  x: DrawAxis;
  y?: DrawAxis;
  values: Float64Array;
  variances: Float64Array;
  /** Sum of weights below / above the x range (1D), or outside either range (2D). */
  underflow: number;
  overflow: number;
  /** Number of fills, including flow (TH1::GetEntries). */
  entries: number;
  /** Sum of weights inside the range. */
  integral: number;
  /** Values that were NaN (not filled). */
  nan: number;
  /** Events read. */
  events: number;
  branches: string[];
}

/** Split "y:x" at top-level single colons (not `::`, not inside brackets). */
export function splitAxes(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0,
    start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === ":" && depth === 0) {
      if (expr[i + 1] === ":") {
        i++;
        continue;
      }
      parts.push(expr.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(expr.slice(start));
  if (parts.length > 2) throw new HepflowError("EXPR_SYNTAX", `"${expr}" has ${parts.length} axes; draw takes "x" or "y:x"`);
  return parts.map((p) => p.trim());
}

/** Arrays of one chunk brought to one shape (per event, or per element of one collection). */
interface Aligned {
  n: number;
  cols: NumberArray[];
  keep: Uint8Array | null;
  eventOf: Int32Array | null;
}

function alignAll(values: Value[], events: number, names: string[]): Aligned {
  let offsets: Int32Array | null = null;
  let owner = "";
  values.forEach((v, k) => {
    if (v.shape !== "jagged") return;
    if (offsets === null) {
      offsets = v.offsets;
      owner = names[k]!;
      return;
    }
    if (v.offsets !== offsets && !equalOffsets(v.offsets, offsets)) {
      throw new HepflowError("EXPR_SHAPE", `${owner} and ${names[k]} are collections of different sizes; ROOT would silently use the shorter one per event — reduce one of them (sum, max, [0], …)`);
    }
  });
  const o = offsets as Int32Array | null;
  const n = o ? o[events]! : events;
  const eventOf = o ? parentsOf(o) : null;
  let keep: Uint8Array | null = null;
  for (const v of values) {
    if (v.shape === "scalar" || v.valid === null) continue;
    if (keep === null) keep = new Uint8Array(events).fill(1);
    for (let e = 0; e < events; e++) keep[e]! &= v.valid[e]!;
  }
  const cols = values.map((v) => {
    if (v.shape === "scalar") return new Float64Array(n).fill(v.value);
    if (v.shape === "jagged" || !o) return v.data;
    const out = new (v.data.constructor as new (n: number) => NumberArray)(n);
    for (let i = 0; i < n; i++) out[i] = v.data[eventOf![i]!]!;
    return out;
  });
  return { n, cols, keep, eventOf };
}

function equalOffsets(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function parentsOf(o: Int32Array): Int32Array {
  const out = new Int32Array(o[o.length - 1]!);
  for (let e = 0; e + 1 < o.length; e++) out.fill(e, o[e]!, o[e + 1]!);
  return out;
}

/**
 * The fills of one chunk compacted: x (and y) and weight of every entry that passes the
 * selection and has values. One pass; the selection's value times the weight is the fill weight.
 */
const gather = specialize((x: NumberArray, sel: NumberArray, w: NumberArray, keepEv: Uint8Array | null, eventOf: Int32Array | null, outX: Float64Array, outW: Float64Array): number => {
  const n = x.length;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = sel[i]!;
    if (s === 0) continue;
    if (keepEv !== null && keepEv[eventOf === null ? i : eventOf[i]!] === 0) continue;
    outX[k] = x[i]!;
    outW[k] = s * w[i]!;
    k++;
  }
  return k;
}, "gather");

interface Fills {
  x: Float64Array;
  y: Float64Array | null;
  w: Float64Array;
  n: number;
}

class FillBuffer {
  x: Float64Array[] = [];
  y: Float64Array[] = [];
  w: Float64Array[] = [];
  size = 0;
  push(f: Fills) {
    this.x.push(f.x.subarray(0, f.n));
    if (f.y) this.y.push(f.y.subarray(0, f.n));
    this.w.push(f.w.subarray(0, f.n));
    this.size += f.n;
  }
}

/** Nice regular binning with exactly `bins` bins covering [min, max] (steps of 1, 2, 2.5 or 5 × 10^k). */
export function niceRange(min: number, max: number, bins: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const d = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return [min - d, max + d];
  }
  const raw = (max - min) / bins;
  const mags = [1, 2, 2.5, 5, 10];
  let p = 10 ** Math.floor(Math.log10(raw));
  for (let tries = 0; tries < 40; tries++) {
    for (const m of mags) {
      const step = m * p;
      if (step < raw) continue;
      const lo = Math.floor(min / step) * step;
      if (lo + bins * step > max) return [lo, lo + bins * step];
    }
    p *= 10;
  }
  return [min, max + (max - min) * 1e-9];
}

/** Histogram an expression (or "y:x") over trees, reading only the branches it names. */
export async function draw(trees: TreeLike[], expression: string, options: DrawOptions = {}): Promise<DrawResult> {
  if (trees.length === 0) throw new HepflowError("CLI_USAGE", "draw needs at least one tree");
  const axes = splitAxes(expression);
  const twoD = axes.length === 2;
  // ROOT's "y:x": the first expression is the vertical axis
  const xSrc = twoD ? axes[1]! : axes[0]!,
    ySrc = twoD ? axes[0]! : null;
  const branches = trees[0]!.branches;
  const xe = compile(xSrc, branches);
  const ye = ySrc !== null ? compile(ySrc, branches) : null;
  const se = options.where && options.where.trim() !== "" ? compile(options.where, branches) : null;
  const we = options.weight && options.weight.trim() !== "" ? compile(options.weight, branches) : null;
  const exprs = [xe, ye, se, we].filter((e): e is Expression => e !== null);
  const needed = [...new Set(exprs.flatMap((e) => e.branches))];
  for (const t of trees.slice(1)) {
    const have = new Set(t.branches.map((b) => b.name));
    const missing = needed.filter((b) => !have.has(b));
    if (missing.length) throw new HepflowError("EXPR_INPUT", `tree "${t.name}" lacks branch${missing.length > 1 ? "es" : ""} ${missing.join(", ")} used by the expressions`);
  }
  const total = trees.reduce((s, t) => s + t.numEntries, 0);
  const autoRange = !options.range || (twoD && !options.yRange);
  const buffer = new FillBuffer();
  let xKind: Kind = "f64",
    yKind: Kind = "f64";
  let hist: Filler | null = null;
  let done = 0,
    nan = 0;
  const t0 = Date.now();
  let lastPartial = 0; // the first chunk shows at once
  for (const tree of trees) {
    for await (const chunk of tree.iterate(needed, { stepSize: options.stepSize ?? 1_000_000 })) {
      const events = chunk.entryStop - chunk.entryStart;
      const ctx = { entryStart: chunk.entryStart, entries: events, totalEntries: tree.numEntries };
      const xv = xe.evaluate(chunk.columns, ctx);
      const yv = ye ? ye.evaluate(chunk.columns, ctx) : null;
      const sv = se ? se.evaluate(chunk.columns, ctx) : ({ shape: "scalar", kind: "bool", value: 1 } as Value);
      const wv = we ? we.evaluate(chunk.columns, ctx) : ({ shape: "scalar", kind: "int", value: 1 } as Value);
      xKind = xv.kind;
      if (yv) yKind = yv.kind;
      const vals = yv ? [xv, sv, wv, yv] : [xv, sv, wv];
      const al = alignAll(vals, events, yv ? [xSrc, options.where ?? "", options.weight ?? "", ySrc!] : [xSrc, options.where ?? "", options.weight ?? ""]);
      const fx = new Float64Array(al.n),
        fw = new Float64Array(al.n);
      const k = gather(al.cols[0]!, al.cols[1]!, al.cols[2]!, al.keep, al.eventOf, fx, fw);
      let fy: Float64Array | null = null;
      if (yv) {
        fy = new Float64Array(al.n);
        gather(al.cols[3]!, al.cols[1]!, al.cols[2]!, al.keep, al.eventOf, fy, new Float64Array(al.n));
      }
      const fills: Fills = { x: fx, y: fy, w: fw, n: k };
      if (hist) nan += hist.fill(fills);
      else {
        buffer.push(fills);
        if (!autoRange || buffer.size > 5_000_000) {
          hist = makeFiller(buffer, options, twoD, xKind, yKind);
          nan += hist.flush(buffer);
        }
      }
      done += events;
      if (options.onPartial && Date.now() - lastPartial >= (options.partialIntervalMs ?? 200) && done < total) {
        lastPartial = Date.now();
        options.onPartial(partialResult(hist, buffer, options, twoD, xKind, yKind, xSrc, ySrc, nan, done, needed));
      }
      options.onProgress?.({ unit: "events", done, total, rate: done / Math.max(1e-3, (Date.now() - t0) / 1000), label: tree.name });
    }
  }
  if (!hist) {
    hist = makeFiller(buffer, options, twoD, xKind, yKind);
    nan += hist.flush(buffer);
  }
  return hist.result(xSrc, ySrc, xKind, yKind, nan, done, needed);
}

/** A copy of the histogram so far; buffered fills (range not fixed yet) are binned on a scratch filler, the buffer is kept. */
function partialResult(hist: Filler | null, buffer: FillBuffer, o: DrawOptions, twoD: boolean, xk: Kind, yk: Kind, xSrc: string, ySrc: string | null, nan: number, events: number, branches: string[]): DrawResult {
  if (hist) {
    const r = hist.result(xSrc, ySrc, xk, yk, nan, events, branches);
    return { ...r, values: r.values.slice(), variances: r.variances.slice() };
  }
  const scratch = makeFiller(buffer, o, twoD, xk, yk);
  let bad = 0;
  for (let k = 0; k < buffer.x.length; k++) bad += scratch.fill({ x: buffer.x[k]!, y: twoD ? buffer.y[k]! : null, w: buffer.w[k]!, n: buffer.x[k]!.length });
  return scratch.result(xSrc, ySrc, xk, yk, nan + bad, events, branches);
}

interface Filler {
  fill(f: Fills): number;
  flush(b: FillBuffer): number;
  result(xSrc: string, ySrc: string | null, xk: Kind, yk: Kind, nan: number, events: number, branches: string[]): DrawResult;
}

function autoAxis(parts: Float64Array[], kind: Kind, bins: number | undefined, twoD: boolean): { bins: number; lo: number; hi: number } {
  let min = Infinity,
    max = -Infinity;
  for (const p of parts)
    for (let i = 0; i < p.length; i++) {
      const v = p[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  if (min > max) return { bins: bins ?? (twoD ? 40 : 100), lo: 0, hi: 1 };
  if ((kind === "int" || kind === "bool") && (bins === undefined || max - min + 1 <= bins) && max - min <= (twoD ? 60 : 120)) {
    return { bins: max - min + 1, lo: min - 0.5, hi: max + 0.5 }; // one bin per integer value
  }
  const b = bins ?? (twoD ? 40 : 100);
  const [lo, hi] = niceRange(min, max, b);
  return { bins: b, lo, hi };
}

function makeFiller(buf: FillBuffer, o: DrawOptions, twoD: boolean, xKind: Kind, yKind: Kind): Filler {
  const xa = o.range ? { bins: o.bins ?? (twoD ? 40 : 100), lo: o.range[0], hi: o.range[1] } : autoAxis(buf.x, xKind, o.bins, twoD);
  const ya = twoD ? (o.yRange ? { bins: o.bins ?? 40, lo: o.yRange[0], hi: o.yRange[1] } : autoAxis(buf.y, yKind, o.bins, true)) : { bins: 1, lo: 0, hi: 1 };
  for (const a of [xa, ya]) {
    if (!(a.hi > a.lo) || !Number.isInteger(a.bins) || a.bins < 1) throw new HepflowError("CLI_BAD_OPTION", `bad binning: ${a.bins} bins over [${a.lo}, ${a.hi})`);
  }
  const nx = xa.bins,
    ny = twoD ? ya.bins : 1;
  const values = new Float64Array(nx * ny),
    variances = new Float64Array(nx * ny);
  let under = 0,
    over = 0,
    entries = 0;
  const s = { w: 0, wx: 0, wx2: 0, wy: 0, wy2: 0 };
  const fx = nx / (xa.hi - xa.lo),
    fy = ny / (ya.hi - ya.lo);
  const fill = (f: Fills): number => {
    let bad = 0;
    for (let i = 0; i < f.n; i++) {
      const x = f.x[i]!,
        w = f.w[i]!;
      const y = f.y ? f.y[i]! : 0.5;
      if (x !== x || y !== y) {
        bad++;
        continue;
      }
      entries++;
      const bx = Math.floor((x - xa.lo) * fx),
        by = twoD ? Math.floor((y - ya.lo) * fy) : 0;
      if (bx < 0 || by < 0) {
        under += w;
        continue;
      }
      if (bx >= nx || by >= ny) {
        over += w;
        continue;
      }
      const b = bx * ny + by;
      values[b]! += w;
      variances[b]! += w * w;
      s.w += w;
      s.wx += w * x;
      s.wx2 += w * x * x;
      s.wy += w * y;
      s.wy2 += w * y * y;
    }
    return bad;
  };
  const stat = (sw: number, s1: number, s2: number) => {
    const mean = sw !== 0 ? s1 / sw : NaN;
    return { mean, rms: sw !== 0 ? Math.sqrt(Math.max(0, s2 / sw - mean * mean)) : NaN };
  };
  return {
    fill,
    flush(b) {
      let bad = 0;
      for (let k = 0; k < b.x.length; k++) bad += fill({ x: b.x[k]!, y: twoD ? b.y[k]! : null, w: b.w[k]!, n: b.x[k]!.length });
      b.x = [];
      b.y = [];
      b.w = [];
      b.size = 0;
      return bad;
    },
    result(xSrc, ySrc, xk, yk, nan, events, branches) {
      const sx = stat(s.w, s.wx, s.wx2),
        sy = stat(s.w, s.wy, s.wy2);
      return {
        x: { expr: xSrc, bins: nx, lo: xa.lo, hi: xa.hi, kind: xk, ...sx },
        y: ySrc !== null ? { expr: ySrc, bins: ny, lo: ya.lo, hi: ya.hi, kind: yk, ...sy } : undefined,
        values,
        variances,
        underflow: under,
        overflow: over,
        entries,
        integral: s.w,
        nan,
        events,
        branches,
      };
    },
  };
}
