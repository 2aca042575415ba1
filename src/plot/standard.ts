import { path } from "#util/fs";
import type { FitResult, Impact, Pull, UpperLimitResult } from "../stats/index.js";
import { clsPointsFromLimit, fitInputFromResult, pullsInputFromStats, rankingFromImpacts } from "./adapters.js";
import { clsPlot } from "./limits.js";
import { correlationPlot, pullsPlot, rankingPlot } from "./fit.js";
import { writePlot, type VegaLiteSpec } from "./render.js";
import type { StyleOptions } from "./types.js";

/** Whatever a stats command computed; each present piece yields its standard plot. */
export interface StandardPlotInputs {
  fit?: FitResult;
  pulls?: Pull[];
  impacts?: Impact[];
  limit?: UpperLimitResult;
  poiName?: string;
}

/**
 * The points of a root-finding limit worth drawing: its bracketing search doubles the POI up to
 * its upper bound (…, 4.7, 9.5, 19), which would squeeze the crossing into the left edge; the plot
 * ends at the first point beyond twice the largest limit (observed or expected +2σ).
 */
function limitRange<T extends { poi: number }>(points: T[], limit: UpperLimitResult): T[] {
  if (limit.method !== "root") return points; // a scan grid the user chose is drawn as chosen
  const largest = Math.max(limit.obs, ...limit.exp.filter(Number.isFinite));
  if (!Number.isFinite(largest) || largest <= 0) return points;
  const sorted = [...points].sort((a, b) => a.poi - b.poi);
  const end = sorted.findIndex((p) => p.poi > 2 * largest);
  const kept = end < 0 ? sorted : sorted.slice(0, end + 1);
  return kept.length >= 2 ? kept : sorted;
}

/**
 * Writes the standard plots of a stats command into `dir` (for `--plots DIR`): pulls.png, correlation.png,
 * ranking.png, cls.png — each only when its input is given. Returns the written paths.
 */
export async function writeStandardPlots(
  dir: string,
  inputs: StandardPlotInputs,
  { correlation, ...style }: StyleOptions & { correlation?: { threshold?: number; top?: number } } = {},
  format: "png" | "svg" | "vl.json" = "png",
): Promise<string[]> {
  const plots: [string, VegaLiteSpec][] = [];
  if (inputs.pulls?.some((p) => p.prefitWidth > 0)) {
    const { fit, priors } = pullsInputFromStats(inputs.pulls);
    plots.push(["pulls", pullsPlot(fit, { ...style, priors })]);
  }
  if (inputs.fit) plots.push(["correlation", correlationPlot(fitInputFromResult(inputs.fit), { ...style, ...correlation })]);
  if (inputs.impacts && inputs.impacts.length > 0) plots.push(["ranking", rankingPlot(rankingFromImpacts(inputs.impacts, inputs.pulls), { ...style, poiName: inputs.poiName })]);
  if (inputs.limit && inputs.limit.points.length >= 2) plots.push(["cls", clsPlot(limitRange(clsPointsFromLimit(inputs.limit), inputs.limit), { ...style, cl: inputs.limit.cl, poiTitle: inputs.poiName })]);
  const written: string[] = [];
  for (const [name, spec] of plots) {
    const file = path.join(dir, `${name}.${format}`);
    await writePlot(spec, file, { scale: 2 });
    written.push(file);
  }
  return written;
}
