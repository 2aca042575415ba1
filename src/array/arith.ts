/**
 * Element-wise arithmetic with numpy's precision rules, so systematic variations reproduce the
 * columnar reference: a float32 column with a scalar stays float32 (the scalar is rounded to
 * float32 first, as numpy ≥ 2 treats a Python float), float32 with float32 stays float32, and
 * anything involving a float64 or integer column computes in float64.
 * Example: the AGC `pt_scale_up` is `mul(jets.pt, 1.03)` = float32(pt × float32(1.03)).
 */
import { HepflowError, Jagged } from "../util/index.js";
import { assertSameLength, assertSameStructure, isJaggedLike } from "./types.js";
import type { NumberArray } from "./types.js";

type Operand = number | NumberArray | Jagged<NumberArray>;
type Result<X> = X extends Jagged ? Jagged<Float32Array | Float64Array> : Float32Array | Float64Array;

function binary<X extends NumberArray | Jagged<NumberArray>>(x: X, y: Operand, op: 0 | 1 | 2 | 3, where: string): Result<X> {
  const xc = isJaggedLike(x) ? x.content : (x as NumberArray);
  let yc: NumberArray | null = null;
  if (typeof y !== "number") {
    if (isJaggedLike(y)) {
      if (!isJaggedLike(x)) throw new HepflowError("ARRAY_SHAPE", `${where}: a flat column cannot combine with a jagged one; broadcast it first`);
      assertSameStructure(x, y, where);
      yc = y.content;
    } else {
      if (isJaggedLike(x)) throw new HepflowError("ARRAY_SHAPE", `${where}: a jagged column cannot combine with a flat one; broadcast it first`);
      yc = y;
    }
    assertSameLength(xc, yc, where);
  }
  const f32 = xc instanceof Float32Array && (yc === null || yc instanceof Float32Array);
  const n = xc.length;
  const out = f32 ? new Float32Array(n) : new Float64Array(n);
  if (yc === null) {
    const s = f32 ? Math.fround(y as number) : (y as number);
    switch (op) {
      case 0:
        for (let i = 0; i < n; i++) out[i] = xc[i]! * s;
        break;
      case 1:
        for (let i = 0; i < n; i++) out[i] = xc[i]! + s;
        break;
      case 2:
        for (let i = 0; i < n; i++) out[i] = xc[i]! - s;
        break;
      case 3:
        for (let i = 0; i < n; i++) out[i] = xc[i]! / s;
        break;
    }
  } else {
    switch (op) {
      case 0:
        for (let i = 0; i < n; i++) out[i] = xc[i]! * yc[i]!;
        break;
      case 1:
        for (let i = 0; i < n; i++) out[i] = xc[i]! + yc[i]!;
        break;
      case 2:
        for (let i = 0; i < n; i++) out[i] = xc[i]! - yc[i]!;
        break;
      case 3:
        for (let i = 0; i < n; i++) out[i] = xc[i]! / yc[i]!;
        break;
    }
  }
  // storing into a Float32Array rounds the float64 result of one operation: exactly float32 arithmetic
  return (isJaggedLike(x) ? new Jagged(x.offsets, out) : out) as Result<X>;
}

/** x × y element-wise (y a scalar or a column of the same shape). */
export function mul<X extends NumberArray | Jagged<NumberArray>>(x: X, y: Operand): Result<X> {
  return binary(x, y, 0, "mul");
}
/** x + y element-wise. */
export function add<X extends NumberArray | Jagged<NumberArray>>(x: X, y: Operand): Result<X> {
  return binary(x, y, 1, "add");
}
/** x − y element-wise. */
export function sub<X extends NumberArray | Jagged<NumberArray>>(x: X, y: Operand): Result<X> {
  return binary(x, y, 2, "sub");
}
/** x / y element-wise. */
export function div<X extends NumberArray | Jagged<NumberArray>>(x: X, y: Operand): Result<X> {
  return binary(x, y, 3, "div");
}
