import { HepflowError, Jagged, type Column, type NumericArray } from "../../util/index.js";
import type { BasketData } from "./baskets.js";
import type { BasketRef } from "./model.js";
import { decodeInto, storedSize, swapInPlace, view, type Dtype, type Slab } from "./decode.js";
import type { Interpretation } from "./model.js";
import type { Placement } from "./parallel.js";

type Interp<K extends Interpretation["kind"]> = Extract<Interpretation, { kind: K }>;
type Place = { file: string; object: string };

/**
 * Builds one column from its baskets, handed over one at a time in any order; `finish` returns the
 * column. Numeric sinks write each basket straight into its slot of the preallocated output, so a
 * basket's decompressed bytes can be dropped as soon as it is consumed.
 */
export interface Sink {
  consume(basket: BasketData): void;
  /** Whether baskets are kept after `consume` (else their bytes may be reused at once). */
  readonly keeps: boolean;
  /**
   * Where a pool thread may write a basket's values itself (see parallel.ts Placement), asked when
   * the basket is sent off; the output is then allocated in shared memory. Undefined: the basket
   * comes back as bytes.
   */
  target?(ref: BasketRef): Placement | undefined;
  finish(): Column | Promise<Column>;
}

/** Outputs up to this size stay in the read's slab: a shared buffer of their own costs more than their copy. */
const SHARED_MIN = 64 * 1024;

/** `n` values of `d` in shared memory, for pool threads to write (undefined where there is none, or for packed values). */
function sharedOutput(d: Dtype, n: number): NumericArray | undefined {
  if (typeof SharedArrayBuffer !== "function" || d === "f16" || d === "d32") return undefined;
  const size = storedSize(d);
  if (n * size <= SHARED_MIN) return undefined;
  return view(d, new SharedArrayBuffer(n * size) as unknown as ArrayBuffer, 0, n);
}

function isShared(a: NumericArray): boolean {
  return typeof SharedArrayBuffer === "function" && a.buffer instanceof SharedArrayBuffer;
}

/** The Placement of the basket entries [lo, hi) whose values start at value `first` of the shared column `out`. */
function placementIn(out: NumericArray, d: Dtype, first: number, lo: number, hi: number, extent: { perEntry: number } | { values: number }): Placement {
  const size = storedSize(d) as 1 | 2 | 4 | 8;
  return { buf: out.buffer as unknown as SharedArrayBuffer, at: out.byteOffset + first * size, size, bool: d === "bool", lo, hi, ...extent };
}

/** Output bytes a fixed-size column of [start, stop) needs (to check against what the branch holds). */
export function fixedBytes(it: Interp<"fixed"> | Interp<"leaf">, start: number, stop: number): number {
  return (stop - start) * it.len * storedSize(it.dtype, it.packing);
}

/** `len` values per entry, read from the end of each entry when entries carry a header. */
export function fixedSink(place: Place, it: Interp<"fixed">, start: number, stop: number, slab: Slab): Sink {
  const perEntry = storedSize(it.dtype, it.packing) * it.len;
  const n = (stop - start) * it.len;
  // Every slot is written: baskets tile the range (checked before) and each fills its entries.
  let out: NumericArray | undefined;
  return {
    keeps: false,
    target(ref) {
      const lo = Math.max(start, ref.first),
        hi = Math.min(stop, ref.stop);
      if (hi <= lo || it.packing) return undefined;
      out ??= sharedOutput(it.dtype, n);
      if (!out || !isShared(out)) return undefined;
      return placementIn(out, it.dtype, (lo - start) * it.len, lo - ref.first, hi - ref.first, { perEntry });
    },
    consume(bk) {
      const lo = Math.max(start, bk.first),
        hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo || bk.placed) return;
      if (bk.data.length < bk.n * perEntry) {
        throw new HepflowError("ROOT_CORRUPT", `basket of entries ${bk.first}..${bk.first + bk.n} has ${bk.data.length} bytes, expected ${bk.n * perEntry}`, place);
      }
      if (!out && lo === start && hi === stop && bk.data.length === n * perEntry && bk.ownedTail === 0) {
        out = adopt(it.dtype, bk.data, n);
        if (out) return;
      }
      out ??= slab.take(it.dtype, n, true);
      if (!bk.hasOffsets || bk.data.length === bk.n * perEntry) {
        decodeInto(it.dtype, bk.data, (lo - bk.first) * perEntry, (hi - lo) * it.len, out, (lo - start) * it.len, it.packing);
        return;
      }
      // Entries carry a header in front of their values: take the values from each entry's end.
      for (let e = lo; e < hi; e++) {
        decodeInto(it.dtype, bk.data, bk.offsetAt(e - bk.first + 1) - perEntry, it.len, out, (e - start) * it.len, it.packing);
      }
    },
    finish() {
      out ??= slab.take(it.dtype, n, true);
      return it.len === 1 ? out : new Jagged(regularOffsets(stop - start, it.len, slab), out);
    },
  };
}

/**
 * The column as the basket's own decompressed bytes converted in place, when one basket holds
 * exactly the range and is nobody else's memory (no allocation, no copy); undefined when the
 * layout does not allow it (packed or boolean values, misaligned bytes).
 */
function adopt(d: Dtype, data: Uint8Array, n: number): NumericArray | undefined {
  if (d === "bool" || d === "f16" || d === "d32" || n === 0) return undefined;
  const size = storedSize(d);
  if (data.byteOffset % size !== 0) return undefined;
  const out = view(d, data.buffer as ArrayBuffer, data.byteOffset, n);
  swapInPlace(out, 0, n);
  return out;
}

/** One leaf of a leaf list: `len` values at `offset` within each entry's `stride` bytes. */
export function leafSink(place: Place, it: Interp<"leaf">, start: number, stop: number, slab: Slab): Sink {
  // Every slot is written: baskets tile the range (checked before) and each fills its entries.
  const out = slab.take(it.dtype, (stop - start) * it.len, true);
  return {
    keeps: false,
    consume(bk) {
      const lo = Math.max(start, bk.first),
        hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo) return;
      if (bk.data.length < bk.n * it.stride) {
        throw new HepflowError("ROOT_CORRUPT", `leaf-list basket of ${bk.n} entries has ${bk.data.length} bytes, expected ${bk.n * it.stride}`, place);
      }
      for (let e = lo; e < hi; e++) decodeInto(it.dtype, bk.data, (e - bk.first) * it.stride + it.offset, it.len, out, (e - start) * it.len, it.packing);
    },
    finish: () => (it.len === 1 ? out : new Jagged(regularOffsets(stop - start, it.len, slab), out)),
  };
}

/**
 * A collection member (`Jet_pt[nJet]`): count×len values per entry, placed by the counter's
 * `offsets` (shared with the other members). `valuesBefore(first, lo)` gives how many counts the
 * counter holds for [first, lo): needed only for a basket without entry offsets that starts
 * before the range, which is kept and finished last.
 */
export function countedSink(place: Place, it: Interp<"counted">, offsets: Int32Array, start: number, stop: number, slab: Slab, valuesBefore: (first: number, lo: number) => Promise<number>): Sink {
  const size = storedSize(it.dtype, it.packing);
  const total = offsets[offsets.length - 1]! * it.len;
  let out: NumericArray | undefined;
  const deferred: Held[] = [];
  const fromStart = (bk: Held, lo: number, hi: number, skip: number): void => {
    const nvals = (offsets[hi - start]! - offsets[lo - start]!) * it.len;
    if (skip + nvals * size > bk.data.length) {
      throw new HepflowError("ROOT_CORRUPT", `counter ${it.counter} asks for ${nvals} values but the basket holds ${Math.floor((bk.data.length - skip) / size)}`, place);
    }
    out ??= slab.take(it.dtype, total, true);
    decodeInto(it.dtype, bk.data, skip, nvals, out, offsets[lo - start]! * it.len, it.packing);
  };
  return {
    keeps: false,
    target(ref) {
      const lo = Math.max(start, ref.first),
        hi = Math.min(stop, ref.stop);
      if (hi <= lo || it.packing) return undefined;
      out ??= sharedOutput(it.dtype, total);
      if (!out || !isShared(out)) return undefined;
      const values = (offsets[hi - start]! - offsets[lo - start]!) * it.len;
      return placementIn(out, it.dtype, offsets[lo - start]! * it.len, lo - ref.first, hi - ref.first, { values });
    },
    consume(bk) {
      const lo = Math.max(start, bk.first),
        hi = Math.min(stop, bk.first + bk.n);
      if (hi <= lo || bk.placed) return;
      if (!bk.hasOffsets) {
        // No entry offsets stored: the entries before `lo` are skipped by their counts.
        // Deferred baskets are copied: the bytes handed to `consume` may be reused afterwards.
        if (lo > bk.first) deferred.push({ first: bk.first, n: bk.n, data: bk.data.slice() });
        else fromStart(bk, lo, hi, 0);
        return;
      }
      const nvals = (offsets[hi - start]! - offsets[lo - start]!) * it.len;
      const b0 = bk.offsetAt(lo - bk.first),
        b1 = bk.offsetAt(hi - bk.first);
      if (b0 < 0 || b1 > bk.data.length || b1 < b0) throw new HepflowError("ROOT_CORRUPT", `entry offsets ${b0}..${b1} lie outside the basket (${bk.data.length} bytes)`, place);
      if (b1 - b0 === nvals * size) {
        // The entry offsets after the values stay allocated with an adopted column: only when they are small beside it.
        if (!out && lo === start && hi === stop && b0 === 0 && b1 === bk.data.length && bk.ownedTail >= 0 && bk.ownedTail * 4 <= b1) {
          out = adopt(it.dtype, bk.data, nvals);
          if (out) return;
        }
        out ??= slab.take(it.dtype, total, true);
        decodeInto(it.dtype, bk.data, b0, nvals, out, offsets[lo - start]! * it.len, it.packing);
        return;
      }
      out ??= slab.take(it.dtype, total, true);
      // Per-entry headers: each entry's values are the last count×len×size bytes of its span.
      // Entries either carry a header before their values (a pointer's "present" flag, the bits of
      // referenced objects) or none at all. A basket where some entries with values have no
      // header and others have extra bytes means the counter or the offsets are damaged.
      const bo = bk.offsets!;
      let headerless = -1,
        headed = -1;
      for (let e = lo; e < hi; e++) {
        const k = (offsets[e - start + 1]! - offsets[e - start]!) * it.len;
        const e0 = bo[e - bk.first]!,
          e1 = bo[e - bk.first + 1]!;
        if (e1 - e0 < k * size || e0 < 0 || e1 > bk.data.length) {
          throw new HepflowError("ROOT_CORRUPT", `entry ${e} has ${e1 - e0} bytes but its counter ${it.counter} says ${k} values`, place);
        }
        if (e1 - e0 > k * size) headed = e;
        else if (k > 0) headerless = e;
        if (headed >= 0 && headerless >= 0) {
          throw new HepflowError(
            "ROOT_CORRUPT",
            `entries ${Math.min(headed, headerless)} and ${Math.max(headed, headerless)} disagree with their counter ${it.counter}: one holds exactly its values, the other more bytes than its count says`,
            place,
          );
        }
        decodeInto(it.dtype, bk.data, e1 - k * size, k, out, offsets[e - start]! * it.len, it.packing);
      }
    },
    async finish() {
      for (const bk of deferred) {
        const lo = Math.max(start, bk.first),
          hi = Math.min(stop, bk.first + bk.n);
        fromStart(bk, lo, hi, (await valuesBefore(bk.first, lo)) * it.len * size);
      }
      return new Jagged(offsets, out ?? slab.take(it.dtype, total, true));
    },
  };
}

/** What a sink keeps of a basket it finishes later. */
type Held = Pick<BasketData, "first" | "n" | "data">;

/** Keeps every basket, then decodes them in entry order (for layouts that need two passes). */
export function collectSink(decode: (baskets: BasketData[]) => Column | Promise<Column>): Sink {
  const baskets: BasketData[] = [];
  return {
    keeps: true,
    consume: (bk) => void baskets.push(bk),
    finish: () => decode(baskets.sort((a, b) => a.first - b.first)),
  };
}

/** Runs baskets already at hand through a sink. */
export function drain(sink: Sink, baskets: readonly BasketData[]): Column | Promise<Column> {
  for (const bk of baskets) sink.consume(bk);
  return sink.finish();
}

function regularOffsets(n: number, len: number, slab: Slab): Int32Array {
  const o = slab.take("i32", n + 1) as Int32Array;
  for (let i = 0; i <= n; i++) o[i] = i * len;
  return o;
}
