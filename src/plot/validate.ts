import { HepflowError } from "../util/index.js";
import type { Hist1D, Hist2D } from "./types.js";

/** Checks a histogram's shape and values before plotting, so bad input fails with a message instead of a broken picture. */
export function checkHist1D(h: Hist1D, what: string): void {
  const n = h.values.length;
  if (n === 0) throw new HepflowError("PLOT_EMPTY_HIST", `${what} has no bins; fill or select a histogram with at least one bin`, { object: what });
  if (h.edges.length !== n + 1) {
    throw new HepflowError("PLOT_BAD_BINNING", `${what} has ${n} values but ${h.edges.length} edges (expected ${n + 1}); pass edges without flow bins`, { object: what });
  }
  if (h.variances && h.variances.length !== n) {
    throw new HepflowError("PLOT_BAD_BINNING", `${what} has ${n} values but ${h.variances.length} variances`, { object: what });
  }
  checkEdges(h.edges, what);
  checkFinite(h.values, `${what} values`);
  if (h.variances) checkFinite(h.variances, `${what} variances`);
}

/** Checks a 2D histogram's edges against its values. */
export function checkHist2D(h: Hist2D, what: string): void {
  const nx = h.xEdges.length - 1,
    ny = h.yEdges.length - 1;
  if (nx < 1 || ny < 1) throw new HepflowError("PLOT_EMPTY_HIST", `${what} has no bins`, { object: what });
  if (h.values.length !== nx * ny) {
    throw new HepflowError("PLOT_BAD_BINNING", `${what} has ${h.values.length} values but ${nx}×${ny} bins from its edges`, { object: what });
  }
  checkEdges(h.xEdges, `${what} x`);
  checkEdges(h.yEdges, `${what} y`);
  checkFinite(h.values, `${what} values`);
}

/** Data and MC must share binning, or the ratio would compare different bins. */
export function checkSameBinning(a: Hist1D, b: Hist1D, what: string): void {
  const same = a.edges.length === b.edges.length && Array.from(a.edges).every((e, i) => Math.abs(e - b.edges[i]!) <= 1e-9 * Math.max(1, Math.abs(e)));
  if (!same) {
    throw new HepflowError("PLOT_BINNING_MISMATCH", `${what}: binning differs (${describe(a)} vs ${describe(b)}); rebin both to the same edges before plotting`, { object: what });
  }
}

/** Every number must be finite: a NaN in a bin means an upstream bug that a plot would hide. */
export function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new HepflowError("PLOT_NOT_FINITE", `${what}[${i}] is ${values[i]}; fix the input (NaN/Inf cannot be drawn)`, { object: what });
    }
  }
}

function checkEdges(edges: ArrayLike<number>, what: string): void {
  checkFinite(edges, `${what} edges`);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i]! > edges[i - 1]!)) throw new HepflowError("PLOT_BAD_BINNING", `${what} edges are not increasing at index ${i}`, { object: what });
  }
}

function describe(h: Hist1D): string {
  const n = h.edges.length - 1;
  return `${n} bins [${h.edges[0]}, ${h.edges[n]}]`;
}
