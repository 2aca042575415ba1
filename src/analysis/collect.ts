/**
 * RunCollector: the executor-independent bookkeeping of a run. It receives the plan sample by
 * sample and every chunk outcome in any order, folds results in the fixed item order (within a
 * sample, then sample after sample), decides retries, keeps the failure list, reports progress
 * and corrects the normalisation of samples that lost events. The local executor and a
 * distributed one (queue of WorkItems) share it, so both merge and normalise identically.
 */
import type { ProgressListener } from "../util/index.js";
import { checkMergeable, mergeAccumulators, rescaleHistograms } from "./accumulate.js";
import type { Accumulator } from "./accumulate.js";
import type { SamplePlan } from "./chunks.js";
import { errorInfo } from "./runner.js";
import type { ChunkOutput, ErrorInfo, WorkItem } from "./runner.js";

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
  /** The worker of the last attempt, when the executor names its workers. */
  worker?: string;
}

/** One failed attempt of a chunk, retried or not (what a live view shows as it happens). */
export interface AttemptFailure {
  sample: string;
  file: string;
  entryStart: number;
  entryStop: number;
  attempt: number;
  /** True when the chunk runs again; false when this was its last attempt. */
  retried: boolean;
  worker?: string;
  error: ErrorInfo;
  /** Milliseconds since the run's first chunk started. */
  atMs: number;
}

/** What one worker (a thread, a remote worker process) has done so far. */
export interface WorkerProgress {
  worker: string;
  chunks: number;
  events: number;
  failedAttempts: number;
}

/** Per sample: what was planned, what was processed, and how the normalisation was corrected. */
export interface SampleReport {
  /** Normalisation count handed to `process` as `meta.nevts`. */
  nevts: number;
  /** Entries of the files that could be opened (what the plan covers). */
  entries: number;
  /** Entries processed successfully. */
  processed: number;
  /** Entries in chunks that failed on every attempt. */
  failedEntries: number;
  /** Files that could not be opened. */
  unopenedFiles: number;
  /** The part of `nevts` that the processed events represent (nevts minus the share of lost files and chunks). */
  effectiveNevts: number;
  /** Factor applied to this sample's histograms, nevts / effectiveNevts (1 when nothing was lost or the sample is not normalised by nevts). */
  scale: number;
}

/** A run while it proceeds: what `ExecutorOptions.live` receives. */
export interface LiveSnapshot {
  /** Events processed and planned (so far: samples are planned one after another). */
  done: number;
  total: number;
  /** Events per second since the first chunk started. */
  rate: number;
  samples: Array<{ sample: string; planned: number; processed: number; failed: number; closed: boolean }>;
  failures: ChunkFailure[];
  /** Per worker, for executors that name their workers (thread-N, the in-thread "main", remote worker names). */
  workers: WorkerProgress[];
  /** The latest failed attempts (at most 50), retried ones included, oldest first. */
  attempts: AttemptFailure[];
  /** Every chunk folded so far (in the fixed order), merged: the partial result. */
  accumulator: Accumulator | undefined;
}

export interface CollectorOptions {
  /** Extra attempts for a failing chunk. */
  retries: number;
  onFailure: "fail" | "continue";
  /** Samples whose weights are ∝ 1 / meta.nevts; their histograms are rescaled when events are lost. */
  normalised: (sample: string) => boolean;
  progress?: ProgressListener;
}

interface SampleState {
  plan: SamplePlan;
  /** Index one past the sample's last item. */
  end: number;
  acc: Accumulator | undefined;
  processed: number;
  failedEntries: number;
  /** Lost share of nevts from failed chunks (file nevts × chunk entries / file entries). */
  lostNevts: number;
}

export class RunCollector {
  readonly failures: ChunkFailure[] = [];
  readonly warnings: string[] = [];
  readonly samples: Record<string, SampleReport> = {};
  /** Set when a chunk failed for good and the caller chose "fail": no more work is started. */
  stopped = false;
  private readonly items: WorkItem[] = [];
  private readonly states: SampleState[] = [];
  private readonly done = new Map<number, ChunkOutput | null>();
  private readonly attempts = new Map<number, number>();
  private next = 0;
  private sampleCursor = 0;
  private acc: Accumulator | undefined;
  private events = 0;
  private total = 0;
  private failedTotal = 0;
  private readMs = 0;
  private computeMs = 0;
  private startedAt = -1;
  private readonly perWorker = new Map<string, WorkerProgress>();
  /** Bumped by every outcome and plan: a live view skips snapshots while it stays the same. */
  version = 0;
  private readonly attemptLog: AttemptFailure[] = [];

  constructor(private readonly options: CollectorOptions) {}

  /** Register one planned sample (samples arrive in dataset order, items with consecutive indices). */
  addSample(plan: SamplePlan): void {
    this.version++;
    for (const it of plan.items) this.items[it.index] = it;
    const end = plan.items.length ? plan.items.at(-1)!.index + 1 : this.items.length;
    this.states.push({ plan, end, acc: undefined, processed: 0, failedEntries: 0, lostNevts: 0 });
    this.total += plan.items.reduce((s, it) => s + it.entryStop - it.entryStart, 0);
    for (const f of plan.failures) this.failures.push({ sample: f.sample, file: f.file, fileIndex: f.fileIndex, attempts: 1, error: f.error });
    if (plan.failures.length && this.options.onFailure === "fail") this.stopped = true;
    this.fold();
  }

  /** Mark when chunks start being processed (the progress rate is measured from here). */
  start(): void {
    if (this.startedAt < 0) this.startedAt = performance.now();
  }

  /**
   * Called when a chunk that had arrived must run again (its accumulator could not be merged
   * and attempts remain): the dispatcher puts the item back into its queue.
   */
  requeue: (item: WorkItem) => void = () => undefined;

  /** The item with this index (for dispatchers that only keep indices). */
  item(index: number): WorkItem {
    return this.items[index]!;
  }

  /** True once the item has its outcome (folded, failed for good, or waiting to be folded). */
  resolved(index: number): boolean {
    return index < this.next || this.done.has(index);
  }

  private workerOf(name: string): WorkerProgress {
    let w = this.perWorker.get(name);
    if (!w) this.perWorker.set(name, (w = { worker: name, chunks: 0, events: 0, failedAttempts: 0 }));
    return w;
  }

  /** Record a success (by `worker`, when the executor names it); false (and nothing counted) if the item already had its outcome, e.g. a late duplicate. */
  ok(out: ChunkOutput, worker?: string): boolean {
    if (this.resolved(out.index) || this.items[out.index] === undefined) return false;
    this.version++;
    if (worker !== undefined) {
      const w = this.workerOf(worker);
      w.chunks++;
      w.events += out.events;
    }
    this.done.set(out.index, out);
    this.events += out.events;
    this.readMs += out.readMs;
    this.computeMs += out.computeMs;
    this.fold();
    this.start();
    const rate = (this.events * 1000) / Math.max(1, performance.now() - this.startedAt);
    this.options.progress?.({ unit: "events", done: this.events, total: this.total - this.failedTotal, rate, label: this.items[out.index]!.sample });
    return true;
  }

  /** Record a failed attempt; true if the item should be tried again (false also for an item that already had its outcome). */
  failed(index: number, error: ErrorInfo, worker?: string): boolean {
    if (this.resolved(index) || this.items[index] === undefined) return false;
    this.version++;
    if (worker !== undefined) this.workerOf(worker).failedAttempts++;
    const retry = this.charge(index, error, worker);
    if (!retry) this.fold();
    return retry;
  }

  /** One attempt of `index` failed: true if it may run again, else it is recorded as failed for good. */
  private charge(index: number, error: ErrorInfo, worker?: string): boolean {
    const n = (this.attempts.get(index) ?? 0) + 1;
    this.attempts.set(index, n);
    const it = this.items[index]!;
    const retried = n <= this.options.retries;
    this.attemptLog.push({
      sample: it.sample,
      file: it.file,
      entryStart: it.entryStart,
      entryStop: it.entryStop,
      attempt: n,
      retried,
      worker,
      error: { code: error.code, message: error.message },
      atMs: this.startedAt < 0 ? 0 : performance.now() - this.startedAt,
    });
    if (this.attemptLog.length > 50) this.attemptLog.shift();
    if (retried) return true;
    this.failures.push({ sample: it.sample, file: it.file, fileIndex: it.fileIndex, entryStart: it.entryStart, entryStop: it.entryStop, attempts: n, error, ...(worker !== undefined ? { worker } : {}) });
    this.failedTotal += it.entryStop - it.entryStart;
    this.done.set(index, null);
    if (this.options.onFailure === "fail") this.stopped = true;
    return false;
  }

  /** The run so far: progress per sample, failures and the partial accumulator (a merge of what is folded; nothing is modified). */
  live(): LiveSnapshot {
    const samples = this.states.map((s, i) => ({
      sample: s.plan.sample,
      planned: s.plan.items.reduce((a, it) => a + it.entryStop - it.entryStart, 0),
      processed: this.samples[s.plan.sample]?.processed ?? s.processed,
      failed: s.failedEntries,
      closed: i < this.sampleCursor,
    }));
    const open = this.states[this.sampleCursor];
    const rate = this.startedAt < 0 ? 0 : (this.events * 1000) / Math.max(1, performance.now() - this.startedAt);
    const workers = [...this.perWorker.values()].map((w) => ({ ...w })).sort((a, b) => a.worker.localeCompare(b.worker, "en", { numeric: true }));
    return { done: this.events, total: this.total - this.failedTotal, rate, samples, failures: [...this.failures], workers, attempts: [...this.attemptLog], accumulator: mergeAccumulators(this.acc, open?.acc) };
  }

  /** Events processed so far. */
  get processed(): number {
    return this.events;
  }

  /** Fold every complete prefix of items; close each sample once its last item is folded. */
  private fold(): void {
    for (;;) {
      const s = this.states[this.sampleCursor];
      if (!s) return;
      while (this.next < s.end && this.done.has(this.next)) {
        const out = this.done.get(this.next)!;
        this.done.delete(this.next);
        const it = this.items[this.next]!;
        const events = it.entryStop - it.entryStart;
        if (out) {
          try {
            // checked against the run's accumulator too, so closing the sample cannot fail later
            checkMergeable(this.acc, out.accumulator);
            s.acc = mergeAccumulators(s.acc, out.accumulator);
          } catch (e) {
            // a merge error is this chunk's failure: its events were never added to anything
            this.done.delete(this.next);
            this.events -= out.events;
            this.readMs -= out.readMs;
            this.computeMs -= out.computeMs;
            if (this.charge(this.next, errorInfo(e))) {
              this.requeue(it);
              return;
            }
            continue; // recorded as failed: the loop folds it as a loss
          }
          s.processed += events;
        } else {
          const f = s.plan.files[it.fileIndex]!;
          s.failedEntries += events;
          s.lostNevts += f.entries ? (f.nevts * events) / f.entries : 0;
        }
        this.next++;
      }
      if (this.next < s.end) return;
      this.closeSample(s);
      this.sampleCursor++;
    }
  }

  private closeSample(s: SampleState): void {
    const p = s.plan;
    // a file that never opened was counted in nevts only when the catalogue gave its count
    const unopened = p.files.filter((f) => f.entries === undefined);
    const lost = s.lostNevts + (p.nevtsFromCatalogue ? unopened.reduce((a, f) => a + f.nevts, 0) : 0);
    const effective = p.nevts - lost;
    const entries = p.files.reduce((a, f) => a + (f.entries ?? 0), 0);
    let scale = 1;
    if (lost > 0) {
      const parts = [s.failedEntries ? `${s.failedEntries} of ${entries} entries failed` : "", unopened.length ? `${unopened.length} file(s) could not be opened` : ""];
      const what = parts.filter(Boolean).join(" and ");
      if (s.processed === 0 || !(effective > 0)) {
        this.warnings.push(`sample ${p.sample}: nothing was processed (${what}); it is missing from the outputs`);
      } else if (this.options.normalised(p.sample)) {
        scale = p.nevts / effective;
        s.acc = rescaleHistograms(s.acc, scale);
        this.warnings.push(`sample ${p.sample}: ${what}; its histograms were rescaled by ${fmt(scale)} (nevts ${p.nevts} → ${fmt(effective)} effective), counters are not`);
      } else {
        this.warnings.push(`sample ${p.sample}: ${what}; not rescaled (not normalised by nevts, e.g. data): its yields are ${fmt((100 * lost) / p.nevts)}% low`);
      }
    }
    this.samples[p.sample] = { nevts: p.nevts, entries, processed: s.processed, failedEntries: s.failedEntries, unopenedFiles: unopened.length, effectiveNevts: effective, scale };
    this.acc = mergeAccumulators(this.acc, s.acc, `accumulator (closing sample ${p.sample})`);
    s.acc = undefined;
  }

  /** The merged accumulator and the bookkeeping, once every item has an outcome (or the run stopped). */
  result(): {
    accumulator: Accumulator | undefined;
    failures: ChunkFailure[];
    warnings: string[];
    samples: Record<string, SampleReport>;
    chunks: number;
    events: number;
    eventsBySample: Record<string, number>;
    readMs: number;
    computeMs: number;
  } {
    const order = new Map(this.states.map((s, i) => [s.plan.sample, i]));
    this.failures.sort((a, b) => order.get(a.sample)! - order.get(b.sample)! || a.fileIndex - b.fileIndex || (a.entryStart ?? -1) - (b.entryStart ?? -1));
    const eventsBySample: Record<string, number> = {};
    for (const s of this.states) eventsBySample[s.plan.sample] = this.samples[s.plan.sample]?.processed ?? s.processed;
    return { accumulator: this.acc, failures: this.failures, warnings: this.warnings, samples: this.samples, chunks: this.items.length, events: this.events, eventsBySample, readMs: this.readMs, computeMs: this.computeMs };
  }
}

function fmt(x: number): string {
  return String(+x.toPrecision(6));
}
