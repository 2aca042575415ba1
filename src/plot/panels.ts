import type { Hist1D } from "./types.js";
import { garwoodInterval } from "./poisson.js";

/** Building blocks shared by the 1D plots: row tables for Vega-Lite data and axis helpers. */

export interface DataRow {
  x: number;
  y: number;
  lo: number;
  hi: number;
  label: string;
}

/** Per-bin variance: the stored sum of w², or the content itself (Poisson) when none is given. */
export function variancesOf(h: Hist1D): number[] {
  return Array.from(h.values, (v, i) => (h.variances ? h.variances[i]! : Math.abs(v)));
}

/** Points (x = bin edge) of a step line; the last value is repeated at the upper edge so the last bin is drawn. */
export function stepRows(h: Hist1D, label: string, y: (v: number, i: number) => number = (v) => v): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const n = h.values.length;
  for (let i = 0; i < n; i++) rows.push({ x: h.edges[i]!, y: y(h.values[i]!, i), label, order: i });
  rows.push({ x: h.edges[n]!, y: y(h.values[n - 1]!, n - 1), label, order: n });
  return rows;
}

/** Data points at bin centres with Garwood 68% Poisson error bars; empty bins are kept but drawn without a marker in log plots. */
export function dataRows(h: Hist1D, label: string): DataRow[] {
  return Array.from(h.values, (v, i) => {
    const [lo, hi] = garwoodInterval(Math.max(0, v));
    return { x: 0.5 * (h.edges[i]! + h.edges[i + 1]!), y: v, lo, hi, label };
  });
}

/** Symmetric ratio range around 1 that holds the points and their errors, rounded to 0.25/0.5/1 steps, at most ±1. */
export function ratioDomain(points: { y: number; lo: number; hi: number }[]): [number, number] {
  let half = 0.2;
  for (const p of points) {
    if (!Number.isFinite(p.y)) continue;
    half = Math.max(half, Math.abs(p.y - 1) * 1.15);
  }
  const steps = [0.25, 0.5, 1];
  const h = steps.find((s) => s >= half) ?? 1;
  return [1 - h, 1 + h];
}

/** y-axis domain for counts: from 0 (linear) or a decade below the smallest positive value (log), with headroom for the label. */
export function countDomain(values: number[], log: boolean, smallest: number[] = values): [number, number] {
  const positive = values.filter((v) => v > 0);
  const max = positive.length ? Math.max(...positive) : 1;
  if (!log) return [0, max * 1.3];
  // Small contributions matter on a log plot, but not below 1e-5 of the maximum.
  const small = smallest.filter((v) => v > max * 1e-5);
  const min = small.length ? Math.min(...small) : max * 1e-3;
  // a decade below the smallest positive content (docs/plot.md), so a bin with one entry is a visible bar, not the floor
  const lo = 10 ** (Math.floor(Math.log10(min)) - 1);
  const hi = 10 ** Math.ceil(Math.log10(max) + Math.log10(max / lo) * 0.35);
  return [lo, hi];
}

/** The x encoding shared by the panels of a 1D plot: edges define the domain exactly, no "nice" padding. */
export function xScale(edges: ArrayLike<number>): Record<string, unknown> {
  return { domain: [edges[0]!, edges[edges.length - 1]!], nice: false, zero: false };
}

/** x axis of an upper panel: ticks but no labels or title, since the ratio panel below carries them. */
export const HIDDEN_X_AXIS = { labels: false, title: null, ticks: true };

/** Decade tick values inside a log domain, so log axes read 1, 10, 100, ... instead of crowded minor labels. */
export function decades(domain: [number, number]): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(domain[0]) - 1e-9); e <= Math.floor(Math.log10(domain[1]) + 1e-9); e++) out.push(10 ** e);
  return out;
}

/**
 * Axis settings of a log count axis: ticks at decades labelled 10ⁿ (with Unicode superscripts, so no text layout
 * tricks are needed in SVG or PNG).
 */
export function logAxis(domain: [number, number]): Record<string, unknown> {
  const sup: [string, string][] = [
    ["-", "⁻"],
    ["0", "⁰"],
    ["1", "¹"],
    ["2", "²"],
    ["3", "³"],
    ["4", "⁴"],
    ["5", "⁵"],
    ["6", "⁶"],
    ["7", "⁷"],
    ["8", "⁸"],
    ["9", "⁹"],
  ];
  let exponent = "format(round(log(datum.value) / LN10), 'd')";
  for (const [from, to] of sup) exponent = `replace(${exponent}, regexp('${from}', 'g'), '${to}')`;
  return { values: decades(domain), labelExpr: `'10' + ${exponent}` };
}
