/**
 * Shape plumbing shared by the four-vector kernels: inputs are flat or jagged columns; outputs
 * have the same structure (jagged outputs reuse the input offsets). Precision follows numpy:
 * if every input is float32, arithmetic is float32 (each operation rounded with Math.fround)
 * and outputs are Float32Array; otherwise float64.
 */
import { HepflowError, Jagged } from "../util/index.js";
import { isJaggedLike } from "../array/index.js";
import type { NumberArray } from "../array/index.js";

/** A flat or jagged numeric column. */
export type FloatColumn = NumberArray | Jagged<NumberArray>;

/** Output column type: float32 or float64, flat or jagged. */
export type OutColumn = Float32Array | Float64Array | Jagged<Float32Array | Float64Array>;

export function contentOf(x: FloatColumn): NumberArray {
  return isJaggedLike(x) ? x.content : x;
}

/** True when all inputs hold float32 values, so the kernel computes in float32. */
export function allFloat32(xs: FloatColumn[]): boolean {
  return xs.every((x) => contentOf(x) instanceof Float32Array);
}

/** Check inputs line up (same length and, for jagged, same offsets) and return the offsets (or null for flat). */
export function commonShape(xs: FloatColumn[], where: string): { offsets: Int32Array | null; n: number } {
  const first = xs[0]!;
  const offsets = isJaggedLike(first) ? first.offsets : null;
  const n = contentOf(first).length;
  for (const x of xs) {
    if (isJaggedLike(x) !== (offsets !== null)) throw new HepflowError("ARRAY_SHAPE", `${where}: cannot mix flat and jagged inputs; broadcast the flat one first`);
    const c = contentOf(x);
    if (c.length !== n) throw new HepflowError("ARRAY_SHAPE", `${where}: inputs have ${n} and ${c.length} elements; pass fields of the same collection`);
    if (isJaggedLike(x) && x.offsets !== offsets) {
      const o = x.offsets;
      for (let i = 0; i < o.length; i++) if (o[i] !== offsets![i]) throw new HepflowError("ARRAY_SHAPE", `${where}: inputs have different per-event counts; pass fields of the same collection`);
    }
  }
  return { offsets, n };
}

export function alloc(n: number, f32: boolean): Float32Array | Float64Array {
  return f32 ? new Float32Array(n) : new Float64Array(n);
}

export function wrap(offsets: Int32Array | null, c: Float32Array | Float64Array): OutColumn {
  return offsets ? new Jagged(offsets, c) : c;
}

const id = (x: number): number => x;
/** The rounding applied after each operation: float32 or none. */
export function rounder(f32: boolean): (x: number) => number {
  return f32 ? Math.fround : id;
}
