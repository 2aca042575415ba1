/**
 * Executors run a processor over a dataset and return the merged accumulator. The `Executor`
 * interface is what a distributed executor (Redis/BullMQ queue of WorkItems, workers running
 * ChunkRunner) implements too: it plans with planSamples, hands every chunk outcome to a
 * RunCollector (fixed merge order, retries, failures, normalisation correction) and returns
 * the collector's RunResult.
 */
import { availableParallelism } from "node:os";
import { HepflowError } from "../util/index.js";
import type { ProgressListener } from "../util/index.js";
import type { Accumulator } from "./accumulate.js";
import { planSamples } from "./chunks.js";
import { RunCollector } from "./collect.js";
import type { ChunkFailure, SampleReport } from "./collect.js";
import type { Dataset, Sample } from "./dataset.js";
import { WorkerPool } from "./pool.js";
import { loadOpener, loadProcessor, resolveProcessorPath } from "./processor.js";
import type { ProcessorModule, TreeOpener } from "./processor.js";
import { ChunkRunner, errorInfo } from "./runner.js";
import type { WorkItem } from "./runner.js";

export type { ChunkFailure, SampleReport } from "./collect.js";

export interface ExecutorOptions {
  /** Worker threads; default all cores; 0 runs in the calling thread. */
  workers?: number;
  /** Target entries per chunk (rounded up to cluster boundaries). Default 200000 (the AGC reference's). */
  chunkSize?: number;
  /** Extra attempts for a failing chunk before it counts as failed. Default 1. */
  retries?: number;
  /** "fail" (default): stop at the first chunk that fails every attempt and throw; "continue": run everything and return the failures. */
  onFailure?: "fail" | "continue";
  /** Chunks a busy worker holds beyond the one it computes, so reading overlaps compute. Default 1. */
  readahead?: number;
  /** Module exporting `openTree(path, treeName)`; default opens ROOT files. */
  opener?: string;
  progress?: ProgressListener;
}

export interface RunResult {
  accumulator: Accumulator | undefined;
  failures: ChunkFailure[];
  /** Human-readable notes on lost events and how each sample's normalisation was corrected. */
  warnings: string[];
  /** Per sample: events planned, processed and lost, and the normalisation correction applied. */
  samples: Record<string, SampleReport>;
  chunks: number;
  /** Events processed successfully, in total and per sample. */
  events: number;
  eventsBySample: Record<string, number>;
  workers: number;
  wallMs: number;
  /** Reading every file's metadata to plan the chunks (overlaps the worker start-up). */
  planMs: number;
  /** Until every worker had loaded the processor (module import, compilation; the whole run if one never did); 0 in-thread. */
  startupMs: number;
  /** Summed over workers: idle at the end while others still worked. */
  tailIdleMs: number;
  /** Summed over chunks: waiting for column reads (read + decompress) and running `process`. */
  readMs: number;
  computeMs: number;
}

/** What every executor provides: run the processor module at `processor` over `dataset`. */
export interface Executor {
  run(processor: string, dataset: Dataset, options?: ExecutorOptions): Promise<RunResult>;
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

/** Runs chunks on a pool of worker threads on this machine. */
export class LocalExecutor implements Executor {
  async run(processor: string, dataset: Dataset, options: ExecutorOptions = {}): Promise<RunResult> {
    const t0 = performance.now();
    const processorPath = resolveProcessorPath(processor);
    const mod = await loadProcessor(processorPath);
    const opener = await loadOpener(options.opener);
    if (mod.acceptSample) dataset = { ...dataset, samples: dataset.samples.filter((s) => mod.acceptSample!(s)) };
    const onFailure = options.onFailure ?? "fail";
    const collector = new RunCollector({ retries: options.retries ?? 1, onFailure, normalised: normalisedSamples(mod, dataset), progress: options.progress });
    const workers = Math.max(0, options.workers ?? availableParallelism());
    const chunkSize = options.chunkSize ?? 200_000;
    let planMs = 0;
    let timings = { startupMs: 0, tailIdleMs: 0 };
    if (workers === 0) {
      const items: WorkItem[] = [];
      for await (const plan of planSamples(dataset, opener, chunkSize)) {
        collector.addSample(plan);
        items.push(...plan.items);
      }
      planMs = performance.now() - t0;
      if (!collector.stopped) await runInThread(mod, opener, items, collector);
    } else {
      // the pool starts first so that loading the processor in the workers overlaps planning
      const pool = new WorkerPool({ processor: processorPath, opener: options.opener }, workers, options.readahead ?? 1, collector);
      try {
        for await (const plan of planSamples(dataset, opener, chunkSize)) {
          collector.addSample(plan);
          if (collector.stopped) break;
          pool.enqueue(plan.items);
        }
        planMs = performance.now() - t0;
        timings = await pool.done();
      } finally {
        await pool.close();
      }
    }
    const r = collector.result();
    const result: RunResult = { ...r, workers, wallMs: performance.now() - t0, planMs, ...timings };
    if (result.failures.length > 0 && onFailure === "fail") {
      const f = result.failures[0]!;
      const range = f.entryStart !== undefined ? ` entries [${f.entryStart}, ${f.entryStop})` : "";
      throw new HepflowError("CHUNK_FAILED", `${range ? "a chunk" : "a file"} failed (run stopped); sample ${f.sample}${range} after ${f.attempts} attempt(s): ${f.error.message} (use --continue-on-failure to keep the rest)`, { file: f.file });
    }
    return result;
  }
}

async function runInThread(mod: ProcessorModule, opener: TreeOpener, items: WorkItem[], collector: RunCollector): Promise<void> {
  const runner = new ChunkRunner(mod, opener);
  collector.start();
  const prepare = (i: number) => {
    const p = i < items.length ? runner.prepare(items[i]!) : undefined;
    p?.catch(() => undefined); // observed in run()
    return p;
  };
  let next = prepare(0);
  for (let i = 0; i < items.length && !collector.stopped; i++) {
    const item = items[i]!;
    let mine = next!;
    // readahead: start reading the next chunk while this one computes
    next = prepare(i + 1);
    for (;;) {
      try {
        collector.ok(await runner.run(item, mine));
        break;
      } catch (e) {
        if (!collector.failed(item.index, errorInfo(e))) break;
        mine = runner.prepare(item); // retry at once, keeping the next chunk's reads
        mine.catch(() => undefined);
      }
    }
  }
  await next?.catch(() => undefined); // the run may stop early: let its reads finish before closing
  await runner.close();
}
