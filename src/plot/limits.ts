import type { ClsPoint, LimitPoint, RocCurveInput, StyleOptions } from "./types.js";
import { checkFinite } from "./validate.js";
import { paletteColour, labelLayers, manualLegend, resolveStyle, topLevel, type Style } from "./style.js";
import type { VegaLiteSpec } from "./render.js";
import { HepflowError } from "../util/index.js";

const GREEN = "#00cc00";
const YELLOW = "#ffcc00";

/** Layers of a Brazil band: ±2σ yellow and ±1σ green areas, dashed expected median, solid observed with points. */
function brazilLayers(rows: Record<string, number>[], x: Record<string, unknown>, y: Record<string, unknown>): Record<string, unknown>[] {
  return [
    { data: { values: rows }, mark: { type: "area", color: YELLOW, opacity: 1, clip: true }, encoding: { x, y: { field: "m2", ...y }, y2: { field: "p2" } } },
    { data: { values: rows }, mark: { type: "area", color: GREEN, opacity: 1, clip: true }, encoding: { x, y: { field: "m1", type: "quantitative" }, y2: { field: "p1" } } },
    { data: { values: rows }, mark: { type: "line", color: "black", strokeDash: [6, 4], strokeWidth: 2, clip: true }, encoding: { x, y: { field: "med", type: "quantitative" } } },
    { data: { values: rows }, mark: { type: "line", color: "black", strokeWidth: 2, point: { filled: true, size: 25, color: "black" }, clip: true }, encoding: { x, y: { field: "obs", type: "quantitative" } } },
  ];
}

function brazilLegend(what: string, width: number, style: Style): Record<string, unknown>[] {
  return manualLegend(
    [
      { label: `Observed ${what}`, color: "black", kind: "line" },
      { label: `Expected ${what}`, color: "black", kind: "dashed" },
      { label: "Expected ±1σ", color: GREEN, kind: "box" },
      { label: "Expected ±2σ", color: YELLOW, kind: "box" },
    ],
    width,
    style,
  );
}

/** Options of the CLs scan plot. */
export interface ClsOptions extends StyleOptions {
  poiTitle?: string;
  /** Confidence level of the horizontal line; default 0.95 (drawn at CLs = 0.05). */
  cl?: number;
  logY?: boolean;
}

/** CLs versus the POI with expected ±1σ/±2σ Brazil band and the red line at 1 − CL; the crossing is the upper limit. */
export function clsPlot(points: ClsPoint[], options: ClsOptions = {}): VegaLiteSpec {
  if (points.length < 2) throw new HepflowError("PLOT_EMPTY_SCAN", `CLs scan needs at least 2 points, got ${points.length}`);
  points.forEach((p) => {
    if (p.clsExp.length !== 5) throw new HepflowError("PLOT_BAD_SCAN", `CLs point at POI ${p.poi} has ${p.clsExp.length} expected values, expected 5 (−2σ..+2σ)`);
    checkFinite([p.poi, p.clsObs, ...p.clsExp], `CLs point at POI ${p.poi}`);
  });
  const style = resolveStyle(options);
  const sorted = [...points].sort((a, b) => a.poi - b.poi);
  const log = options.logY ?? false;
  const floor = log ? Math.max(1e-6, Math.min(...sorted.flatMap((p) => [p.clsObs, ...p.clsExp]).filter((v) => v > 0)) / 2) : 0;
  const clamp = (v: number) => Math.max(v, floor);
  // Expected bands are ordered −2σ..+2σ in POI-quantile terms; min/max make the band drawable whichever way CLs runs.
  const rows = sorted.map((p) => {
    const [m2, m1, med, p1, p2] = p.clsExp;
    // clamp is monotonic, so it commutes with min and max
    return { x: p.poi, m2: clamp(Math.min(m2, p2)), m1: clamp(Math.min(m1, p1)), med: clamp(med), p1: clamp(Math.max(m1, p1)), p2: clamp(Math.max(m2, p2)), obs: clamp(p.clsObs) };
  });
  const cl = options.cl ?? 0.95;
  const x = { field: "x", type: "quantitative", scale: { domain: [Math.min(...sorted.map((p) => p.poi)), Math.max(...sorted.map((p) => p.poi))], nice: false, zero: false }, title: options.poiTitle ?? "μ" };
  const y = { type: "quantitative", scale: { type: log ? "log" : "linear", domain: [log ? floor : 0, log ? 1.5 : 1.1], nice: false }, title: "CLs" };
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      ...brazilLayers(rows, x, y),
      { data: { values: [{ y: 1 - cl }] }, mark: { type: "rule", color: "#d00000", strokeWidth: 1.5 }, encoding: { y: { field: "y", type: "quantitative" } } },
      {
        data: { values: [{ y: 1 - cl, t: `${Math.round(cl * 100)}% CL` }] },
        mark: { type: "text", color: "#d00000", align: "right", baseline: "bottom", dy: -3, fontSize: 12 },
        encoding: { y: { field: "y", type: "quantitative" }, x: { value: style.width - 4 }, text: { field: "t" } },
      },
      ...brazilLegend("CLs", style.width, style),
      ...labelLayers(style, style.width),
    ],
  });
}

/** Options of the exclusion-limit plot. */
export interface LimitOptions extends StyleOptions {
  xTitle?: string;
  yTitle?: string;
  logY?: boolean;
  /** Draw a horizontal line here (e.g. 1 for μ = 1 exclusion). */
  reference?: number;
}

/** Upper limit on the POI versus a signal parameter (e.g. mass), observed over the expected Brazil band. */
export function limitPlot(points: LimitPoint[], options: LimitOptions = {}): VegaLiteSpec {
  if (points.length < 2) throw new HepflowError("PLOT_EMPTY_SCAN", `limit plot needs at least 2 points, got ${points.length}`);
  points.forEach((p) => {
    if (p.expected.length !== 5) throw new HepflowError("PLOT_BAD_SCAN", `limit point at ${p.x} has ${p.expected.length} expected values, expected 5`);
    checkFinite([p.x, p.observed, ...p.expected], `limit point at ${p.x}`);
  });
  const style = resolveStyle(options);
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const rows = sorted.map((p) => ({ x: p.x, m2: p.expected[0], m1: p.expected[1], med: p.expected[2], p1: p.expected[3], p2: p.expected[4], obs: p.observed }));
  const log = options.logY ?? false;
  const values = sorted.flatMap((p) => [p.observed, ...p.expected]);
  if (log && values.some((v) => v <= 0)) throw new HepflowError("PLOT_BAD_SCAN", "limits must be positive for a log y axis");
  const max = Math.max(...values, options.reference ?? 0);
  const min = Math.min(...values);
  const domain = log ? [10 ** Math.floor(Math.log10(min)), 10 ** Math.ceil(Math.log10(max) + 0.3)] : [0, max * 1.35];
  const x = { field: "x", type: "quantitative", scale: { domain: [Math.min(...sorted.map((p) => p.x)), Math.max(...sorted.map((p) => p.x))], nice: false, zero: false }, title: options.xTitle ?? "m [GeV]" };
  const y = { type: "quantitative", scale: { type: log ? "log" : "linear", domain, nice: false }, title: options.yTitle ?? "95% CL upper limit on μ" };
  const layers = [...brazilLayers(rows, x, y), ...brazilLegend("limit", style.width, style), ...labelLayers(style, style.width)];
  if (options.reference !== undefined) {
    layers.splice(4, 0, { data: { values: [{ y: options.reference }] }, mark: { type: "rule", color: "#d00000", strokeWidth: 1.5 }, encoding: { y: { field: "y", type: "quantitative" } } });
  }
  return topLevel(style, { width: style.width, height: style.height, layer: layers });
}

/** Options of the ROC plot. */
export interface RocOptions extends StyleOptions {
  /** Plot background rejection 1/ε_B on a log axis instead of ε_B. */
  rejection?: boolean;
}

/** ROC curves (signal efficiency on x, background efficiency or rejection on y) with the random-guess diagonal. */
export function rocPlot(curves: RocCurveInput[], options: RocOptions = {}): VegaLiteSpec {
  if (curves.length === 0) throw new HepflowError("PLOT_EMPTY_SCAN", "ROC plot needs at least one curve");
  const labels = curves.map((c, i) => c.label ?? `curve ${i + 1}`);
  const rejection = options.rejection ?? false;
  const rows = curves.flatMap((c, k) => {
    if (c.signalEfficiency.length !== c.backgroundEfficiency.length || c.signalEfficiency.length < 2) {
      throw new HepflowError("PLOT_BAD_SCAN", `ROC curve '${labels[k]}' needs ≥2 points and equal-length efficiency arrays`);
    }
    checkFinite(c.signalEfficiency, `ROC '${labels[k]}' signal efficiency`);
    checkFinite(c.backgroundEfficiency, `ROC '${labels[k]}' background efficiency`);
    return Array.from(c.signalEfficiency, (s, i) => ({ s, b: c.backgroundEfficiency[i]!, label: labels[k] }))
      .filter((r) => !rejection || r.b > 0)
      .map((r) => ({ ...r, y: rejection ? 1 / r.b : r.b }))
      .sort((a, b) => a.s - b.s);
  });
  const style = resolveStyle(options, { width: 360, height: 360 });
  const ys = rows.map((r) => r.y);
  const yScale = rejection ? { type: "log", domain: [1, 10 ** Math.ceil(Math.log10(Math.max(10, ...ys)))], nice: false } : { domain: [0, 1], nice: false };
  const layers: Record<string, unknown>[] = [];
  if (!rejection) {
    layers.push({
      data: {
        values: [
          { s: 0, y: 0 },
          { s: 1, y: 1 },
        ],
      },
      mark: { type: "line", color: "#888", strokeDash: [4, 4] },
      encoding: { x: { field: "s", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
    });
  }
  layers.push(
    {
      data: { values: rows },
      mark: { type: "line", strokeWidth: 2, clip: true },
      encoding: {
        x: { field: "s", type: "quantitative", scale: { domain: [0, 1], nice: false }, title: "Signal efficiency" },
        y: { field: "y", type: "quantitative", scale: yScale, title: rejection ? "Background rejection 1/ε_B" : "Background efficiency" },
        color: {
          field: "label",
          type: "nominal",
          scale: { domain: labels, range: labels.map((_, i) => paletteColour(i)) },
          legend: { title: null, orient: rejection ? "top-right" : "top-left", fillColor: "white", padding: 6, symbolType: "stroke" },
        },
        order: { field: "s" },
      },
    },
    ...labelLayers(style, style.width),
  );
  return topLevel(style, { width: style.width, height: style.height, layer: layers });
}

/** Options of the likelihood-scan plot. */
export interface ScanOptions extends StyleOptions {
  /** x-axis title: the scanned parameter. */
  xTitle?: string;
}

/**
 * A 1D profile-likelihood scan: Δ(−2 ln L) against the parameter, with the 1σ and 2σ levels (Δ = 1 and 4 for
 * one parameter, Wilks) drawn as dashed lines so the intervals read off where the curve crosses them.
 */
export function scanPlot(x: ArrayLike<number>, delta: ArrayLike<number>, options: ScanOptions = {}): VegaLiteSpec {
  if (x.length < 2 || x.length !== delta.length) throw new HepflowError("PLOT_EMPTY_SCAN", `a scan plot needs at least 2 points with one Δ(−2 ln L) each, got ${x.length} and ${delta.length}`);
  const rows = Array.from(x, (v, i) => ({ x: v, y: delta[i]! }));
  checkFinite(
    rows.flatMap((r) => [r.x, r.y]),
    "scan point",
  );
  const style = resolveStyle(options);
  const top = Math.max(5, ...rows.map((r) => r.y)) * 1.15;
  const xs = rows.map((r) => r.x);
  const xEnc = { field: "x", type: "quantitative", scale: { domain: [Math.min(...xs), Math.max(...xs)], nice: false, zero: false }, title: options.xTitle ?? "parameter" };
  const yEnc = { field: "y", type: "quantitative", scale: { domain: [0, top], nice: false }, title: "Δ(−2 ln L)" };
  const levels = [
    { y: 1, t: "1σ" },
    { y: 4, t: "2σ" },
  ];
  const layers: Record<string, unknown>[] = [
    { data: { values: levels }, mark: { type: "rule", color: "#888888", strokeDash: [5, 4], strokeWidth: 1 }, encoding: { y: { field: "y", type: "quantitative" } } },
    {
      data: { values: levels },
      mark: { type: "text", align: "right", baseline: "bottom", dx: -4, dy: -2, fontSize: 12, font: style.font },
      encoding: { x: { value: style.width }, y: { field: "y", type: "quantitative" }, text: { field: "t" } },
    },
    { data: { values: rows }, mark: { type: "line", color: "black", strokeWidth: 1.5, interpolate: "monotone" }, encoding: { x: xEnc, y: yEnc } },
    { data: { values: rows }, mark: { type: "point", filled: true, color: "black", size: 24, opacity: 1 }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
    ...labelLayers(style, style.width),
  ];
  return topLevel(style, { width: style.width, height: style.height, layer: layers });
}
