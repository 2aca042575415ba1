/** The Draw view's engine: `hepflow draw` (expr/ draw()) on a file under the root, its partial histograms as they fill. */
import { openFile } from "../root/index.js";
import { TREE_CLASSES } from "../root/index.js";
import { draw, type DrawResult } from "../expr/index.js";
import { hist2dPlot, shapesPlot, stackPlot, variationsPlot, type Hist1D, type VegaLiteSpec } from "../plot/index.js";
import { HepflowError, onlyItem } from "../util/index.js";

/** What a Draw request asks: the options of `hepflow draw`. */
export interface DrawRequest {
  tree?: string;
  expr: string;
  where?: string;
  weight?: string;
  bins?: number;
  range?: [number, number];
  logY?: boolean;
  stepSize?: number;
}

/** A draw result as plain JSON (the shape `hepflow draw --json` prints), with the plot spec. */
export interface DrawnHistogram {
  expr: string;
  edges: number[];
  yEdges?: number[];
  values: number[];
  variances: number[];
  entries: number;
  integral: number;
  underflow: number;
  overflow: number;
  events: number;
  mean: number;
  rms: number;
  spec: VegaLiteSpec;
}

const edgesOf = (a: { bins: number; lo: number; hi: number }) => Array.from({ length: a.bins + 1 }, (_, i) => a.lo + ((a.hi - a.lo) * i) / a.bins);

/** The plot of a draw, as `hepflow draw -o x.png` draws it. */
export function drawnHistogram(h: DrawResult, logY: boolean): DrawnHistogram {
  const edges = edgesOf(h.x);
  const yEdges = h.y ? edgesOf(h.y) : undefined;
  const spec = h.y
    ? hist2dPlot({ xEdges: edges, yEdges: yEdges!, values: h.values, label: `${h.y.expr}:${h.x.expr}` }, { xTitle: h.x.expr, yTitle: h.y.expr, experiment: "none" })
    : stackPlot({ mc: [{ edges, values: h.values, variances: h.variances, label: h.x.expr }] }, { xTitle: h.x.expr, logY, experiment: "none", ratio: false });
  return {
    expr: h.y ? `${h.y.expr}:${h.x.expr}` : h.x.expr,
    edges,
    yEdges,
    values: Array.from(h.values),
    variances: Array.from(h.variances),
    entries: h.entries,
    integral: h.integral,
    underflow: h.underflow,
    overflow: h.overflow,
    events: h.events,
    mean: h.x.mean,
    rms: h.x.rms,
    spec,
  };
}

/** Runs the draw; `onPartial` sees the histogram after chunks (≤ 5 per second), the promise gives the final one. */
export async function drawFile(file: string, r: DrawRequest, onPartial: (h: DrawnHistogram, done: number, total: number) => void, signal?: AbortSignal): Promise<DrawnHistogram> {
  const f = await openFile(file);
  try {
    let treeName = r.tree;
    if (!treeName) {
      const names = [...new Set((await f.keys()).filter((k) => TREE_CLASSES.test(k.className)).map((k) => k.path))];
      treeName = onlyItem(names);
      if (treeName === undefined) throw new HepflowError("UI_BAD_REQUEST", names.length ? `the file holds several trees (${names.join(", ")}); choose one` : "the file holds no TTree or RNTuple", { file });
    }
    const tree = await f.tree(treeName);
    const h = await draw([tree], r.expr, {
      where: r.where,
      weight: r.weight,
      bins: r.bins,
      range: r.range,
      stepSize: r.stepSize ?? 100_000,
      partialIntervalMs: 150,
      onPartial: (p) => {
        if (signal?.aborted) throw new HepflowError("UI_CANCELLED", "the page closed the draw");
        onPartial(drawnHistogram(p, r.logY ?? false), p.events, tree.numEntries);
      },
    });
    return drawnHistogram(h, r.logY ?? false);
  } finally {
    await f.close();
  }
}

/** Several drawn 1D histograms in one plot: as they are (ratio to the first) or normalised to unit area. */
export function overlaySpec(hists: Array<{ label: string; edges: number[]; values: number[]; variances?: number[] }>, o: { normalise?: boolean; logY?: boolean; xTitle?: string }): VegaLiteSpec {
  const h1: Hist1D[] = hists.map((h) => ({ edges: h.edges, values: h.values, variances: h.variances, label: h.label }));
  const [first, ...others] = h1;
  if (first === undefined) throw new HepflowError("UI_BAD_REQUEST", "nothing to overlay");
  const style = { xTitle: o.xTitle ?? first.label, logY: o.logY, experiment: "none" as const };
  if (o.normalise) return shapesPlot(h1, style);
  if (others.length === 0) return stackPlot({ mc: h1 }, { ...style, ratio: false });
  return variationsPlot(first, others, style);
}
