import { HepflowError, type ErrorPlace, type NumericArray } from "../../util/index.js";
import { ColumnType, columnTypeName } from "./columntypes.js";

/** A decoded Switch column (variants): per element, the index into the active alternative and its 1-based tag. */
export interface SwitchElements {
  index: Float64Array;
  tag: Uint32Array;
}

/** Column metadata the decoder needs. */
export interface DecodeSpec {
  type: number;
  bits: number;
  min?: number;
  max?: number;
}

/**
 * Turns one uncompressed page of `n` elements into a typed array in the column's natural
 * in-memory type: undoes split, zigzag and delta encodings and unpacks bit-packed values.
 * Index columns come back as Float64Array (exact below 2^53) because their values are offsets.
 */
export function decodePage(bytes: Uint8Array, spec: DecodeSpec, n: number, place: ErrorPlace): NumericArray | SwitchElements {
  switch (spec.type) {
    case ColumnType.Bit:
      return unpackBits(bytes, n);
    case ColumnType.Byte:
    case ColumnType.Char:
    case ColumnType.UInt8:
      return bytes.subarray(0, n);
    case ColumnType.Int8:
      return new Int8Array(bytes.buffer, bytes.byteOffset, n);
    case ColumnType.Int16:
      return new Int16Array(aligned(bytes, 2, n));
    case ColumnType.UInt16:
      return new Uint16Array(aligned(bytes, 2, n));
    case ColumnType.Int32:
      return new Int32Array(aligned(bytes, 4, n));
    case ColumnType.UInt32:
      return new Uint32Array(aligned(bytes, 4, n));
    case ColumnType.Int64:
      return new BigInt64Array(aligned(bytes, 8, n));
    case ColumnType.UInt64:
      return new BigUint64Array(aligned(bytes, 8, n));
    case ColumnType.Real16:
      return halfToFloat(new Uint16Array(aligned(bytes, 2, n)));
    case ColumnType.Real32:
      return new Float32Array(aligned(bytes, 4, n));
    case ColumnType.Real64:
      return new Float64Array(aligned(bytes, 8, n));
    case ColumnType.Index32:
      return Float64Array.from(new Uint32Array(aligned(bytes, 4, n)));
    case ColumnType.Index64:
      return indexFrom64(new BigUint64Array(aligned(bytes, 8, n)), place);
    case ColumnType.Switch:
      return decodeSwitch(bytes, n);
    case ColumnType.SplitInt16:
      return unzigzag16(new Uint16Array(unsplit(bytes, 2, n)));
    case ColumnType.SplitUInt16:
      return new Uint16Array(unsplit(bytes, 2, n));
    case ColumnType.SplitInt32:
      return unzigzag32(new Uint32Array(unsplit(bytes, 4, n)));
    case ColumnType.SplitUInt32:
      return new Uint32Array(unsplit(bytes, 4, n));
    case ColumnType.SplitInt64:
      return unzigzag64(new BigUint64Array(unsplit(bytes, 8, n)));
    case ColumnType.SplitUInt64:
      return new BigUint64Array(unsplit(bytes, 8, n));
    case ColumnType.SplitReal16:
      return halfToFloat(new Uint16Array(unsplit(bytes, 2, n)));
    case ColumnType.SplitReal32:
      return new Float32Array(unsplit(bytes, 4, n));
    case ColumnType.SplitReal64:
      return new Float64Array(unsplit(bytes, 8, n));
    case ColumnType.SplitIndex32:
      return undelta(Float64Array.from(new Uint32Array(unsplit(bytes, 4, n))));
    case ColumnType.SplitIndex64:
      return undelta(indexFrom64(new BigUint64Array(unsplit(bytes, 8, n)), place));
    case ColumnType.Real32Trunc:
      return truncatedFloats(bytes, spec.bits, n);
    case ColumnType.Real32Quant:
      return quantizedFloats(bytes, spec, n, place);
    default:
      throw new HepflowError("ROOT_UNSUPPORTED", `column type ${columnTypeName(spec.type, spec.bits)} is not supported`, place);
  }
}

/** The page bytes in a fresh, element-aligned buffer (pages sit at arbitrary offsets of what was read). */
function aligned(bytes: Uint8Array, size: number, n: number): ArrayBuffer {
  // A copy by set(), not slice(): a Node Buffer's slice() is a view whose .buffer is the whole pooled allocation.
  const out = new Uint8Array(size * n);
  out.set(bytes.subarray(0, size * n));
  return out.buffer;
}

/** Undoes split encoding: byte b of element i was stored at b*n + i. */
function unsplit(bytes: Uint8Array, size: number, n: number): ArrayBuffer {
  // 4- and 8-byte elements are assembled a 32-bit word at a time (little-endian host, like the typed-array views here).
  if (size === 4 || size === 8) {
    const words = new Uint32Array((size / 4) * n);
    const step = size / 4;
    for (let w = 0; w < step; w++) {
      const b0 = 4 * w * n,
        b1 = b0 + n,
        b2 = b1 + n,
        b3 = b2 + n;
      for (let i = 0, o = w; i < n; i++, o += step) {
        words[o] = (bytes[b0 + i]! | (bytes[b1 + i]! << 8) | (bytes[b2 + i]! << 16) | (bytes[b3 + i]! << 24)) >>> 0;
      }
    }
    return words.buffer;
  }
  const out = new Uint8Array(size * n);
  for (let b = 0; b < size; b++) {
    const base = b * n;
    for (let i = 0, o = b; i < n; i++, o += size) out[o] = bytes[base + i]!;
  }
  return out.buffer;
}

function undelta(v: Float64Array): Float64Array {
  for (let i = 1; i < v.length; i++) v[i] = v[i]! + v[i - 1]!;
  return v;
}

function indexFrom64(v: BigUint64Array, place: ErrorPlace): Float64Array {
  // Through 32-bit halves: BigInt conversion per element costs more than the rest of the decoding.
  const words = new Uint32Array(v.buffer, v.byteOffset, 2 * v.length);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const hi = words[2 * i + 1]!;
    if (hi > 0x1fffff) throw new HepflowError("RNTUPLE_CORRUPT", `collection offset ${v[i]} is beyond 2^53; the page is corrupt`, place);
    out[i] = words[2 * i]! + hi * 4294967296;
  }
  return out;
}

function unzigzag16(u: Uint16Array): Int16Array {
  const out = new Int16Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = (u[i]! >>> 1) ^ -(u[i]! & 1);
  return out;
}

function unzigzag32(u: Uint32Array): Int32Array {
  const out = new Int32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = (u[i]! >>> 1) ^ -(u[i]! & 1);
  return out;
}

function unzigzag64(u: BigUint64Array): BigInt64Array {
  const out = new BigInt64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = (u[i]! >> 1n) ^ -(u[i]! & 1n);
  return out;
}

/** Booleans are packed 8 per byte, least significant bit first. */
function unpackBits(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (bytes[i >>> 3]! >>> (i & 7)) & 1;
  return out;
}

/** Reads `n` unsigned integers of `bits` bits each from a least-significant-bit-first bit stream. */
function unpackInts(bytes: Uint8Array, bits: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let bit = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    let got = 0;
    while (got < bits) {
      const byte = bytes[bit >>> 3]!;
      const shift = bit & 7;
      const take = Math.min(8 - shift, bits - got);
      // Multiplication, not <<, keeps 32-bit values positive.
      v += ((byte >>> shift) & ((1 << take) - 1)) * 2 ** got;
      got += take;
      bit += take;
    }
    out[i] = v;
  }
  return out;
}

/** Real32Trunc: the top `bits` bits of an IEEE float (sign, exponent, leading mantissa). */
function truncatedFloats(bytes: Uint8Array, bits: number, n: number): Float32Array {
  const raw = unpackInts(bytes, bits, n);
  const u = new Uint32Array(n);
  const shift = 2 ** (32 - bits);
  for (let i = 0; i < n; i++) u[i] = raw[i]! * shift;
  return new Float32Array(u.buffer);
}

/** Real32Quant: an integer in [0, 2^bits-1] mapped linearly onto the column's [min, max]. */
function quantizedFloats(bytes: Uint8Array, spec: DecodeSpec, n: number, place: ErrorPlace): Float64Array {
  if (spec.min === undefined || spec.max === undefined) {
    throw new HepflowError("RNTUPLE_CORRUPT", "Real32Quant column has no value range", place);
  }
  const raw = unpackInts(bytes, spec.bits, n);
  const scale = (spec.max - spec.min) / (2 ** spec.bits - 1);
  for (let i = 0; i < n; i++) raw[i] = spec.min + raw[i]! * scale;
  return raw;
}

function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!;
    const sign = x & 0x8000 ? -1 : 1;
    const exp = (x >>> 10) & 0x1f;
    const mant = x & 0x3ff;
    out[i] = exp === 0 ? sign * mant * 2 ** -24 : exp === 31 ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** Switch elements: a 64-bit little-endian index followed by a 32-bit tag, 12 bytes each. */
function decodeSwitch(bytes: Uint8Array, n: number): SwitchElements {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const index = new Float64Array(n);
  const tag = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    index[i] = Number(view.getBigUint64(12 * i, true));
    tag[i] = view.getUint32(12 * i + 8, true);
  }
  return { index, tag };
}
