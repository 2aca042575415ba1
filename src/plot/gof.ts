import type { StyleOptions } from "./types.js";
import { checkFinite } from "./validate.js";
import { labelLayers, manualLegend, resolveStyle, topLevel } from "./style.js";
import { logGamma } from "./poisson.js";
import type { VegaLiteSpec } from "./render.js";
import { HepflowError } from "../util/index.js";

/** A saturated-model goodness of fit: the statistic, its degrees of freedom and p-value (stats' `goodnessOfFit`). */
export interface GofInput {
  deltaTwiceNll: number;
  ndof: number;
  pValue: number;
}

/** The χ² density with k degrees of freedom, in logs so that large k does not overflow. */
function chi2Pdf(x: number, k: number): number {
  if (x <= 0) return k === 2 ? 0.5 : 0;
  return Math.exp((k / 2 - 1) * Math.log(x) - x / 2 - (k / 2) * Math.LN2 - logGamma(k / 2));
}

/** Three significant digits, or as many as keep a value just below 1 from printing as 1 (p = 0.99995, not 1). */
function fmt(v: number): string {
  if (!(Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6)) return v.toExponential(2);
  for (let digits = 3; digits < 8; digits++) if (Number(v.toPrecision(digits)) !== 1 || v === 1) return String(Number(v.toPrecision(digits)));
  return String(v);
}

/**
 * The observed saturated-model statistic Δ(−2 ln L) on the χ² distribution it follows asymptotically (ndof
 * degrees of freedom), the tail beyond it shaded: the shaded area is the p-value printed on the plot.
 */
export function gofPlot(g: GofInput, options: StyleOptions = {}): VegaLiteSpec {
  if (!(Number.isInteger(g.ndof) && g.ndof > 0)) throw new HepflowError("PLOT_BAD_FIT", `a goodness-of-fit plot needs a positive integer number of degrees of freedom, got ${g.ndof}`);
  checkFinite([g.deltaTwiceNll, g.pValue], "goodness of fit");
  const style = resolveStyle(options);
  const k = g.ndof;
  const obs = Math.max(g.deltaTwiceNll, 0);
  // wide enough for the bulk of χ²_k (mean k, sd √(2k)) and for the observed value
  const hi = Math.max(k + 5 * Math.sqrt(2 * k), obs * 1.15);
  // k = 1 diverges at 0: start the curve a little to the right and cap the y range at the rest of the curve
  const lo = k === 1 ? hi * 2e-3 : 0;
  const n = 200;
  const curve = Array.from({ length: n + 1 }, (_, i) => {
    const x = lo + ((hi - lo) * i) / n;
    return { x, y: chi2Pdf(x, k) };
  });
  const tail = [{ x: obs, y: chi2Pdf(Math.max(obs, lo), k) }, ...curve.filter((p) => p.x > obs)];
  const yMax = Math.max(...curve.filter((p) => k > 1 || p.x > hi * 0.02).map((p) => p.y)) * 1.25;
  const x = { field: "x", type: "quantitative", scale: { domain: [0, hi], nice: false }, title: "Δ(−2 ln L) against the saturated model" };
  const y = { field: "y", type: "quantitative", scale: { domain: [0, yMax], nice: false }, title: "probability density" };
  const text = `Δ(−2 ln L) = ${fmt(g.deltaTwiceNll)}, ndof = ${k}, p = ${fmt(g.pValue)}`;
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      { data: { values: tail }, mark: { type: "area", color: "#3f90da", opacity: 0.35, clip: true }, encoding: { x, y } },
      { data: { values: curve }, mark: { type: "line", color: "black", strokeWidth: 1.5, clip: true }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
      { data: { values: [{ x: obs }] }, mark: { type: "rule", color: "#bd1f01", strokeWidth: 2 }, encoding: { x: { field: "x", type: "quantitative" } } },
      // under the legend (three rows), where neither the curve's peak nor the observed line reaches in most fits
      { data: { values: [{}] }, mark: { type: "text", align: "right", baseline: "top", fontSize: 12, font: style.font }, encoding: { x: { value: style.width - 8 }, y: { value: 72 }, text: { value: text } } },
      ...manualLegend(
        [
          { label: `χ² (${k} dof)`, color: "black", kind: "line" },
          { label: "observed", color: "#bd1f01", kind: "line" },
          { label: "p-value", color: "#9cc5ec", kind: "box" },
        ],
        style.width,
        style,
      ),
      ...labelLayers(style, style.width),
    ],
  });
}

/** Observed and post-fit expected counts of one channel, bin by bin. */
export interface ResidualChannel {
  channel: string;
  data: ArrayLike<number>;
  expected: ArrayLike<number>;
}

/**
 * Per-bin residuals (n − ν̂)/√ν̂ of every channel side by side (Pearson residuals: their squares sum to the χ²
 * that the saturated-model statistic approximates), over ±1 (green) and ±2 (yellow) bands, channels separated by
 * dashed lines and named on the x axis. A bin with ν̂ = 0 has no residual and is not drawn.
 */
export function residualsPlot(channels: ResidualChannel[], options: StyleOptions = {}): VegaLiteSpec {
  const rows: { bin: number; r: number; channel: string }[] = [];
  const bounds: { x: number; channel: string; mid: number }[] = [];
  let offset = 0;
  for (const c of channels) {
    const nb = c.data.length;
    if (c.expected.length !== nb) throw new HepflowError("PLOT_BAD_BINNING", `channel '${c.channel}' has ${nb} data bins but ${c.expected.length} expected`);
    checkFinite(c.data, `data of ${c.channel}`);
    checkFinite(c.expected, `expectation of ${c.channel}`);
    for (let b = 0; b < nb; b++) {
      const nu = c.expected[b]!;
      if (nu > 0) rows.push({ bin: offset + b + 0.5, r: (c.data[b]! - nu) / Math.sqrt(nu), channel: c.channel });
    }
    bounds.push({ x: offset, channel: c.channel, mid: offset + nb / 2 });
    offset += nb;
  }
  if (offset === 0) throw new HepflowError("PLOT_EMPTY_HIST", "no bins to draw residuals for");
  const style = resolveStyle(options, { width: Math.min(900, Math.max(360, offset * 14)), height: 220 });
  const reach = Math.ceil(Math.max(3, ...rows.map((r) => Math.abs(r.r) + 0.5)));
  // channel names as the x-axis labels at their centres, slanted when some channel is too narrow for its name
  const pxPerBin = style.width / offset;
  const crowded = channels.some((c) => c.data.length * pxPerBin < c.channel.length * 7 + 6);
  const labelExpr = bounds.reduceRight((rest, b) => `datum.value == ${b.mid} ? ${JSON.stringify(b.channel)} : ${rest}`, "''");
  const x = {
    type: "quantitative",
    scale: { domain: [0, offset], nice: false },
    title: "bins of each channel",
    axis: { values: bounds.map((b) => b.mid), labelExpr, labelAngle: crowded ? -40 : 0, labelAlign: crowded ? "right" : "center", labelBaseline: "top", labelLimit: 160, labelOverlap: false },
  };
  const y = { type: "quantitative", scale: { domain: [-reach, reach], nice: false }, title: "(n − ν̂) / √ν̂" };
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      { data: { values: [{ lo: -2, hi: 2 }] }, mark: { type: "rect", color: "#ffdf40" }, encoding: { y: { field: "lo", ...y }, y2: { field: "hi" } } },
      { data: { values: [{ lo: -1, hi: 1 }] }, mark: { type: "rect", color: "#5cc863" }, encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
      { data: { values: [{ z: 0 }] }, mark: { type: "rule", color: "black", strokeDash: [4, 3] }, encoding: { y: { field: "z", type: "quantitative" } } },
      { data: { values: bounds.slice(1) }, mark: { type: "rule", color: "#555555", strokeDash: [6, 4] }, encoding: { x: { field: "x", ...x } } },
      { data: { values: rows }, mark: { type: "point", filled: true, color: "black", size: 30, opacity: 1 }, encoding: { x: { field: "bin", ...x }, y: { field: "r", ...y } } },
      ...labelLayers(style, style.width),
    ],
  });
}
