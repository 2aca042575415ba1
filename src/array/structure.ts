/**
 * Reshaping kernels: pick one element per event (firsts), pad to a fixed length, replace
 * missing values, sort within events, take by index columns and concatenate collections.
 * Missing values in float outputs are NaN (our stand-in for awkward's None).
 */
import { HepflowError, Jagged } from "../util/index.js";
import { allocLike, assertSameLength, assertSameStructure, isJaggedLike } from "./types.js";
import type { NumberArray } from "./types.js";
import { gatherFlat } from "./mask.js";
import { perElementType } from "../util/mono.js";
import { offsetsOf } from "./zip.js";
import type { Collection } from "./zip.js";

/** An output for per-event picks: float32 values stay float32 (exact), every other type becomes float64 (so NaN can mark "missing"). */
function pickedOut(c: NumberArray, n: number): Float32Array | Float64Array {
  return c instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

function pickOne(j: Jagged<NumberArray>, localIndex: Int32Array, fill: number): Float32Array | Float64Array {
  assertSameLength({ length: j.length }, localIndex, "pick");
  return pickFlat(j.content, j.offsets, localIndex, pickedOut(j.content, localIndex.length), fill);
}

/** out[e] = c[o[e] + k[e]] or fill; a copy per element type. */
const pickFlat = perElementType((c: NumberArray, o: Int32Array, local: Int32Array, out: Float32Array | Float64Array, fill: number): Float32Array | Float64Array => {
  for (let e = 0; e < out.length; e++) {
    const k = local[e]!,
      s = o[e]!;
    out[e] = k >= 0 && k < o[e + 1]! - s ? c[s + k]! : fill;
  }
  return out;
}, "pickFlat");

/**
 * Element `localIndex[e]` of each entry (e.g. from argmax); `fill` (NaN) where the index is -1
 * or out of range. Float32 columns give Float32Array, others Float64Array. Given a collection
 * (or any record of jagged fields sharing offsets, such as summed four-vectors) it picks the
 * same element of every field: `mass(pick(trijets, best))`.
 */
export function pick(j: Jagged<Float32Array>, localIndex: Int32Array, fill?: number): Float32Array;
export function pick(j: Jagged<Exclude<NumberArray, Float32Array>>, localIndex: Int32Array, fill?: number): Float64Array;
export function pick(j: Jagged<NumberArray>, localIndex: Int32Array, fill?: number): Float32Array | Float64Array;
export function pick<F extends string>(c: Collection<F>, localIndex: Int32Array, fill?: number): { readonly [K in F]: Float32Array | Float64Array };
export function pick(j: Jagged<NumberArray> | Collection, localIndex: Int32Array, fill = NaN): Float32Array | Float64Array | Record<string, Float32Array | Float64Array> {
  if (isJaggedLike(j)) return pickOne(j, localIndex, fill);
  const o = offsetsOf(j);
  const out: Record<string, Float32Array | Float64Array> = {};
  for (const k of Object.keys(j)) {
    if (j[k]!.offsets !== o) assertSameStructure(j[k]!, new Jagged(o, new Uint8Array(0)), `pick field "${k}"`);
    out[k] = pickOne(j[k]!, localIndex, fill);
  }
  return Object.freeze(out);
}

/**
 * The n-th element of each entry (negative n counts from the end); `fill` (NaN) where the entry
 * is too short. Float32 columns give Float32Array, others Float64Array.
 */
export function nth(j: Jagged<Float32Array>, n: number, fill?: number): Float32Array;
export function nth(j: Jagged<Exclude<NumberArray, Float32Array>>, n: number, fill?: number): Float64Array;
export function nth(j: Jagged<NumberArray>, n: number, fill?: number): Float32Array | Float64Array;
export function nth(j: Jagged<NumberArray>, n: number, fill = NaN): Float32Array | Float64Array {
  const o = j.offsets,
    c = j.content;
  const out = pickedOut(c, j.length);
  for (let e = 0; e < out.length; e++) {
    const s = o[e]!,
      len = o[e + 1]! - s;
    const k = n < 0 ? len + n : n;
    out[e] = k >= 0 && k < len ? c[s + k]! : fill;
  }
  return out;
}

/** The first element of each entry; `fill` (NaN) for empty entries. */
export function firsts(j: Jagged<Float32Array>, fill?: number): Float32Array;
export function firsts(j: Jagged<Exclude<NumberArray, Float32Array>>, fill?: number): Float64Array;
export function firsts(j: Jagged<NumberArray>, fill?: number): Float32Array | Float64Array;
export function firsts(j: Jagged<NumberArray>, fill = NaN): Float32Array | Float64Array {
  return nth(j, 0, fill);
}

/**
 * Pad every entry to at least `n` elements with `fill` (NaN by default); with `clip`, also cut
 * longer entries to exactly `n` — then the result is regular and `content` is an n-column matrix.
 */
export function pad(j: Jagged<NumberArray>, n: number, fill = NaN, opts: { clip?: boolean } = {}): Jagged<Float64Array> {
  const o = j.offsets,
    c = j.content,
    ne = j.length;
  const no = new Int32Array(ne + 1);
  for (let e = 0; e < ne; e++) {
    const len = o[e + 1]! - o[e]!;
    no[e + 1] = no[e]! + (opts.clip ? n : Math.max(n, len));
  }
  const out = new Float64Array(no[ne]!).fill(fill);
  for (let e = 0; e < ne; e++) {
    const s = o[e]!,
      len = Math.min(o[e + 1]! - s, no[e + 1]! - no[e]!);
    const w = no[e]!;
    for (let i = 0; i < len; i++) out[w + i] = c[s + i]!;
  }
  return new Jagged(no, out);
}

/** Replace NaN (missing) values with `value`, flat or jagged; returns a new column. */
export function fillNone<T extends NumberArray>(x: T, value: number): T;
export function fillNone<T extends NumberArray>(x: Jagged<T>, value: number): Jagged<T>;
export function fillNone<T extends NumberArray>(x: T | Jagged<T>, value: number): T | Jagged<T> {
  const c = isJaggedLike(x) ? x.content : x;
  const out = allocLike(c, c.length);
  for (let i = 0; i < c.length; i++) {
    const v = c[i]!;
    out[i] = v !== v ? value : v;
  }
  return isJaggedLike(x) ? new Jagged(x.offsets, out) : out;
}

/**
 * Local indices that sort each entry by `key` (stable; NaN last). Descending is what physics
 * usually wants (leading jet first): `argsort(jets.pt, { ascending: false })`.
 */
export function argsort(key: Jagged<NumberArray>, opts: { ascending?: boolean } = {}): Jagged<Int32Array> {
  const asc = opts.ascending ?? true;
  const o = key.offsets,
    c = key.content,
    ne = key.length;
  const out = new Int32Array(c.length);
  for (let e = 0; e < ne; e++) {
    const s = o[e]!,
      end = o[e + 1]!;
    // insertion sort: collections hold a handful of objects, and it is stable and allocation-free
    for (let i = s; i < end; i++) {
      const vi = c[i]!;
      let p = i;
      while (p > s) {
        const vp = c[s + out[p - 1]!]!;
        const before = vi !== vi ? false : vp !== vp ? true : asc ? vi < vp : vi > vp;
        if (!before) break;
        out[p] = out[p - 1]!;
        p--;
      }
      out[p] = i - s;
    }
  }
  return new Jagged(o, out);
}

/**
 * Gather elements by per-event local index columns (from argsort, combinations, cartesian):
 * result entry e holds `x[e][index[e][k]]`. The result shares `index.offsets`.
 */
export function take<T extends NumberArray>(x: Jagged<T>, index: Jagged<Int32Array>): Jagged<T>;
export function take<F extends string>(x: Collection<F>, index: Jagged<Int32Array>): Collection<F>;
export function take(x: Jagged<NumberArray> | Collection, index: Jagged<Int32Array>): Jagged<NumberArray> | Collection {
  const src = isJaggedLike(x) ? x.offsets : offsetsOf(x);
  const global = globalIndex(src, index);
  const gather = (c: NumberArray): NumberArray => gatherFlat(c, global);
  if (isJaggedLike(x)) return new Jagged(index.offsets, gather(x.content));
  const out: Record<string, Jagged<NumberArray>> = {};
  for (const k of Object.keys(x)) out[k] = new Jagged(index.offsets, gather(x[k]!.content));
  return Object.freeze(out);
}

/** Convert per-event local indices into indices into the content array, checking bounds. */
export function globalIndex(offsets: Int32Array, index: Jagged<Int32Array>): Int32Array {
  const io = index.offsets,
    ic = index.content,
    ne = io.length - 1;
  if (ne !== offsets.length - 1) throw new HepflowError("ARRAY_SHAPE", `take: index has ${ne} entries, data has ${offsets.length - 1}; use indices computed from the same chunk`);
  const out = new Int32Array(ic.length);
  for (let e = 0; e < ne; e++) {
    const s = offsets[e]!,
      len = offsets[e + 1]! - s;
    for (let i = io[e]!, end = io[e + 1]!; i < end; i++) {
      const k = ic[i]!;
      if (k < 0 || k >= len) throw new HepflowError("ARRAY_INDEX", `take: index ${k} out of range in entry ${e}, which has ${len} elements`);
      out[i] = s + k;
    }
  }
  return out;
}

/** Sort every field of a collection within events by one key field (descending by default, as for pt). */
export function sortBy<F extends string>(x: Collection<F>, key: NoInfer<F>, opts: { ascending?: boolean } = {}): Collection<F> {
  return take(x, argsort(x[key], { ascending: opts.ascending ?? false }));
}

/**
 * Concatenate jagged columns per event: entry e of the result is a[e] followed by b[e] ... .
 * Elements take the type of the first column.
 */
export function concatenate<T extends NumberArray>(parts: Jagged<T>[]): Jagged<T>;
/** Concatenate collections per event (electrons + muons → leptons), keeping the fields all parts have. */
export function concatenate<F extends string>(parts: Collection<F>[]): Collection<F>;
export function concatenate(parts: (Jagged<NumberArray> | Collection)[]): Jagged<NumberArray> | Collection {
  if (parts.length === 0) throw new HepflowError("ARRAY_SHAPE", "concatenate: needs at least one column or collection");
  const offs = parts.map((p) => (isJaggedLike(p) ? p.offsets : offsetsOf(p)));
  const ne = offs[0]!.length - 1;
  for (const o of offs) if (o.length - 1 !== ne) throw new HepflowError("ARRAY_SHAPE", `concatenate: parts have ${ne} and ${o.length - 1} entries; pass parts of the same chunk`);
  const no = new Int32Array(ne + 1);
  for (let e = 0; e < ne; e++) {
    let c = 0;
    for (const o of offs) c += o[e + 1]! - o[e]!;
    no[e + 1] = no[e]! + c;
  }
  const join = (contents: NumberArray[]): NumberArray => {
    const out = allocLike(contents[0]!, no[ne]!);
    let w = 0;
    for (let e = 0; e < ne; e++) {
      for (let p = 0; p < contents.length; p++) {
        const o = offs[p]!,
          c = contents[p]!;
        for (let i = o[e]!, end = o[e + 1]!; i < end; i++) out[w++] = c[i]!;
      }
    }
    return out;
  };
  if (isJaggedLike(parts[0])) {
    const js = parts as Jagged<NumberArray>[];
    for (const p of js) if (!isJaggedLike(p)) throw new HepflowError("ARRAY_SHAPE", "concatenate: cannot mix jagged columns and collections");
    return new Jagged(no, join(js.map((p) => p.content)));
  }
  const cs = parts as Collection[];
  const fields = Object.keys(cs[0]!).filter((k) => cs.every((c) => k in c));
  if (fields.length === 0) throw new HepflowError("ARRAY_SHAPE", "concatenate: the collections share no field names");
  const out: Record<string, Jagged<NumberArray>> = {};
  for (const f of fields) out[f] = new Jagged(no, join(cs.map((c) => c[f]!.content)));
  return Object.freeze(out);
}

/** Check that a per-element column lines up with a collection (same offsets), for callers building masks by hand. */
export function alignsWith(x: Jagged, c: Collection): boolean {
  try {
    assertSameStructure(x, new Jagged(offsetsOf(c), new Uint8Array(0)), "alignsWith");
    return true;
  } catch {
    return false;
  }
}
