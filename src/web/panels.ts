/**
 * The Fits, Tracking and Workflows views' data, as plot-layer Vega-Lite specs and plain tables:
 * a workspace is fitted here (and scanned for CLs), a fit result JSON (`hepflow fit --json`) is
 * drawn as it is; runs come from the tracking store; a workflow run from its state file.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { clsPlot, clsPointsFromLimit, correlationPlot, fitInputFromResult, fitStackPlot, pullsInputFromStats, pullsPlot, rankingFromImpacts, rankingPlot, stackFromYields, type FitResultInput, type VegaLiteSpec } from "../plot/index.js";
import { HepflowError, itemAt } from "../util/index.js";

export interface FitView {
  kind: "workspace" | "fit-result";
  parameters: Array<{ name: string; bestfit: number; uncertainty: number }>;
  twiceNll?: number;
  converged?: boolean;
  poi?: string | null;
  limit?: { observed: number; expected: number[] };
  plots: Array<{ title: string; spec: VegaLiteSpec }>;
  /** Impacts on the POI (as `hepflow ranking --json`), largest post-fit impact first; absent when not computed. */
  ranking?: Array<{ name: string; prefitUp: number | null; prefitDown: number | null; postfitUp: number; postfitDown: number; constrained: boolean }>;
  /** Per channel and stage: samples' and data's bin contents of the stacks (as `hepflow yields --json`). */
  yields?: Array<{ stage: "pre-fit" | "post-fit"; channel: string; samples: Array<{ name: string; bins: number[] }>; data: number[] }>;
  notes: string[];
}

/** Above this many parameters the page does not refit for the ranking by itself (4 fits each): `hepflow ranking` does. */
export const RANKING_MAX_PARAMETERS = 30;

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new HepflowError("UI_BAD_INPUT", `not readable JSON: ${(e as Error).message}`, { file });
  }
}

/** A pyhf workspace (fitted, pulls, correlations, CLs scan of the POI) or a `hepflow fit --json` result (pulls against unit priors, correlations). */
export async function fitView(file: string, o: { cls?: boolean; ranking?: boolean } = {}): Promise<FitView> {
  const j = readJson(file);
  if (Array.isArray(j.channels) && Array.isArray(j.measurements)) {
    const stats = await import("../stats/index.js");
    const ws = stats.loadWorkspace(file);
    const model = ws.model();
    const data = ws.data(model);
    const r = stats.fit(data, model);
    const p = pullsInputFromStats(stats.pulls(model, r));
    const plots: FitView["plots"] = [];
    if (p.fit.parameterNames.length) plots.push({ title: "Pulls", spec: pullsPlot(p.fit, { priors: p.priors, experiment: "none" }) });
    plots.push({ title: "Correlations", spec: correlationPlot(fitInputFromResult(r), { experiment: "none", top: 20 }) });
    const notes: string[] = [];
    // the stacks of `hepflow yields --plots` (bins numbered: a workspace has no bin edges)
    const yields: NonNullable<FitView["yields"]> = [];
    const post = r.converged && r.correlation ? stats.postfitYields(model, data, r) : null;
    if (!post) notes.push("no post-fit stacks: the fit did not converge or its Hessian is not invertible");
    for (const [stage, tables] of [
      ["pre-fit", stats.prefitYields(model, data)],
      ["post-fit", post ?? []],
    ] as const) {
      for (const ch of tables) {
        plots.push({ title: `${stage === "pre-fit" ? "Pre-fit" : "Post-fit"} ${ch.channel}`, spec: fitStackPlot(stage, stackFromYields(ch), { xTitle: "bin", title: `${stage} ${ch.channel}`, experiment: "none" }) });
        yields.push({ stage, channel: ch.channel, samples: ch.samples.map((x) => ({ name: x.name, bins: Array.from(x.bins) })), data: Array.from(ch.data.bins) });
      }
    }
    // the ranking of `hepflow ranking --plots`: four refits per parameter, so only for models of modest size
    let ranked: FitView["ranking"];
    const nParams = r.parameterNames.length - 1;
    if (o.ranking === false) notes.push("ranking not computed (ranking=0)");
    else if (!model.config.poiName || !r.converged) notes.push("no ranking: it needs a POI and a converged fit");
    else if (nParams > RANKING_MAX_PARAMETERS) notes.push(`no ranking: ${nParams} parameters need ${4 * nParams} refits (more than ${RANKING_MAX_PARAMETERS} parameters: run hepflow ranking --plots)`);
    else {
      const rk = stats.ranking(model, data, { result: r });
      const pullsOf = stats.pulls(model, r);
      plots.push({ title: "Ranking (impacts on the POI)", spec: rankingPlot(rankingFromImpacts(rk.impacts, pullsOf), { poiName: rk.poi, maxParameters: 20, experiment: "none" }) });
      const fin = (v: number) => (Number.isFinite(v) ? v : null);
      ranked = rk.impacts.map((x) => ({ name: x.name, prefitUp: fin(x.prefitUp), prefitDown: fin(x.prefitDown), postfitUp: x.postfitUp, postfitDown: x.postfitDown, constrained: x.constrained }));
    }
    let limit: FitView["limit"];
    if (o.cls !== false && model.config.poiName) {
      const i = model.config.poiIndex;
      const bound = i === null ? undefined : model.config.suggestedBounds()[i];
      const [best, sigma] = i === null ? [] : [r.bestfit[i], r.uncertainties[i]];
      if (!bound || best === undefined || sigma === undefined) throw new HepflowError("UI_BAD_INPUT", `the fit has no value for the parameter of interest ${model.config.poiName}`, { file });
      // the scan reaches five post-fit standard deviations above the best fit, where CLs is far below 0.05
      const reach = Math.max(0, best) + 5 * sigma;
      const hi = Math.min(bound[1], Number.isFinite(reach) && reach > 0 ? reach : 1);
      const lim = stats.upperLimit(data, model, { method: "scan", scan: Array.from({ length: 21 }, (_, i) => (hi * i) / 20) });
      limit = { observed: lim.obs, expected: lim.exp };
      plots.push({ title: "CLs scan", spec: clsPlot(clsPointsFromLimit(lim), { poiTitle: model.config.poiName, experiment: "none" }) });
    }
    return {
      kind: "workspace",
      parameters: r.parameterNames.map((name, i) => ({ name, bestfit: itemAt(r.bestfit, i, `best fit of ${name}`, "UI_BAD_INPUT", { file }), uncertainty: r.uncertainties[i] ?? NaN })),
      twiceNll: r.twiceNll,
      converged: r.converged,
      poi: model.config.poiName,
      limit,
      plots,
      ranking: ranked,
      yields,
      notes,
    };
  }
  if (Array.isArray(j.parameters) && j.bestfit && typeof j.bestfit === "object") {
    const names = j.parameters as string[];
    const best = j.bestfit as Record<string, number>,
      unc = (j.uncertainties ?? {}) as Record<string, number>;
    // a result file written by hand or by another tool may name a parameter it gives no value for
    const parameters = names.map((name) => {
      const v = best[name];
      if (typeof v !== "number") throw new HepflowError("UI_BAD_INPUT", `parameter "${name}" is listed but has no numeric bestfit`, { file, object: `bestfit.${name}` });
      return { name, bestfit: v, uncertainty: unc[name] ?? NaN };
    });
    const n = names.length;
    const corr = Array.isArray(j.correlation) ? (j.correlation as number[][]) : Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, k) => (i === k ? 1 : 0)));
    const fit: FitResultInput = { parameterNames: names, bestfit: parameters.map((p) => p.bestfit), uncertainties: parameters.map((p) => p.uncertainty), correlation: corr };
    const poi = typeof j.poi === "string" ? j.poi : null;
    const plots: FitView["plots"] = [
      // a result file has no priors: constrained parameters are taken as centred on 0 with unit width (normsys/histosys)
      { title: "Pulls (priors assumed 0 ± 1)", spec: pullsPlot(fit, { exclude: poi ? [poi] : [], experiment: "none" }) },
      { title: "Correlations", spec: correlationPlot(fit, { experiment: "none", top: 20 }) },
    ];
    return {
      kind: "fit-result",
      parameters,
      twiceNll: j.twice_nll as number,
      converged: j.converged as boolean,
      poi,
      plots,
      notes: ["a fit result holds no model: ranking and stacks need the workspace"],
    };
  }
  throw new HepflowError("UI_BAD_INPUT", "neither a pyhf workspace (channels, measurements) nor a fit result (hepflow fit --json)", { file });
}

/** Runs of the tracking store (none when it does not exist yet: the app never creates one). */
export async function trackingRuns(dir: string, filter?: string): Promise<{ store: string; runs: unknown[] }> {
  if (!existsSync(dir)) return { store: dir, runs: [] };
  const { TrackingStore } = await import("../tracking/index.js");
  const s = new TrackingStore(dir);
  try {
    const runs = s.searchRuns({ filter: filter || undefined, maxResults: 500, orderBy: ["start_time DESC"] });
    return {
      store: dir,
      runs: runs.map((r) => ({
        id: r.info.runId,
        name: r.info.runName,
        status: r.info.status,
        start: r.info.startTime,
        end: r.info.endTime,
        experiment: r.info.experimentId,
        params: r.params,
        metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.value])),
        tags: Object.fromEntries(Object.entries(r.tags).filter(([k]) => !k.startsWith("mlflow."))),
      })),
    };
  } finally {
    s.close();
  }
}

/** Metric histories of runs as the tracking layer's chart spec. */
export async function metricChart(dir: string, runIds: string[], key: string): Promise<VegaLiteSpec> {
  if (!existsSync(dir)) throw new HepflowError("UI_NOT_FOUND", "no tracking store", { file: dir });
  const { TrackingStore, metricHistoryPlot } = await import("../tracking/index.js");
  const s = new TrackingStore(dir);
  try {
    const series = runIds.flatMap((id) => {
      const name = s.getRunInfo(id).runName || id.slice(0, 8);
      return s.metricHistory(id, key).map((m) => ({ run: name, step: m.step, value: m.value }));
    });
    return metricHistoryPlot(series, key);
  } finally {
    s.close();
  }
}

/** A workflow run directory: its state file's steps and the DAG picture with step states. */
export async function workflowView(dir: string): Promise<{
  status: string;
  spec: string;
  started: string;
  updated: string;
  steps: Array<{ name: string; state: string; seconds?: number; command?: string; cached: boolean; log?: string; error?: string }>;
  warnings: string[];
  svg: string;
}> {
  const { readState, renderGraphSvg, stepState } = await import("../workflow/index.js");
  const st = readState(dir);
  const steps = Object.values(st.steps).map((s) => ({ name: s.id, state: stepState(s), seconds: s.seconds, command: s.command, cached: s.reused === "cache", log: s.log, error: s.error }));
  return { status: st.status, spec: path.basename(st.spec), started: st.started, updated: st.updated, steps, warnings: st.warnings, svg: renderGraphSvg(st, dir) };
}
