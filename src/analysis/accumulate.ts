/**
 * Accumulators are plain data so they cross worker threads by structured clone and merge
 * without class registries: numbers add, typed arrays add element-wise (histogram storages),
 * arrays concatenate (lists), objects merge key by key (cutflows, histograms keyed by name),
 * strings and booleans must agree (labels). The merge is associative; the executor always
 * folds chunk results in chunk order, so floating-point sums do not depend on scheduling.
 */
import { HepflowError } from "../util/index.js";
import { isHistAccumulator, scaleHistAccumulator } from "../hist/index.js";

export type Accumulator = number | string | boolean | null | Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Accumulator[] | { [key: string]: Accumulator };

type Typed = Exclude<Accumulator, number | string | boolean | null | Accumulator[] | { [key: string]: Accumulator }>;

/** Merge `b` into a new value equal to "a then b"; neither input is modified. */
export function mergeAccumulators(a: Accumulator | undefined, b: Accumulator | undefined, at = "accumulator"): Accumulator | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return addTyped(a as Typed, b as Typed, at);
  if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
  if (isRecord(a) && isRecord(b)) {
    const out: { [key: string]: Accumulator } = {};
    for (const k of Object.keys(a)) out[k] = k in b ? mergeAccumulators(a[k], b[k], `${at}.${k}`)! : a[k]!;
    for (const k of Object.keys(b)) if (!(k in a)) out[k] = b[k]!;
    return out;
  }
  if ((typeof a === "string" || typeof a === "boolean" || a === null) && a === b) return a;
  throw new HepflowError("ACCUMULATOR_MISMATCH", `cannot merge ${describe(a)} with ${describe(b)}; every chunk must return the same structure`, { object: at });
}

/**
 * Throw the error `mergeAccumulators(a, b)` would throw, without building the merged value: the
 * collector checks a chunk against the run's accumulator before it commits to the chunk.
 */
export function checkMergeable(a: Accumulator | undefined, b: Accumulator | undefined, at = "accumulator"): void {
  if (a === undefined || b === undefined) return;
  if (typeof a === "number" && typeof b === "number") return;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    if (a.constructor !== b.constructor || (a as Typed).length !== (b as Typed).length) {
      throw new HepflowError("ACCUMULATOR_MISMATCH", `cannot add ${describe(a)} and ${describe(b)}; histograms of one name must share binning`, { object: at });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) return;
  if (isRecord(a) && isRecord(b)) {
    for (const k of Object.keys(b)) if (k in a) checkMergeable(a[k], b[k], `${at}.${k}`);
    return;
  }
  if ((typeof a === "string" || typeof a === "boolean" || a === null) && a === b) return;
  throw new HepflowError("ACCUMULATOR_MISMATCH", `cannot merge ${describe(a)} with ${describe(b)}; every chunk must return the same structure`, { object: at });
}

function addTyped(a: Typed, b: Typed, at: string): Typed {
  if (a.constructor !== b.constructor || a.length !== b.length) {
    throw new HepflowError("ACCUMULATOR_MISMATCH", `cannot add ${describe(a)} and ${describe(b)}; histograms of one name must share binning`, { object: at });
  }
  const out = new (a.constructor as { new (n: number): Typed })(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

function isRecord(x: Accumulator): x is { [key: string]: Accumulator } {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function describe(x: Accumulator): string {
  if (ArrayBuffer.isView(x)) return `${x.constructor.name}(${(x as Typed).length})`;
  if (Array.isArray(x)) return "an array";
  return x === null ? "null" : typeof x;
}

/** Fold results in the given order (the executor's fixed chunk order). */
export function mergeAll(results: Iterable<Accumulator | undefined>): Accumulator | undefined {
  let acc: Accumulator | undefined;
  for (const r of results) acc = mergeAccumulators(acc, r);
  return acc;
}

/**
 * The accumulator with every histogram (hist's toAccumulator form) rescaled as if its weights
 * had been multiplied by `factor`; counters, cutflows and lists are returned unchanged because
 * they count what was processed, not what it represents.
 */
export function rescaleHistograms(acc: Accumulator | undefined, factor: number): Accumulator | undefined {
  if (acc === undefined || factor === 1) return acc;
  if (isHistAccumulator(acc)) return scaleHistAccumulator(acc, factor) as unknown as Accumulator;
  if (Array.isArray(acc)) return acc.map((a) => rescaleHistograms(a, factor)!);
  if (typeof acc === "object" && acc !== null && !ArrayBuffer.isView(acc)) {
    const out: { [key: string]: Accumulator } = {};
    for (const [k, v] of Object.entries(acc)) out[k] = rescaleHistograms(v, factor)!;
    return out;
  }
  return acc;
}
