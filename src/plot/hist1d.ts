import type { Hist1D, Hist1DPlotOptions } from "./types.js";
import { checkHist1D, checkSameBinning } from "./validate.js";
import { paletteColour, labelLayers, resolveStyle, topLevel } from "./style.js";
import { HIDDEN_X_AXIS, countDomain, logAxis, dataRows, ratioDomain, variancesOf, xScale } from "./panels.js";
import type { VegaLiteSpec } from "./render.js";
import { HepflowError } from "../util/index.js";

const RATIO_HEIGHT = 110;
const BAND_LABEL = "Stat. unc.";

/** Input of `stackPlot`: MC processes bottom-first, optional data. */
export interface StackInput {
  /** Simulated processes, stacked in this order (first at the bottom). */
  mc: Hist1D[];
  data?: Hist1D;
  /** Replaces the MC variances for the band (e.g. post-fit total uncertainty per bin, as a variance). */
  totalVariance?: ArrayLike<number>;
  /** Legend entry of the band; default "Stat. unc.". */
  bandLabel?: string;
}

/**
 * Stacked MC by process, data as black points with Poisson (Garwood) errors, a grey MC uncertainty band, and a ratio
 * panel data/MC centred on 1 — the standard control plot of a binned analysis.
 */
export function stackPlot(input: StackInput, options: Hist1DPlotOptions = {}): VegaLiteSpec {
  const style = resolveStyle(options);
  const [ref] = input.mc;
  if (ref === undefined) throw new HepflowError("PLOT_EMPTY_HIST", "stack plot needs at least one MC histogram");
  input.mc.forEach((h, i) => checkHist1D(h, `MC histogram '${h.label ?? i}'`));
  input.mc.forEach((h, i) => checkSameBinning(ref, h, `MC '${ref.label ?? 0}' vs MC '${h.label ?? i}'`));
  if (input.data) {
    checkHist1D(input.data, "data histogram");
    checkSameBinning(input.data, ref, "data vs MC");
  }
  const labels = input.mc.map((h, i) => h.label ?? `process ${i + 1}`);
  const n = ref.values.length;
  const edges = ref.edges;
  const log = options.logY ?? false;

  const total = new Array<number>(n).fill(0);
  const variance = new Array<number>(n).fill(0);
  input.mc.forEach((h) => variancesOf(h).forEach((v, i) => (variance[i]! += v)));
  if (input.totalVariance) {
    if (input.totalVariance.length !== n) throw new HepflowError("PLOT_BAD_BINNING", `totalVariance has ${input.totalVariance.length} entries, expected ${n}`);
    for (let i = 0; i < n; i++) variance[i] = input.totalVariance[i]!;
  }
  const stack: Record<string, unknown>[] = [];
  input.mc.forEach((h, p) => {
    for (let i = 0; i < n; i++) {
      const y0 = total[i]!;
      total[i] = y0 + h.values[i]!;
      stack.push({ lo: edges[i], hi: edges[i + 1], y0, y1: total[i], label: labels[p] });
    }
  });
  const band = total
    .map((t, i) => {
      const s = Math.sqrt(Math.max(0, variance[i]!));
      return { lo: edges[i], hi: edges[i + 1], down: t - s, up: t + s, rdown: t > 0 ? 1 - s / t : NaN, rup: t > 0 ? 1 + s / t : NaN, label: input.bandLabel ?? BAND_LABEL };
    })
    .filter((r) => Number.isFinite(r.rdown) || r.up > 0);
  const data = input.data ? dataRows(input.data, input.data.label ?? "Data") : [];
  const ratio = data.map((d, i) => ({ x: d.x, y: total[i]! > 0 ? d.y / total[i]! : NaN, lo: total[i]! > 0 ? d.lo / total[i]! : NaN, hi: total[i]! > 0 ? d.hi / total[i]! : NaN })).filter((r) => Number.isFinite(r.y));

  const yDomain = countDomain([...total.map((t, i) => t + Math.sqrt(Math.max(0, variance[i]!))), ...data.map((d) => d.hi)], log, [...input.mc.flatMap((h) => Array.from(h.values)), ...data.map((d) => d.y)]);
  const floor = log ? yDomain[0] : 0;
  // Log scales cannot draw down to 0: the lowest process starts at the axis floor instead.
  for (const r of stack) if ((r.y0 as number) < floor || (r.y0 as number) === 0) r.y0 = floor;

  const dataLabel = input.data?.label ?? "Data";
  const bandOn = options.band ?? true;
  const colorDomain = [...labels.slice().reverse(), ...(bandOn ? [input.bandLabel ?? BAND_LABEL] : []), ...(input.data ? [dataLabel] : [])];
  const colorRange = [...labels.map((_, i) => paletteColour(i)).reverse(), ...(bandOn ? ["#9a9a9a"] : []), ...(input.data ? ["black"] : [])];
  const color = { field: "label", type: "nominal", scale: { domain: colorDomain, range: colorRange }, legend: { title: null, orient: "right", symbolType: "square" } };
  const x = { field: "lo", type: "quantitative", scale: xScale(edges) };
  const yScale = { type: log ? "log" : "linear", domain: yDomain, nice: false, ...(log ? {} : { zero: true }) };
  const yTitle = options.yTitle ?? "Events / bin";
  const withRatio = options.ratio ?? true;
  // without a ratio panel the main panel carries the x axis
  const mainX = withRatio ? { ...x, axis: HIDDEN_X_AXIS } : { ...x, title: options.xTitle ?? ref.label ?? "x" };

  const main: Record<string, unknown>[] = [
    {
      data: { values: stack },
      mark: { type: "rect", stroke: "black", strokeWidth: 0.4, clip: true },
      encoding: { x: mainX, x2: { field: "hi" }, y: { field: "y0", type: "quantitative", scale: yScale, title: yTitle, axis: log ? logAxis(yDomain) : { format: "~r" } }, y2: { field: "y1" }, color },
    },
    ...(bandOn
      ? [
          {
            data: { values: band.map((b) => ({ ...b, down: Math.max(b.down, floor) })) },
            mark: { type: "rect", opacity: 0.45, clip: true },
            encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" }, y: { field: "down", type: "quantitative" }, y2: { field: "up" }, color },
          },
        ]
      : []),
  ];
  if (input.data) {
    // Empty data bins where the MC is empty too carry no information; on a log axis no empty bin can be drawn.
    const shown = data.filter((d, i) => (log ? d.y > 0 : d.y > 0 || total[i]! > 0));
    main.push(
      {
        data: { values: shown.map((d) => ({ ...d, lo: Math.max(d.lo, floor) })) },
        mark: { type: "rule", color: "black", strokeWidth: 1.2, clip: true },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
      },
      { data: { values: shown }, mark: { type: "point", filled: true, size: 30, opacity: 1, clip: true }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color } },
    );
  }
  main.push(...labelLayers(style, style.width));

  const rDomain = options.ratioRange ?? ratioDomain(ratio);
  const ry = { type: "linear", domain: rDomain, nice: false, zero: false };
  const ratioLayers: Record<string, unknown>[] = [
    {
      data: { values: band.filter((b) => Number.isFinite(b.rdown)) },
      mark: { type: "rect", color: "#9a9a9a", opacity: 0.45, clip: true },
      encoding: { x: { ...x, title: options.xTitle ?? ref.label ?? "x" }, x2: { field: "hi" }, y: { field: "rdown", type: "quantitative", scale: ry, title: options.ratioTitle ?? "Data / MC", axis: { tickCount: 4 } }, y2: { field: "rup" } },
    },
    { data: { values: [{ one: 1 }] }, mark: { type: "rule", color: "black", strokeDash: [4, 3], strokeWidth: 1 }, encoding: { y: { field: "one", type: "quantitative" } } },
  ];
  if (input.data) {
    ratioLayers.push(
      { data: { values: ratio }, mark: { type: "rule", color: "black", strokeWidth: 1.2, clip: true }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
      { data: { values: ratio }, mark: { type: "point", filled: true, size: 30, color: "black", opacity: 1, clip: true }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
    );
  }
  if (!withRatio) return topLevel(style, { width: style.width, height: style.height, layer: main });
  return topLevel(style, {
    vconcat: [
      { width: style.width, height: style.height, layer: main },
      { width: style.width, height: RATIO_HEIGHT, layer: ratioLayers },
    ],
    spacing: 6,
    resolve: { scale: { x: "shared" } },
  });
}

/** One plain histogram: no ratio panel and no uncertainty band unless asked for (`ratio`, `band`), no legend. */
export function histogramPlot(h: Hist1D, options: Hist1DPlotOptions = {}): VegaLiteSpec {
  const spec = stackPlot({ mc: [h] }, { ratio: false, band: false, ...options }) as { layer?: { encoding?: { color?: { legend?: unknown } } }[] };
  for (const l of spec.layer ?? []) if (l.encoding?.color) l.encoding.color = { ...l.encoding.color, legend: null };
  return spec as VegaLiteSpec;
}

/**
 * Pre-fit or post-fit stack: the caller supplies the per-process yields of that stage (and, post-fit, the total
 * uncertainty per bin from the fit) and the plot says which stage it is in the band label and the title.
 */
export function fitStackPlot(stage: "pre-fit" | "post-fit", input: StackInput, options: Hist1DPlotOptions = {}): VegaLiteSpec {
  const bandLabel = input.bandLabel ?? (input.totalVariance ? "Total unc." : "Stat. unc.");
  const title = options.title ?? (stage === "pre-fit" ? "Pre-fit" : "Post-fit");
  return stackPlot({ ...input, bandLabel }, { ...options, title });
}
