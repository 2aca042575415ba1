import type { NumericArray } from "../../util/index.js";
import { Cursor } from "../cursor.js";
import { readDouble32, readFloat16 } from "../streamers/index.js";

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
    case "i8": case "u8": case "bool": return 1;
    case "i16": case "u16": return 2;
    case "i32": case "u32": case "f32": return 4;
    case "i64": case "u64": case "f64": return 8;
    case "d32": return p && p.factor === 0 && p.nbits ? 3 : 4;
    case "f16": return p && p.factor !== 0 ? 4 : 3;
  }
}

/** A new output array of `n` values for a dtype. */
export function allocate(d: Dtype, n: number): NumericArray {
  switch (d) {
    case "i8": return new Int8Array(n);
    case "u8": case "bool": return new Uint8Array(n);
    case "i16": return new Int16Array(n);
    case "u16": return new Uint16Array(n);
    case "i32": return new Int32Array(n);
    case "u32": return new Uint32Array(n);
    case "i64": return new BigInt64Array(n);
    case "u64": return new BigUint64Array(n);
    case "f32": case "f16": return new Float32Array(n);
    case "f64": case "d32": return new Float64Array(n);
  }
}

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
  const bytes = new Uint8Array(out.buffer, out.byteOffset + at * size, n * size);
  bytes.set(src.subarray(pos, pos + n * size));
  if (d === "bool") {
    for (let i = 0; i < n; i++) if (bytes[i]! > 1) bytes[i] = 1;
    return;
  }
  if (size === 1) return;
  if (size === 2) {
    const u = new Uint16Array(out.buffer, out.byteOffset + at * 2, n);
    for (let i = 0; i < n; i++) { const x = u[i]!; u[i] = (x >>> 8) | ((x & 0xff) << 8); }
    return;
  }
  const w = new Uint32Array(out.buffer, out.byteOffset + at * size, (n * size) / 4);
  if (size === 4) {
    for (let i = 0; i < n; i++) {
      const x = w[i]!;
      w[i] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
    }
    return;
  }
  for (let i = 0; i < 2 * n; i += 2) {
    const a = w[i]!, b = w[i + 1]!;
    w[i] = (b >>> 24) | ((b >>> 8) & 0xff00) | ((b << 8) & 0xff0000) | (b << 24);
    w[i + 1] = (a >>> 24) | ((a >>> 8) & 0xff00) | ((a << 8) & 0xff0000) | (a << 24);
  }
}
