import type { RootAxis, RootHistogram } from "../root/histogram.js";
import { EdgeAxis, type Hist } from "../hist/index.js";
import type { ChannelYields, FitResult, Impact, Pull, UpperLimitResult } from "../stats/index.js";
import { HepflowError } from "../util/index.js";
import type { ClsPoint, FitResultInput, Hist1D, Hist2D, ParameterPrior, RankingEntry } from "./types.js";

/** Converters from hepflow objects and files to the plain plot inputs of types.ts. */

function rootEdges(a: RootAxis): number[] {
  if (a.edges && a.edges.length === a.nbins + 1) return Array.from(a.edges);
  return Array.from({ length: a.nbins + 1 }, (_, i) => a.xmin + ((a.xmax - a.xmin) * i) / a.nbins);
}

/** A ROOT TH1 (flow bins dropped; sumw2 as variances when stored) as a plot histogram. */
export function hist1dFromRoot(h: RootHistogram, label?: string): Hist1D {
  if (h.dimension !== 1) throw new HepflowError("PLOT_DIMENSION", `'${h.name}' is a ${h.dimension}D histogram (${h.className}); use a 1D histogram here`, { object: h.name });
  const n = h.xaxis.nbins;
  return {
    edges: rootEdges(h.xaxis),
    values: h.contents.slice(1, n + 1),
    variances: h.sumw2 && h.sumw2.length === n + 2 ? h.sumw2.slice(1, n + 1) : undefined,
    label: label ?? (h.title || h.name),
  };
}

/** A ROOT TH2 as a plot 2D histogram (x-major values, flow bins dropped). */
export function hist2dFromRoot(h: RootHistogram, label?: string): Hist2D {
  if (h.dimension !== 2 || !h.yaxis) throw new HepflowError("PLOT_DIMENSION", `'${h.name}' is not a 2D histogram (${h.className})`, { object: h.name });
  const nx = h.xaxis.nbins,
    ny = h.yaxis.nbins;
  const values = new Float64Array(nx * ny);
  // ROOT global bin = x + (nx+2)·y with flow bins at 0 and n+1.
  for (let ix = 0; ix < nx; ix++) for (let iy = 0; iy < ny; iy++) values[ix * ny + iy] = h.contents[ix + 1 + (nx + 2) * (iy + 1)]!;
  return { xEdges: rootEdges(h.xaxis), yEdges: rootEdges(h.yaxis), values, label: label ?? (h.title || h.name) };
}

/** Axis title of a ROOT histogram, used as the default x title of the CLI plots. */
export function rootAxisTitle(h: RootHistogram): string | undefined {
  return h.xaxis.title || undefined;
}

/** One entry of an AGC-style histogram JSON file: `contents` with under/overflow around `edges.length − 1` bins. */
export interface AgcHistogramJSON {
  contents: number[];
  edges: number[];
  variances?: number[];
}

/** An AGC-style JSON histogram (as in histos_1_file_per_process.json) as a plot histogram, flow bins dropped. */
export function hist1dFromAgc(h: AgcHistogramJSON, label?: string, name = label ?? "histogram"): Hist1D {
  if (!h || !Array.isArray(h.contents) || !Array.isArray(h.edges)) {
    throw new HepflowError("PLOT_BAD_INPUT", `'${name}' is not a histogram object with 'contents' and 'edges' arrays`, { object: name });
  }
  const n = h.edges.length - 1;
  const flow = h.contents.length === n + 2;
  if (!flow && h.contents.length !== n) {
    throw new HepflowError("PLOT_BAD_BINNING", `'${name}' has ${h.contents.length} contents for ${n} bins (expected ${n} or ${n + 2} with flow bins)`, { object: name });
  }
  const cut = (a: number[]) => (flow && a.length === n + 2 ? a.slice(1, n + 1) : a);
  return { edges: h.edges, values: cut(h.contents), variances: h.variances ? cut(h.variances) : undefined, label: label ?? name };
}

/** A 1D `Hist` with a numeric axis as a plot histogram (flow excluded). */
export function hist1dFromHist(h: Hist, label?: string): Hist1D {
  const axis = h.axes[0];
  if (h.rank !== 1 || !(axis instanceof EdgeAxis)) {
    throw new HepflowError("PLOT_DIMENSION", `plot needs a 1D histogram with a numeric axis; this one has ${h.rank} axes — project or pick first`);
  }
  return { edges: axis.edges, values: h.values(), variances: h.variances(), label: label ?? axis.label };
}

/** A 2D `Hist` with two numeric axes as a plot 2D histogram. */
export function hist2dFromHist(h: Hist, label?: string): Hist2D {
  const [ax, ay] = h.axes;
  if (h.rank !== 2 || !(ax instanceof EdgeAxis) || !(ay instanceof EdgeAxis)) {
    throw new HepflowError("PLOT_DIMENSION", `heat map needs a 2D histogram with numeric axes; this one has ${h.rank} axes`);
  }
  // Hist stores the first axis fastest (as ROOT does); plot 2D inputs are x-major, so transpose.
  const nx = ax.size,
    ny = ay.size;
  const v = h.values();
  const values = new Float64Array(nx * ny);
  for (let ix = 0; ix < nx; ix++) for (let iy = 0; iy < ny; iy++) values[ix * ny + iy] = v[ix + nx * iy]!;
  return { xEdges: ax.edges, yEdges: ay.edges, values, label };
}

/** A stats/ fit result as plot input; a fit without a correlation matrix (failed Hesse) gets the identity. */
export function fitInputFromResult(r: FitResult): FitResultInput {
  const n = r.parameterNames.length;
  const correlation = r.correlation ?? Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  return { parameterNames: r.parameterNames, bestfit: r.bestfit, uncertainties: r.uncertainties, correlation };
}

/** stats/ pulls (constrained parameters) as `pullsPlot` input: the fit values and each parameter's pre-fit centre/width. */
export function pullsInputFromStats(pulls: Pull[]): { fit: FitResultInput; priors: Record<string, ParameterPrior> } {
  const drawn = pulls.filter((p) => p.prefitWidth > 0);
  const priors: Record<string, ParameterPrior> = {};
  for (const p of drawn) priors[p.name] = { center: p.prefit, width: p.prefitWidth };
  const n = drawn.length;
  return {
    fit: {
      parameterNames: drawn.map((p) => p.name),
      bestfit: drawn.map((p) => p.bestfit),
      uncertainties: drawn.map((p) => p.uncertainty),
      correlation: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
    },
    priors,
  };
}

/**
 * stats/ impacts as ranking entries. Pulls come from `pulls` when given (matched by name); otherwise θ₀ = 0, Δθ = 1
 * is assumed for constrained parameters. Unconstrained ones (normfactors, shapefactors) have no pull and NaN pre-fit
 * impacts: the plot draws neither, only their post-fit impact.
 */
export function rankingFromImpacts(impacts: Impact[], pulls: Pull[] = []): RankingEntry[] {
  const byName = new Map(pulls.map((p) => [p.name, p]));
  return impacts.map((im) => {
    const p = byName.get(im.name);
    return {
      parameter: im.name,
      prefitUp: im.prefitUp,
      prefitDown: im.prefitDown,
      postfitUp: im.postfitUp,
      postfitDown: im.postfitDown,
      pull: im.constrained === false ? NaN : (p?.pull ?? im.bestfit),
      constraint: im.constrained === false ? NaN : (p?.constraint ?? im.uncertainty),
    };
  });
}

/** The hypotest points of a stats/ `upperLimit` result as CLs scan points for `clsPlot`. */
export function clsPointsFromLimit(r: UpperLimitResult): ClsPoint[] {
  return r.points.map((p) => {
    if (p.expected.length !== 5) throw new HepflowError("PLOT_BAD_SCAN", `limit scan point at μ = ${p.mu} has ${p.expected.length} expected CLs values, expected 5`);
    return { poi: p.mu, clsObs: p.cls, clsExp: p.expected as ClsPoint["clsExp"] };
  });
}

/**
 * One channel's stats/ yields as a stack: samples, data and the total's uncertainty band. A workspace
 * has no bin edges, so without `edges` the bins are numbered 0…n.
 */
export function stackFromYields(ch: ChannelYields, edges?: number[], dataLabel = "Data"): { mc: Hist1D[]; data: Hist1D; totalVariance: number[] } {
  const e = edges ?? Array.from({ length: ch.total.bins.length + 1 }, (_, i) => i);
  return {
    mc: ch.samples.map((s) => ({ edges: e, values: s.bins, label: s.name })),
    data: { edges: e, values: ch.data.bins, label: dataLabel },
    totalVariance: ch.total.binUncertainties.map((u) => u * u),
  };
}
