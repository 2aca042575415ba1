/**
 * Column shapes the kernels accept. Kernels work on plain-number typed arrays (not BigInt):
 * analysis columns are floats, ints and 0/1 masks.
 */
import { HepflowError, Jagged } from "../util/index.js";
import type { NumericArray } from "../util/index.js";

/**
 * True for a jagged column. Structural (its offsets are an Int32Array) rather than `instanceof`,
 * so columns built by another copy of this module are recognized too — e.g. a processor that
 * imports the compiled dist/ kernels receiving columns from the TypeScript sources under a test
 * runner. Typed arrays, string columns and collections are not jagged.
 */
export function isJaggedLike(x: unknown): x is Jagged {
  return typeof x === "object" && x !== null && (x as { offsets?: unknown }).offsets instanceof Int32Array && "content" in x;
}

/** A typed array whose elements are JS numbers (every NumericArray except the BigInt ones). */
export type NumberArray = Exclude<NumericArray, BigInt64Array | BigUint64Array>;

/** A boolean column: 0 = false, anything else = true. Comparisons produce Uint8Array. */
export type Mask = Uint8Array;

/** A flat numeric column or a jagged one (one level). */
export type NumberColumn = NumberArray | Jagged<NumberArray>;

/** Constructor of a typed array, used to allocate an output of the same element type as an input. */
export type NumberArrayConstructor = { new (n: number): NumberArray };

/** Allocate an array of the same element type as `like` (so float32 inputs stay float32). */
export function allocLike<T extends NumberArray>(like: T, n: number): T {
  return new (like.constructor as unknown as { new (n: number): T })(n);
}

/** Throw unless two jagged columns have identical structure (same offsets object or equal contents). */
export function assertSameStructure(a: Jagged, b: Jagged, where: string): void {
  if (a.offsets === b.offsets) return;
  const oa = a.offsets,
    ob = b.offsets;
  if (oa.length !== ob.length) {
    throw new HepflowError("ARRAY_SHAPE", `${where}: jagged columns have ${oa.length - 1} and ${ob.length - 1} entries; pass columns of the same chunk`);
  }
  for (let i = 0; i < oa.length; i++) {
    if (oa[i] !== ob[i]) {
      throw new HepflowError("ARRAY_SHAPE", `${where}: jagged columns differ in entry ${Math.max(i - 1, 0)} (counts differ); pass columns of the same collection`);
    }
  }
}

/** Throw unless two flat columns have the same length. */
export function assertSameLength(a: { length: number }, b: { length: number }, where: string): void {
  if (a.length !== b.length) {
    throw new HepflowError("ARRAY_SHAPE", `${where}: columns have ${a.length} and ${b.length} elements; pass columns of the same chunk`);
  }
}

/** Offsets of an event-wise count column: counts [2,0,3] → offsets [0,2,2,5]. */
export function offsetsFromCounts(counts: ArrayLike<number>): Int32Array {
  const out = new Int32Array(counts.length + 1);
  let s = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c < 0) throw new HepflowError("ARRAY_SHAPE", `counts[${i}] = ${c} is negative; a count column must be ≥ 0`);
    s += c;
    out[i + 1] = s;
  }
  if (s > 0x7fffffff) throw new HepflowError("ARRAY_SHAPE", `counts sum to ${s} elements, over the 2^31 a chunk may hold; read smaller chunks`);
  return out;
}

/** Counts of each entry of an offsets array (the inverse of offsetsFromCounts). */
export function countsFromOffsets(offsets: Int32Array): Int32Array {
  const n = offsets.length - 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = offsets[i + 1]! - offsets[i]!;
  return out;
}

/** The event index of every element of a jagged column ("local → parent" map), e.g. to broadcast event weights to objects. */
export function parents(offsets: Int32Array): Int32Array {
  const n = offsets.length - 1;
  const out = new Int32Array(offsets[n]!);
  for (let e = 0; e < n; e++) out.fill(e, offsets[e]!, offsets[e + 1]!);
  return out;
}

/** Repeat a per-event value for every object of the event: a flat column becomes content aligned with `like`. */
export function broadcast<T extends NumberArray>(perEvent: T, like: Jagged): Jagged<T> {
  const offsets = like.offsets;
  assertSameLength(perEvent, { length: offsets.length - 1 }, "broadcast");
  const out = allocLike(perEvent, offsets[offsets.length - 1]!);
  for (let e = 0; e < perEvent.length; e++) out.fill(perEvent[e]!, offsets[e]!, offsets[e + 1]!);
  return new Jagged(offsets, out);
}

/** The integers start, start + 1, …, stop − 1 as float64 (exact up to 2^53), e.g. entry numbers of a chunk: `arange(meta.entryStart, meta.entryStop)`. */
export function arange(start: number, stop: number): Float64Array {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop) || stop < start) {
    throw new HepflowError("ARRAY_VALUE", `arange: needs integers start <= stop (got ${start}, ${stop})`);
  }
  const out = new Float64Array(stop - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}
