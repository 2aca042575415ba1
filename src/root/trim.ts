/**
 * Slices of columns read for a wider entry range: iterate() reads whole clusters once and hands
 * them out in steps, so no basket or page is decompressed by two steps (TTree and RNTuple alike).
 */
import { Jagged } from "../util/index.js";
import type { Column } from "../util/index.js";

/** Cuts whole-cluster columns down to the requested entries, keeping shared offsets shared. */
export class Trimmer {
  private readonly cache = new Map<Int32Array, { offsets: Int32Array; from: number; to: number }>();

  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {}

  column(c: Column): Column {
    return this.cut(c, this.from, this.to);
  }

  private cut(c: Column, from: number, to: number): Column {
    if (c instanceof Jagged) {
      if (from === 0 && to === c.length) return c;
      let t = this.cache.get(c.offsets);
      if (!t) {
        const base = c.offsets[from]!;
        const offsets = c.offsets.slice(from, to + 1);
        for (let i = 0; i < offsets.length; i++) offsets[i] = offsets[i]! - base;
        t = { offsets, from: base, to: c.offsets[to]! };
        this.cache.set(c.offsets, t);
      }
      return new Jagged(t.offsets, this.cut(c.content, t.from, t.to));
    }
    if (from === 0 && to === c.length) return c;
    return c.slice(from, to) as Column;
  }
}
