/**
 * Executors run a processor over a dataset and return the merged accumulator. The `Executor`
 * interface is what a distributed executor (Redis/BullMQ queue of WorkItems, workers running
 * ChunkRunner) implements too: it receives the same plan (planChunks), must merge in WorkItem
 * index order with mergeAccumulators, and reports failures per item.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { HepflowError, compiledModule } from "../util/index.js";
import type { ProgressListener } from "../util/index.js";
import { mergeAccumulators } from "./accumulate.js";
import type { Accumulator } from "./accumulate.js";
import { planChunks } from "./chunks.js";
import type { Dataset } from "./dataset.js";
import { loadOpener, loadProcessor, resolveProcessorPath } from "./processor.js";
import { ChunkRunner, errorInfo } from "./runner.js";
import type { ChunkOutput, ErrorInfo, WorkItem } from "./runner.js";

export interface ExecutorOptions {
  /** Worker threads; default all cores; 0 runs in the calling thread. */
  workers?: number;
  /** Target entries per chunk (rounded up to cluster boundaries). Default 200000 (the AGC reference's). */
  chunkSize?: number;
  /** Extra attempts for a failing chunk before it counts as failed. Default 1. */
  retries?: number;
  /** "fail" (default): stop at the first chunk that fails every attempt and throw; "continue": run everything and return the failures. */
  onFailure?: "fail" | "continue";
  /** Chunks assigned to a worker beyond the one it computes, so reading overlaps compute. Default 1. */
  readahead?: number;
  /** Module exporting `openTree(path, treeName)`; default opens ROOT files. */
  opener?: string;
  progress?: ProgressListener;
}

/** A chunk (or a whole file, if it could not be opened) that failed on every attempt. */
export interface ChunkFailure {
  sample: string;
  file: string;
  fileIndex: number;
  /** Entry range; absent when the file could not be opened while planning. */
  entryStart?: number;
  entryStop?: number;
  attempts: number;
  error: ErrorInfo;
}

export interface RunResult {
  accumulator: Accumulator | undefined;
  failures: ChunkFailure[];
  chunks: number;
  /** Events processed successfully, in total and per sample. */
  events: number;
  eventsBySample: Record<string, number>;
  workers: number;
  wallMs: number;
  /** Summed over chunks: waiting for column reads (read + decompress) and running `process`. */
  readMs: number;
  computeMs: number;
}

/** What every executor provides: run the processor module at `processor` over `dataset`. */
export interface Executor {
  run(processor: string, dataset: Dataset, options?: ExecutorOptions): Promise<RunResult>;
}

/** Runs chunks on a pool of worker threads on this machine. */
export class LocalExecutor implements Executor {
  async run(processor: string, dataset: Dataset, options: ExecutorOptions = {}): Promise<RunResult> {
    const t0 = performance.now();
    const processorPath = resolveProcessorPath(processor);
    const opener = await loadOpener(options.opener);
    const mod = await loadProcessor(processorPath);
    if (mod.acceptSample) dataset = { ...dataset, samples: dataset.samples.filter((s) => mod.acceptSample!(s)) };
    const plan = await planChunks(dataset, opener, options.chunkSize ?? 200_000);
    const workers = Math.max(0, Math.min(options.workers ?? availableParallelism(), plan.items.length));
    const state = new MergeState(plan.items, options, t0);
    for (const f of plan.failures) state.failures.push({ sample: f.sample, file: f.file, fileIndex: f.fileIndex, attempts: 1, error: f.error });
    // in "fail" mode a file that cannot be opened stops the run before any work starts
    if (plan.failures.length && (options.onFailure ?? "fail") === "fail") state.stopped = true;
    if (!state.stopped && workers === 0) await runInThread(processorPath, options.opener, plan.items, state);
    else if (!state.stopped) await runOnWorkers(processorPath, options.opener, plan.items, state, workers, options.readahead ?? 1);
    const result = state.result(workers, performance.now() - t0);
    if (result.failures.length > 0 && (options.onFailure ?? "fail") === "fail") {
      const f = result.failures[0]!;
      const range = f.entryStart !== undefined ? ` entries [${f.entryStart}, ${f.entryStop})` : "";
      throw new HepflowError("CHUNK_FAILED", `${range ? "a chunk" : "a file"} failed (run stopped); sample ${f.sample}${range} after ${f.attempts} attempt(s): ${f.error.message} (use --continue-on-failure to keep the rest)`, { file: f.file });
    }
    return result;
  }
}

/** Collects chunk outputs and folds them in item order as soon as a prefix is complete. */
class MergeState {
  readonly failures: ChunkFailure[] = [];
  private readonly done = new Map<number, ChunkOutput | null>();
  private readonly attempts = new Map<number, number>();
  private next = 0;
  private acc: Accumulator | undefined;
  private events = 0;
  private readonly bySample: Record<string, number> = {};
  private readMs = 0;
  private computeMs = 0;
  private readonly total: number;

  constructor(private readonly items: WorkItem[], private readonly options: ExecutorOptions, private readonly t0: number) {
    this.total = items.reduce((s, it) => s + it.entryStop - it.entryStart, 0);
    for (const it of items) this.bySample[it.sample] ??= 0;
  }

  /** Record a success. */
  ok(out: ChunkOutput): void {
    this.done.set(out.index, out);
    this.events += out.events;
    this.bySample[this.items[out.index]!.sample]! += out.events;
    this.readMs += out.readMs;
    this.computeMs += out.computeMs;
    this.fold();
    const rate = (this.events * 1000) / Math.max(1, performance.now() - this.t0);
    this.options.progress?.({ unit: "events", done: this.events, total: this.total, rate, label: this.items[out.index]!.sample });
  }

  /** Record a failed attempt; true if the item should be tried again. */
  failed(index: number, error: ErrorInfo): boolean {
    const n = (this.attempts.get(index) ?? 0) + 1;
    this.attempts.set(index, n);
    if (n <= (this.options.retries ?? 1)) return true;
    const it = this.items[index]!;
    this.failures.push({ sample: it.sample, file: it.file, fileIndex: it.fileIndex, entryStart: it.entryStart, entryStop: it.entryStop, attempts: n, error });
    this.done.set(index, null);
    this.fold();
    if ((this.options.onFailure ?? "fail") === "fail") this.stopped = true;
    return false;
  }

  /** Set when a chunk failed for good and the caller chose "fail": no more work is started. */
  stopped = false;

  private fold(): void {
    while (this.done.has(this.next)) {
      const out = this.done.get(this.next)!;
      this.done.delete(this.next);
      if (out) this.acc = mergeAccumulators(this.acc, out.accumulator);
      this.next++;
    }
  }

  result(workers: number, wallMs: number): RunResult {
    this.failures.sort((a, b) => (a.sample === b.sample ? a.fileIndex - b.fileIndex || (a.entryStart ?? -1) - (b.entryStart ?? -1) : 0));
    return { accumulator: this.acc, failures: this.failures, chunks: this.items.length, events: this.events, eventsBySample: this.bySample, workers, wallMs, readMs: this.readMs, computeMs: this.computeMs };
  }
}

async function runInThread(processor: string, opener: string | undefined, items: WorkItem[], state: MergeState): Promise<void> {
  const runner = new ChunkRunner(await loadProcessor(processor), await loadOpener(opener));
  const queue = [...items];
  let prepared = queue.length ? runner.prepare(queue[0]!) : undefined;
  while (queue.length && !state.stopped) {
    const item = queue.shift()!;
    const mine = prepared!;
    mine.catch(() => undefined);
    // readahead: start reading the next chunk while this one computes
    prepared = queue.length ? runner.prepare(queue[0]!) : undefined;
    prepared?.catch(() => undefined);
    try {
      state.ok(await runner.run(item, mine));
    } catch (e) {
      if (state.failed(item.index, errorInfo(e))) {
        queue.unshift(item);
        prepared = runner.prepare(item);
        prepared.catch(() => undefined);
      }
    }
  }
  await runner.close();
}

interface Slot {
  worker: Worker;
  inFlight: Set<number>;
}

function runOnWorkers(processor: string, opener: string | undefined, items: WorkItem[], state: MergeState, n: number, readahead: number): Promise<void> {
  const script = compiledModule(import.meta.url, "./worker.js");
  const queue = [...items];
  let remaining = items.length;
  return new Promise<void>((resolveAll, rejectAll) => {
    let settled = false;
    const slots = new Set<Slot>();
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      for (const s of slots) void s.worker.terminate();
      if (err) rejectAll(err);
      else resolveAll();
    };
    const settle = (): void => {
      if (remaining === 0 || state.stopped) finish();
    };
    const feed = (slot: Slot): void => {
      while (slot.inFlight.size < 1 + readahead && queue.length) {
        const item = queue.shift()!;
        slot.inFlight.add(item.index);
        slot.worker.postMessage({ type: "item", item });
      }
    };
    const retryOrFail = (index: number, error: ErrorInfo): void => {
      if (state.failed(index, error)) queue.unshift(items[index]!);
      else remaining--;
    };
    const spawn = (): void => {
      const worker = new Worker(script, { workerData: { processor, opener } });
      const slot: Slot = { worker, inFlight: new Set() };
      slots.add(slot);
      worker.on("message", (msg: { type: string; output?: ChunkOutput; index?: number; error?: ErrorInfo }) => {
        if (msg.type === "ready") feed(slot);
        else if (msg.type === "fatal") finish(new HepflowError(msg.error!.code, msg.error!.message, { file: processor }));
        else if (msg.type === "result") {
          slot.inFlight.delete(msg.output!.index);
          remaining--;
          state.ok(msg.output!);
          feed(slot);
          settle();
        } else if (msg.type === "error") {
          slot.inFlight.delete(msg.index!);
          retryOrFail(msg.index!, msg.error!);
          for (const s of slots) feed(s);
          settle();
        }
      });
      const lost = (why: string): void => {
        if (settled || !slots.has(slot)) return;
        slots.delete(slot);
        // every chunk the dead worker held counts as one failed attempt; a new worker takes over
        for (const index of slot.inFlight) retryOrFail(index, { code: "WORKER_DIED", message: why });
        slot.inFlight.clear();
        if (remaining === 0) return settle();
        spawn();
      };
      worker.on("error", (e) => lost(`worker thread crashed: ${e.message}`));
      worker.on("exit", (code) => lost(`worker thread exited with code ${code}`));
    };
    for (let i = 0; i < n; i++) spawn();
  });
}
