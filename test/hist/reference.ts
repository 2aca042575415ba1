/** Independent reference binning for tests: numpy.histogram's rules written as a plain loop. */

/** numpy.linspace edges. */
export function linspace(lo: number, hi: number, n: number): number[] {
  const step = (hi - lo) / n;
  const e: number[] = [];
  for (let i = 0; i < n; i++) e.push(lo + i * step);
  e.push(hi);
  return e;
}

/** Bin of x by linear scan over edges: -1 underflow, n overflow (upper edge and NaN → overflow). */
export function binByScan(edges: number[], x: number): number {
  const n = edges.length - 1;
  if (Number.isNaN(x) || x >= edges[n]!) return n;
  if (x < edges[0]!) return -1;
  for (let i = 0; i < n; i++) if (x >= edges[i]! && x < edges[i + 1]!) return i;
  throw new Error("unreachable: edges not increasing");
}

/** Deterministic pseudo-random numbers (mulberry32) so tests are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
