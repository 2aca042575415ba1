/**
 * The worker-thread pool of the local executor. Workers start at once (loading the processor
 * module overlaps planning) and take items from one central queue as the plan streams in. A
 * worker holds a second item (readahead: its reads start while the first computes) only while
 * the queue still has an item for every worker; near the end items stay central, so no worker
 * sits idle while another holds two. Once the plan is complete the rest goes largest first. A worker that dies is replaced and its items retried.
 */
import { Worker } from "node:worker_threads";
import { HepflowError, compiledModule } from "../util/index.js";
import type { RunCollector } from "./collect.js";
import type { ChunkOutput, ErrorInfo, WorkItem } from "./runner.js";

interface Slot {
  worker: Worker;
  inFlight: Set<number>;
  /** When the worker last ran out of work (-1 while busy). */
  idleSince: number;
  /** The worker has loaded the processor and takes items. */
  ready: boolean;
}

/** Timings of a pool run, for the run report. */
export interface PoolTimings {
  /** Since the pool was created, until every worker had loaded the processor (the whole run if one never did). */
  startupMs: number;
  /** Summed over workers: time idle at the end while others still worked (tail imbalance). */
  tailIdleMs: number;
}

export class WorkerPool {
  private readonly queue: WorkItem[] = [];
  private readonly items = new Map<number, WorkItem>();
  private readonly slots = new Set<Slot>();
  private readonly t0 = performance.now();
  private readyCount = 0;
  private startupMs = 0;
  private remaining = 0;
  private planned = false;
  private settled = false;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  private readonly doneP: Promise<void>;
  private tailIdleMs = 0;

  constructor(
    private readonly init: { processor: string; opener?: string },
    private readonly size: number,
    private readonly readahead: number,
    private readonly collector: RunCollector,
  ) {
    this.doneP = new Promise<void>((res, rej) => { this.resolveDone = res; this.rejectDone = rej; });
    this.doneP.catch(() => undefined); // observed by done(); avoid an unhandled rejection before
    const script = compiledModule(import.meta.url, "./worker.js");
    for (let i = 0; i < size; i++) this.spawn(script);
  }

  /** Add planned items (in index order) to the queue. */
  enqueue(items: readonly WorkItem[]): void {
    for (const it of items) this.items.set(it.index, it);
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
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
    this.slots.clear();
  }

  private spawn(script: URL | string): void {
    const worker = new Worker(script, { workerData: this.init });
    const slot: Slot = { worker, inFlight: new Set(), idleSince: -1, ready: false };
    this.slots.add(slot);
    worker.on("message", (msg: { type: string; output?: ChunkOutput; index?: number; error?: ErrorInfo }) => {
      if (msg.type === "ready") {
        slot.ready = true;
        if (++this.readyCount === this.size && this.startupMs === 0) this.startupMs = performance.now() - this.t0;
        this.feed(slot);
      } else if (msg.type === "fatal") {
        this.finish(new HepflowError(msg.error!.code, msg.error!.message, { file: this.init.processor }));
      } else if (msg.type === "result") {
        slot.inFlight.delete(msg.output!.index);
        this.remaining--;
        this.collector.ok(msg.output!);
        this.feed(slot);
        this.settle();
      } else if (msg.type === "error") {
        slot.inFlight.delete(msg.index!);
        this.retryOrFail(msg.index!, msg.error!);
        this.feedAll();
        this.settle();
      }
    });
    const lost = (why: string): void => {
      if (this.settled || !this.slots.has(slot)) return;
      this.slots.delete(slot);
      // every chunk the dead worker held counts as one failed attempt; a new worker takes over
      for (const index of slot.inFlight) this.retryOrFail(index, { code: "WORKER_DIED", message: why });
      slot.inFlight.clear();
      if (this.remaining === 0 && this.planned) return this.settle();
      if (slot.ready) this.readyCount--; // the replacement reports ready again
      this.spawn(script);
    };
    worker.on("error", (e) => lost(`worker thread crashed: ${e.message}`));
    worker.on("exit", (code) => lost(`worker thread exited with code ${code}`));
  }

  private feed(slot: Slot): void {
    if (this.settled || this.collector.stopped || !this.slots.has(slot) || !slot.ready) return;
    // readahead only while every worker could still get an item of its own
    const limit = this.queue.length >= this.slots.size ? 1 + this.readahead : 1;
    while (slot.inFlight.size < limit && this.queue.length) {
      const item = this.queue.shift()!;
      slot.inFlight.add(item.index);
      this.collector.start();
      slot.worker.postMessage({ type: "item", item });
    }
    slot.idleSince = slot.inFlight.size === 0 ? performance.now() : -1;
  }

  private feedAll(): void {
    for (const s of this.slots) this.feed(s);
  }

  private retryOrFail(index: number, error: ErrorInfo): void {
    if (this.collector.failed(index, error)) this.queue.unshift(this.items.get(index)!);
    else this.remaining--;
  }

  private settle(): void {
    if ((this.remaining === 0 && this.planned) || this.collector.stopped) this.finish();
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
