/**
 * The column types every layer passes around. They live in util/ (the bottom layer) because
 * root/ produces them and array/ computes on them; array/ adds the kernels.
 */

export type NumericArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/**
 * A jagged column: entry i holds `content[offsets[i] .. offsets[i+1])`. `offsets` has
 * length+1 elements and starts at 0. Columns of one collection (all `Jet_*`) share one
 * `offsets` object, so `a.offsets === b.offsets` says they line up. Offsets are 32-bit: a
 * chunk in memory never holds 2^31 elements.
 */
export class Jagged<C extends Column = Column> {
  constructor(
    readonly offsets: Int32Array,
    readonly content: C,
  ) {}

  /** Number of entries (events). */
  get length(): number {
    return this.offsets.length - 1;
  }

  /** Number of elements in entry i. */
  count(i: number): number {
    return this.offsets[i + 1]! - this.offsets[i]!;
  }
}

/** A column of text, one string per entry. */
export type StringColumn = string[];

/** What readers return per branch/field: flat numbers, strings, or jagged (possibly nested). */
export type Column = NumericArray | StringColumn | Jagged;

/** Columns keyed by branch or field name. */
export type Columns = Record<string, Column>;

export function isJagged(c: Column): c is Jagged {
  return c instanceof Jagged;
}

/** Number of entries in a column. */
export function columnLength(c: Column): number {
  return c instanceof Jagged ? c.length : c.length;
}
