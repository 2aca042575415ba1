/** Vega-Lite specs for tracked runs: metric histories side by side, and a search's objective per trial and per parameter. */
import { DEFAULT_FONT, PALETTE, type VegaLiteSpec } from "../plot/index.js";

const CONFIG = { font: DEFAULT_FONT, view: { stroke: "black" }, axis: { grid: false, tickColor: "black", domainColor: "black", labelFontSize: 11, titleFontSize: 13 } };

/** One line per run of a metric's values against its step (`hepflow runs compare --plot`). */
export function metricHistoryPlot(series: Array<{ run: string; step: number; value: number }>, metric: string): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: 480,
    height: 300,
    config: CONFIG,
    background: "white",
    data: { values: series.filter((p) => Number.isFinite(p.value)) },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "value", type: "quantitative", title: metric, scale: { zero: false } },
      color: { field: "run", type: "nominal", title: "run", scale: { range: PALETTE } },
    },
  };
}

/** The objective of each trial (points) and the best so far (step line): how a search converged. */
export function objectiveVsTrialPlot(trials: Array<{ trial: number; value: number; best: number }>, objective: string, direction: "minimize" | "maximize"): VegaLiteSpec {
  const values = trials.filter((t) => Number.isFinite(t.value));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: 480,
    height: 300,
    config: CONFIG,
    background: "white",
    data: { values },
    layer: [
      { mark: { type: "point", filled: true, color: PALETTE[0], size: 40 }, encoding: { x: { field: "trial", type: "quantitative", title: "trial" }, y: { field: "value", type: "quantitative", title: objective, scale: { zero: false } } } },
      { mark: { type: "line", interpolate: "step-after", color: PALETTE[2], strokeWidth: 2 }, encoding: { x: { field: "trial", type: "quantitative" }, y: { field: "best", type: "quantitative" } } },
    ],
    title: { text: `${objective} per trial (line: best so far, ${direction})`, fontSize: 13 },
  };
}

/** The objective against each searched parameter, one panel per parameter. */
export function paramVsObjectivePlot(trials: Array<Record<string, number | string>>, params: string[], objective: string): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    config: CONFIG,
    background: "white",
    hconcat: params.map((p) => ({
      width: 260,
      height: 240,
      data: { values: trials.filter((t) => t[objective] !== undefined && Number.isFinite(Number(t[objective]))) },
      mark: { type: "point", filled: true, color: PALETTE[0], size: 40 },
      encoding: {
        x: { field: p, type: trials.every((t) => typeof t[p] === "number") ? "quantitative" : "nominal", title: p, scale: { zero: false } },
        y: { field: objective, type: "quantitative", title: objective, scale: { zero: false } },
      },
    })),
  };
}
