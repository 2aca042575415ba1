/**
 * What an expression evaluates to: a constant, one value per event ("flat"), or values per
 * element of a collection ("jagged", sharing the collection's offsets). `kind` is the
 * element type the language promises — booleans are 0/1 masks, integers stay integers,
 * float32 stays float32 unless mixed with wider types — and `valid` marks events that have a
 * value at all (`Jet_pt[0]` in an event without jets has none: it drops out of a draw, as in ROOT).
 */
import { Jagged } from "../util/index.js";
import type { Column } from "../util/index.js";
import type { NumberArray } from "../array/index.js";

export type Kind = "bool" | "int" | "f32" | "f64";

export interface ScalarValue {
  shape: "scalar";
  kind: Kind;
  value: number;
}
export interface FlatValue {
  shape: "flat";
  kind: Kind;
  data: NumberArray;
  valid: Uint8Array | null;
}
export interface JaggedValue {
  shape: "jagged";
  kind: Kind;
  offsets: Int32Array;
  data: NumberArray;
  valid: Uint8Array | null;
}
export type Value = ScalarValue | FlatValue | JaggedValue;

/** The typed array that holds values of a kind (integers are allocated as float64 and narrowed when they fit). */
export function allocKind(kind: Kind, n: number): NumberArray {
  switch (kind) {
    case "bool":
      return new Uint8Array(n);
    case "f32":
      return new Float32Array(n);
    default:
      return new Float64Array(n);
  }
}

/**
 * The value as a column of `n` entries: a typed array per event, or a Jagged sharing the
 * collection's offsets. Events without a value (see `valid`) hold `missing` (NaN by default;
 * integer columns become float64 to hold it).
 */
export function toColumn(v: Value, n: number, missing = NaN): Column {
  if (v.shape === "scalar") {
    const out = allocKind(v.kind, n);
    out.fill(v.value);
    return out;
  }
  let data = v.data;
  if (v.valid) {
    const needsFloat = Number.isNaN(missing) && !(data instanceof Float32Array || data instanceof Float64Array);
    data = needsFloat ? Float64Array.from(data) : data.slice();
    if (v.shape === "flat") {
      for (let e = 0; e < n; e++) if (v.valid[e] === 0) data[e] = missing;
    } else {
      for (let e = 0; e < n; e++) if (v.valid[e] === 0) data.fill(missing, v.offsets[e]!, v.offsets[e + 1]!);
    }
  }
  return v.shape === "flat" ? data : new Jagged(v.offsets, data);
}
