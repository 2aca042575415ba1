/**
 * Classifier training plots: the overtraining check (train score distributions as filled areas,
 * test as points, both normalised), the learning curve and feature importances.
 */
import type { StyleOptions } from "./types.js";
import { checkFinite } from "./validate.js";
import { countDomain, logAxis } from "./panels.js";
import { PALETTE, labelLayers, manualLegend, resolveStyle, topLevel } from "./style.js";
import type { VegaLiteSpec } from "./render.js";
import { HepflowError } from "../util/index.js";

/** Score counts per bin of signal and background on one split. */
export interface ScoreCounts {
  signal: ArrayLike<number>;
  background: ArrayLike<number>;
}

export interface ScoreDistributionOptions extends StyleOptions {
  logY?: boolean;
  xTitle?: string;
}

const SIG = PALETTE[0],
  BKG = PALETTE[2];

/**
 * Classifier output of signal and background, training split as filled areas and test split as
 * points with √N error bars, each normalised to unit area: where the test points leave the train
 * areas the model has learnt fluctuations of the training sample.
 */
export function scoreDistributionPlot(edges: ArrayLike<number>, train: ScoreCounts, test: ScoreCounts, options: ScoreDistributionOptions = {}): VegaLiteSpec {
  const nb = edges.length - 1;
  if (nb < 1) throw new HepflowError("PLOT_EMPTY_HIST", "score distribution needs at least one bin");
  for (const [what, c] of [
    ["train", train],
    ["test", test],
  ] as const) {
    for (const k of ["signal", "background"] as const) {
      if (c[k].length !== nb) throw new HepflowError("PLOT_BAD_HIST", `${what} ${k} has ${c[k].length} bins, edges give ${nb}`);
      checkFinite(c[k], `${what} ${k} score counts`);
    }
  }
  const density = (v: ArrayLike<number>) => {
    const s = Array.from(v).reduce((a, b) => a + b, 0) || 1;
    return Array.from(v, (x, i) => ({ y: x / s / (edges[i + 1]! - edges[i]!), e: Math.sqrt(x) / s / (edges[i + 1]! - edges[i]!) }));
  };
  const area = (v: ArrayLike<number>, label: string) => {
    const d = density(v);
    return [...d.map((p, i) => ({ x: edges[i]!, y: p.y, label })), { x: edges[nb]!, y: d[nb - 1]!.y, label }];
  };
  const points = (v: ArrayLike<number>, label: string) => density(v).map((p, i) => ({ x: 0.5 * (edges[i]! + edges[i + 1]!), y: p.y, lo: p.y - p.e, hi: p.y + p.e, label }));
  const log = options.logY ?? true;
  const trainRows = [...area(train.background, "bkg"), ...area(train.signal, "sig")];
  const testRows = [...points(test.background, "bkg"), ...points(test.signal, "sig")].filter((r) => !log || r.y > 0);
  const domain = countDomain(
    [...trainRows, ...testRows].map((r) => r.y),
    log,
    [...trainRows, ...testRows].map((r) => r.y).filter((y) => y > 0),
  );
  // an error bar reaching zero ends at the frame on a log axis instead of running off to −∞
  if (log) for (const r of testRows) r.lo = Math.max(r.lo, domain[0]);
  const style = resolveStyle(options);
  const x = { field: "x", type: "quantitative", scale: { domain: [edges[0]!, edges[nb]!], nice: false }, title: options.xTitle ?? "Classifier output" };
  const y = { field: "y", type: "quantitative", scale: { type: log ? "log" : "linear", domain, nice: false }, title: "Fraction / bin width", axis: log ? logAxis(domain) : { format: "~g" } };
  const color = { field: "label", type: "nominal", scale: { domain: ["sig", "bkg"], range: [SIG, BKG] }, legend: null };
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      { data: { values: trainRows }, mark: { type: "area", interpolate: "step-after", opacity: 0.3, clip: true, line: { strokeWidth: 1.2 } }, encoding: { x, y: { ...y, stack: null }, color, detail: { field: "label" } } },
      { data: { values: testRows }, mark: { type: "rule", strokeWidth: 1.2, clip: true }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color } },
      { data: { values: testRows }, mark: { type: "point", filled: true, size: 22, opacity: 1, clip: true }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color } },
      ...manualLegend(
        [
          { label: "Signal (train)", color: SIG, kind: "box" },
          { label: "Background (train)", color: BKG, kind: "box" },
          { label: "Signal (test)", color: SIG, kind: "point" },
          { label: "Background (test)", color: BKG, kind: "point" },
        ],
        style.width,
        style,
        "left",
      ),
      ...labelLayers(style, style.width),
    ],
  });
}

export interface LearningCurveOptions extends StyleOptions {
  /** "round" (boosting) or "epoch" (network): the x-axis title. */
  unit?: "round" | "epoch";
  /** 0-based index of the kept model, marked with a dashed line. */
  best?: number;
  yTitle?: string;
}

/** Training and validation loss per boosting round or epoch, with the kept (early-stopped) model marked. */
export function learningCurvePlot(trainLoss: ArrayLike<number>, validLoss: ArrayLike<number>, options: LearningCurveOptions = {}): VegaLiteSpec {
  if (trainLoss.length < 1) throw new HepflowError("PLOT_EMPTY_SCAN", "learning curve needs at least one point");
  checkFinite(trainLoss, "training loss");
  checkFinite(validLoss, "validation loss");
  const rows = [...Array.from(trainLoss, (v, i) => ({ x: i + 1, y: v, label: "Training" })), ...Array.from(validLoss, (v, i) => ({ x: i + 1, y: v, label: "Validation" }))];
  const ys = rows.map((r) => r.y),
    lo = Math.min(...ys),
    hi = Math.max(...ys),
    pad = 0.05 * (hi - lo || hi || 1);
  const style = resolveStyle(options);
  const labels = validLoss.length ? ["Training", "Validation"] : ["Training"];
  const layers: Record<string, unknown>[] = [
    {
      data: { values: rows },
      mark: { type: "line", strokeWidth: 2, clip: true },
      encoding: {
        x: { field: "x", type: "quantitative", scale: { domain: [1, Math.max(2, trainLoss.length)], nice: false }, title: options.unit === "epoch" ? "Epoch" : "Boosting round" },
        y: { field: "y", type: "quantitative", scale: { domain: [lo - pad, hi + pad], nice: false, zero: false }, title: options.yTitle ?? "Log-loss" },
        color: { field: "label", type: "nominal", scale: { domain: labels, range: [PALETTE[0], PALETTE[1]] }, legend: null },
      },
    },
    ...manualLegend(
      [
        { label: "Training", color: PALETTE[0], kind: "line" as const },
        ...(validLoss.length ? [{ label: "Validation", color: PALETTE[1], kind: "line" as const }] : []),
        ...(options.best !== undefined ? [{ label: "Kept model", color: "#888888", kind: "dashed" as const }] : []),
      ],
      style.width,
      style,
    ),
  ];
  if (options.best !== undefined) layers.splice(0, 0, { data: { values: [{ x: options.best + 1 }] }, mark: { type: "rule", color: "#888888", strokeDash: [6, 4] }, encoding: { x: { field: "x", type: "quantitative" } } });
  layers.push(...labelLayers(style, style.width));
  return topLevel(style, { width: style.width, height: style.height, layer: layers });
}

export interface ImportanceOptions extends StyleOptions {
  xTitle?: string;
}

/** Feature importances as horizontal bars, largest on top. */
export function importancePlot(importance: Record<string, number>, options: ImportanceOptions = {}): VegaLiteSpec {
  const rows = Object.entries(importance)
    .map(([feature, value]) => ({ feature, value }))
    .sort((a, b) => b.value - a.value);
  if (rows.length === 0) throw new HepflowError("PLOT_EMPTY_HIST", "importance plot needs at least one feature");
  checkFinite(
    rows.map((r) => r.value),
    "importance",
  );
  const style = resolveStyle(options, { width: 400, height: Math.max(120, 22 * rows.length) });
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", color: PALETTE[0], height: { band: 0.7 } },
        encoding: {
          y: { field: "feature", type: "nominal", sort: rows.map((r) => r.feature), title: null },
          x: { field: "value", type: "quantitative", title: options.xTitle ?? "Importance", scale: { zero: true } },
        },
      },
      ...labelLayers(style, style.width),
    ],
  });
}
