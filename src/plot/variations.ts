import type { Hist1D, Hist1DPlotOptions } from "./types.js";
import { checkHist1D, checkSameBinning } from "./validate.js";
import { paletteColour, labelLayers, resolveStyle, topLevel } from "./style.js";
import { HIDDEN_X_AXIS, countDomain, logAxis, stepRows, xScale } from "./panels.js";
import type { VegaLiteSpec } from "./render.js";
import { HepflowError } from "../util/index.js";

const RATIO_HEIGHT = 110;

/**
 * A nominal histogram (black) with its systematic variations (coloured step lines; "down" variations dashed) and a
 * ratio panel variation/nominal centred on 1 — how a physicist checks that a systematic is sane.
 */
export function variationsPlot(nominal: Hist1D, variations: Hist1D[], options: Hist1DPlotOptions = {}): VegaLiteSpec {
  const style = resolveStyle(options);
  checkHist1D(nominal, `nominal '${nominal.label ?? "nominal"}'`);
  if (variations.length === 0) throw new HepflowError("PLOT_EMPTY_HIST", "variations plot needs at least one variation");
  variations.forEach((v, i) => {
    checkHist1D(v, `variation '${v.label ?? i}'`);
    checkSameBinning(nominal, v, `nominal vs variation '${v.label ?? i}'`);
  });
  const log = options.logY ?? false;
  const nomLabel = nominal.label ?? "nominal";
  const labels = variations.map((v, i) => v.label ?? `variation ${i + 1}`);
  const all = [nominal, ...variations];
  const lines = [...stepRows(nominal, nomLabel), ...variations.flatMap((v, i) => stepRows(v, v.label ?? `variation ${i + 1}`))];
  // checkSameBinning made every variation as long as the nominal
  const ratios = variations.flatMap((v, i) => stepRows(v, v.label ?? `variation ${i + 1}`, (y, b) => (nominal.values[b]! !== 0 ? y / nominal.values[b]! : 1)));

  const yDomain = countDomain(
    all.flatMap((h) => Array.from(h.values)),
    log,
  );
  const maxDev = Math.max(0.05, ...ratios.map((r) => Math.abs((r.y as number) - 1)));
  const half = [0.05, 0.1, 0.2, 0.3, 0.5, 1].find((s) => s >= maxDev * 1.2) ?? 1;
  const rDomain = options.ratioRange ?? [1 - half, 1 + half];

  const domain = [nomLabel, ...labels];
  const range = ["black", ...labels.map((_, i) => paletteColour(Math.floor(i / 2)))];
  // Variations usually come in up/down pairs: pairs share a colour, down is dashed.
  const dashed = domain.filter((l) => /down|dn|lo(w)?$/i.test(l));
  const color = { field: "label", type: "nominal", scale: { domain, range }, legend: { title: null, orient: "right", symbolType: "stroke" } };
  const dash = { field: "label", type: "nominal", scale: { domain, range: domain.map((l) => (dashed.includes(l) ? [6, 3] : [1, 0])) } };
  const x = { field: "x", type: "quantitative", scale: xScale(nominal.edges) };
  const line = { type: "line", interpolate: "step-after", strokeWidth: 1.8, clip: true };
  return topLevel(style, {
    vconcat: [
      {
        width: style.width,
        height: style.height,
        layer: [
          {
            data: { values: lines },
            mark: line,
            encoding: {
              x: { ...x, axis: HIDDEN_X_AXIS },
              y: { field: "y", type: "quantitative", title: options.yTitle ?? "Events / bin", scale: { type: log ? "log" : "linear", domain: yDomain, nice: false }, axis: log ? logAxis(yDomain) : { format: "~r" } },
              color,
              strokeDash: dash,
              order: { field: "order" },
              detail: { field: "label" },
            },
          },
          ...labelLayers(style, style.width),
        ],
      },
      {
        width: style.width,
        height: RATIO_HEIGHT,
        layer: [
          { data: { values: [{ one: 1 }] }, mark: { type: "rule", color: "black", strokeWidth: 1 }, encoding: { y: { field: "one", type: "quantitative" } } },
          {
            data: { values: ratios },
            mark: line,
            encoding: {
              x: { ...x, title: options.xTitle ?? nominal.label ?? "x" },
              y: { field: "y", type: "quantitative", title: options.ratioTitle ?? "Var. / nom.", scale: { domain: rDomain, nice: false, zero: false }, axis: { tickCount: 4 } },
              color,
              strokeDash: dash,
              order: { field: "order" },
              detail: { field: "label" },
            },
          },
        ],
      },
    ],
    spacing: 6,
    resolve: { scale: { x: "shared" } },
  });
}

/** Normalised shapes (unit area, divided by bin width) of several histograms overlaid, to compare distributions independent of yield. */
export function shapesPlot(hists: Hist1D[], options: Hist1DPlotOptions = {}): VegaLiteSpec {
  const style = resolveStyle(options);
  const [first] = hists;
  if (first === undefined) throw new HepflowError("PLOT_EMPTY_HIST", "shapes plot needs at least one histogram");
  hists.forEach((h, i) => checkHist1D(h, `histogram '${h.label ?? i}'`));
  hists.forEach((h, i) => checkSameBinning(first, h, `histogram '${first.label ?? 0}' vs '${h.label ?? i}'`));
  const labels = hists.map((h, i) => h.label ?? `histogram ${i + 1}`);
  const rows = hists.flatMap((h, i) => {
    const label = h.label ?? `histogram ${i + 1}`;
    const sum = Array.from(h.values).reduce((a, b) => a + b, 0);
    if (sum === 0) throw new HepflowError("PLOT_EMPTY_HIST", `histogram '${label}' has zero integral and cannot be normalised`);
    return stepRows(h, label, (v, b) => v / sum / (h.edges[b + 1]! - h.edges[b]!));
  });
  const log = options.logY ?? false;
  const yDomain = countDomain(
    rows.map((r) => r.y as number),
    log,
  );
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 1.8, clip: true },
        encoding: {
          x: { field: "x", type: "quantitative", scale: xScale(first.edges), title: options.xTitle ?? "x" },
          y: { field: "y", type: "quantitative", title: options.yTitle ?? "1/N dN/dx", scale: { type: log ? "log" : "linear", domain: yDomain, nice: false }, axis: log ? logAxis(yDomain) : { format: "~g" } },
          color: { field: "label", type: "nominal", scale: { domain: labels, range: labels.map((_, i) => paletteColour(i)) }, legend: { title: null, orient: "right", symbolType: "stroke" } },
          order: { field: "order" },
          detail: { field: "label" },
        },
      },
      ...labelLayers(style, style.width),
    ],
  });
}
