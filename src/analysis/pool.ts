/**
 * The worker-thread dispatcher of the local executor. Workers start at once (loading the
 * processor overlaps planning) and take items from one central queue as the plan streams in. A
 * worker holds a second item (readahead: its reads start while the first computes) only while
 * the queue still has an item for every worker; near the end items stay central, so no worker
 * sits idle while another holds two. Once the plan is complete the rest goes largest first.
 *
 * Faults: each worker says which item it is computing; that item alone is charged an attempt
 * when the worker dies, exceeds its heap limit or passes the chunk deadline (then the thread is
 * terminated — the only way to stop a synchronous loop). Items it had only read ahead go back
 * to the queue uncharged, and a replacement worker starts.
 */
import { Worker } from "node:worker_threads";
import { HepflowError, compiledModule, stopOnInterrupt } from "../util/index.js";
import type { DispatchContext, DispatchTimings, Dispatcher } from "./dispatch.js";
import type { ChunkOutput, ErrorInfo, WorkItem } from "./runner.js";

interface Slot {
  worker: Worker;
  /** thread-1, thread-2, …: a replacement gets the next number (live views show which one ended). */
  name: string;
  inFlight: Set<number>;
  /** The item being computed (announced by the worker), with its deadline timer. */
  current?: number;
  timer?: NodeJS.Timeout;
  /** When the worker last ran out of work (-1 while busy). */
  idleSince: number;
  /** The worker has loaded the processor and takes items. */
  ready: boolean;
}

/** What a worker thread needs to rebuild the processor: paths and plain-data parameters only. */
export interface WorkerInit {
  processor: string;
  opener?: string;
  params: Record<string, unknown>;
  /** Where snapshot parts are written (ExecutorOptions.snapshotDir). */
  snapshotDir?: string;
}

/** How a chunk's worker thread failed, worded alike wherever threads compute chunks (this pool, `hepflow worker`). */
export const threadFaults = {
  timeout: (ms: number): ErrorInfo => ({ code: "CHUNK_TIMEOUT", message: `the chunk did not finish within its deadline of ${(ms / 1000).toFixed(1)} s (the worker thread was stopped; raise it with --chunk-timeout)` }),
  error: (e: Error & { code?: string }, limitMb?: number): ErrorInfo =>
    e.code === "ERR_WORKER_OUT_OF_MEMORY"
      ? { code: "WORKER_OUT_OF_MEMORY", message: `the worker thread ran out of memory${limitMb ? ` (limit ${limitMb} MB)` : ""} while computing the chunk` }
      : { code: "WORKER_DIED", message: `worker thread crashed: ${e.message}`, ...(e.stack ? { stack: e.stack } : {}) },
  exit: (code: number): ErrorInfo => ({ code: "WORKER_DIED", message: `worker thread exited with code ${code} while computing the chunk (process.exit() in the processor?)` }),
};

/** Timings of a pool run, for the run report. */
export type PoolTimings = DispatchTimings;

export class WorkerPool implements Dispatcher {
  private readonly queue: WorkItem[] = [];
  private readonly slots = new Set<Slot>();
  private readonly t0 = performance.now();
  private readonly script = compiledModule(import.meta.url, "./worker.js");
  private readonly init: WorkerInit;
  private readyCount = 0;
  private spawned = 0;
  private startupMs = 0;
  private remaining = 0;
  private planned = false;
  private settled = false;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  private readonly doneP: Promise<void>;
  private tailIdleMs = 0;

  constructor(
    private readonly ctx: DispatchContext,
    readonly workers: number,
    private readonly readahead: number,
  ) {
    this.init = { processor: ctx.processor, opener: ctx.options.opener, params: ctx.params, ...(ctx.options.snapshotDir ? { snapshotDir: ctx.options.snapshotDir } : {}) };
    this.doneP = new Promise<void>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.doneP.catch(() => undefined); // observed by done(); avoid an unhandled rejection before
    ctx.collector.requeue = (item) => {
      this.remaining++;
      this.queue.unshift(item);
      this.feedAll();
    };
    for (let i = 0; i < workers; i++) this.spawn();
  }

  /** Add planned items (in index order) to the queue. */
  enqueue(items: readonly WorkItem[]): void {
    this.queue.push(...items);
    this.remaining += items.length;
    this.feedAll();
  }

  /** No more items will come; resolves when every item has an outcome, the run stopped, or a worker could not load the processor. */
  async done(): Promise<PoolTimings> {
    this.planned = true;
    // the plan is complete: hand out the largest chunks first so the short ones (file ends)
    // fill the tail; the merge order is by index, so this does not change any result
    this.queue.sort((a, b) => b.entryStop - b.entryStart - (a.entryStop - a.entryStart) || a.index - b.index);
    this.settle();
    await this.doneP;
    return { startupMs: this.startupMs, tailIdleMs: this.tailIdleMs };
  }

  /** Stop every worker (also after an error). */
  async close(): Promise<void> {
    this.finish();
    const slots = [...this.slots];
    this.slots.clear();
    for (const s of slots) clearTimeout(s.timer);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): void {
    const limits = this.ctx.options.maxWorkerMemoryMb;
    const worker = new Worker(this.script, { workerData: this.init, ...(limits ? { resourceLimits: { maxOldGenerationSizeMb: limits } } : {}) });
    // Workers may be writing snapshot parts: an interrupt stops them before outputs are cleaned up.
    const stop = stopOnInterrupt(() => worker.terminate());
    worker.once("exit", () => stop.release());
    const slot: Slot = { worker, name: `thread-${++this.spawned}`, inFlight: new Set(), idleSince: -1, ready: false };
    this.slots.add(slot);
    worker.on("message", (msg: { type: string; output?: ChunkOutput; index?: number; error?: ErrorInfo }) => {
      if (!this.slots.has(slot)) return; // a terminated worker's last words
      if (msg.type === "ready") {
        slot.ready = true;
        if (++this.readyCount === this.workers && this.startupMs === 0) this.startupMs = performance.now() - this.t0;
        this.feed(slot);
      } else if (msg.type === "fatal") {
        this.finish(new HepflowError(msg.error!.code, msg.error!.message, { file: this.init.processor }));
      } else if (msg.type === "start") {
        slot.current = msg.index!;
        const item = this.ctx.collector.item(msg.index!);
        const ms = this.ctx.deadlineMs(item);
        slot.timer = setTimeout(() => this.kill(slot, threadFaults.timeout(ms)), ms);
      } else if (msg.type === "result" || msg.type === "error") {
        const index = msg.type === "result" ? msg.output!.index : msg.index!;
        this.endCurrent(slot, index);
        if (msg.type === "result") {
          this.remaining--;
          this.ctx.collector.ok(msg.output!, slot.name);
        } else this.retryOrFail(index, msg.error!, slot.name);
        this.feedAll();
        this.settle();
      }
    });
    worker.on("error", (e: Error & { code?: string }) => this.kill(slot, threadFaults.error(e, this.ctx.options.maxWorkerMemoryMb)));
    worker.on("exit", (code) => this.kill(slot, threadFaults.exit(code)));
  }

  private endCurrent(slot: Slot, index: number): void {
    slot.inFlight.delete(index);
    if (slot.current === index) {
      clearTimeout(slot.timer);
      slot.current = undefined;
      slot.timer = undefined;
    }
  }

  /** Retire a worker: charge only the item it was computing, requeue what it read ahead, start a replacement. */
  private kill(slot: Slot, error: ErrorInfo): void {
    if (this.settled || !this.slots.has(slot)) return;
    this.slots.delete(slot);
    clearTimeout(slot.timer);
    void slot.worker.terminate();
    if (!slot.ready) {
      // it never loaded the processor: a replacement would die the same way
      return this.finish(new HepflowError("WORKER_START", `a worker thread ended while loading the processor: ${error.message}`, { file: this.init.processor }));
    }
    this.readyCount--; // the replacement reports ready again
    const charged = slot.current ?? [...slot.inFlight][0];
    const innocent = [...slot.inFlight].filter((i) => i !== charged).sort((a, b) => a - b);
    this.queue.unshift(...innocent.map((i) => this.ctx.collector.item(i)));
    if (charged !== undefined) this.retryOrFail(charged, error, slot.name);
    this.spawn();
    this.settle();
  }

  private feed(slot: Slot): void {
    if (this.settled || this.ctx.collector.stopped || !this.slots.has(slot) || !slot.ready) return;
    // readahead only while every worker could still get an item of its own
    const limit = this.queue.length >= this.slots.size ? 1 + this.readahead : 1;
    while (slot.inFlight.size < limit && this.queue.length) {
      const item = this.queue.shift()!;
      slot.inFlight.add(item.index);
      this.ctx.collector.start();
      slot.worker.postMessage({ type: "item", item });
    }
    slot.idleSince = slot.inFlight.size === 0 ? performance.now() : -1;
  }

  private feedAll(): void {
    for (const s of this.slots) this.feed(s);
  }

  private retryOrFail(index: number, error: ErrorInfo, worker?: string): void {
    if (this.ctx.collector.failed(index, error, worker)) this.queue.unshift(this.ctx.collector.item(index));
    else this.remaining--;
  }

  private settle(): void {
    if ((this.remaining === 0 && this.planned) || this.ctx.collector.stopped) this.finish();
  }

  private finish(err?: Error): void {
    if (this.settled) return;
    this.settled = true;
    const now = performance.now();
    if (this.startupMs === 0) this.startupMs = now - this.t0; // some worker was still starting when the work ended
    for (const s of this.slots) if (s.idleSince >= 0 && !err) this.tailIdleMs += now - s.idleSince;
    if (err) this.rejectDone(err);
    else this.resolveDone();
  }
}
