/**
 * The executor seam. What every executor shares lives here and in RunCollector: loading the
 * processor and validating its parameters, streaming the plan, the fixed merge order, retries,
 * deadlines, failure policy, normalisation and progress. A `Dispatcher` only moves work items to
 * wherever they are computed (threads of this process, or Redis/BullMQ workers on other machines)
 * and hands their plain-data outcomes back to the collector, so every executor gives the same
 * bits for the same inputs.
 */
import { HepflowError } from "../util/index.js";
import { planSamples } from "./chunks.js";
import { RunCollector } from "./collect.js";
import type { Dataset, Sample } from "./dataset.js";
import type { ExecutorOptions, RunResult } from "./executor.js";
import { resolveParameters } from "./params.js";
import type { ParameterValues } from "./params.js";
import { loadOpener, loadProcessor, resolveProcessorPath } from "./processor.js";
import type { ProcessorModule, TreeOpener } from "./processor.js";
import type { WorkItem } from "./runner.js";

/** Timings a dispatcher reports for the run summary. */
export interface DispatchTimings {
  /** Until every worker was ready to compute (0 when nothing had to start). */
  startupMs: number;
  /** Summed over workers: idle at the end while others still worked. */
  tailIdleMs: number;
}

/** What a dispatcher is given: the run's fixed facts and the collector to report every outcome to. */
export interface DispatchContext {
  /** Absolute path of the processor module. */
  processor: string;
  module: ProcessorModule;
  params: ParameterValues;
  opener: TreeOpener;
  options: ExecutorOptions;
  collector: RunCollector;
  /** The deadline of one chunk (option, else scaled by its entries). */
  deadlineMs(item: WorkItem): number;
}

/**
 * Moves work items to workers. `enqueue` receives items as the plan streams in (index order);
 * outcomes go to `ctx.collector.ok/failed` (a true `failed` means: dispatch it again), and items
 * the collector hands to `ctx.collector.requeue` are dispatched again too.
 */
export interface Dispatcher {
  /** Workers computing (threads or remote worker slots), for the report. */
  readonly workers: number;
  enqueue(items: readonly WorkItem[]): void;
  /** No more items will come; resolves once every item has an outcome or the run stopped. */
  done(): Promise<DispatchTimings>;
  /** Release workers and connections (also after an error). */
  close(): Promise<void>;
}

/** Default per-chunk deadline: a minute, plus 0.5 ms per entry (200 000 entries → 160 s; the AGC needs ~1 µs per entry per thread). */
export function defaultDeadlineMs(entries: number): number {
  return 60_000 + 0.5 * entries;
}

/**
 * Which samples the processor normalises by 1 / meta.nevts (and so get their histograms
 * rescaled when events are lost): the module's `normalisedByNevts(sample)`, else the samples
 * with a cross section.
 */
export function normalisedSamples(mod: ProcessorModule, dataset: Dataset): (sample: string) => boolean {
  const bySample = new Map<string, Sample>(dataset.samples.map((s) => [s.name, s]));
  return (name) => {
    const s = bySample.get(name);
    if (!s) return false;
    return mod.normalisedByNevts ? mod.normalisedByNevts(s) : s.xsec !== undefined || typeof s.metadata.xsec === "number";
  };
}

/** Run `processor` over `dataset` with the dispatcher `create` builds: the one code path of every executor. */
export async function runDispatched(processor: string, dataset: Dataset, options: ExecutorOptions, create: (ctx: DispatchContext) => Dispatcher | Promise<Dispatcher>): Promise<RunResult> {
  const t0 = performance.now();
  const processorPath = resolveProcessorPath(processor);
  const mod = await loadProcessor(processorPath);
  // parameters are checked before any file is opened or any worker started
  const params = resolveParameters(mod.parameters ?? {}, options.params, processorPath);
  if (options.chunkTimeoutMs !== undefined && !(options.chunkTimeoutMs > 0)) throw new HepflowError("EXECUTOR_OPTIONS", `the chunk deadline must be > 0 ms (got ${options.chunkTimeoutMs})`);
  const opener = await loadOpener(options.opener);
  if (mod.acceptSample) dataset = { ...dataset, samples: dataset.samples.filter((s) => mod.acceptSample!(s, params)) };
  const onFailure = options.onFailure ?? "fail";
  const collector = new RunCollector({ retries: options.retries ?? 1, onFailure, normalised: normalisedSamples(mod, dataset), progress: options.progress });
  const chunkSize = options.chunkSize ?? 200_000;
  const deadlineMs = (it: WorkItem) => options.chunkTimeoutMs ?? defaultDeadlineMs(it.entryStop - it.entryStart);
  // the dispatcher starts first so that starting workers overlaps planning
  const dispatcher = await create({ processor: processorPath, module: mod, params, opener, options, collector, deadlineMs });
  let planMs = 0;
  let timings: DispatchTimings = { startupMs: 0, tailIdleMs: 0 };
  const live = options.live;
  // a throwing listener must not break the run: it only loses its view
  // Nothing folded or failed since the last snapshot (slow chunks): no merge and no write, only a
  // heartbeat each second so the rate and the "updated" time stay current.
  let seen = -1,
    sentAt = 0;
  const tick = live
    ? setInterval(() => {
        const now = performance.now();
        if (collector.version === seen && now - sentAt < 1000) return;
        seen = collector.version;
        sentAt = now;
        try {
          live.update(collector.live());
        } catch {
          /* the display's problem */
        }
      }, live.intervalMs ?? 200)
    : undefined;
  try {
    for await (const plan of planSamples(dataset, opener, chunkSize)) {
      collector.addSample(plan);
      if (collector.stopped) break;
      dispatcher.enqueue(plan.items);
    }
    planMs = performance.now() - t0;
    timings = await dispatcher.done();
  } finally {
    if (tick) clearInterval(tick);
    // the last word of the live view: every chunk counted (the ticks may have missed the last ones)
    if (live) {
      try {
        live.update(collector.live());
      } catch {
        /* the display's problem */
      }
    }
    await dispatcher.close();
  }
  const r = collector.result();
  const result: RunResult = { ...r, params, workers: dispatcher.workers, wallMs: performance.now() - t0, planMs, ...timings };
  if (result.failures.length > 0 && onFailure === "fail") {
    const f = result.failures[0]!;
    const range = f.entryStart !== undefined ? ` entries [${f.entryStart}, ${f.entryStop})` : "";
    const code = f.error.code === "CHUNK_TIMEOUT" ? "CHUNK_TIMEOUT" : "CHUNK_FAILED";
    throw new HepflowError(code, `${range ? "a chunk" : "a file"} failed (run stopped); sample ${f.sample}${range} after ${f.attempts} attempt(s): ${f.error.message} (use --continue-on-failure to keep the rest)`, { file: f.file });
  }
  return result;
}
