/**
 * Parameter searches as tracked runs: the search is a parent run, each trial a child run with its
 * parameters and the objective metric. Trials run in batches of `parallel`; a batch's suggestions
 * use only the trials of earlier batches, so the same seed gives the same trials however the
 * trials' finishing order falls, and a resumed search continues exactly where it stopped.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { HepflowError } from "../../util/index.js";
import type { TrackingStore } from "../store.js";
import { renderCommand, runProject } from "../mlproject.js";
import type { ParamSet, SearchSpace } from "./space.js";
import { parseSpace, spaceKeys } from "./space.js";
import { randomSuggest, tpeSuggest, type Observation, type TpeOptions } from "./samplers.js";

export type TrialTarget =
  /** A command template with `{param}` placeholders (and `{run_dir}`), run with HEPFLOW_RUN_ID set to the trial. */
  | { kind: "command"; command: string; cwd?: string }
  /** An MLproject entry point; the searched parameters are passed as -P, `params` fixes others. */
  | { kind: "project"; dir: string; entry: string; params?: Record<string, string> }
  /** A function given to runSearch (library use). */
  | { kind: "function" };

export interface SearchSpec {
  space: SearchSpace;
  algo: "random" | "tpe";
  seed: number;
  maxRuns: number;
  parallel: number;
  /** Metric key the trial logs (`metrics.` prefix optional). */
  objective: string;
  direction: "minimize" | "maximize";
  /** Stop when this many trials in a row did not improve the best (hyperopt's no_progress_loss). */
  patience?: number;
  /** An improvement smaller than this does not count. */
  minDelta?: number;
  tpe?: TpeOptions;
  target: TrialTarget;
}

export interface TrialRecord {
  index: number;
  runId: string;
  params: ParamSet;
  value: number;
  status: string;
}

export interface SearchResult {
  searchRunId: string;
  trials: TrialRecord[];
  best?: TrialRecord;
  stoppedEarly: boolean;
}

export interface RunSearchOptions {
  experimentName?: string;
  runName?: string;
  /** Log into this existing run as the search run (e.g. a project entry point that runs the search). */
  searchRunId?: string;
  /** Continue the search of this run (its spec is read back from it). */
  resume?: string;
  objectiveFn?: (params: ParamSet, ctx: { runId: string; index: number }) => number | Promise<number>;
  onTrial?: (t: TrialRecord, best: TrialRecord | undefined) => void;
  /** Print trial output (commands); default: discard. */
  onOutput?: (chunk: string) => void;
}

const SPEC_TAG = "hepflow.search.spec";
const TRIAL_TAG = "hepflow.search.trial";

function metricKey(o: string): string {
  return o.replace(/^metrics?\./, "");
}

function checkSpec(s: SearchSpec): void {
  const int = (n: number, k: string, min: number) => {
    if (!Number.isInteger(n) || n < min) throw new HepflowError("SEARCH_OPTION", `${k} must be an integer ≥ ${min} (got ${n})`);
  };
  int(s.maxRuns, "max runs", 1);
  int(s.parallel, "parallel trials", 1);
  int(s.seed, "seed", 0);
  if (s.patience !== undefined) int(s.patience, "patience", 1);
  if (s.algo !== "random" && s.algo !== "tpe") throw new HepflowError("SEARCH_OPTION", `algorithm must be random or tpe (got ${String(s.algo)})`);
  if (!metricKey(s.objective)) throw new HepflowError("SEARCH_OPTION", "the objective needs a metric name");
}

/** Runs (or resumes) a search; returns every trial and the best one. */
export async function runSearch(store: TrackingStore, specIn: SearchSpec | undefined, o: RunSearchOptions = {}): Promise<SearchResult> {
  let spec: SearchSpec;
  let searchRunId: string;
  if (o.resume) {
    searchRunId = store.resolveRunId(o.resume);
    const tag = store.getRun(searchRunId).tags[SPEC_TAG];
    if (!tag) throw new HepflowError("SEARCH_RESUME", `run ${searchRunId} is not a search (no ${SPEC_TAG} tag)`);
    spec = JSON.parse(tag) as SearchSpec;
    spec.space = parseSpace(spec.space);
    if (specIn?.maxRuns !== undefined && specIn.maxRuns > spec.maxRuns) spec.maxRuns = specIn.maxRuns; // resuming may extend the budget
    if (store.getRunInfo(searchRunId).status !== "RUNNING") store.updateRun(searchRunId, { status: "RUNNING", endTime: null });
  } else {
    if (!specIn) throw new HepflowError("SEARCH_OPTION", "a search needs a spec (or resume)");
    spec = specIn;
    checkSpec(spec);
    if (o.searchRunId) searchRunId = store.resolveRunId(o.searchRunId);
    else searchRunId = store.startRun({ experimentName: o.experimentName ?? "search", runName: o.runName ?? `search-${spec.algo}-${spec.seed}` }).runId;
    store.logParams(searchRunId, { algo: spec.algo, seed: spec.seed, max_runs: spec.maxRuns, parallel: spec.parallel, objective: metricKey(spec.objective), direction: spec.direction, ...(spec.patience ? { patience: spec.patience } : {}) });
    store.setTags(searchRunId, { [SPEC_TAG]: JSON.stringify(spec), "hepflow.search.space": JSON.stringify(spec.space) });
  }
  if (spec.target.kind === "function" && !o.objectiveFn) throw new HepflowError("SEARCH_OPTION", "this search's objective is a function: pass objectiveFn");
  const key = metricKey(spec.objective);
  const sign = spec.direction === "maximize" ? -1 : 1;
  const experimentId = store.getRunInfo(searchRunId).experimentId;

  // trials already done (resume): by index; unfinished ones are marked KILLED and run again
  const done = new Map<number, TrialRecord>();
  for (const c of store.children(searchRunId)) {
    const r = store.getRun(c.runId);
    const idx = Number(r.tags[TRIAL_TAG]);
    if (!Number.isInteger(idx)) continue;
    if (c.status === "RUNNING") {
      store.endRun(c.runId, "KILLED");
      continue;
    }
    if (c.status === "KILLED" || done.has(idx)) continue;
    const params = JSON.parse(r.tags["hepflow.search.params"] ?? "{}") as ParamSet;
    done.set(idx, { index: idx, runId: c.runId, params, value: r.metrics[key]?.value ?? NaN, status: c.status });
  }

  const trials: TrialRecord[] = [];
  let best: TrialRecord | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  const better = (v: number, b: TrialRecord | undefined) => Number.isFinite(v) && (!b || sign * (b.value - v) > (spec.minDelta ?? 0));

  const runTrial = async (index: number, params: ParamSet): Promise<TrialRecord> => {
    const tags = { [TRIAL_TAG]: String(index), "hepflow.search.params": JSON.stringify(params) };
    const strParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
    let runId: string;
    let value = NaN;
    if (spec.target.kind === "project") {
      const r = await runProject(store, spec.target.dir, { entry: spec.target.entry, params: { ...spec.target.params, ...strParams }, parentRunId: searchRunId, runName: `trial-${index}`, tags, stdio: "pipe", onOutput: o.onOutput });
      runId = r.runId;
    } else {
      runId = store.startRun({ experimentId, parentRunId: searchRunId, runName: `trial-${index}`, tags }).runId;
      store.logParams(runId, params);
      try {
        if (spec.target.kind === "function") {
          const v = await o.objectiveFn!(params, { runId, index });
          if (typeof v !== "number") throw new HepflowError("SEARCH_OBJECTIVE", `the objective function returned ${JSON.stringify(v)}, not a number`);
          store.logMetrics(runId, { [key]: v });
        } else {
          const code = await runCommand(store, spec.target, runId, strParams, o.onOutput);
          store.logMetrics(runId, { exit_code: code });
          if (code !== 0) {
            store.endRun(runId, "FAILED");
            return { index, runId, params, value: NaN, status: "FAILED" };
          }
        }
        store.endRun(runId, "FINISHED");
      } catch (e) {
        store.endRun(runId, "FAILED");
        if (e instanceof HepflowError && e.code === "SEARCH_OBJECTIVE") throw e;
        o.onOutput?.(`trial ${index} failed: ${(e as Error).message}\n`);
        return { index, runId, params, value: NaN, status: "FAILED" };
      }
    }
    const r = store.getRun(runId);
    value = r.metrics[key]?.value ?? NaN;
    if (r.info.status === "FINISHED" && !(key in r.metrics)) o.onOutput?.(`trial ${index}: run ${runId} logged no metric "${key}"\n`);
    return { index, runId, params, value, status: r.info.status };
  };

  for (let start = 0; start < spec.maxRuns && !stoppedEarly; start += spec.parallel) {
    const history: Observation[] = trials.filter((t) => Number.isFinite(t.value)).map((t) => ({ index: t.index, params: t.params, loss: sign * t.value }));
    const batch: Array<Promise<TrialRecord>> = [];
    let exhausted = false;
    for (let i = start; i < Math.min(spec.maxRuns, start + spec.parallel); i++) {
      const prior = done.get(i);
      if (prior) {
        batch.push(Promise.resolve(prior));
        continue;
      }
      const params = spec.algo === "tpe" ? tpeSuggest(spec.space, history, spec.seed, i, spec.tpe) : randomSuggest(spec.space, spec.seed, i);
      if (!params) {
        exhausted = true;
        break;
      } // an all-choice grid has been sampled completely
      batch.push(runTrial(i, params));
    }
    const results = await Promise.all(batch);
    for (const t of results) {
      trials.push(t);
      if (better(t.value, best)) {
        best = t;
        sinceBest = 0;
      } else sinceBest++;
      store.logMetrics(searchRunId, [
        { key: `best_${key}`, value: best?.value ?? NaN, step: t.index },
        { key, value: t.value, step: t.index },
      ]);
      o.onTrial?.(t, best);
      if (spec.patience && sinceBest >= spec.patience) stoppedEarly = true;
    }
    if (exhausted) break;
  }
  if (best) {
    store.setTags(searchRunId, { "hepflow.search.best_run": best.runId, "hepflow.search.best_params": JSON.stringify(best.params), ...(stoppedEarly ? { "hepflow.search.stopped": "early" } : {}) });
  }
  store.logMetrics(searchRunId, { n_trials: trials.length, ...(best ? { best_trial: best.index } : {}) });
  store.endRun(searchRunId, "FINISHED");
  return { searchRunId, trials, best, stoppedEarly };
}

async function runCommand(store: TrackingStore, t: Extract<TrialTarget, { kind: "command" }>, runId: string, params: Record<string, string>, onOutput?: (s: string) => void): Promise<number> {
  const runDir = path.join(store.root, "work", runId);
  mkdirSync(runDir, { recursive: true });
  const { argv } = renderCommand({ name: "trial", parameters: [], command: t.command }, { run_dir: runDir, ...params });
  store.setTags(runId, { "hepflow.command": JSON.stringify(argv) });
  const [program, ...args] = argv;
  if (program === undefined) throw new HepflowError("SEARCH_COMMAND", "the trial command is empty");
  return new Promise<number>((resolve, reject) => {
    const child = spawn(program, args, { cwd: t.cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HEPFLOW_RUN_ID: runId, MLFLOW_RUN_ID: runId, HEPFLOW_TRACKING_DIR: store.root } });
    child.stdout.on("data", (b) => onOutput?.(String(b)));
    child.stderr.on("data", (b) => onOutput?.(String(b)));
    child.on("error", (e) => reject(new HepflowError("SEARCH_COMMAND", `cannot start "${program}": ${e.message}`)));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

/** Table rows of a search: one per trial, its parameters and objective, best first or by index. */
export function trialTable(r: SearchResult, space: SearchSpace): { header: string[]; rows: unknown[][] } {
  const keys = spaceKeys(space);
  return {
    header: ["trial", "run", ...keys, "objective", "status", ""],
    rows: [...r.trials].sort((a, b) => a.index - b.index).map((t) => [t.index, t.runId.slice(0, 8), ...keys.map((k) => t.params[k]), t.value, t.status, r.best && t.runId === r.best.runId ? "← best" : ""]),
  };
}
