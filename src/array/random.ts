/**
 * Reproducible random numbers for smearing objects (e.g. a jet energy resolution variation).
 * Counter-based: every number is a pure function of (seed, event id, index of the object in its
 * event), so a chunk, a filtered subset of events or another worker draws exactly the same
 * number for the same object — results never depend on chunking or the worker count.
 */
import { HepflowError, Jagged } from "../util/index.js";
import { assertSameLength } from "./types.js";

/** A 32-bit integer finalizer (xorshift-multiply), mixing every input bit into every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A standard normal deviate that is a pure function of (seed, event, index): two uniform
 * numbers hashed from the counter, then Box–Muller. `event` is an integer below 2^53.
 */
export function counterNormal(seed: number, event: number, index: number): number {
  const base = mix(seed ^ mix(event ^ mix((event / 4294967296) >>> 0) ^ Math.imul(index + 1, 0x9e3779b1)));
  const u1 = (mix(base ^ 0x68e31da4) + 0.5) / 4294967296; // in (0, 1): never log(0)
  const u2 = mix(base ^ 0xb5297a4d) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A 32-bit seed from a text (e.g. "sample/file index"), FNV-1a. */
export function seedFromText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * One N(0, 1) deviate per object of a jagged layout, from (seed, eventIds[e], local index):
 * `randomNormal(jets.pt, entry, seed)` where `entry` holds each event's entry number in its
 * file (see `arange`; filter it together with the events). Float64 output sharing `like.offsets`.
 */
export function randomNormal(like: Jagged, eventIds: ArrayLike<number>, seed: number): Jagged<Float64Array> {
  const o = like.offsets,
    n = o.length - 1;
  assertSameLength({ length: n }, eventIds, "randomNormal");
  const s = seed >>> 0;
  if (s !== seed) throw new HepflowError("ARRAY_VALUE", `randomNormal: seed ${seed} is not an unsigned 32-bit integer; use seedFromText for text`);
  const out = new Float64Array(o[n]!);
  for (let e = 0; e < n; e++) {
    const id = eventIds[e]!;
    for (let i = o[e]!, end = o[e + 1]!, j = 0; i < end; i++, j++) out[i] = counterNormal(s, id, j);
  }
  return new Jagged(o, out);
}
