import type { NumericArray } from "../../util/index.js";
import { Cursor } from "../cursor.js";
import { readDouble32, readFloat16 } from "../streamers/index.js";
import { copySwapped } from "./byteswap.js";
import { allocUnsafe, swapInPlace as nativeSwap } from "#root/codecs";

/** The value types a leaf can hold, as stored on disk (big-endian). */
export type Dtype = "i8" | "u8" | "bool" | "i16" | "u16" | "i32" | "u32" | "i64" | "u64" | "f32" | "f64" | "f16" | "d32";

/** Double32_t / Float16_t packing (see streamers/types.ts parsePacking). */
export interface Packing {
  xmin: number;
  factor: number;
  nbits: number;
}

/** Bytes per stored value. Packed types are 4 bytes with a range, 3 when truncated, 4 (a float) otherwise. */
export function storedSize(d: Dtype, p?: Packing): number {
  switch (d) {
    case "i8":
    case "u8":
    case "bool":
      return 1;
    case "i16":
    case "u16":
      return 2;
    case "i32":
    case "u32":
    case "f32":
      return 4;
    case "i64":
    case "u64":
    case "f64":
      return 8;
    case "d32":
      return p && p.factor === 0 && p.nbits ? 3 : 4;
    case "f16":
      return p && p.factor !== 0 ? 4 : 3;
  }
}

/**
 * A new output array of `n` values for a dtype. `filled` promises that the caller writes every
 * value (or throws the array away), which skips zero-filling memory that is overwritten anyway.
 */
export function allocate(d: Dtype, n: number, filled = false): NumericArray {
  // Small arrays: V8's zeroed allocation is cheaper than going through Buffer's unsafe path.
  if (filled && n * BYTES[d] >= UNSAFE_MIN) return view(d, allocUnsafe(n * BYTES[d]).buffer, 0, n);
  switch (d) {
    case "i8":
      return new Int8Array(n);
    case "u8":
    case "bool":
      return new Uint8Array(n);
    case "i16":
      return new Int16Array(n);
    case "u16":
      return new Uint16Array(n);
    case "i32":
      return new Int32Array(n);
    case "u32":
      return new Uint32Array(n);
    case "i64":
      return new BigInt64Array(n);
    case "u64":
      return new BigUint64Array(n);
    case "f32":
    case "f16":
      return new Float32Array(n);
    case "f64":
    case "d32":
      return new Float64Array(n);
  }
}

const UNSAFE_MIN = 64 * 1024;

/** Arrays up to this size are carved from a shared slab; above it each gets its own buffer. */
const SMALL = 64 * 1024;
const SLAB = 512 * 1024;

/**
 * Allocates the output arrays of one read. Small arrays (up to 64 kB: short ranges, counters) are
 * views into shared 512 kB buffers, because a separate off-heap buffer costs about a microsecond
 * each, which dominates reads of a few hundred entries. Their `buffer` is therefore shared: use
 * `byteOffset`/`byteLength`, as for any typed-array view.
 */
export class Slab {
  private buf: ArrayBuffer | null = null;
  private used = 0;

  /** `n` values of `d`; `filled` as for {@link allocate}. */
  take(d: Dtype, n: number, filled = false): NumericArray {
    const bytes = n * BYTES[d];
    if (bytes === 0 || bytes > SMALL) return allocate(d, n, filled);
    let at = (this.used + 7) & ~7;
    if (!this.buf || at + bytes > SLAB) {
      this.buf = allocUnsafe(SLAB).buffer;
      at = 0;
    }
    this.used = at + bytes;
    const v = view(d, this.buf, at, n);
    if (!filled) v.fill(0 as never);
    return v;
  }
}

/** A typed array of `n` values of `d` over `buf` from byte `at` (no copy). */
export function view(d: Dtype, buf: ArrayBuffer, at: number, n: number): NumericArray {
  switch (d) {
    case "i8":
      return new Int8Array(buf, at, n);
    case "u8":
    case "bool":
      return new Uint8Array(buf, at, n);
    case "i16":
      return new Int16Array(buf, at, n);
    case "u16":
      return new Uint16Array(buf, at, n);
    case "i32":
      return new Int32Array(buf, at, n);
    case "u32":
      return new Uint32Array(buf, at, n);
    case "i64":
      return new BigInt64Array(buf, at, n);
    case "u64":
      return new BigUint64Array(buf, at, n);
    case "f32":
    case "f16":
      return new Float32Array(buf, at, n);
    case "f64":
    case "d32":
      return new Float64Array(buf, at, n);
  }
}

/** Bytes per value of the output array (not of the stored value: packed types widen). */
const BYTES: Record<Dtype, number> = { i8: 1, u8: 1, bool: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8, f32: 4, f16: 4, f64: 8, d32: 8 };

/**
 * Converts `n` big-endian values at `src[pos..]` into `out[at..]` in one pass: a bulk copy into
 * the (aligned) output buffer followed by an in-place byte swap, which V8 runs far faster than
 * one DataView call per value.
 */
export function decodeInto(d: Dtype, src: Uint8Array, pos: number, n: number, out: NumericArray, at: number, p?: Packing): void {
  if (n === 0) return;
  if (d === "f16" || d === "d32") {
    const c = new Cursor(src, pos);
    const o = out as Float32Array | Float64Array;
    const el = { xmin: p?.xmin ?? 0, factor: p?.factor ?? 0, nbits: p?.nbits ?? 0 };
    for (let i = 0; i < n; i++) o[at + i] = d === "d32" ? readDouble32(c, el) : readFloat16(c, el);
    return;
  }
  const size = out.BYTES_PER_ELEMENT;
  const len = n * size;
  // SIMD: the swap rides on the copy; otherwise copy, then swap in place (native or JS).
  if (size > 1 && len >= SIMD_SWAP_MIN && copySwapped(size as 2 | 4 | 8, src.subarray(pos, pos + len), new Uint8Array(out.buffer, out.byteOffset + at * size, len))) return;
  const bytes = new Uint8Array(out.buffer, out.byteOffset + at * size, len);
  bytes.set(src.subarray(pos, pos + len));
  if (d === "bool") {
    for (let i = 0; i < n; i++) if (bytes[i]! > 1) bytes[i] = 1;
    return;
  }
  if (size > 1) swapInPlace(out, at, n);
}

/** Below this many bytes a JS loop beats the call into Node's native byte swap. */
const NATIVE_SWAP_MIN = 2048;
/** From this many bytes the WebAssembly SIMD swap (with its two copies) beats the others. */
const SIMD_SWAP_MIN = 1024;

/**
 * Converts `n` values of `out` starting at `at` from big-endian to native (little-endian) order in
 * place; large runs go through the native or WebAssembly SIMD swap (see byteswap.ts) or Node's native Buffer swap,
 * several times faster than a JS loop.
 */
export function swapInPlace(out: NumericArray, at: number, n: number): void {
  const size = out.BYTES_PER_ELEMENT;
  if (size === 1 || n === 0) return;
  const byteOffset = out.byteOffset + at * size;
  if (n * size >= SIMD_SWAP_MIN) {
    const bytes = new Uint8Array(out.buffer, byteOffset, n * size);
    if (copySwapped(size as 2 | 4 | 8, bytes, bytes)) return;
  }
  if (n * size >= NATIVE_SWAP_MIN) {
    if (nativeSwap(new Uint8Array(out.buffer, byteOffset, n * size), size as 2 | 4 | 8)) return;
  }
  if (size === 2) {
    const u = new Uint16Array(out.buffer, byteOffset, n);
    for (let i = 0; i < n; i++) {
      const x = u[i]!;
      u[i] = (x >>> 8) | ((x & 0xff) << 8);
    }
    return;
  }
  const w = new Uint32Array(out.buffer, byteOffset, (n * size) / 4);
  if (size === 4) {
    for (let i = 0; i < n; i++) {
      const x = w[i]!;
      w[i] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
    }
    return;
  }
  for (let i = 0; i < 2 * n; i += 2) {
    const a = w[i]!,
      b = w[i + 1]!;
    w[i] = (b >>> 24) | ((b >>> 8) & 0xff00) | ((b << 8) & 0xff0000) | (b << 24);
    w[i + 1] = (a >>> 24) | ((a >>> 8) & 0xff00) | ((a << 8) & 0xff0000) | (a << 24);
  }
}
