import { readFileSync } from "node:fs";
import path from "node:path";
import { REFERENCE } from "../shared.js";
import { hist1dFromAgc } from "../../src/plot/index.js";
import type { AgcHistogramJSON, ClsPoint, FitResultInput, Hist1D, Hist2D, LimitPoint, RankingEntry } from "../../src/plot/index.js";

/** Plot inputs for the tests: AGC reference histograms plus small hand-made fit/limit inputs with known structure. */

const AGC = path.join(REFERENCE, "agc", "histos_1_file_per_process.json");
let agc: Record<string, AgcHistogramJSON> | undefined;

export function agcHist(key: string, label?: string): Hist1D {
  agc ??= JSON.parse(readFileSync(AGC, "utf8")) as Record<string, AgcHistogramJSON>;
  return hist1dFromAgc(agc[key]!, label ?? key, key);
}

export const PROCESSES: [string, string][] = [
  ["wjets", "W+jets"],
  ["single_top_s_chan", "single top s-ch."],
  ["single_top_t_chan", "single top t-ch."],
  ["single_top_tW", "tW"],
  ["ttbar", "tt̄"],
];

export function agcStack(region = "4j2b"): { mc: Hist1D[]; data: Hist1D } {
  return { mc: PROCESSES.map(([k, l]) => agcHist(`${region}_${k}`, l)), data: agcHist(`${region}_pseudodata`, "Pseudo-data") };
}

export function smallFit(): FitResultInput {
  const parameterNames = ["mu", "lumi", "btag_var_0", "btag_var_1", "pt_scale", "ttbar_norm"];
  const n = parameterNames.length;
  // A valid correlation matrix: ρ_ij = 0.6^|i−j| (positive definite), with one anticorrelated pair flipped in sign consistently.
  const sign = [1, 1, -1, 1, 1, -1];
  const correlation = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => sign[i]! * sign[j]! * 0.6 ** Math.abs(i - j)));
  return { parameterNames, bestfit: [1.05, 0.02, 0.4, -1.3, 0.1, 1.1], uncertainties: [0.08, 0.98, 0.7, 0.9, 0.5, 0.05], correlation };
}

export function smallRanking(): RankingEntry[] {
  return [
    { parameter: "btag_var_0", prefitUp: 0.04, prefitDown: -0.035, postfitUp: 0.03, postfitDown: -0.028, pull: 0.4, constraint: 0.7 },
    { parameter: "pt_scale", prefitUp: -0.06, prefitDown: 0.07, postfitUp: -0.05, postfitDown: 0.045, pull: 0.1, constraint: 0.5 },
    { parameter: "lumi", prefitUp: 0.01, prefitDown: -0.01, postfitUp: 0.01, postfitDown: -0.009, pull: 0.02, constraint: 0.98 },
    { parameter: "btag_var_1", prefitUp: 0.02, prefitDown: -0.025, postfitUp: 0.018, postfitDown: -0.02, pull: -1.3, constraint: 0.9 },
  ];
}

/** CLs(μ) shaped like an asymptotic scan: falling curves, expected bands ordered −2σ..+2σ. */
export function smallCls(): ClsPoint[] {
  return Array.from({ length: 21 }, (_, k) => {
    const mu = k * 0.15;
    const f = (s: number) => Math.exp((-mu * mu) / (2 * (0.6 + 0.2 * s) ** 2));
    return { poi: mu, clsObs: f(0.3), clsExp: [f(-2), f(-1), f(0), f(1), f(2)] as [number, number, number, number, number] };
  });
}

export function smallLimits(): LimitPoint[] {
  return [400, 500, 600, 700, 800, 900, 1000].map((m, i) => {
    const med = 0.3 * Math.exp(i * 0.35);
    return { x: m, observed: med * (1 + 0.15 * Math.sin(i)), expected: [med * 0.53, med * 0.72, med, med * 1.4, med * 1.9] as [number, number, number, number, number] };
  });
}

export function small2D(): Hist2D {
  const nx = 12,
    ny = 10;
  const values = new Float64Array(nx * ny);
  for (let ix = 0; ix < nx; ix++) for (let iy = 0; iy < ny; iy++) values[ix * ny + iy] = Math.round(100 * Math.exp(-((ix - 5) ** 2 + (iy - 4) ** 2 - 0.8 * (ix - 5) * (iy - 4)) / 8));
  return { xEdges: Array.from({ length: nx + 1 }, (_, i) => i * 25), yEdges: Array.from({ length: ny + 1 }, (_, i) => i * 20), values };
}
