/**
 * The toy calculator (pyhf's ToyCalculator): pseudo-data sampled from the model at the
 * signal-plus-background and background-only fits, the test statistic on every toy, and CLs from
 * the empirical distributions. Toy i of stream s always uses the same random stream, so results
 * depend only on the seed, never on how the toys are split over worker threads.
 */
import { Worker } from "node:worker_threads";
import { randomUUID } from "node:crypto";
import os from "node:os";
import { HepflowError, itemAt } from "../../util/index.js";
import type { ProgressListener } from "../../util/index.js";
import { compiledModule } from "../../util/modules.js";
import { Model } from "../model.js";
import type { FitOptions } from "./mle.js";
import { fixedPoiFit } from "./mle.js";
import { mapBand, type ExpectedBand } from "./asymptotics.js";
import { Rng } from "./random.js";
import { testStatistic } from "./teststat.js";
import type { TestStatName } from "./teststat.js";

export interface ToyOptions extends FitOptions {
  toys: number;
  seed: number;
}

/** Result of a toy-based hypotest. */
export interface ToyHypotestResult {
  mu: number;
  cls: number;
  clsb: number;
  clb: number;
  /** Expected CLs (CLs+b for q0) for −2σ…+2σ: percentiles over the background-only toys. */
  expected: ExpectedBand;
  testStatistic: number;
  toys: number;
  seed: number;
  /** Sampled test statistics under s+b and b-only. */
  signalTestStats: Float64Array;
  backgroundTestStats: Float64Array;
  /** Toys whose fits did not converge (their test statistic is still used, as pyhf does). */
  unconverged: number;
  converged: boolean;
}

/** Work item of one worker: a range of toys of one stream. */
export interface ToyTask {
  /** Identifies the model across tasks, so a worker builds it once (see toy-worker.ts). */
  modelKey: string;
  spec: Model["spec"];
  modelOptions: Model["options"];
  testStat: TestStatName;
  mu: number;
  pars: number[];
  fitOptions: FitOptions;
  seed: number;
  stream: number;
  start: number;
  stop: number;
}

/** Draw toy `index` of `stream` at parameters `pars`: Poisson main data, sampled auxiliary data. */
export function sampleToy(model: Model, pars: Float64Array, seed: number, stream: number, index: number): Float64Array {
  const rng = new Rng(seed, stream, index);
  const lam = model.expectedActualData(pars);
  const nmain = lam.length;
  const out = new Float64Array(nmain + model.config.nauxdata);
  for (let b = 0; b < nmain; b++) out[b] = rng.poisson(lam[b]!);
  const { gaussian, poisson } = model.constraintTerms();
  for (let i = 0; i < gaussian.param.length; i++) out[nmain + gaussian.aux[i]!] = pars[gaussian.param[i]!]! + gaussian.sigma[i]! * rng.normal();
  for (let i = 0; i < poisson.param.length; i++) out[nmain + poisson.aux[i]!] = rng.poisson(pars[poisson.param[i]!]! * poisson.factor[i]!);
  return out;
}

/** Test statistics of toys [start, stop) of one stream; also counts unconverged fits. */
export function runToys(task: ToyTask, model?: Model): { values: Float64Array; unconverged: number } {
  const m = model ?? new Model(task.spec, task.modelOptions);
  const pars = Float64Array.from(task.pars);
  const values = new Float64Array(task.stop - task.start);
  let unconverged = 0;
  for (let i = task.start; i < task.stop; i++) {
    const toy = sampleToy(m, pars, task.seed, task.stream, i);
    const r = testStatistic(task.testStat, task.mu, toy, m, task.fitOptions);
    values[i - task.start] = r.value;
    if (!r.fixedFit.converged || !r.freeFit.converged) unconverged++;
  }
  return { values, unconverged };
}

/** numpy.percentile(..., method="linear") of sorted values. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

function tailFraction(sortedSamples: Float64Array, value: number): number {
  // fraction of samples >= value (binary search on the sorted samples)
  let lo = 0;
  let hi = sortedSamples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedSamples[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return (sortedSamples.length - lo) / sortedSamples.length;
}

/** Toy-based hypothesis tests of one model and dataset. */
export class ToyCalculator {
  private readonly modelKey = randomUUID();
  constructor(
    readonly data: ArrayLike<number>,
    readonly model: Model,
    readonly testStat: TestStatName,
    readonly options: ToyOptions,
  ) {
    if (!(Number.isInteger(options.toys) && options.toys > 0)) throw new HepflowError("SETTINGS_INVALID", `number of toys must be a positive integer, got ${options.toys}`);
    if (!Number.isInteger(options.seed) || options.seed < 0) throw new HepflowError("SETTINGS_INVALID", `seed must be a non-negative integer, got ${options.seed}`);
    if (model.config.poiIndex === null) throw new HepflowError("NO_POI", "hypothesis tests need a parameter of interest");
  }

  private tasks(mu: number): { tasks: [ToyTask, ToyTask]; observed: number } {
    const opts = { ...this.options, uncertainties: false };
    const fitOptions: FitOptions = { init: opts.init, bounds: opts.bounds, fixed: opts.fixed, fixedMask: opts.fixedMask, uncertainties: false };
    const sb = fixedPoiFit(mu, this.data, this.model, fitOptions);
    const b = fixedPoiFit(this.testStat === "q0" ? 1 : 0, this.data, this.model, fitOptions);
    const observed = testStatistic(this.testStat, mu, this.data, this.model, fitOptions).value;
    const base = { modelKey: this.modelKey, spec: this.model.spec, modelOptions: this.model.options, testStat: this.testStat, mu, fitOptions, seed: this.options.seed, start: 0, stop: this.options.toys };
    return {
      tasks: [
        { ...base, pars: Array.from(sb.bestfit), stream: 0 },
        { ...base, pars: Array.from(b.bestfit), stream: 1 },
      ],
      observed,
    };
  }

  private summarize(mu: number, observed: number, sig: Float64Array, bkg: Float64Array, unconverged: number): ToyHypotestResult {
    const s = sig.slice().sort();
    const bsorted = bkg.slice().sort();
    const pv = (t: number) => {
      const clsb = tailFraction(s, t);
      const clb = tailFraction(bsorted, t);
      return { clsb, clb, cls: clsb / clb };
    };
    const o = pv(observed);
    // expected band: percentiles over the b-only toys of their own p-values (pyhf's expected_pvalues)
    const per = Float64Array.from(bkg, (t) => {
      const p = pv(t);
      return this.testStat === "q0" ? p.clsb : p.cls;
    }).sort();
    const expected = mapBand([2.27501319, 15.86552539, 50.0, 84.13447461, 97.72498681], (q) => percentile(per, q));
    return {
      mu,
      cls: o.cls,
      clsb: o.clsb,
      clb: o.clb,
      expected,
      testStatistic: observed,
      toys: this.options.toys,
      seed: this.options.seed,
      signalTestStats: sig,
      backgroundTestStats: bkg,
      unconverged,
      converged: unconverged === 0,
    };
  }

  /** Run all toys in this thread. */
  hypotestSync(mu: number): ToyHypotestResult {
    const { tasks, observed } = this.tasks(mu);
    const a = runToys(tasks[0], this.model);
    const b = runToys(tasks[1], this.model);
    return this.summarize(mu, observed, a.values, b.values, a.unconverged + b.unconverged);
  }

  /** Run the toys on `workers` worker threads (default: available cores), or on `pool`, reporting progress in toys. */
  async hypotest(mu: number, workers?: number, onProgress?: ProgressListener, pool?: ToyPool): Promise<ToyHypotestResult> {
    const own = pool ? undefined : new ToyPool(workers);
    try {
      return await this.runOn(pool ?? own!, mu, onProgress);
    } finally {
      await own?.close();
    }
  }

  private async runOn(pool: ToyPool, mu: number, onProgress?: ProgressListener): Promise<ToyHypotestResult> {
    const workers = pool.size;
    const { tasks, observed } = this.tasks(mu);
    const n = this.options.toys;
    // chunks small enough for even load and regular progress; toy i is the same in any chunking
    const size = Math.max(1, Math.ceil(n / (8 * workers)));
    const chunks: ToyTask[] = [];
    for (const t of tasks) for (let start = 0; start < n; start += size) chunks.push({ ...t, start, stop: Math.min(n, start + size) });
    const t0 = Date.now();
    let done = 0;
    const progress = (c: ToyTask) => {
      done += c.stop - c.start;
      onProgress?.({ unit: "toys", done, total: 2 * n, rate: done / Math.max(1e-3, (Date.now() - t0) / 1000), label: `mu = ${mu}` });
    };
    const results = await pool.run(chunks, progress);
    const sig = new Float64Array(n);
    const bkg = new Float64Array(n);
    let unconverged = 0;
    for (const [i, c] of chunks.entries()) {
      // the pool resolves only when every chunk has reported
      const r = itemAt(results, i, `result of toy chunk ${i}`, "TOYS_FAILED");
      (c.stream === 0 ? sig : bkg).set(r.values, c.start);
      unconverged += r.unconverged;
    }
    return this.summarize(mu, observed, sig, bkg, unconverged);
  }
}

type ChunkResult = { values: Float64Array; unconverged: number };

/**
 * Worker threads for toys, kept alive across hypotests (a toy limit runs one per scan point, and
 * starting threads costs more than a small model's toys). `close()` when done.
 */
export class ToyPool {
  private workers: Worker[] = [];
  constructor(readonly size = Math.max(1, os.availableParallelism?.() ?? os.cpus().length)) {
    if (!(Number.isInteger(size) && size > 0)) throw new HepflowError("SETTINGS_INVALID", `number of workers must be a positive integer, got ${size}`);
  }

  /** Run the tasks; results come back in task order. */
  async run(tasks: ToyTask[], onDone: (t: ToyTask) => void): Promise<ChunkResult[]> {
    const url = compiledModule(import.meta.url, "./toy-worker.js");
    while (this.workers.length < Math.min(this.size, tasks.length)) this.workers.push(new Worker(url));
    const results: ChunkResult[] = new Array(tasks.length);
    let next = 0;
    const drive = (w: Worker) =>
      new Promise<void>((resolve, reject) => {
        const onError = (e: Error) => {
          cleanup();
          reject(new HepflowError("TOYS_FAILED", `toy worker crashed: ${e.message}`, {}, { cause: e }));
        };
        const onMessage = (m: ChunkResult & { error?: string; i: number }) => {
          if (m.error) {
            cleanup();
            reject(new HepflowError("TOYS_FAILED", `toy worker failed: ${m.error}`));
            return;
          }
          const task = tasks[m.i];
          if (task === undefined) {
            cleanup();
            reject(new HepflowError("TOYS_FAILED", `toy worker answered for chunk ${m.i}, which was never sent`));
            return;
          }
          results[m.i] = m;
          onDone(task);
          feed();
        };
        const cleanup = () => {
          w.off("message", onMessage);
          w.off("error", onError);
        };
        const feed = () => {
          if (next >= tasks.length) {
            cleanup();
            resolve();
            return;
          }
          const i = next++;
          w.postMessage({ ...tasks[i], i });
        };
        w.on("message", onMessage);
        w.on("error", onError);
        feed();
      });
    try {
      await Promise.all(this.workers.slice(0, Math.min(this.size, tasks.length)).map(drive));
    } catch (e) {
      await this.close();
      throw e;
    }
    return results;
  }

  /** Stop the worker threads. */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
