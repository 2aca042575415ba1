import type { FitResultInput, ParameterPrior, RankingEntry, StyleOptions } from "./types.js";
import { checkFinite } from "./validate.js";
import { PALETTE, labelLayers, resolveStyle, topLevel, uniqueLabels } from "./style.js";
import type { VegaLiteSpec } from "./render.js";
import { HepflowError, itemAt } from "../util/index.js";

const ROW = 20;

function checkFit(fit: FitResultInput): number {
  const n = fit.parameterNames.length;
  if (n === 0) throw new HepflowError("PLOT_EMPTY_FIT", "fit result has no parameters");
  if (fit.bestfit.length !== n || fit.uncertainties.length !== n) {
    throw new HepflowError("PLOT_BAD_FIT", `fit result has ${n} parameter names but ${fit.bestfit.length} best-fit values and ${fit.uncertainties.length} uncertainties`);
  }
  checkFinite(fit.bestfit, "fit best-fit values");
  checkFinite(fit.uncertainties, "fit uncertainties");
  return n;
}

/** Options of the pulls plot. */
export interface PullsOptions extends StyleOptions {
  /** Pre-fit centre and width per parameter; parameters missing here are not drawn (free parameters such as the POI). Default: every parameter with centre 0, width 1. */
  priors?: Record<string, ParameterPrior>;
  /** Parameter names to leave out (e.g. the POI, free normalisations). */
  exclude?: string[];
}

/**
 * Pulls (θ̂ − θ₀)/Δθ with constraints σ̂/Δθ as error bars, over the ±1σ (green) and ±2σ (yellow) bands: a pull far from
 * 0 or a constraint well below 1 tells the physicist that the data say more about a systematic than its prior did.
 */
export function pullsPlot(fit: FitResultInput, options: PullsOptions = {}): VegaLiteSpec {
  checkFit(fit);
  const rows: Record<string, unknown>[] = [];
  // checkFit made bestfit and uncertainties as long as parameterNames
  for (const [i, name] of fit.parameterNames.entries()) {
    if (options.exclude?.includes(name)) continue;
    const prior = options.priors ? options.priors[name] : { center: 0, width: 1 };
    if (!prior) continue;
    if (!(prior.width > 0)) throw new HepflowError("PLOT_BAD_FIT", `prior width of '${name}' is ${prior.width}; it must be positive`);
    const pull = (itemAt(fit.bestfit, i, `best fit of ${name}`, "PLOT_BAD_FIT") - prior.center) / prior.width;
    const constraint = itemAt(fit.uncertainties, i, `uncertainty of ${name}`, "PLOT_BAD_FIT") / prior.width;
    rows.push({ name, pull, lo: pull - constraint, hi: pull + constraint, constraint });
  }
  if (rows.length === 0) throw new HepflowError("PLOT_EMPTY_FIT", "no constrained parameters to draw pulls for (all excluded or without prior)");
  const style = resolveStyle(options, { width: 420, height: Math.max(120, rows.length * ROW) });
  const names = rows.map((r) => r.name as string);
  const reach = Math.max(2.5, ...rows.map((r) => Math.max(Math.abs(r.lo as number), Math.abs(r.hi as number)) + 0.3));
  const xDomain = [-Math.ceil(reach), Math.ceil(reach)];
  const x = { type: "quantitative", scale: { domain: xDomain, nice: false }, title: "(θ̂ − θ₀) / Δθ" };
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      { data: { values: [{ lo: -2, hi: 2 }] }, mark: { type: "rect", color: "#ffdf40" }, encoding: { x: { field: "lo", ...x }, x2: { field: "hi" } } },
      { data: { values: [{ lo: -1, hi: 1 }] }, mark: { type: "rect", color: "#5cc863" }, encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } } },
      { data: { values: [{ z: 0 }] }, mark: { type: "rule", color: "black", strokeDash: [4, 3] }, encoding: { x: { field: "z", type: "quantitative" } } },
      {
        data: { values: rows },
        mark: { type: "rule", color: "black", strokeWidth: 1.5 },
        encoding: { y: { field: "name", type: "nominal", sort: names, title: null, axis: { labelLimit: 320, labelFontSize: 11 } }, x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } },
      },
      { data: { values: rows }, mark: { type: "point", filled: true, color: "black", size: 36, opacity: 1 }, encoding: { y: { field: "name", type: "nominal", sort: names }, x: { field: "pull", type: "quantitative" } } },
      ...labelLayers(style, style.width),
    ],
  });
}

/** Options of the correlation matrix. */
export interface CorrelationOptions extends StyleOptions {
  /** Drop parameters whose largest off-diagonal |correlation| is below this (default 0: keep all). */
  threshold?: number;
  /** Keep at most this many parameters, those with the largest off-diagonal |correlation| (default 20). */
  top?: number;
  /** Print the coefficient in each cell; default when at most 20 parameters are shown. */
  annotate?: boolean;
}

/** Correlation matrix of fitted parameters as a red-blue heat map on [−1, 1] with optional printed coefficients. */
export function correlationPlot(fit: FitResultInput, options: CorrelationOptions = {}): VegaLiteSpec {
  const n = fit.parameterNames.length;
  if (n === 0) throw new HepflowError("PLOT_EMPTY_FIT", "fit result has no parameters");
  const c = correlationRows(fit.correlation, n);
  const threshold = options.threshold ?? 0;
  const top = options.top ?? 20;
  // a parameter's strongest correlation with any other decides whether it is shown
  const strongest = c.map((row, i) => Math.max(0, ...row.filter((_, j) => j !== i).map(Math.abs)));
  const passing = [...Array(n).keys()].filter((i) => n === 1 || strongest[i]! >= threshold);
  if (passing.length === 0) throw new HepflowError("PLOT_EMPTY_FIT", `no parameter has a correlation above ${threshold}`);
  // the top-N by strongest correlation, drawn in the fit's parameter order
  const keep =
    passing.length <= top
      ? passing
      : [...passing]
          .sort((a, b) => strongest[b]! - strongest[a]!)
          .slice(0, top)
          .sort((a, b) => a - b);
  const rule = keep.length < n ? `${keep.length} of ${n} parameters: ${threshold > 0 ? `max |ρ| ≥ ${threshold}` : ""}${threshold > 0 && passing.length > top ? ", " : ""}${passing.length > top ? `the ${top} most correlated` : ""}` : null;
  // shortened in the middle, so that staterror_SR_metsigST[1] and [2] stay distinct (Vega's own truncation keeps the start)
  const names = uniqueLabels(
    keep.map((i) => itemAt(fit.parameterNames, i, "parameter name", "PLOT_BAD_FIT")),
    30,
  );
  const label = new Map(keep.map((i, k) => [i, names[k]]));
  // correlationRows checked the matrix is n×n, and keep holds indices below n
  const rows = keep.flatMap((i) => keep.map((j) => ({ a: label.get(i), b: label.get(j), r: c[i]![j]!, text: c[i]![j]!.toFixed(2) })));
  const cell = Math.max(14, Math.min(36, Math.floor(520 / keep.length)));
  const style = resolveStyle(options, { width: cell * keep.length, height: cell * keep.length });
  const annotate = options.annotate ?? keep.length <= 20;
  const layers: Record<string, unknown>[] = [
    {
      data: { values: rows },
      mark: { type: "rect" },
      encoding: {
        x: { field: "b", type: "nominal", sort: names, title: null, axis: { labelAngle: -45, labelLimit: 0, labelFontSize: 11, orient: "bottom" } },
        y: { field: "a", type: "nominal", sort: names, title: null, axis: { labelLimit: 0, labelFontSize: 11 } },
        color: { field: "r", type: "quantitative", scale: { scheme: "redblue", reverse: true, domain: [-1, 1] }, legend: { title: "ρ", gradientLength: Math.min(300, style.height), format: ".1f" } },
      },
    },
  ];
  if (annotate) {
    layers.push({
      data: { values: rows },
      mark: { type: "text", fontSize: Math.min(11, cell / 3) },
      encoding: {
        x: { field: "b", type: "nominal", sort: names },
        y: { field: "a", type: "nominal", sort: names },
        text: { field: "text" },
        color: { condition: { test: "abs(datum.r) > 0.6", value: "white" }, value: "black" },
      },
    });
  }
  layers.push(...labelLayers(style, style.width));
  // the pruning rule is printed on the plot, so a reader knows parameters were left out
  if (rule) layers.push({ data: { values: [{}] }, mark: { type: "text", text: rule, align: "left", baseline: "bottom", fontSize: 11, fontStyle: "italic", font: style.font }, encoding: { x: { value: 0 }, y: { value: -24 } } });
  const spec = topLevel(style, { width: style.width, height: style.height, layer: layers, resolve: { scale: { color: "independent" } } });
  if (rule) (spec as { padding: { top: number } }).padding.top = 46;
  return spec;
}

/** Accepts the correlation matrix as rows or flat row-major, and checks it is n×n and finite. */
function correlationRows(corr: FitResultInput["correlation"], n: number): number[][] {
  const first = (corr as ArrayLike<unknown>)[0];
  const rows = typeof first === "number" || corr.length === 0 ? [...Array(n).keys()].map((i) => Array.from({ length: n }, (_, j) => (corr as ArrayLike<number>)[i * n + j]!)) : Array.from(corr as ArrayLike<number>[], (r) => Array.from(r));
  if (rows.length !== n || rows.some((r) => r.length !== n || r.some((v) => v === undefined))) {
    throw new HepflowError("PLOT_BAD_FIT", `correlation matrix is not ${n}×${n} for ${n} parameters`);
  }
  rows.forEach((r, i) => checkFinite(r, `correlation row ${i}`));
  return rows;
}

/** Options of the ranking plot. */
export interface RankingOptions extends StyleOptions {
  /** Show only the N highest-ranked parameters (default 20). */
  maxParameters?: number;
  /** POI name for the axis title; default "μ". */
  poiName?: string;
}

/**
 * Impact ranking: POI shifts for ±1σ pre-fit (open bars) and post-fit (filled bars) per nuisance parameter, sorted by
 * post-fit impact, with the parameter's pull and constraint on a second axis at the top.
 */
export function rankingPlot(entries: RankingEntry[], options: RankingOptions = {}): VegaLiteSpec {
  if (entries.length === 0) throw new HepflowError("PLOT_EMPTY_FIT", "ranking has no entries");
  // Unconstrained parameters (no pre-fit width) have NaN pre-fit impacts and a NaN pull: those bars and that pull are
  // left out, so a free normfactor is not drawn as if it had a unit Gaussian constraint; nothing else may be NaN.
  const unconstrained = (e: RankingEntry) => Number.isNaN(e.pull) && Number.isNaN(e.constraint);
  entries.forEach((e) => checkFinite(unconstrained(e) ? [e.postfitUp, e.postfitDown] : [e.postfitUp, e.postfitDown, e.pull, e.constraint], `ranking entry '${e.parameter}'`));
  const impact = (e: RankingEntry) => Math.max(Math.abs(e.postfitUp), Math.abs(e.postfitDown));
  const shown = [...entries].sort((a, b) => impact(b) - impact(a)).slice(0, options.maxParameters ?? 20);
  const names = shown.map((e) => e.parameter);
  const style = resolveStyle(options, { width: 420, height: Math.max(120, shown.length * ROW * 1.3) });
  const bars = shown
    .flatMap((e) => [
      { name: e.parameter, kind: "Pre-fit impact θ = θ̂ + Δθ", v: e.prefitUp, pre: true },
      { name: e.parameter, kind: "Pre-fit impact θ = θ̂ − Δθ", v: e.prefitDown, pre: true },
      { name: e.parameter, kind: "Post-fit impact θ = θ̂ + σ̂", v: e.postfitUp, pre: false },
      { name: e.parameter, kind: "Post-fit impact θ = θ̂ − σ̂", v: e.postfitDown, pre: false },
    ])
    .filter((b) => Number.isFinite(b.v))
    .map((b) => ({ ...b, zero: 0 }));
  const pulls = shown.filter((e) => !unconstrained(e)).map((e) => ({ name: e.parameter, pull: e.pull, lo: e.pull - e.constraint, hi: e.pull + e.constraint, kind: "Pull" }));
  const maxImpact = Math.max(1e-12, ...bars.map((b) => Math.abs(b.v))) * 1.1;
  const reach = Math.max(2, ...pulls.map((p) => Math.max(Math.abs(p.lo), Math.abs(p.hi))));
  const kinds = ["Pre-fit impact θ = θ̂ + Δθ", "Pre-fit impact θ = θ̂ − Δθ", "Post-fit impact θ = θ̂ + σ̂", "Post-fit impact θ = θ̂ − σ̂", "Pull"];
  // Pre-fit bars are light and wide, post-fit bars dark and narrow on top, so both stay visible.
  const colors = ["#a9cbee", "#f0a99c", PALETTE[0], PALETTE[2], "black"];
  const color = { field: "kind", type: "nominal", scale: { domain: kinds, range: colors }, legend: { title: null, orient: "bottom", columns: 2, symbolType: "square", labelLimit: 300 } };
  const y = { field: "name", type: "nominal", sort: names, title: null, axis: { labelLimit: 320, labelFontSize: 11 } };
  const poi = options.poiName ?? "μ";
  return topLevel(style, {
    width: style.width,
    height: style.height,
    layer: [
      {
        layer: [
          { data: { values: [{ z: 0 }] }, mark: { type: "rule", color: "#666" }, encoding: { x: { field: "z", type: "quantitative", scale: { domain: [-maxImpact, maxImpact], nice: false }, title: `Δ${poi}` } } },
          { data: { values: bars.filter((b) => b.pre) }, mark: { type: "bar", height: { band: 0.8 } }, encoding: { y, x: { field: "zero", type: "quantitative" }, x2: { field: "v" }, color } },
          { data: { values: bars.filter((b) => !b.pre) }, mark: { type: "bar", height: { band: 0.45 } }, encoding: { y, x: { field: "zero", type: "quantitative" }, x2: { field: "v" }, color } },
        ],
      },
      {
        layer: [
          {
            data: { values: pulls },
            mark: { type: "rule", color: "black", strokeWidth: 1.5 },
            encoding: { y, x: { field: "lo", type: "quantitative", scale: { domain: [-reach, reach], nice: false }, axis: { orient: "top", title: "(θ̂ − θ₀) / Δθ", titlePadding: 4 } }, x2: { field: "hi" } },
          },
          { data: { values: pulls }, mark: { type: "point", filled: true, size: 36, opacity: 1 }, encoding: { y, x: { field: "pull", type: "quantitative" }, color } },
        ],
      },
    ],
    resolve: { scale: { x: "independent" } },
    padding: { left: 10, right: 15, top: 10, bottom: 10 },
  });
}
