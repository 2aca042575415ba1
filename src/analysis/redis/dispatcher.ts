/**
 * The Redis/BullMQ dispatcher: every work item becomes a BullMQ job whose id is the hash of
 * what it computes (identity.ts), and its results come back to the client's RunCollector, which
 * merges them in the canonical item order exactly as the local executor does. So the result is
 * bit-identical for any number of workers and any arrival order; retries, the failure policy and
 * normalisation are the collector's, not BullMQ's (jobs have a single BullMQ attempt; a job
 * whose worker vanished is put back by BullMQ's stalled-job check, which is not an attempt).
 *
 * Completion is learnt from the queue's event stream and, every `pollMs`, from the jobs'
 * states; the poll also catches events missed while Redis was restarting, notices a job that
 * vanished (Redis restarted without persistence, or another client cancelled) and a Redis that
 * stays unreachable. A result is counted once: the collector refuses a second outcome, and
 * BullMQ refuses to complete a job whose lock its worker lost (a stopped worker's late result).
 */
import { relative, resolve, isAbsolute, sep } from "node:path";
import { Job, Queue, QueueEvents } from "bullmq";
import type { JobsOptions } from "bullmq";
import { HepflowError } from "../../util/index.js";
import type { DispatchContext, DispatchTimings, Dispatcher } from "../dispatch.js";
import { errorInfo } from "../runner.js";
import type { WorkItem } from "../runner.js";
import { parseRedisUrl, redactUrl } from "./connection.js";
import { codeHash, fileIdentity, hepflowVersion, jobId } from "./identity.js";
import { decodeError, failedWorker, PREFIX, QUEUE } from "./protocol.js";
import type { ChunkJob, ChunkReturn } from "./protocol.js";
import { DEFAULT_INLINE_LIMIT, getResult } from "./store.js";

/** How the client reaches Redis and the workers' shared folders. */
export interface RedisExecutorOptions {
  /** redis://[user:password@]host:port[/db] or rediss:// (TLS). */
  url: string;
  /** Folder the processor (and opener) paths are sent relative to; workers resolve them against their own --root. Default: the working directory. */
  root?: string;
  /** Content-addressed result store shared with the workers (large accumulators). */
  store?: string;
  /** Results up to this many serialised bytes travel inline in Redis. Default 256 KiB. */
  inlineLimit?: number;
  /** Aborting cancels the run: queued chunk jobs are removed. */
  signal?: AbortSignal;
  /** Job-state poll interval in ms. Default 1000. */
  pollMs?: number;
  /** Fail the run when Redis is unreachable this long (ms). Default 30 000. */
  connectionLostMs?: number;
}

/** Finished jobs stay this long so a second client (or a resubmission) attaches to them. */
const KEEP_S = 24 * 3600;

function under(root: string, p: string, what: string): string {
  const r = relative(root, p);
  if (r === ".." || r.startsWith(".." + sep) || isAbsolute(r))
    throw new HepflowError("EXECUTOR_OPTIONS", `the ${what} ${p} is outside the root ${root} that workers resolve paths against (run from a folder that contains it, or set the root)`);
  return r.split(sep).join("/");
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: () => Error): Promise<T> =>
  new Promise<T>((res, rej) => {
    const t = setTimeout(() => rej(what()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        res(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        rej(e as Error);
      },
    );
  });

export class RedisDispatcher implements Dispatcher {
  workers = 0;
  /** Job id → item index, and back. */
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly submitted = new Set<string>();
  private readonly handledFailures = new Set<string>();
  /** Chunks computed per worker (host:pid). */
  readonly perWorker = new Map<string, number>();
  private adding: Promise<void> = Promise.resolve();
  private planned = false;
  private settled = false;
  private polling = false;
  private lastContact = performance.now();
  private timer?: NodeJS.Timeout;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  private readonly doneP: Promise<void>;
  private readonly base: Omit<ChunkJob, "item" | "deadlineMs">;
  private readonly fileIds = new Map<string, string>();

  private constructor(
    private readonly ctx: DispatchContext,
    private readonly o: RedisExecutorOptions,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
  ) {
    const root = resolve(o.root ?? process.cwd());
    const opener = ctx.options.opener ? resolve(ctx.options.opener) : undefined;
    // workers write only inside their root: a snapshot folder outside it is not sent (a snapshot then fails there)
    const snap = ctx.options.snapshotDir ? relative(root, resolve(ctx.options.snapshotDir)) : undefined;
    const snapshotDir = snap !== undefined && snap !== ".." && !snap.startsWith(".." + sep) && !isAbsolute(snap) ? snap.split(sep).join("/") : undefined;
    this.base = {
      processor: under(root, ctx.processor, "processor"),
      ...(opener ? { opener: under(root, opener, "opener") } : {}),
      codeHash: codeHash(ctx.processor, opener),
      hepflow: hepflowVersion(),
      params: ctx.params,
      ...(snapshotDir !== undefined ? { snapshotDir } : {}),
      inlineLimit: o.inlineLimit ?? DEFAULT_INLINE_LIMIT,
    };
    this.doneP = new Promise<void>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.doneP.catch(() => undefined);
    ctx.collector.requeue = (item) => void this.rerun(this.ids[item.index]!, "completed");
    events.on("completed", ({ jobId, returnvalue }) => {
      if (!this.index.has(jobId)) return;
      const rv = (typeof returnvalue === "string" ? JSON.parse(returnvalue) : returnvalue) as ChunkReturn;
      this.contact();
      this.completed(jobId, rv);
    });
    events.on("failed", ({ jobId }) => {
      if (this.index.has(jobId)) void this.check([jobId]).catch((e: unknown) => this.finish(e as Error));
    });
    o.signal?.addEventListener("abort", () => void this.cancel(), { once: true });
    const pollMs = o.pollMs ?? 1000;
    this.timer = setInterval(() => void this.poll(), pollMs);
  }

  /** Connect (failing clearly when Redis cannot be reached) and start following the queue. */
  static async create(ctx: DispatchContext, o: RedisExecutorOptions): Promise<RedisDispatcher> {
    const connection = parseRedisUrl(o.url);
    const queue = new Queue(QUEUE, { connection, prefix: PREFIX });
    const events = new QueueEvents(QUEUE, { connection, prefix: PREFIX });
    queue.on("error", () => undefined); // reconnects are followed by the poll
    events.on("error", () => undefined);
    try {
      const ms = o.connectionLostMs ?? 30_000;
      await withTimeout(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), ms, () => new HepflowError("REDIS_UNREACHABLE", `cannot reach Redis at ${redactUrl(o.url)} within ${ms / 1000} s`));
      const d = new RedisDispatcher(ctx, o, queue, events);
      d.workers = await queue.getWorkersCount();
      return d;
    } catch (e) {
      await Promise.allSettled([queue.close(), events.close()]);
      throw e;
    }
  }

  enqueue(items: readonly WorkItem[]): void {
    const jobs = items.map((item) => {
      let fid = this.fileIds.get(item.file);
      if (fid === undefined) this.fileIds.set(item.file, (fid = fileIdentity(item.file)));
      const id = jobId(this.base.codeHash, this.base.snapshotDir === undefined ? this.base.params : { params: this.base.params, snapshotDir: this.base.snapshotDir }, fid, item);
      this.index.set(id, item.index);
      this.ids[item.index] = id;
      const data: ChunkJob = { ...this.base, item, deadlineMs: this.ctx.deadlineMs(item) };
      const opts: JobsOptions = { jobId: id, attempts: 1, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S } };
      return { name: item.sample, data, opts };
    });
    this.ctx.collector.start();
    this.adding = this.adding
      .then(async () => {
        if (this.settled) return;
        await this.queue.addBulk(jobs);
        for (const j of jobs) this.submitted.add(j.opts.jobId!);
        // jobs that already existed (a resubmission, or another client's run) may be finished
        await this.check(jobs.map((j) => j.opts.jobId!));
      })
      .catch((e: unknown) => this.finish(e as Error));
  }

  async done(): Promise<DispatchTimings> {
    this.planned = true;
    await this.adding;
    this.settle();
    await this.doneP;
    this.workers = Math.max(this.workers, this.perWorker.size);
    return { startupMs: 0, tailIdleMs: 0 };
  }

  async close(): Promise<void> {
    this.finish();
    clearInterval(this.timer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  /** Job ids of the items without an outcome (what a cancel removes). */
  pendingIds(): string[] {
    return this.ids.filter((id, i) => id !== undefined && !this.ctx.collector.resolved(i));
  }

  /** Remove the run's queued jobs; jobs being computed finish (their results stay for a resubmission). */
  async cancel(): Promise<void> {
    if (this.settled) return;
    const ids = this.pendingIds();
    this.finish(new HepflowError("CANCELLED", `run cancelled; removing ${ids.length} unfinished chunk job(s) from the queue`));
    await Promise.allSettled(ids.map((id) => this.queue.remove(id)));
  }

  private contact(): void {
    this.lastContact = performance.now();
  }

  private completed(id: string, rv: ChunkReturn): void {
    const i = this.index.get(id)!;
    if (this.settled || this.ctx.collector.resolved(i)) return;
    let accumulator;
    try {
      accumulator = getResult(rv.result, this.o.store);
    } catch (e) {
      if (this.ctx.collector.failed(i, errorInfo(e), rv.worker)) void this.rerun(id, "completed");
      return this.settle();
    }
    if (this.ctx.collector.ok({ index: i, accumulator, events: rv.events, readMs: rv.readMs, computeMs: rv.computeMs }, rv.worker)) {
      this.perWorker.set(rv.worker, (this.perWorker.get(rv.worker) ?? 0) + 1);
    }
    this.settle();
  }

  private failedJob(id: string, job: Job): void {
    const key = `${id}@${job.finishedOn ?? 0}`;
    if (this.handledFailures.has(key)) return;
    this.handledFailures.add(key);
    const i = this.index.get(id)!;
    if (this.settled || this.ctx.collector.resolved(i)) return;
    if (this.ctx.collector.failed(i, decodeError(job.failedReason), failedWorker(job.failedReason))) void this.rerun(id, "failed");
    this.settle();
  }

  /** Run a finished job again (a retry the collector granted). */
  private async rerun(id: string, state: "completed" | "failed"): Promise<void> {
    try {
      const job = await Job.fromId(this.queue, id);
      if (!job) throw new HepflowError("REDIS_JOB_LOST", `chunk job ${id} to retry is no longer in Redis`);
      await job.retry(state);
    } catch (e) {
      this.finish(e as Error);
    }
  }

  /** Look at the jobs' states: collect finished ones, notice vanished ones. */
  private async check(ids: string[]): Promise<void> {
    for (let k = 0; k < ids.length && !this.settled; k += 500) {
      const batch = ids.slice(k, k + 500);
      const states = await Promise.all(batch.map((id) => this.queue.getJobState(id)));
      this.contact();
      for (let j = 0; j < batch.length && !this.settled; j++) {
        const id = batch[j]!;
        const state = states[j]!;
        if (state === "completed" || state === "failed") {
          const job = await Job.fromId(this.queue, id);
          if (!job) continue; // removed meanwhile: the next poll says so
          if (state === "completed") this.completed(id, job.returnvalue as ChunkReturn);
          else this.failedJob(id, job);
        } else if (state === "unknown" && this.submitted.has(id) && !this.ctx.collector.resolved(this.index.get(id)!)) {
          const it = this.ctx.collector.item(this.index.get(id)!);
          this.finish(
            new HepflowError(
              "REDIS_JOB_LOST",
              `the chunk job of ${it.sample} ${it.file} entries [${it.entryStart}, ${it.entryStop}) is no longer in Redis (Redis restarted without persistence, or another client cancelled the run); nothing was merged from an incomplete run — run it again`,
            ),
          );
        }
      }
    }
  }

  private async poll(): Promise<void> {
    if (this.settled) return;
    const lostMs = this.o.connectionLostMs ?? 30_000;
    if (this.polling) {
      // commands wait for a reconnect: a poll that does not return means Redis is away
      if (performance.now() - this.lastContact > lostMs)
        this.finish(new HepflowError("REDIS_LOST", `lost Redis at ${redactUrl(this.o.url)} for more than ${lostMs / 1000} s; the run stopped (finished chunks stay in Redis: run it again to resume)`));
      return;
    }
    this.polling = true;
    try {
      await this.check(this.pendingIds().filter((id) => this.submitted.has(id)));
    } catch (e) {
      if (performance.now() - this.lastContact > lostMs) this.finish(new HepflowError("REDIS_LOST", `Redis at ${redactUrl(this.o.url)} failed for more than ${lostMs / 1000} s: ${(e as Error).message}`));
    } finally {
      this.polling = false;
    }
  }

  private settle(): void {
    const c = this.ctx.collector;
    if (c.stopped && !this.settled) {
      // the run failed for good: the rest would be computed for nothing
      const ids = this.pendingIds();
      void Promise.allSettled(ids.map((id) => this.queue.remove(id)));
      return this.finish();
    }
    if (this.planned && this.ids.every((_, i) => c.resolved(i))) this.finish();
  }

  private finish(err?: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearInterval(this.timer);
    if (err) this.rejectDone(err);
    else this.resolveDone();
  }
}
