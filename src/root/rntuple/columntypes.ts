import type { NumericArray } from "../../util/index.js";

/** RNTuple column type ids (binary format 1.0, "Column Description"). */
export enum ColumnType {
  Bit = 0x00,
  Byte = 0x01,
  Char = 0x02,
  Int8 = 0x03,
  UInt8 = 0x04,
  Int16 = 0x05,
  UInt16 = 0x06,
  Int32 = 0x07,
  UInt32 = 0x08,
  Int64 = 0x09,
  UInt64 = 0x0a,
  Real16 = 0x0b,
  Real32 = 0x0c,
  Real64 = 0x0d,
  Index32 = 0x0e,
  Index64 = 0x0f,
  Switch = 0x10,
  SplitInt16 = 0x11,
  SplitUInt16 = 0x12,
  SplitInt32 = 0x13,
  SplitUInt32 = 0x14,
  SplitInt64 = 0x15,
  SplitUInt64 = 0x16,
  SplitReal16 = 0x17,
  SplitReal32 = 0x18,
  SplitReal64 = 0x19,
  SplitIndex32 = 0x1a,
  SplitIndex64 = 0x1b,
  Real32Trunc = 0x1c,
  Real32Quant = 0x1d,
}

/** Name and encoding of each column type, for `ls` and error messages. */
const NAMES: Record<number, string> = {
  0x00: "Bit",
  0x01: "Byte",
  0x02: "Char",
  0x03: "Int8",
  0x04: "UInt8",
  0x05: "Int16",
  0x06: "UInt16",
  0x07: "Int32",
  0x08: "UInt32",
  0x09: "Int64",
  0x0a: "UInt64",
  0x0b: "Real16",
  0x0c: "Real32",
  0x0d: "Real64",
  0x0e: "Index32",
  0x0f: "Index64",
  0x10: "Switch",
  0x11: "SplitInt16",
  0x12: "SplitUInt16",
  0x13: "SplitInt32",
  0x14: "SplitUInt32",
  0x15: "SplitInt64",
  0x16: "SplitUInt64",
  0x17: "SplitReal16",
  0x18: "SplitReal32",
  0x19: "SplitReal64",
  0x1a: "SplitIndex32",
  0x1b: "SplitIndex64",
  0x1c: "Real32Trunc",
  0x1d: "Real32Quant",
};

/** Human name of a column type, with the bit width where it varies ("Real32Trunc(16)"). */
export function columnTypeName(type: number, bits: number): string {
  const name = NAMES[type] ?? `unknown(0x${type.toString(16)})`;
  return type === ColumnType.Real32Trunc || type === ColumnType.Real32Quant ? `${name}(${bits})` : name;
}

export function isKnownColumnType(type: number): boolean {
  return type in NAMES;
}

export function isIndexColumn(type: number): boolean {
  return type === ColumnType.Index32 || type === ColumnType.Index64 || type === ColumnType.SplitIndex32 || type === ColumnType.SplitIndex64;
}

/** Bits one element takes on storage: fixed by the type, except the variable-width real types. */
export function storageBits(type: number, declared: number): number {
  switch (type) {
    case ColumnType.Bit:
      return 1;
    case ColumnType.Byte:
    case ColumnType.Char:
    case ColumnType.Int8:
    case ColumnType.UInt8:
      return 8;
    case ColumnType.Int16:
    case ColumnType.UInt16:
    case ColumnType.Real16:
    case ColumnType.SplitInt16:
    case ColumnType.SplitUInt16:
    case ColumnType.SplitReal16:
      return 16;
    case ColumnType.Int32:
    case ColumnType.UInt32:
    case ColumnType.Real32:
    case ColumnType.Index32:
    case ColumnType.SplitInt32:
    case ColumnType.SplitUInt32:
    case ColumnType.SplitReal32:
    case ColumnType.SplitIndex32:
      return 32;
    case ColumnType.Switch:
      return 96;
    case ColumnType.Real32Trunc:
    case ColumnType.Real32Quant:
      return declared;
    default:
      return 64;
  }
}

/** A typed-array constructor that a field's values are delivered in. */
export type ArrayKind = "u8" | "i8" | "i16" | "u16" | "i32" | "u32" | "i64" | "u64" | "f32" | "f64";

/** Allocates a zeroed array of the given kind (zeros are also what deferred columns read as before they start). */
export function allocate(kind: ArrayKind, n: number): NumericArray {
  switch (kind) {
    case "u8":
      return new Uint8Array(n);
    case "i8":
      return new Int8Array(n);
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
      return new Float32Array(n);
    case "f64":
      return new Float64Array(n);
  }
}

/** Copies `src` into `dst` at `at`, converting between number and bigint element types (exactly, for integers). */
export function copyInto(dst: NumericArray, src: NumericArray, at: number): void {
  const dstBig = dst instanceof BigInt64Array || dst instanceof BigUint64Array;
  const srcBig = src instanceof BigInt64Array || src instanceof BigUint64Array;
  if (dstBig === srcBig) {
    if (dst instanceof BigInt64Array && src instanceof BigUint64Array) dst.set(new BigInt64Array(src.buffer, src.byteOffset, src.length), at);
    else if (dst instanceof BigUint64Array && src instanceof BigInt64Array) dst.set(new BigUint64Array(src.buffer, src.byteOffset, src.length), at);
    else (dst as Float64Array).set(src as Float64Array, at);
    return;
  }
  if (dstBig) {
    const d = dst as BigInt64Array;
    // BigInt typed arrays wrap modulo 2^64 on store, so negative sources land correctly in unsigned targets.
    for (let i = 0; i < src.length; i++) d[at + i] = BigInt((src as Float64Array)[i]!);
  } else {
    const d = dst as Float64Array;
    for (let i = 0; i < src.length; i++) d[at + i] = Number((src as BigInt64Array)[i]!);
  }
}
