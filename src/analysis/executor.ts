/**
 * Executors run a processor over a dataset and return the merged accumulator. Every executor is
 * `runDispatched` (dispatch.ts: planning, RunCollector, parameters, failure policy) with its own
 * Dispatcher; the local one computes in worker threads of this process, or in this thread.
 */
import { syncBuiltinESMExports } from "node:module";
import { availableParallelism } from "node:os";
import { HepflowError } from "../util/index.js";
import type { ProgressListener } from "../util/index.js";
import type { Accumulator } from "./accumulate.js";
import type { ChunkFailure, LiveSnapshot, SampleReport } from "./collect.js";
import type { Dataset } from "./dataset.js";
import { runDispatched } from "./dispatch.js";
import type { DispatchContext, DispatchTimings, Dispatcher } from "./dispatch.js";
import type { ParameterValues } from "./params.js";
import { WorkerPool } from "./pool.js";
import { ChunkRunner, errorInfo } from "./runner.js";
import type { WorkItem } from "./runner.js";

export type { AttemptFailure, ChunkFailure, LiveSnapshot, SampleReport, WorkerProgress } from "./collect.js";
export { normalisedSamples } from "./dispatch.js";

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
  /** Processor parameters (any spelling of the declared names; strings are converted to the declared type). */
  params?: Record<string, unknown>;
  /**
   * Deadline of one chunk in ms, after which its worker is stopped and the chunk charged an
   * attempt (CHUNK_TIMEOUT). Default 60 s + 0.5 ms per entry. Not enforceable with 0 workers.
   */
  chunkTimeoutMs?: number;
  /** Heap limit of each worker thread in MB (a chunk that exceeds it fails with WORKER_OUT_OF_MEMORY); default Node's. */
  maxWorkerMemoryMb?: number;
  /**
   * Folder the chunks of a snapshotting processor (`$snapshot`) write their part files to
   * (`DIR/parts/`); travels with the work to every worker. Required only when the processor snapshots.
   */
  snapshotDir?: string;
  progress?: ProgressListener;
  /** Called every `intervalMs` (default 200) while chunks run, with the progress and the accumulator merged so far. */
  live?: { intervalMs?: number; update: (snapshot: LiveSnapshot) => void };
}

export interface RunResult {
  accumulator: Accumulator | undefined;
  failures: ChunkFailure[];
  /** Human-readable notes on lost events and how each sample's normalisation was corrected. */
  warnings: string[];
  /** Per sample: events planned, processed and lost, and the normalisation correction applied. */
  samples: Record<string, SampleReport>;
  /** The processor parameters the run used (validated, defaults filled in): part of every output's provenance. */
  params: ParameterValues;
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

/** Runs chunks on a pool of worker threads on this machine (or in this thread with workers: 0). */
export class LocalExecutor implements Executor {
  async run(processor: string, dataset: Dataset, options: ExecutorOptions = {}): Promise<RunResult> {
    const workers = Math.max(0, options.workers ?? availableParallelism());
    return runDispatched(processor, dataset, options, (ctx) => (workers === 0 ? new InThreadDispatcher(ctx) : new WorkerPool(ctx, workers, options.readahead ?? 1)));
  }
}

/**
 * Computes in the calling thread, reading the next chunk while one computes. A processor that
 * calls process.exit() here would end the whole run silently, so it is turned into this chunk's
 * failure (PROCESSOR_EXIT); deadlines and heap limits need worker threads.
 */
class InThreadDispatcher implements Dispatcher {
  readonly workers = 0;
  private readonly queue: WorkItem[] = [];

  constructor(private readonly ctx: DispatchContext) {
    ctx.collector.requeue = (item) => this.queue.unshift(item);
  }

  enqueue(items: readonly WorkItem[]): void {
    this.queue.push(...items);
  }

  async done(): Promise<DispatchTimings> {
    const { collector } = this.ctx;
    const runner = new ChunkRunner(this.ctx.module, this.ctx.opener, this.ctx.params, this.ctx.options.snapshotDir);
    const realExit = process.exit;
    process.exit = ((code?: number) => {
      throw new HepflowError("PROCESSOR_EXIT", `the processor called process.exit(${code ?? ""}) while computing a chunk; throw an error instead (with --workers ≥ 1 only its worker thread would end)`, { file: this.ctx.processor });
    }) as typeof process.exit;
    syncBuiltinESMExports(); // `import { exit } from "node:process"` sees the replacement too
    collector.start();
    const prepare = (item: WorkItem | undefined) => {
      const p = item ? runner.prepare(item) : undefined;
      p?.catch(() => undefined); // observed in run()
      return p ? { item: item!, p } : undefined;
    };
    try {
      let next = prepare(this.queue.shift());
      while (next && !collector.stopped) {
        const { item } = next;
        let mine = next.p;
        // readahead: start reading the next chunk while this one computes
        next = prepare(this.queue.shift());
        for (;;) {
          try {
            collector.ok(await runner.run(item, mine), "main");
            break;
          } catch (e) {
            if (!collector.failed(item.index, errorInfo(e), "main")) break;
            mine = runner.prepare(item); // retry at once, keeping the next chunk's reads
            mine.catch(() => undefined);
          }
        }
        // a merge failure may have put an item back at the front: compute it before the read-ahead one
        if (this.queue.length && next && this.queue[0]!.index < next.item.index) {
          const again = prepare(this.queue.shift())!;
          this.queue.unshift(next.item);
          await next.p.catch(() => undefined);
          next = again;
        }
      }
      await next?.p.catch(() => undefined); // the run may stop early: let its reads finish before closing
    } finally {
      process.exit = realExit;
      syncBuiltinESMExports();
      await runner.close();
    }
    return { startupMs: 0, tailIdleMs: 0 };
  }

  async close(): Promise<void> {}
}
