/**
 * Signal grids: every patch of a pyhf patchset against one background-only workspace, CLs at one
 * POI value (observed + expected band) and optionally the upper limit, spread over worker threads.
 * Each worker parses and validates the background workspace once and then, per patch, applies the
 * patch's operations and builds that point's model; results come back in patch order, so the table
 * does not depend on the number of workers.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { HepflowError, compiledModule } from "../util/index.js";
import type { ProgressListener } from "../util/index.js";
import { Workspace } from "./workspace.js";
import type { PatchSet, WorkspaceModelOptions } from "./workspace.js";
import { hypotest } from "./infer/hypotest.js";
import type { ExpectedBand, HypotestResult } from "./infer/asymptotics.js";
import { upperLimit } from "./infer/limits.js";
import type { TestStatName } from "./infer/teststat.js";
import type { WorkspaceSpec } from "./spec.js";

/** What to compute for each grid point. */
export interface GridOptions {
  /** POI value tested for CLs (default 1). */
  mu?: number;
  testStat?: TestStatName;
  /** Also compute the upper limit (root finding, pyhf's method). */
  limits?: boolean;
  cl?: number;
  model?: WorkspaceModelOptions;
  workers?: number;
  onProgress?: ProgressListener;
}

/** One row of the grid table. */
export interface GridRow {
  name: string;
  values: unknown[];
  CLs_obs: number;
  CLs_exp: ExpectedBand;
  upper_limit_obs: number | null;
  upper_limit_exp: ExpectedBand | null;
  converged: boolean;
}

/** @internal the work of one grid point, run in a worker or in this thread */
export interface GridTask {
  index: number;
}
export interface GridSetup {
  background: WorkspaceSpec;
  patchset: PatchSet;
  options: Omit<GridOptions, "workers" | "onProgress">;
}

/** A per-thread evaluator: background parsed once, one point per call. */
export function gridEvaluator(setup: GridSetup): (index: number) => GridRow {
  const bkg = Workspace.fromJSON(setup.background);
  const o = setup.options;
  return (index) => {
    const p = setup.patchset.patches[index];
    if (!p) throw new HepflowError("GRID_FAILED", `no grid point ${index} in a patchset of ${setup.patchset.patches.length}`);
    const ws = bkg.applyPatches([p.patch]);
    const model = ws.model(o.model);
    const data = ws.data(model);
    const mu = o.mu ?? 1;
    const h = hypotest(mu, data, model, { testStat: o.testStat ?? "qtilde" }) as HypotestResult;
    let ul: { obs: number; exp: ExpectedBand; converged: boolean } | null = null;
    if (o.limits) ul = upperLimit(data, model, { testStat: o.testStat ?? "qtilde", cl: o.cl ?? 0.95 });
    return {
      name: p.metadata.name,
      values: p.metadata.values,
      CLs_obs: h.cls,
      CLs_exp: h.expected,
      upper_limit_obs: ul ? ul.obs : null,
      upper_limit_exp: ul ? ul.exp : null,
      converged: h.converged && (ul ? ul.converged : true),
    };
  };
}

/** CLs (and limits) for every patch of `patchset` on `workers` threads (default: all cores). */
export async function runGrid(background: WorkspaceSpec, patchset: PatchSet, opts: GridOptions = {}): Promise<GridRow[]> {
  if (!patchset || !Array.isArray(patchset.patches) || !patchset.patches.length) {
    throw new HepflowError("PATCH_INVALID", "the patchset has no patches");
  }
  Workspace.fromJSON(background); // validate here so a bad workspace fails once, not in every worker
  const workers = Math.max(1, Math.min(opts.workers ?? os.availableParallelism?.() ?? os.cpus().length, patchset.patches.length));
  const { workers: _w, onProgress, ...options } = opts;
  const setup: GridSetup = { background, patchset, options };
  const n = patchset.patches.length;
  const rows: GridRow[] = new Array(n);
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  const url = compiledModule(import.meta.url, "./grid-worker.js");
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(url, { workerData: setup });
      const feed = () => {
        if (next >= n) {
          void w.terminate();
          resolve();
          return;
        }
        const i = next++;
        w.once("message", (m: { row?: GridRow; error?: string }) => {
          if (m.error || !m.row) {
            void w.terminate();
            reject(new HepflowError("GRID_FAILED", `grid point "${patchset.patches[i]?.metadata.name ?? i}" failed: ${m.error}`));
            return;
          }
          rows[i] = m.row;
          done++;
          onProgress?.({ unit: "points", done, total: n, rate: done / Math.max(1e-3, (Date.now() - t0) / 1000), label: m.row.name });
          feed();
        });
        w.postMessage({ index: i } satisfies GridTask);
      };
      w.once("error", (e) => reject(new HepflowError("GRID_FAILED", `grid worker crashed: ${e.message}`, {}, { cause: e })));
      feed();
    });
  await Promise.all(Array.from({ length: workers }, runWorker));
  return rows;
}
