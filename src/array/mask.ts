/**
 * Masks: element-wise comparisons and logic producing 0/1 columns, object masks that shrink
 * collections within events (`select`), and event masks that drop entries (`filterEvents`).
 *
 * Float32 convention: comparing a Float32Array with a threshold compares in float32 — the
 * threshold is rounded with Math.fround first — as numpy does for a float32 array and a Python
 * float; so `eta < 2.4` on float32 data matches the columnar Python reference at the cut value.
 */
import { HepflowError, Jagged } from "../util/index.js";
import type { Column } from "../util/index.js";
import { assertSameLength, assertSameStructure, isJaggedLike } from "./types.js";
import type { Mask, NumberArray } from "./types.js";
import { perElementType } from "../util/mono.js";
import { offsetsOf } from "./zip.js";
import { simd } from "./simd.js";
import type { Collection } from "./zip.js";

type Cmp = 0 | 1 | 2 | 3 | 4 | 5;

/** x ⋚ t per element (t already in x's precision), one loop per operator; a copy per element type. */
const compareFlat = perElementType((x: NumberArray, t: number, op: Cmp): Mask => {
  const n = x.length,
    out = new Uint8Array(n);
  switch (op) {
    case 0:
      for (let i = 0; i < n; i++) out[i] = +(x[i]! > t);
      break;
    case 1:
      for (let i = 0; i < n; i++) out[i] = +(x[i]! >= t);
      break;
    case 2:
      for (let i = 0; i < n; i++) out[i] = +(x[i]! < t);
      break;
    case 3:
      for (let i = 0; i < n; i++) out[i] = +(x[i]! <= t);
      break;
    case 4:
      for (let i = 0; i < n; i++) out[i] = +(x[i]! === t);
      break;
    case 5:
      for (let i = 0; i < n; i++) out[i] = +(x[i]! !== t);
      break;
  }
  return out;
}, "compareFlat");

/** The threshold as the comparison sees it: rounded to float32 for float32 data (numpy's rule). */
function threshold(x: NumberArray, v: number): number {
  return x instanceof Float32Array ? Math.fround(v) : v;
}

/** Float32 columns on the native kernels' vectorised comparison where it is built, else the loops above. */
function compareAny(x: NumberArray, v: number, op: Cmp, abs: boolean): Mask {
  const k = x instanceof Float32Array ? simd() : null;
  if (k?.compare) {
    const out = new Uint8Array(x.length);
    k.compare(op, abs, x as Float32Array, threshold(x, v), out);
    return out;
  }
  return abs ? compareAbsFlat(x, threshold(x, v), op) : compareFlat(x, threshold(x, v), op);
}

function compare(x: NumberArray | Jagged<NumberArray>, v: number, op: Cmp): Mask | Jagged<Mask> {
  return isJaggedLike(x) ? new Jagged(x.offsets, compareAny(x.content, v, op, false)) : compareAny(x, v, op, false);
}

/** x > v element-wise (jagged in → jagged out sharing offsets). */
export function gt(x: NumberArray, v: number): Mask;
export function gt(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function gt(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compare(x, v, 0);
}
/** x >= v element-wise. */
export function ge(x: NumberArray, v: number): Mask;
export function ge(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function ge(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compare(x, v, 1);
}
/** x < v element-wise. */
export function lt(x: NumberArray, v: number): Mask;
export function lt(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function lt(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compare(x, v, 2);
}
/** x <= v element-wise. */
export function le(x: NumberArray, v: number): Mask;
export function le(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function le(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compare(x, v, 3);
}
/** x == v element-wise. */
export function eq(x: NumberArray, v: number): Mask;
export function eq(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function eq(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compare(x, v, 4);
}
/** x != v element-wise. */
export function ne(x: NumberArray, v: number): Mask;
export function ne(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function ne(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compare(x, v, 5);
}

const compareAbsFlat = perElementType((x: NumberArray, t: number, op: Cmp): Mask => {
  const n = x.length,
    out = new Uint8Array(n);
  switch (op) {
    case 0:
      for (let i = 0; i < n; i++) out[i] = +(Math.abs(x[i]!) > t);
      break;
    case 1:
      for (let i = 0; i < n; i++) out[i] = +(Math.abs(x[i]!) >= t);
      break;
    case 2:
      for (let i = 0; i < n; i++) out[i] = +(Math.abs(x[i]!) < t);
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = +(Math.abs(x[i]!) <= t);
      break;
  }
  return out;
}, "compareAbsFlat");

function compareAbs(x: NumberArray | Jagged<NumberArray>, v: number, op: Cmp): Mask | Jagged<Mask> {
  return isJaggedLike(x) ? new Jagged(x.offsets, compareAny(x.content, v, op, true)) : compareAny(x, v, op, true);
}

/** |x| < v element-wise in one pass (no |x| column), e.g. the acceptance cut `absLt(jets.eta, 2.4)`; float32 rules as `lt`. */
export function absLt(x: NumberArray, v: number): Mask;
export function absLt(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function absLt(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compareAbs(x, v, 2);
}
/** |x| <= v element-wise in one pass. */
export function absLe(x: NumberArray, v: number): Mask;
export function absLe(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function absLe(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compareAbs(x, v, 3);
}
/** |x| > v element-wise in one pass. */
export function absGt(x: NumberArray, v: number): Mask;
export function absGt(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function absGt(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compareAbs(x, v, 0);
}
/** |x| >= v element-wise in one pass. */
export function absGe(x: NumberArray, v: number): Mask;
export function absGe(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function absGe(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> {
  return compareAbs(x, v, 1);
}

/**
 * True where every bit of `bits` is set in the integer x: `(x & bits) === bits`, e.g. NanoAOD's
 * `hasBits(jets.jetId, 4)` (tight-lepton-veto ID, bit 2). Float inputs are truncated to int32 first.
 */
export function hasBits(x: NumberArray, bits: number): Mask;
export function hasBits(x: Jagged<NumberArray>, bits: number): Jagged<Mask>;
export function hasBits(x: NumberArray | Jagged<NumberArray>, bits: number): Mask | Jagged<Mask> {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0x7fffffff) throw new HepflowError("ARRAY_VALUE", `hasBits: bits = ${bits} is not a non-negative 31-bit integer`);
  const out = bitsSet(isJaggedLike(x) ? x.content : x, bits | 0);
  return isJaggedLike(x) ? new Jagged(x.offsets, out) : out;
}

const bitsSet = perElementType((x: NumberArray, b: number): Mask => {
  const n = x.length,
    out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = +((x[i]! & b) === b);
  return out;
}, "bitsSet");

/** |x| element-wise, keeping the element type (float32 stays float32). */
export function abs<T extends NumberArray>(x: T): T;
export function abs<T extends NumberArray>(x: Jagged<T>): Jagged<T>;
export function abs<T extends NumberArray>(x: T | Jagged<T>): T | Jagged<T> {
  const out = absFlat(isJaggedLike(x) ? x.content : x) as T;
  return isJaggedLike(x) ? new Jagged(x.offsets, out) : out;
}

const absFlat = perElementType((x: NumberArray): NumberArray => {
  const n = x.length,
    out = new (x.constructor as { new (n: number): NumberArray })(n);
  for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
  return out;
}, "absFlat");

function logic(masks: (Mask | Jagged<Mask>)[], isAnd: boolean, name: string): Mask | Jagged<Mask> {
  if (masks.length === 0) throw new HepflowError("ARRAY_SHAPE", `${name}: needs at least one mask`);
  const first = masks[0]!;
  const firstC = isJaggedLike(first) ? first.content : first;
  const out = new Uint8Array(firstC.length);
  let acc: Uint8Array = firstC;
  for (let m = 1; m < masks.length; m++) {
    const mk = masks[m]!;
    if (isJaggedLike(first) !== isJaggedLike(mk)) throw new HepflowError("ARRAY_SHAPE", `${name}: cannot combine a jagged mask with a flat one; reduce the jagged one first (any/all)`);
    if (isJaggedLike(first)) assertSameStructure(first, mk as Jagged, name);
    const c = isJaggedLike(mk) ? mk.content : mk;
    assertSameLength(out, c, name);
    combine(acc, c, out, isAnd ? 0 : 1);
    acc = out;
  }
  if (masks.length === 1) combine(firstC, firstC, out, 0);
  return isJaggedLike(first) ? new Jagged(first.offsets, out) : out;
}

/**
 * out = (a != 0) AND/OR (b != 0) as 0/1 bytes, four bytes per step where the arrays are word
 * aligned: OR-folding a word's bits down by 4, 2 and 1 leaves in each byte's lowest bit the OR of
 * that byte's eight bits (the fold never reaches a lower byte's bit 0), so `& 0x01010101` is the
 * bytewise `!= 0` of any mask, 0/1 or not. `a` may be `out`.
 */
function combine(a: Uint8Array, b: Uint8Array, out: Uint8Array, op: 0 | 1): void {
  const n = out.length;
  let i = 0;
  if (n >= 16 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && out.byteOffset % 4 === 0) {
    const w = n >>> 2,
      a4 = new Uint32Array(a.buffer, a.byteOffset, w),
      b4 = new Uint32Array(b.buffer, b.byteOffset, w),
      o4 = new Uint32Array(out.buffer, out.byteOffset, w);
    for (let k = 0; k < w; k++) {
      let x = a4[k]!,
        y = b4[k]!;
      x |= x >>> 4;
      x |= x >>> 2;
      x |= x >>> 1;
      y |= y >>> 4;
      y |= y >>> 2;
      y |= y >>> 1;
      o4[k] = (op === 0 ? x & y : x | y) & 0x01010101;
    }
    i = w << 2;
  }
  // branch-free (+bool): masks are unpredictable, and a mispredicted branch costs more than the work
  if (op === 0) for (; i < n; i++) out[i] = +(a[i]! !== 0) & +(b[i]! !== 0);
  else for (; i < n; i++) out[i] = +(a[i]! !== 0) | +(b[i]! !== 0);
}

/** Element-wise AND of masks of one shape. */
export function and(...masks: Mask[]): Mask;
export function and(...masks: Jagged<Mask>[]): Jagged<Mask>;
export function and(...masks: (Mask | Jagged<Mask>)[]): Mask | Jagged<Mask> {
  return logic(masks, true, "and");
}
/** Element-wise OR of masks of one shape. */
export function or(...masks: Mask[]): Mask;
export function or(...masks: Jagged<Mask>[]): Jagged<Mask>;
export function or(...masks: (Mask | Jagged<Mask>)[]): Mask | Jagged<Mask> {
  return logic(masks, false, "or");
}
/** Element-wise NOT of a mask. */
export function not(mask: Mask): Mask;
export function not(mask: Jagged<Mask>): Jagged<Mask>;
export function not(mask: Mask | Jagged<Mask>): Mask | Jagged<Mask> {
  const c = isJaggedLike(mask) ? mask.content : mask;
  const out = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = +(c[i] === 0);
  return isJaggedLike(mask) ? new Jagged(mask.offsets, out) : out;
}

/** Offsets after keeping only the true elements of an object mask, and the kept element indices. */
function maskedLayout(mask: Jagged<Mask>): { offsets: Int32Array; keep: Int32Array } {
  const o = mask.offsets,
    c = mask.content,
    n = o.length - 1;
  const out = new Int32Array(n + 1);
  let k = 0;
  for (let i = 0; i < c.length; i++) k += +(c[i] !== 0);
  const keep = new Int32Array(k);
  k = 0;
  for (let e = 0; e < n; e++) {
    // branch-free compaction: always write, advance only when kept (a write past the end is dropped)
    for (let i = o[e]!, end = o[e + 1]!; i < end; i++) {
      keep[k] = i;
      k += +(c[i] !== 0);
    }
    out[e + 1] = k;
  }
  return { offsets: out, keep };
}

/** Gather content[keep[i]]: one branch-free pass per field once the kept indices are known. */
function gather<T extends NumberArray>(content: T, keep: Int32Array): T {
  return gatherFlat(content, keep) as T;
}

/** out[i] = x[index[i]], a copy per element type; exported for take(). */
export const gatherFlat = perElementType((x: NumberArray, index: Int32Array): NumberArray => {
  const n = index.length,
    out = new (x.constructor as { new (n: number): NumberArray })(n);
  for (let i = 0; i < n; i++) out[i] = x[index[i]!]!;
  return out;
}, "gatherFlat");

/**
 * Object mask: keep the elements where `mask` is true, within each event. Applied to a
 * collection, every field is masked the same way and all results share ONE new offsets array.
 */
export function select<T extends NumberArray>(x: Jagged<T>, mask: Jagged<Mask>): Jagged<T>;
export function select<F extends string>(x: Collection<F>, mask: Jagged<Mask>): Collection<F>;
export function select(x: Jagged<NumberArray> | Collection, mask: Jagged<Mask>): Jagged<NumberArray> | Collection {
  if (isJaggedLike(x)) assertSameStructure(x, mask, "select");
  else assertSameStructure(new Jagged(offsetsOf(x), new Uint8Array(0)), mask, "select");
  const { offsets, keep } = maskedLayout(mask);
  if (isJaggedLike(x)) return new Jagged(offsets, gather(x.content, keep));
  const out: Record<string, Jagged<NumberArray>> = {};
  for (const k of Object.keys(x)) out[k] = new Jagged(offsets, gather(x[k]!.content, keep));
  return Object.freeze(out);
}

/** Anything filterEvents accepts: a column, a collection, or a record of those (e.g. zipped events). */
export type EventData = Column | Collection | { readonly [k: string]: EventData };

/**
 * Event mask: keep the entries where `mask` is true, for a column, a collection or a whole
 * record of them. Jagged columns that shared offsets before share the new offsets after.
 */
export function filterEvents<T extends EventData>(x: T, mask: Mask): T {
  return filterWith(x, mask, keptEvents(mask), new Map()) as T;
}

/** Indices of the events a mask keeps. */
function keptEvents(mask: Mask): Int32Array {
  let k = 0;
  for (let i = 0; i < mask.length; i++) k += +(mask[i] !== 0);
  const out = new Int32Array(k);
  k = 0;
  // branch-free compaction: always write, advance only when kept (a write past the end is dropped)
  for (let i = 0; i < mask.length; i++) {
    out[k] = i;
    k += +(mask[i] !== 0);
  }
  return out;
}

/** New offsets and kept element indices for one offsets array, shared by every field using it. */
interface FilteredLayout {
  offsets: Int32Array;
  keep: Int32Array;
}

function filteredLayout(o: Int32Array, events: Int32Array): FilteredLayout {
  const no = new Int32Array(events.length + 1);
  for (let k = 0; k < events.length; k++) {
    const e = events[k]!;
    no[k + 1] = no[k]! + o[e + 1]! - o[e]!;
  }
  const keep = new Int32Array(no[events.length]!);
  let w = 0;
  for (let k = 0; k < events.length; k++) {
    const e = events[k]!;
    for (let i = o[e]!, end = o[e + 1]!; i < end; i++) keep[w++] = i;
  }
  return { offsets: no, keep };
}

function filterWith(x: EventData, mask: Mask, events: Int32Array, shared: Map<Int32Array, FilteredLayout>): EventData {
  if (isJaggedLike(x)) {
    assertSameLength({ length: x.length }, mask, "filterEvents");
    if (isJaggedLike(x.content) || Array.isArray(x.content)) throw new HepflowError("ARRAY_UNSUPPORTED", "filterEvents: nested or string jagged columns are not supported yet");
    let layout = shared.get(x.offsets);
    if (!layout) shared.set(x.offsets, (layout = filteredLayout(x.offsets, events)));
    // the kept element indices are computed once per offsets; each field is then one gather
    return new Jagged(layout.offsets, gatherFlat(x.content as NumberArray, layout.keep));
  }
  if (Array.isArray(x)) {
    assertSameLength(x, mask, "filterEvents");
    return Array.from(events, (e) => x[e]!);
  }
  if (ArrayBuffer.isView(x)) {
    assertSameLength(x as NumberArray, mask, "filterEvents");
    // the gather loop only moves elements, so it serves BigInt64Array columns as well
    return gatherFlat(x as NumberArray, events) as EventData;
  }
  const out: Record<string, EventData> = {};
  for (const k of Object.keys(x)) out[k] = filterWith((x as Record<string, EventData>)[k]!, mask, events, shared);
  return Object.isFrozen(x) ? Object.freeze(out) : out;
}
