/**
 * Combinatorics within events, returning LOCAL index columns (like awkward's argcombinations
 * and argcartesian) that share one new offsets array; gather values with `take`.
 */
import { HepflowError, Jagged } from "../util/index.js";
import { offsetsOf } from "./zip.js";
import type { Collection } from "./zip.js";

function offsetsOfInput(x: Int32Array | Jagged | Collection): Int32Array {
  if (x instanceof Int32Array) return x;
  if (x instanceof Jagged) return x.offsets;
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
  const o = offsetsOfInput(x), ne = o.length - 1;
  const no = new Int32Array(ne + 1);
  for (let e = 0; e < ne; e++) no[e + 1] = no[e]! + choose(o[e + 1]! - o[e]!, k);
  const total = no[ne]!;
  const a = new Int32Array(total), b = new Int32Array(total);
  if (k === 2) {
    let w = 0;
    for (let e = 0; e < ne; e++) {
      const n = o[e + 1]! - o[e]!;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { a[w] = i; b[w] = j; w++; }
    }
    return [new Jagged(no, a), new Jagged(no, b)];
  }
  const c = new Int32Array(total);
  let w = 0;
  for (let e = 0; e < ne; e++) {
    const n = o[e + 1]! - o[e]!;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (let l = j + 1; l < n; l++) { a[w] = i; b[w] = j; c[w] = l; w++; }
  }
  return [new Jagged(no, a), new Jagged(no, b), new Jagged(no, c)];
}

/**
 * All pairs (one object of `x`, one of `y`) within each event, x-major order. Returns two
 * index columns (into x and into y) sharing one offsets array.
 */
export function cartesian(x: Int32Array | Jagged | Collection, y: Int32Array | Jagged | Collection): [Jagged<Int32Array>, Jagged<Int32Array>] {
  const ox = offsetsOfInput(x), oy = offsetsOfInput(y), ne = ox.length - 1;
  if (oy.length - 1 !== ne) throw new HepflowError("ARRAY_SHAPE", `cartesian: inputs have ${ne} and ${oy.length - 1} entries; pass collections of the same chunk`);
  const no = new Int32Array(ne + 1);
  for (let e = 0; e < ne; e++) no[e + 1] = no[e]! + (ox[e + 1]! - ox[e]!) * (oy[e + 1]! - oy[e]!);
  const a = new Int32Array(no[ne]!), b = new Int32Array(no[ne]!);
  let w = 0;
  for (let e = 0; e < ne; e++) {
    const nx = ox[e + 1]! - ox[e]!, ny = oy[e + 1]! - oy[e]!;
    for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) { a[w] = i; b[w] = j; w++; }
  }
  return [new Jagged(no, a), new Jagged(no, b)];
}
