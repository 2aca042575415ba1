/**
 * Storages: what each bin accumulates. All are float64 arrays, one per accumulated quantity,
 * laid out like the histogram's bins (flow bins included).
 * - double: sum of weights
 * - int: counts (unweighted fills only; exact up to 2^53)
 * - weight: sum of weights and sum of squared weights
 * - mean: a weighted mean of a sample per bin (sum of weights, of squared weights, the running
 *   mean and the running sum of weighted squared deviations, updated with West's algorithm)
 */
import { HepflowError } from "../util/index.js";

export type StorageKind = "double" | "int" | "weight" | "mean";

/** Names of the arrays each storage keeps, in order. */
export const STORAGE_FIELDS: Record<StorageKind, readonly string[]> = {
  double: ["values"],
  int: ["values"],
  weight: ["sumw", "sumw2"],
  mean: ["sumw", "sumw2", "mean", "m2"],
};

export function checkStorageKind(kind: string): StorageKind {
  if (kind in STORAGE_FIELDS) return kind as StorageKind;
  throw new HepflowError("HIST_STORAGE", `unknown storage "${kind}"; use double, int, weight or mean`);
}

/** Allocate the arrays of a storage for `n` bins. */
export function allocStorage(kind: StorageKind, n: number): Float64Array[] {
  return STORAGE_FIELDS[kind].map(() => new Float64Array(n));
}

/**
 * Add bin `src` of arrays `b` into bin `dst` of arrays `a`. Sums for double/int/weight; the
 * pairwise combination of Chan et al. for mean. Deterministic: the same order gives the same bits.
 */
export function mergeBin(kind: StorageKind, a: Float64Array[], dst: number, b: Float64Array[], src: number): void {
  if (kind !== "mean") {
    for (let k = 0; k < a.length; k++) a[k]![dst]! += b[k]![src]!;
    return;
  }
  const wb = b[0]![src]!;
  if (wb === 0) return;
  const wa = a[0]![dst]!;
  const w = wa + wb;
  const ma = a[2]![dst]!,
    mb = b[2]![src]!;
  const delta = mb - ma;
  a[0]![dst] = w;
  a[1]![dst]! += b[1]![src]!;
  a[2]![dst] = wa === 0 ? mb : ma + (delta * wb) / w;
  a[3]![dst]! += b[3]![src]! + (wa === 0 ? 0 : (delta * delta * wa * wb) / w);
}
