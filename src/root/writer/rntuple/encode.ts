/**
 * Page encoding: the inverse of rntuple/decode.ts for the column types ROOT writes by default —
 * byte-split reals and integers, zigzag for signed integers, delta + split for offsets, bit-packed
 * booleans, raw bytes for 8-bit types. Input is one page's elements in their natural type.
 */
import { HepflowError, type NumericArray } from "../../../util/index.js";
import { ColumnType, columnTypeName } from "../../rntuple/columntypes.js";

/** Encodes `values` (one page) as column type `type`; returns the uncompressed page bytes. */
export function encodePage(values: NumericArray, type: number): Uint8Array {
  switch (type) {
    case ColumnType.Bit:
      return packBits(values as Uint8Array);
    case ColumnType.Int8:
    case ColumnType.UInt8:
    case ColumnType.Char:
    case ColumnType.Byte:
      return new Uint8Array(values.buffer, values.byteOffset, values.length).slice();
    case ColumnType.SplitInt16:
      return split(zigzag16(values as Int16Array), 2);
    case ColumnType.SplitInt32:
      return split(zigzag32(values as Int32Array), 4);
    case ColumnType.SplitInt64:
      return split(zigzag64(values as BigInt64Array), 8);
    case ColumnType.SplitUInt16:
    case ColumnType.SplitUInt32:
    case ColumnType.SplitUInt64:
    case ColumnType.SplitReal32:
    case ColumnType.SplitReal64:
      return split(values, values.BYTES_PER_ELEMENT);
    case ColumnType.SplitIndex64:
      return split(delta64(values as Float64Array), 8);
    default:
      throw new HepflowError("ROOT_WRITE", `the RNTuple writer does not encode column type ${columnTypeName(type, 0)}`);
  }
}

/** Split encoding: byte b of element i goes to b*n + i, so equal high bytes compress together. */
function split(values: NumericArray, size: number): Uint8Array {
  const n = (values.length * values.BYTES_PER_ELEMENT) / size;
  const src = new Uint8Array(values.buffer, values.byteOffset, n * size);
  const out = new Uint8Array(n * size);
  for (let b = 0; b < size; b++) {
    const base = b * n;
    for (let i = 0, o = b; i < n; i++, o += size) out[base + i] = src[o]!;
  }
  return out;
}

function zigzag16(v: Int16Array): Uint16Array {
  const out = new Uint16Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i]! << 1) ^ (v[i]! >> 15);
  return out;
}

function zigzag32(v: Int32Array): Uint32Array {
  const out = new Uint32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i]! << 1) ^ (v[i]! >> 31);
  return out;
}

function zigzag64(v: BigInt64Array): BigUint64Array {
  const out = new BigUint64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = BigInt.asUintN(64, (v[i]! << 1n) ^ (v[i]! >> 63n));
  return out;
}

/**
 * Offsets (given as exact doubles) are stored as differences within the page, the first element
 * absolute; written as 64-bit little-endian words without going through BigInt.
 */
function delta64(v: Float64Array): Uint32Array {
  const out = new Uint32Array(2 * v.length);
  let prev = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v[i]! - prev;
    prev = v[i]!;
    out[2 * i] = d % 4294967296;
    out[2 * i + 1] = Math.floor(d / 4294967296);
  }
  return out;
}

/** Booleans 8 per byte, least significant bit first. */
function packBits(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(v.length / 8));
  for (let i = 0; i < v.length; i++) if (v[i]) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}
