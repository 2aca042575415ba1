/**
 * Combinatorics within events, returning LOCAL index columns (like awkward's argcombinations
 * and argcartesian) that share one new offsets array; gather values with `take`.
 */
import { HepflowError, Jagged } from "../util/index.js";
import { allocLike, isJaggedLike } from "./types.js";
import type { NumberArray } from "./types.js";
import { offsetsOf } from "./zip.js";
import type { Collection } from "./zip.js";

function offsetsOfInput(x: Int32Array | Jagged | Collection): Int32Array {
  if (x instanceof Int32Array) return x;
  if (isJaggedLike(x)) return x.offsets;
  return offsetsOf(x);
}

function choose(n: number, k: number): number {
  if (n < k) return 0;
  return k === 2 ? (n * (n - 1)) / 2 : (n * (n - 1) * (n - 2)) / 6;
}

/**
 * All k-element combinations (k = 2 or 3) of distinct objects within each event, in
 * lexicographic order (i < j < l). Returns k index columns sharing one offsets array.
 */
export function combinations(x: Int32Array | Jagged | Collection, k: 2 | 3): Jagged<Int32Array>[] {
  if (k !== 2 && k !== 3) throw new HepflowError("ARRAY_UNSUPPORTED", `combinations: k = ${k} is not supported; use 2 or 3`);
  const o = offsetsOfInput(x),
    ne = o.length - 1;
  const no = new Int32Array(ne + 1);
  for (let e = 0; e < ne; e++) no[e + 1] = no[e]! + choose(o[e + 1]! - o[e]!, k);
  const total = no[ne]!;
  const a = new Int32Array(total),
    b = new Int32Array(total);
  if (k === 2) {
    let w = 0;
    for (let e = 0; e < ne; e++) {
      const n = o[e + 1]! - o[e]!;
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          a[w] = i;
          b[w] = j;
          w++;
        }
    }
    return [new Jagged(no, a), new Jagged(no, b)];
  }
  const c = new Int32Array(total);
  let w = 0;
  for (let e = 0; e < ne; e++) {
    const n = o[e + 1]! - o[e]!;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++)
        for (let l = j + 1; l < n; l++) {
          a[w] = i;
          b[w] = j;
          c[w] = l;
          w++;
        }
  }
  return [new Jagged(no, a), new Jagged(no, b), new Jagged(no, c)];
}

/**
 * All pairs (one object of `x`, one of `y`) within each event, x-major order. Returns two
 * index columns (into x and into y) sharing one offsets array.
 */
export function cartesian(x: Int32Array | Jagged | Collection, y: Int32Array | Jagged | Collection): [Jagged<Int32Array>, Jagged<Int32Array>] {
  const ox = offsetsOfInput(x),
    oy = offsetsOfInput(y),
    ne = ox.length - 1;
  if (oy.length - 1 !== ne) throw new HepflowError("ARRAY_SHAPE", `cartesian: inputs have ${ne} and ${oy.length - 1} entries; pass collections of the same chunk`);
  const no = new Int32Array(ne + 1);
  for (let e = 0; e < ne; e++) no[e + 1] = no[e]! + (ox[e + 1]! - ox[e]!) * (oy[e + 1]! - oy[e]!);
  const a = new Int32Array(no[ne]!),
    b = new Int32Array(no[ne]!);
  let w = 0;
  for (let e = 0; e < ne; e++) {
    const nx = ox[e + 1]! - ox[e]!,
      ny = oy[e + 1]! - oy[e]!;
    for (let i = 0; i < nx; i++)
      for (let j = 0; j < ny; j++) {
        a[w] = i;
        b[w] = j;
        w++;
      }
  }
  return [new Jagged(no, a), new Jagged(no, b)];
}

function combinationExtremum<T extends NumberArray>(x: Jagged<T>, index: Jagged<Int32Array>[], lowest: boolean, where: string): Jagged<T> {
  if (index.length === 0) throw new HepflowError("ARRAY_SHAPE", `${where}: needs at least one index column`);
  const io = index[0]!.offsets,
    ne = io.length - 1,
    o = x.offsets,
    c = x.content;
  for (const ix of index) if (ix.offsets !== io) throw new HepflowError("ARRAY_SHAPE", `${where}: index columns must share offsets (pass the output of one combinations/cartesian call)`);
  if (o.length - 1 !== ne) throw new HepflowError("ARRAY_SHAPE", `${where}: index has ${ne} entries, data has ${o.length - 1}; use indices computed from the same chunk`);
  const out = allocLike(c, io[ne]!);
  const cols = index.map((ix) => ix.content);
  for (let e = 0; e < ne; e++) {
    const s = o[e]!,
      len = o[e + 1]! - s;
    for (let i = io[e]!, end = io[e + 1]!; i < end; i++) {
      let m = 0;
      for (let k = 0; k < cols.length; k++) {
        const l = cols[k]![i]!;
        if (l < 0 || l >= len) throw new HepflowError("ARRAY_INDEX", `${where}: index ${l} out of range in entry ${e}, which has ${len} elements`);
        const v = c[s + l]!;
        // once NaN, stays NaN (numpy.maximum/minimum propagate it)
        if (k === 0) m = v;
        else if (m === m && (v !== v || (lowest ? v < m : v > m))) m = v;
      }
      out[i] = m;
    }
  }
  return new Jagged(io, out);
}

/**
 * Per combination, the largest value among its members, e.g. the highest b-tag score of each
 * trijet: `combinationMax(jets.btag, combinations(jets, 3))`. Equal to the element-wise maximum
 * of the gathered columns, without gathering them; keeps the element type; NaN propagates.
 */
export function combinationMax<T extends NumberArray>(x: Jagged<T>, index: Jagged<Int32Array>[]): Jagged<T> {
  return combinationExtremum(x, index, false, "combinationMax");
}

/** Per combination, the smallest value among its members (see combinationMax). */
export function combinationMin<T extends NumberArray>(x: Jagged<T>, index: Jagged<Int32Array>[]): Jagged<T> {
  return combinationExtremum(x, index, true, "combinationMin");
}
