/**
 * The worker process computes chunks in worker threads running the local executor's thread
 * script (analysis/worker.ts), so decoding and `process` never block the event loop that
 * renews BullMQ's job locks. Threads are kept per processor (path, opener, parameters) and
 * reused; a chunk past its deadline has its thread terminated (the only way to stop a
 * synchronous loop) and fails with CHUNK_TIMEOUT.
 */
import { Worker } from "node:worker_threads";
import { HepflowError, compiledModule } from "../../util/index.js";
import { threadFaults } from "../pool.js";
import type { WorkerInit } from "../pool.js";
import type { ChunkOutput, ErrorInfo, WorkItem } from "../runner.js";
import { canonicalJson } from "./identity.js";

interface Thread {
  key: string;
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
}

type Message = { type: string; output?: ChunkOutput; index?: number; error?: ErrorInfo };

/** At most `size` threads; one chunk per thread at a time. */
export class ThreadSet {
  private readonly threads = new Set<Thread>();
  private readonly script = compiledModule(import.meta.url, "../worker.js");

  constructor(
    private readonly size: number,
    private readonly maxMemoryMb?: number,
  ) {}

  /** Compute one chunk in a thread that has `init` loaded. */
  async run(init: WorkerInit, item: WorkItem, deadlineMs: number): Promise<ChunkOutput> {
    const t = await this.acquire(init);
    t.busy = true;
    try {
      return await this.compute(t, item, deadlineMs);
    } finally {
      t.busy = false;
    }
  }

  async close(): Promise<void> {
    const ts = [...this.threads];
    this.threads.clear();
    await Promise.all(ts.map((t) => t.worker.terminate()));
  }

  private async acquire(init: WorkerInit): Promise<Thread> {
    const key = canonicalJson(init);
    let t = [...this.threads].find((x) => x.key === key && !x.busy);
    if (!t) {
      if (this.threads.size >= this.size) {
        // BullMQ's concurrency equals the thread count, so an idle thread of another processor exists
        const idle = [...this.threads].find((x) => !x.busy);
        if (idle) this.retire(idle);
      }
      t = this.spawn(key, init);
    }
    await t.ready;
    return t;
  }

  private retire(t: Thread): void {
    this.threads.delete(t);
    void t.worker.terminate();
  }

  private spawn(key: string, init: WorkerInit): Thread {
    const worker = new Worker(this.script, { workerData: init, ...(this.maxMemoryMb ? { resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb } } : {}) });
    worker.unref();
    const ready = new Promise<void>((res, rej) => {
      const onMsg = (m: Message) => {
        if (m.type === "ready") res();
        else if (m.type === "fatal") rej(new HepflowError(m.error!.code, m.error!.message, { file: init.processor }));
        else return;
        worker.off("message", onMsg);
      };
      worker.on("message", onMsg);
      worker.once("error", rej);
      worker.once("exit", (c) => rej(new HepflowError("WORKER_START", `a worker thread exited with code ${c} while loading the processor`, { file: init.processor })));
    });
    const t: Thread = { key, worker, ready, busy: false };
    ready.catch(() => this.retire(t));
    this.threads.add(t);
    return t;
  }

  private compute(t: Thread, item: WorkItem, deadlineMs: number): Promise<ChunkOutput> {
    return new Promise<ChunkOutput>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const fail = (e: ErrorInfo) => {
        cleanup();
        this.retire(t);
        reject(new HepflowError(e.code, e.message));
      };
      const onMsg = (m: Message) => {
        if (m.type === "start") {
          timer = setTimeout(() => fail(threadFaults.timeout(deadlineMs)), deadlineMs);
        } else if (m.type === "result") {
          cleanup();
          resolve(m.output!);
        } else if (m.type === "error") {
          cleanup();
          reject(Object.assign(new HepflowError(m.error!.code, m.error!.message), m.error!.stack ? { stack: m.error!.stack } : {}));
        }
      };
      const onError = (e: Error & { code?: string }) => fail(threadFaults.error(e, this.maxMemoryMb));
      const onExit = (code: number) => fail(threadFaults.exit(code));
      const cleanup = () => {
        clearTimeout(timer);
        t.worker.off("message", onMsg);
        t.worker.off("error", onError);
        t.worker.off("exit", onExit);
      };
      t.worker.on("message", onMsg);
      t.worker.on("error", onError);
      t.worker.on("exit", onExit);
      t.worker.postMessage({ type: "item", item });
    });
  }
}
