/**
 * Per-event reductions of jagged columns: one output value per entry, computed in one pass
 * over the content. Empty entries give the documented identity (0 for sums/counts, `fill`
 * — NaN by default, standing in for None — for min/max, -1 for argmin/argmax).
 */
import type { Jagged } from "../util/index.js";
import { assertSameStructure, isJaggedLike } from "./types.js";
import { perElementType } from "../util/mono.js";
import type { Mask, NumberArray } from "./types.js";
import { simd } from "./simd.js";

/** Number of elements per entry. */
export function count(j: Jagged): Int32Array {
  const o = j.offsets,
    n = o.length - 1;
  const out = new Int32Array(n);
  for (let e = 0; e < n; e++) out[e] = o[e + 1]! - o[e]!;
  return out;
}

/**
 * Number of true elements per entry of a jagged mask (e.g. jets passing a selection per event);
 * for a flat mask, the number of true entries (e.g. events passing a cut, for a cutflow).
 */
export function countTrue(mask: Jagged<Mask>): Int32Array;
export function countTrue(mask: Mask): number;
export function countTrue(mask: Jagged<Mask> | Mask): Int32Array | number {
  if (!isJaggedLike(mask)) {
    let k = 0;
    for (let i = 0; i < mask.length; i++) k += +(mask[i] !== 0);
    return k;
  }
  const o = mask.offsets,
    c = mask.content as Mask,
    n = o.length - 1;
  const out = new Int32Array(n);
  const k = simd();
  if (k?.countTrue && c instanceof Uint8Array && o instanceof Int32Array) {
    k.countTrue(c, o, out);
    return out;
  }
  if (c.length < 2 * n) {
    // sparse collections (leptons: mostly 0 or 1 per event): the inner loop's unpredictable exit
    // costs more than a running count over the elements read back at the event boundaries
    const run = new Int32Array(c.length + 1);
    let k = 0;
    for (let i = 0; i < c.length; i++) {
      k += +(c[i]! !== 0);
      run[i + 1] = k;
    }
    for (let e = 0; e < n; e++) out[e] = run[o[e + 1]!]! - run[o[e]!]!;
    return out;
  }
  for (let e = 0; e < n; e++) {
    let k = 0;
    // branch-free (+bool): masks are unpredictable, and a mispredicted branch costs more than the work
    for (let i = o[e]!, end = o[e + 1]!; i < end; i++) k += +(c[i]! !== 0);
    out[e] = k;
  }
  return out;
}

/**
 * Sum per entry in element order. Float32 content is summed as a float32 running sum (each
 * addition rounded) and returned as Float32Array — what the AGC reference does for H_T and
 * what numpy gives for float32 data; everything else sums in float64. With `where` (an object
 * mask of the same structure) only its true elements count: the same values as
 * `sum(select(j, where))` without building the selected copy.
 */
export function sum(j: Jagged<Float32Array>, where?: Jagged<Mask>): Float32Array;
export function sum(j: Jagged<NumberArray>, where?: Jagged<Mask>): Float64Array;
export function sum(j: Jagged<NumberArray>, where?: Jagged<Mask>): Float32Array | Float64Array {
  const o = j.offsets,
    c = j.content,
    n = o.length - 1;
  if (where) {
    assertSameStructure(j, where, "sum");
    const k = c instanceof Float32Array && where.content instanceof Uint8Array && o instanceof Int32Array ? simd() : null;
    if (k?.maskedSum) {
      const out = new Float32Array(n);
      k.maskedSum(c as Float32Array, where.content, o, out);
      return out;
    }
    return maskedSum(c, where.content, o);
  }
  if (c instanceof Float32Array) {
    const out = new Float32Array(n);
    for (let e = 0; e < n; e++) {
      let s = 0;
      for (let i = o[e]!, end = o[e + 1]!; i < end; i++) s = Math.fround(s + c[i]!);
      out[e] = s;
    }
    return out;
  }
  const out = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    let s = 0;
    for (let i = o[e]!, end = o[e + 1]!; i < end; i++) s += c[i]!;
    out[e] = s;
  }
  return out;
}

/**
 * The masked sum, one copy per content type: a dropped element adds +0, which leaves a running sum
 * that starts at +0 unchanged (and a NaN or ±inf it would have added never enters).
 */
const maskedSum = perElementType((c: NumberArray, m: Mask, o: Int32Array): Float32Array | Float64Array => {
  const n = o.length - 1,
    f32 = c instanceof Float32Array;
  const out = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let e = 0; e < n; e++) {
    let s = 0;
    if (f32) for (let i = o[e]!, end = o[e + 1]!; i < end; i++) s = Math.fround(s + (m[i]! !== 0 ? c[i]! : 0));
    else for (let i = o[e]!, end = o[e + 1]!; i < end; i++) s += m[i]! !== 0 ? c[i]! : 0;
    out[e] = s;
  }
  return out;
}, "maskedSum");

/** Minimum per entry; empty entries get `fill` (NaN by default). NaN elements are skipped. */
export function min(j: Jagged<NumberArray>, fill = NaN): Float64Array {
  return extremum(j, fill, true);
}

/** Maximum per entry; empty entries get `fill` (NaN by default). NaN elements are skipped. */
export function max(j: Jagged<NumberArray>, fill = NaN): Float64Array {
  return extremum(j, fill, false);
}

function extremum(j: Jagged<NumberArray>, fill: number, lowest: boolean): Float64Array {
  const idx = argExtremum(j, lowest, undefined);
  const o = j.offsets,
    c = j.content;
  const out = new Float64Array(idx.length);
  for (let e = 0; e < idx.length; e++) out[e] = idx[e]! < 0 ? fill : c[o[e]! + idx[e]!]!;
  return out;
}

/**
 * Local index of the maximum per entry (first one on ties), -1 for empty entries. With
 * `where`, only elements where the mask is true compete (e.g. the highest-pt trijet among
 * those with a b-tag), and entries without any get -1.
 */
export function argmax(j: Jagged<NumberArray>, opts: { where?: Jagged<Mask> } = {}): Int32Array {
  return argExtremum(j, false, opts.where);
}

/** Local index of the minimum per entry (first one on ties), -1 for empty entries; `where` as for argmax. */
export function argmin(j: Jagged<NumberArray>, opts: { where?: Jagged<Mask> } = {}): Int32Array {
  return argExtremum(j, true, opts.where);
}

function argExtremum(j: Jagged<NumberArray>, lowest: boolean, where?: Jagged<Mask>): Int32Array {
  const o = j.offsets,
    c = j.content,
    n = o.length - 1;
  if (where) assertSameStructure(j, where, lowest ? "argmin" : "argmax");
  const w = where ? where.content : null;
  const out = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    const start = o[e]!,
      end = o[e + 1]!;
    let best = -1;
    let bv = 0;
    for (let i = start; i < end; i++) {
      if (w !== null && w[i] === 0) continue;
      const v = c[i]!;
      if (v !== v) continue; // NaN never wins, like numpy's nanargmax
      if (best < 0 || (lowest ? v < bv : v > bv)) {
        best = i - start;
        bv = v;
      }
    }
    out[e] = best;
  }
  return out;
}

/** True when at least one element of the entry is true (false for empty entries). */
export function any(mask: Jagged<Mask>): Mask {
  const o = mask.offsets,
    c = mask.content,
    n = o.length - 1;
  const out = new Uint8Array(n);
  for (let e = 0; e < n; e++) {
    for (let i = o[e]!, end = o[e + 1]!; i < end; i++)
      if (c[i] !== 0) {
        out[e] = 1;
        break;
      }
  }
  return out;
}

/** True when every element of the entry is true (true for empty entries). */
export function all(mask: Jagged<Mask>): Mask {
  const o = mask.offsets,
    c = mask.content,
    n = o.length - 1;
  const out = new Uint8Array(n).fill(1);
  for (let e = 0; e < n; e++) {
    for (let i = o[e]!, end = o[e + 1]!; i < end; i++)
      if (c[i] === 0) {
        out[e] = 0;
        break;
      }
  }
  return out;
}
