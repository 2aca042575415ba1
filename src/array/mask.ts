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
import { allocLike, assertSameLength, assertSameStructure } from "./types.js";
import type { Mask, NumberArray } from "./types.js";
import { offsetsOf } from "./zip.js";
import type { Collection } from "./zip.js";

type Cmp = 0 | 1 | 2 | 3 | 4 | 5;

function compareFlat(x: NumberArray, v: number, op: Cmp): Mask {
  const t = x instanceof Float32Array ? Math.fround(v) : v;
  const n = x.length, out = new Uint8Array(n);
  switch (op) {
    case 0: for (let i = 0; i < n; i++) out[i] = x[i]! > t ? 1 : 0; break;
    case 1: for (let i = 0; i < n; i++) out[i] = x[i]! >= t ? 1 : 0; break;
    case 2: for (let i = 0; i < n; i++) out[i] = x[i]! < t ? 1 : 0; break;
    case 3: for (let i = 0; i < n; i++) out[i] = x[i]! <= t ? 1 : 0; break;
    case 4: for (let i = 0; i < n; i++) out[i] = x[i]! === t ? 1 : 0; break;
    case 5: for (let i = 0; i < n; i++) out[i] = x[i]! !== t ? 1 : 0; break;
  }
  return out;
}

function compare(x: NumberArray | Jagged<NumberArray>, v: number, op: Cmp): Mask | Jagged<Mask> {
  return x instanceof Jagged ? new Jagged(x.offsets, compareFlat(x.content, v, op)) : compareFlat(x, v, op);
}

/** x > v element-wise (jagged in → jagged out sharing offsets). */
export function gt(x: NumberArray, v: number): Mask;
export function gt(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function gt(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> { return compare(x, v, 0); }
/** x >= v element-wise. */
export function ge(x: NumberArray, v: number): Mask;
export function ge(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function ge(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> { return compare(x, v, 1); }
/** x < v element-wise. */
export function lt(x: NumberArray, v: number): Mask;
export function lt(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function lt(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> { return compare(x, v, 2); }
/** x <= v element-wise. */
export function le(x: NumberArray, v: number): Mask;
export function le(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function le(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> { return compare(x, v, 3); }
/** x == v element-wise. */
export function eq(x: NumberArray, v: number): Mask;
export function eq(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function eq(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> { return compare(x, v, 4); }
/** x != v element-wise. */
export function ne(x: NumberArray, v: number): Mask;
export function ne(x: Jagged<NumberArray>, v: number): Jagged<Mask>;
export function ne(x: NumberArray | Jagged<NumberArray>, v: number): Mask | Jagged<Mask> { return compare(x, v, 5); }

/** |x| element-wise, keeping the element type (float32 stays float32). */
export function abs<T extends NumberArray>(x: T): T;
export function abs<T extends NumberArray>(x: Jagged<T>): Jagged<T>;
export function abs<T extends NumberArray>(x: T | Jagged<T>): T | Jagged<T> {
  const c = x instanceof Jagged ? x.content : x;
  const out = allocLike(c, c.length);
  for (let i = 0; i < c.length; i++) out[i] = Math.abs(c[i]!);
  return x instanceof Jagged ? new Jagged(x.offsets, out) : out;
}

function logic(masks: (Mask | Jagged<Mask>)[], isAnd: boolean, name: string): Mask | Jagged<Mask> {
  if (masks.length === 0) throw new HepflowError("ARRAY_SHAPE", `${name}: needs at least one mask`);
  const first = masks[0]!;
  const firstC = first instanceof Jagged ? first.content : first;
  const out = new Uint8Array(firstC.length);
  out.set(firstC);
  for (let m = 1; m < masks.length; m++) {
    const mk = masks[m]!;
    if (first instanceof Jagged !== mk instanceof Jagged) throw new HepflowError("ARRAY_SHAPE", `${name}: cannot combine a jagged mask with a flat one; reduce the jagged one first (any/all)`);
    if (first instanceof Jagged) assertSameStructure(first, mk as Jagged, name);
    const c = mk instanceof Jagged ? mk.content : mk;
    assertSameLength(out, c, name);
    if (isAnd) for (let i = 0; i < out.length; i++) out[i] = out[i]! !== 0 && c[i]! !== 0 ? 1 : 0;
    else for (let i = 0; i < out.length; i++) out[i] = out[i]! !== 0 || c[i]! !== 0 ? 1 : 0;
  }
  if (masks.length === 1) for (let i = 0; i < out.length; i++) out[i] = out[i]! !== 0 ? 1 : 0;
  return first instanceof Jagged ? new Jagged(first.offsets, out) : out;
}

/** Element-wise AND of masks of one shape. */
export function and(...masks: Mask[]): Mask;
export function and(...masks: Jagged<Mask>[]): Jagged<Mask>;
export function and(...masks: (Mask | Jagged<Mask>)[]): Mask | Jagged<Mask> { return logic(masks, true, "and"); }
/** Element-wise OR of masks of one shape. */
export function or(...masks: Mask[]): Mask;
export function or(...masks: Jagged<Mask>[]): Jagged<Mask>;
export function or(...masks: (Mask | Jagged<Mask>)[]): Mask | Jagged<Mask> { return logic(masks, false, "or"); }
/** Element-wise NOT of a mask. */
export function not(mask: Mask): Mask;
export function not(mask: Jagged<Mask>): Jagged<Mask>;
export function not(mask: Mask | Jagged<Mask>): Mask | Jagged<Mask> {
  const c = mask instanceof Jagged ? mask.content : mask;
  const out = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] === 0 ? 1 : 0;
  return mask instanceof Jagged ? new Jagged(mask.offsets, out) : out;
}

/** Offsets after keeping only the true elements of an object mask, and the kept element indices. */
function maskedLayout(mask: Jagged<Mask>): { offsets: Int32Array; keep: Int32Array } {
  const o = mask.offsets, c = mask.content, n = o.length - 1;
  const out = new Int32Array(n + 1);
  let k = 0;
  for (let i = 0; i < c.length; i++) if (c[i] !== 0) k++;
  const keep = new Int32Array(k);
  k = 0;
  for (let e = 0; e < n; e++) {
    for (let i = o[e]!, end = o[e + 1]!; i < end; i++) if (c[i] !== 0) keep[k++] = i;
    out[e + 1] = k;
  }
  return { offsets: out, keep };
}

/** Gather content[keep[i]]: one branch-free pass per field once the kept indices are known. */
function gather<T extends NumberArray>(content: T, keep: Int32Array): T {
  const out = allocLike(content, keep.length);
  for (let i = 0; i < keep.length; i++) out[i] = content[keep[i]!]!;
  return out;
}

/**
 * Object mask: keep the elements where `mask` is true, within each event. Applied to a
 * collection, every field is masked the same way and all results share ONE new offsets array.
 */
export function select<T extends NumberArray>(x: Jagged<T>, mask: Jagged<Mask>): Jagged<T>;
export function select<F extends string>(x: Collection<F>, mask: Jagged<Mask>): Collection<F>;
export function select(x: Jagged<NumberArray> | Collection, mask: Jagged<Mask>): Jagged<NumberArray> | Collection {
  if (x instanceof Jagged) assertSameStructure(x, mask, "select");
  else assertSameStructure(new Jagged(offsetsOf(x), new Uint8Array(0)), mask, "select");
  const { offsets, keep } = maskedLayout(mask);
  if (x instanceof Jagged) return new Jagged(offsets, gather(x.content, keep));
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
  return filterWith(x, mask, new Map(), countOnes(mask)) as T;
}

function countOnes(mask: Mask): number {
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) k++;
  return k;
}

function filterWith(x: EventData, mask: Mask, shared: Map<Int32Array, Int32Array>, kept: number): EventData {
  if (x instanceof Jagged) {
    assertSameLength({ length: x.length }, mask, "filterEvents");
    if (x.content instanceof Jagged || Array.isArray(x.content)) throw new HepflowError("ARRAY_UNSUPPORTED", "filterEvents: nested or string jagged columns are not supported yet");
    const o = x.offsets;
    let no = shared.get(o);
    if (!no) {
      no = new Int32Array(kept + 1);
      let k = 0;
      for (let e = 0; e < mask.length; e++) if (mask[e] !== 0) { no[k + 1] = no[k]! + o[e + 1]! - o[e]!; k++; }
      shared.set(o, no);
    }
    const c = x.content as NumberArray;
    const out = allocLike(c, no[kept]!);
    let w = 0;
    for (let e = 0; e < mask.length; e++) {
      if (mask[e] === 0) continue;
      const s = o[e]!, end = o[e + 1]!;
      for (let i = s; i < end; i++) out[w++] = c[i]!; // no subarray(): no per-event objects
    }
    return new Jagged(no, out);
  }
  if (Array.isArray(x)) {
    assertSameLength(x, mask, "filterEvents");
    const out: string[] = [];
    for (let e = 0; e < mask.length; e++) if (mask[e] !== 0) out.push(x[e]!);
    return out;
  }
  if (ArrayBuffer.isView(x)) {
    const a = x as unknown as NumberArray | BigInt64Array | BigUint64Array;
    assertSameLength(a, mask, "filterEvents");
    const out = new (a.constructor as { new (n: number): typeof a })(kept);
    let k = 0;
    for (let e = 0; e < mask.length; e++) if (mask[e] !== 0) (out as Float64Array)[k++] = (a as Float64Array)[e]!;
    return out as EventData;
  }
  const out: Record<string, EventData> = {};
  for (const k of Object.keys(x)) out[k] = filterWith((x as Record<string, EventData>)[k]!, mask, shared, kept);
  return Object.isFrozen(x) ? Object.freeze(out) : out;
}
