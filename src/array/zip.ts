/**
 * Record views: a collection (`events.Jet`) is a plain object of jagged fields that share ONE
 * offsets array, so `events.Jet.pt` is just a property read — zipping copies nothing.
 */
import { HepflowError, Jagged } from "../util/index.js";
import type { Column, Columns } from "../util/index.js";
import { assertSameStructure, isJaggedLike } from "./types.js";
import type { NumberArray } from "./types.js";

/** A collection of objects per event: named jagged fields sharing one offsets array. */
export type Collection<F extends string = string> = { readonly [K in F]: Jagged<NumberArray> };

/**
 * Zip jagged fields into a collection. Fields whose offsets are equal but distinct objects are
 * re-pointed to the first field's offsets (no content copy), so later kernels see them shared.
 */
export function zip<F extends string>(fields: Record<F, Jagged<NumberArray>>): Collection<F> {
  const names = Object.keys(fields) as F[];
  if (names.length === 0) throw new HepflowError("ARRAY_EMPTY_COLLECTION", "zip: a collection needs at least one field");
  const first = fields[names[0]!];
  const out = {} as Record<F, Jagged<NumberArray>>;
  for (const name of names) {
    const f = fields[name];
    if (!isJaggedLike(f)) throw new HepflowError("ARRAY_SHAPE", `zip: field "${name}" is not a jagged column`, { object: name });
    assertSameStructure(first, f, `zip field "${name}"`);
    out[name] = f.offsets === first.offsets ? f : new Jagged(first.offsets, f.content);
  }
  return Object.freeze(out);
}

/** The shared offsets of a collection. */
export function offsetsOf(c: Collection): Int32Array {
  for (const k in c) return c[k]!.offsets;
  throw new HepflowError("ARRAY_EMPTY_COLLECTION", "collection has no fields, so it has no offsets");
}

/** Number of objects per event in a collection. */
export function collectionCounts(c: Collection): Int32Array {
  const o = offsetsOf(c);
  const out = new Int32Array(o.length - 1);
  for (let e = 0; e < out.length; e++) out[e] = o[e + 1]! - o[e]!;
  return out;
}

/** Events as NanoAOD writes them, grouped: `Jet_pt` → `events.Jet.pt`; flat branches stay at top level. */
export type Events = { readonly [name: string]: Column | Collection };

/**
 * Group NanoAOD-style columns into collections by the prefix before the first `_`: every jagged
 * `X_field` column joins collection `X` (they must share structure); flat columns (including
 * `nX` and `X_field` flat branches such as `MET_pt`) stay as they are. No content is copied.
 */
export function zipNano(columns: Columns): Events {
  const groups = new Map<string, Record<string, Jagged<NumberArray>>>();
  const out: Record<string, Column | Collection> = {};
  for (const [name, col] of Object.entries(columns)) {
    const us = name.indexOf("_");
    if (isJaggedLike(col) && us > 0 && !isJaggedLike(col.content) && !Array.isArray(col.content)) {
      const prefix = name.slice(0, us);
      let g = groups.get(prefix);
      if (!g) groups.set(prefix, (g = {}));
      g[name.slice(us + 1)] = col as Jagged<NumberArray>;
    } else {
      out[name] = col;
    }
  }
  for (const [prefix, fields] of groups) {
    if (prefix in out) throw new HepflowError("ARRAY_NAME_CLASH", `zipNano: "${prefix}" is both a column and a collection prefix; rename one`, { object: prefix });
    out[prefix] = zip(fields);
  }
  return out;
}
