/**
 * The loops an expression compiles to. Each runs over whole columns; which one runs and on
 * which arrays is decided once per node and chunk, never per event. Like util/mono's
 * perElementType, every kernel gets one compiled copy per combination of typed-array types it
 * meets (V8 keeps a loop fast only while it sees one type), built from this module's own source
 * text — never from the user's expression.
 */
import type { NumberArray } from "../array/index.js";

type AnyKernel = (...args: never[]) => unknown;

function isTyped(x: unknown): x is { constructor: { name: string } } {
  return ArrayBuffer.isView(x);
}

/** A dispatcher with one compiled copy of `kernel` per combination of its typed-array arguments' types. */
export function specialize<K extends AnyKernel>(kernel: K, name: string): K {
  const source = `"use strict"; return (${kernel.toString()});`;
  const copies = new Map<string, (...a: unknown[]) => unknown>();
  const dispatch = (...args: unknown[]): unknown => {
    let key = "";
    for (const a of args) if (isTyped(a)) key += a.constructor.name + ",";
    let f = copies.get(key);
    if (f === undefined) {
      f = new Function(`${source}\n//# sourceURL=hepflow-expr/${name}/${key}`)() as (...a: unknown[]) => unknown;
      copies.set(key, f);
    }
    return f(...args);
  };
  return dispatch as unknown as K;
}

/** Binary operator codes shared by the kernels (the r* codes swap the operands: scalar on the left). */
export const OP = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  mod: 4,
  pow: 5,
  lt: 6,
  le: 7,
  gt: 8,
  ge: 9,
  eq: 10,
  ne: 11,
  and: 12,
  or: 13,
  bitand: 14,
  bitor: 15,
  min: 16,
  max: 17,
  atan2: 18,
  hypot: 19,
  rsub: 20,
  rdiv: 21,
  rmod: 22,
  rpow: 23,
  ratan2: 24,
} as const;

/** out[i] = a[i] op b[i]. */
export const binaryAA = specialize((a: NumberArray, b: NumberArray, out: NumberArray, op: number): void => {
  const n = out.length;
  switch (op) {
    case 0:
      for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
      break;
    case 1:
      for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
      break;
    case 2:
      for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
      break;
    case 3:
      for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
      break;
    case 4:
      for (let i = 0; i < n; i++) out[i] = a[i]! % b[i]!;
      break;
    case 5:
      for (let i = 0; i < n; i++) out[i] = a[i]! ** b[i]!;
      break;
    case 6:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! < b[i]!);
      break;
    case 7:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! <= b[i]!);
      break;
    case 8:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! > b[i]!);
      break;
    case 9:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! >= b[i]!);
      break;
    case 10:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! === b[i]!);
      break;
    case 11:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! !== b[i]!);
      break;
    case 12:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! !== 0) & +(b[i]! !== 0);
      break;
    case 13:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! !== 0) | +(b[i]! !== 0);
      break;
    case 14:
      for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
      break;
    case 15:
      for (let i = 0; i < n; i++) out[i] = a[i]! | b[i]!;
      break;
    case 16:
      for (let i = 0; i < n; i++) out[i] = Math.min(a[i]!, b[i]!);
      break;
    case 17:
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, b[i]!);
      break;
    case 18:
      for (let i = 0; i < n; i++) out[i] = Math.atan2(a[i]!, b[i]!);
      break;
    case 19:
      for (let i = 0; i < n; i++) out[i] = Math.hypot(a[i]!, b[i]!);
      break;
    default:
      throw new Error(`binaryAA: operator ${op}`);
  }
}, "binaryAA");

/** out[i] = a[i] op s (or s op a[i] for the r* codes). */
export const binaryAS = specialize((a: NumberArray, s: number, out: NumberArray, op: number): void => {
  const n = out.length;
  switch (op) {
    case 0:
      for (let i = 0; i < n; i++) out[i] = a[i]! + s;
      break;
    case 1:
      for (let i = 0; i < n; i++) out[i] = a[i]! - s;
      break;
    case 2:
      for (let i = 0; i < n; i++) out[i] = a[i]! * s;
      break;
    case 3:
      for (let i = 0; i < n; i++) out[i] = a[i]! / s;
      break;
    case 4:
      for (let i = 0; i < n; i++) out[i] = a[i]! % s;
      break;
    case 5:
      for (let i = 0; i < n; i++) out[i] = a[i]! ** s;
      break;
    case 6:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! < s);
      break;
    case 7:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! <= s);
      break;
    case 8:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! > s);
      break;
    case 9:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! >= s);
      break;
    case 10:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! === s);
      break;
    case 11:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! !== s);
      break;
    case 12: {
      const t = +(s !== 0);
      for (let i = 0; i < n; i++) out[i] = +(a[i]! !== 0) & t;
      break;
    }
    case 13: {
      const t = +(s !== 0);
      for (let i = 0; i < n; i++) out[i] = +(a[i]! !== 0) | t;
      break;
    }
    case 14:
      for (let i = 0; i < n; i++) out[i] = a[i]! & s;
      break;
    case 15:
      for (let i = 0; i < n; i++) out[i] = a[i]! | s;
      break;
    case 16:
      for (let i = 0; i < n; i++) out[i] = Math.min(a[i]!, s);
      break;
    case 17:
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, s);
      break;
    case 18:
      for (let i = 0; i < n; i++) out[i] = Math.atan2(a[i]!, s);
      break;
    case 19:
      for (let i = 0; i < n; i++) out[i] = Math.hypot(a[i]!, s);
      break;
    case 20:
      for (let i = 0; i < n; i++) out[i] = s - a[i]!;
      break;
    case 21:
      for (let i = 0; i < n; i++) out[i] = s / a[i]!;
      break;
    case 22:
      for (let i = 0; i < n; i++) out[i] = s % a[i]!;
      break;
    case 23:
      for (let i = 0; i < n; i++) out[i] = s ** a[i]!;
      break;
    case 24:
      for (let i = 0; i < n; i++) out[i] = Math.atan2(s, a[i]!);
      break;
    default:
      throw new Error(`binaryAS: operator ${op}`);
  }
}, "binaryAS");

/** Unary operator and one-argument function codes. */
export const FN = {
  neg: 0,
  not: 1,
  bitnot: 2,
  abs: 3,
  sqrt: 4,
  exp: 5,
  log: 6,
  log10: 7,
  log2: 8,
  sin: 9,
  cos: 10,
  tan: 11,
  asin: 12,
  acos: 13,
  atan: 14,
  sinh: 15,
  cosh: 16,
  tanh: 17,
  floor: 18,
  ceil: 19,
  round: 20,
  truthy: 21,
  copy: 22,
  asinh: 23,
  acosh: 24,
  atanh: 25,
  sq: 26,
  sign: 27,
  expm1: 28,
  log1p: 29,
  cbrt: 30,
  trunc: 31,
} as const;

/** out[i] = f(a[i]). */
export const unary = specialize((a: NumberArray, out: NumberArray, op: number): void => {
  const n = out.length;
  switch (op) {
    case 0:
      for (let i = 0; i < n; i++) out[i] = -a[i]!;
      break;
    case 1:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! === 0);
      break;
    case 2:
      for (let i = 0; i < n; i++) out[i] = ~a[i]!;
      break;
    case 3:
      for (let i = 0; i < n; i++) out[i] = Math.abs(a[i]!);
      break;
    case 4:
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(a[i]!);
      break;
    case 5:
      for (let i = 0; i < n; i++) out[i] = Math.exp(a[i]!);
      break;
    case 6:
      for (let i = 0; i < n; i++) out[i] = Math.log(a[i]!);
      break;
    case 7:
      for (let i = 0; i < n; i++) out[i] = Math.log10(a[i]!);
      break;
    case 8:
      for (let i = 0; i < n; i++) out[i] = Math.log2(a[i]!);
      break;
    case 9:
      for (let i = 0; i < n; i++) out[i] = Math.sin(a[i]!);
      break;
    case 10:
      for (let i = 0; i < n; i++) out[i] = Math.cos(a[i]!);
      break;
    case 11:
      for (let i = 0; i < n; i++) out[i] = Math.tan(a[i]!);
      break;
    case 12:
      for (let i = 0; i < n; i++) out[i] = Math.asin(a[i]!);
      break;
    case 13:
      for (let i = 0; i < n; i++) out[i] = Math.acos(a[i]!);
      break;
    case 14:
      for (let i = 0; i < n; i++) out[i] = Math.atan(a[i]!);
      break;
    case 15:
      for (let i = 0; i < n; i++) out[i] = Math.sinh(a[i]!);
      break;
    case 16:
      for (let i = 0; i < n; i++) out[i] = Math.cosh(a[i]!);
      break;
    case 17:
      for (let i = 0; i < n; i++) out[i] = Math.tanh(a[i]!);
      break;
    case 18:
      for (let i = 0; i < n; i++) out[i] = Math.floor(a[i]!);
      break;
    case 19:
      for (let i = 0; i < n; i++) out[i] = Math.ceil(a[i]!);
      break;
    case 20:
      for (let i = 0; i < n; i++) out[i] = Math.round(a[i]!);
      break;
    case 21:
      for (let i = 0; i < n; i++) out[i] = +(a[i]! !== 0);
      break;
    case 22:
      for (let i = 0; i < n; i++) out[i] = a[i]!;
      break;
    case 23:
      for (let i = 0; i < n; i++) out[i] = Math.asinh(a[i]!);
      break;
    case 24:
      for (let i = 0; i < n; i++) out[i] = Math.acosh(a[i]!);
      break;
    case 25:
      for (let i = 0; i < n; i++) out[i] = Math.atanh(a[i]!);
      break;
    case 26:
      for (let i = 0; i < n; i++) out[i] = a[i]! * a[i]!;
      break;
    case 27:
      for (let i = 0; i < n; i++) out[i] = Math.sign(a[i]!);
      break;
    case 28:
      for (let i = 0; i < n; i++) out[i] = Math.expm1(a[i]!);
      break;
    case 29:
      for (let i = 0; i < n; i++) out[i] = Math.log1p(a[i]!);
      break;
    case 30:
      for (let i = 0; i < n; i++) out[i] = Math.cbrt(a[i]!);
      break;
    case 31:
      for (let i = 0; i < n; i++) out[i] = Math.trunc(a[i]!);
      break;
    default:
      throw new Error(`unary: function ${op}`);
  }
}, "unary");

/** out[i] = c[i] ? a[i] : b[i]. */
export const select3 = specialize((c: NumberArray, a: NumberArray, b: NumberArray, out: NumberArray): void => {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = c[i]! !== 0 ? a[i]! : b[i]!;
}, "select3");

/** Repeat each event's value over its elements: out[offsets[e] .. offsets[e+1]) = v[e]. */
export const spread = specialize((v: NumberArray, offsets: Int32Array, out: NumberArray): void => {
  const n = offsets.length - 1;
  for (let e = 0; e < n; e++) {
    const x = v[e]!;
    for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) out[i] = x;
  }
}, "spread");

/** Keep elements whose mask is non-zero; writes the new offsets and returns the kept count. */
export const compact = specialize((c: NumberArray, mask: NumberArray, offsets: Int32Array, out: NumberArray, newOffsets: Int32Array): number => {
  const n = offsets.length - 1;
  let k = 0;
  for (let e = 0; e < n; e++) {
    for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) {
      out[k] = c[i]!;
      k += +(mask[i]! !== 0); // branch-free: the slot is overwritten when the element is dropped
    }
    newOffsets[e + 1] = k;
  }
  return k;
}, "compact");

/** Reduction codes. */
export const RED = { sum: 0, count: 1, any: 2, all: 3, max: 4, min: 5, mean: 6, sumf32: 7 } as const;

/**
 * One value per event from its elements. For max/min/mean, empty events (or events whose
 * elements are all NaN) set valid[e] = 0 and out[e] = `empty`.
 */
export const reduce = specialize((c: NumberArray, offsets: Int32Array, out: NumberArray, valid: Uint8Array, op: number, empty: number): void => {
  const n = offsets.length - 1;
  switch (op) {
    case 0:
      for (let e = 0; e < n; e++) {
        let s = 0;
        for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) s += c[i]!;
        out[e] = s;
      }
      break;
    case 7: // float32 running sum, each addition rounded, as numpy sums float32
      for (let e = 0; e < n; e++) {
        let s = 0;
        for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) s = Math.fround(s + c[i]!);
        out[e] = s;
      }
      break;
    case 1:
      for (let e = 0; e < n; e++) {
        let s = 0;
        for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) s += +(c[i]! !== 0);
        out[e] = s;
      }
      break;
    case 2:
      for (let e = 0; e < n; e++) {
        let s = 0;
        for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) s |= +(c[i]! !== 0);
        out[e] = s;
      }
      break;
    case 3:
      for (let e = 0; e < n; e++) {
        let s = 1;
        for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) s &= +(c[i]! !== 0);
        out[e] = s;
      }
      break;
    case 4:
    case 5: {
      const lowest = op === 5;
      for (let e = 0; e < n; e++) {
        let best = NaN;
        for (let i = offsets[e]!, end = offsets[e + 1]!; i < end; i++) {
          const v = c[i]!;
          if (best !== best || (lowest ? v < best : v > best)) best = v; // NaN elements never win
        }
        if (best !== best) {
          out[e] = empty;
          valid[e] = 0;
        } else out[e] = best;
      }
      break;
    }
    case 6:
      for (let e = 0; e < n; e++) {
        const start = offsets[e]!,
          end = offsets[e + 1]!;
        let s = 0;
        for (let i = start; i < end; i++) s += c[i]!;
        if (end > start) out[e] = s / (end - start);
        else {
          out[e] = empty;
          valid[e] = 0;
        }
      }
      break;
    default:
      throw new Error(`reduce: ${op}`);
  }
}, "reduce");

/**
 * The element at a per-event index (negative counts from the end, as in Python); events
 * without it get valid[e] = 0. `at` is a per-event index array, or null with `k` fixed.
 */
export const element = specialize((c: NumberArray, offsets: Int32Array, out: NumberArray, valid: Uint8Array, at: NumberArray | null, k: number): void => {
  const n = offsets.length - 1;
  for (let e = 0; e < n; e++) {
    const start = offsets[e]!,
      len = offsets[e + 1]! - start;
    let j = at === null ? k : at[e]!;
    if (j < 0) j += len;
    if (j >= 0 && j < len && j === Math.floor(j)) out[e] = c[start + j]!;
    else {
      out[e] = 0;
      valid[e] = 0;
    }
  }
}, "element");

/** Number of elements per event. */
export function lengths(offsets: Int32Array): Int32Array {
  const n = offsets.length - 1,
    out = new Int32Array(n);
  for (let e = 0; e < n; e++) out[e] = offsets[e + 1]! - offsets[e]!;
  return out;
}

/** a AND b for validity masks, null meaning all valid. */
export function andValid(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** Narrow integral float64 values to Int32Array when every value fits; otherwise keep them. */
export function narrowInt(x: Float64Array): Int32Array | Float64Array {
  let ok = 1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    ok &= +(v >= -2147483648 && v <= 2147483647);
  }
  if (!ok) return x;
  const out = new Int32Array(x.length);
  out.set(x);
  return out;
}
