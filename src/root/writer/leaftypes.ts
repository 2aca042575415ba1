/** Leaf types the tree writer stores, their ROOT leaf classes and their big-endian encoding. */
import type { NumericArray } from "../../util/index.js";

export type LeafType = "bool" | "i8" | "u8" | "i16" | "u16" | "i32" | "u32" | "i64" | "u64" | "f32" | "f64";

export interface TypeInfo {
  size: number;
  /** Type letter in branch titles ("x/F"). */
  code: string;
  leafClass: string;
  unsigned: boolean;
}

export const TYPE_INFO: Record<LeafType, TypeInfo> = {
  bool: { size: 1, code: "O", leafClass: "TLeafO", unsigned: false },
  i8: { size: 1, code: "B", leafClass: "TLeafB", unsigned: false },
  u8: { size: 1, code: "b", leafClass: "TLeafB", unsigned: true },
  i16: { size: 2, code: "S", leafClass: "TLeafS", unsigned: false },
  u16: { size: 2, code: "s", leafClass: "TLeafS", unsigned: true },
  i32: { size: 4, code: "I", leafClass: "TLeafI", unsigned: false },
  u32: { size: 4, code: "i", leafClass: "TLeafI", unsigned: true },
  i64: { size: 8, code: "L", leafClass: "TLeafL", unsigned: false },
  u64: { size: 8, code: "l", leafClass: "TLeafL", unsigned: true },
  f32: { size: 4, code: "F", leafClass: "TLeafF", unsigned: false },
  f64: { size: 8, code: "D", leafClass: "TLeafD", unsigned: false },
};

const CTORS = {
  bool: Uint8Array,
  i8: Int8Array,
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  i64: BigInt64Array,
  u64: BigUint64Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Concatenates `parts` converted to `type` and returns their bytes in big-endian order (ROOT's
 * on-disk order). Conversion goes through the typed-array constructor, so a Float64Array given
 * for an f32 branch is rounded like a C cast would.
 */
export function toBigEndian(parts: NumericArray[], type: LeafType): Uint8Array {
  const size = TYPE_INFO[type].size;
  const total = parts.reduce((s, p) => s + p.length, 0);
  const Ctor = CTORS[type];
  const out = new Ctor(total) as NumericArray;
  let o = 0;
  for (const p of parts) {
    if (p.constructor === Ctor) (out as Float64Array).set(p as Float64Array, o);
    else if (out instanceof BigInt64Array || out instanceof BigUint64Array) for (let i = 0; i < p.length; i++) out[o + i] = BigInt(p[i] as number | bigint);
    else if (type === "bool") for (let i = 0; i < p.length; i++) out[o + i] = p[i] ? 1 : 0;
    else for (let i = 0; i < p.length; i++) (out as Float64Array)[o + i] = Number(p[i]);
    o += p.length;
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, total * size);
  if (LITTLE && size > 1) swap(bytes, size);
  return bytes;
}

function swap(b: Uint8Array, size: number): void {
  if (size === 2) {
    for (let i = 0; i < b.length; i += 2) {
      const t = b[i]!;
      b[i] = b[i + 1]!;
      b[i + 1] = t;
    }
  } else if (size === 4) {
    const u = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
    for (let i = 0; i < u.length; i++) {
      const x = u[i]!;
      u[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    }
  } else {
    const u = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
    for (let i = 0; i < u.length; i += 2) {
      const lo = u[i]!,
        hi = u[i + 1]!;
      u[i] = ((hi & 0xff) << 24) | ((hi & 0xff00) << 8) | ((hi >>> 8) & 0xff00) | (hi >>> 24);
      u[i + 1] = ((lo & 0xff) << 24) | ((lo & 0xff00) << 8) | ((lo >>> 8) & 0xff00) | (lo >>> 24);
    }
  }
}
