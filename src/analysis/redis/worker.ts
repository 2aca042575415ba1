/**
 * `hepflow worker`: a BullMQ worker process taking chunk jobs from Redis. A job carries paths
 * relative to the worker's root (resolved there, never outside it), the processor's code hash
 * (checked against the worker's copy: a different version refuses the job instead of computing
 * something else) and plain-data parameters; nothing in a job is evaluated as code.
 */
import { hostname } from "node:os";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { UnrecoverableError, Worker } from "bullmq";
import type { Job } from "bullmq";
import { isHepflowError } from "../../util/index.js";
import { resolveProcessorPath } from "../processor.js";
import { errorInfo } from "../runner.js";
import { parseRedisUrl } from "./connection.js";
import { codeHash, hepflowVersion } from "./identity.js";
import { encodeError, PREFIX, QUEUE } from "./protocol.js";
import type { ChunkJob, ChunkReturn } from "./protocol.js";
import { putResult } from "./store.js";
import { ThreadSet } from "./threads.js";

export interface RedisWorkerOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Chunks computed at once (one worker thread each). Default 1. */
  concurrency?: number;
  /** Processor and opener paths of jobs resolve inside this folder only. Default: the working directory. */
  root?: string;
  /** Content-addressed result store (shared with the client) for accumulators too large for Redis. */
  store?: string;
  /** BullMQ lock duration in ms: a worker silent this long loses its job to another. Default 30 000. */
  lockMs?: number;
  /** Heap limit per worker thread in MB. */
  maxWorkerMemoryMb?: number;
  /** One line per notable event (job refused, chunk failed). */
  log?: (line: string) => void;
}

/** A running worker; `close()` finishes the chunks in progress and disconnects. */
export interface RedisWorkerHandle {
  readonly name: string;
  close(): Promise<void>;
  /** Resolves once connected to Redis. */
  ready: Promise<void>;
}

/** Start a worker process's BullMQ worker. */
export function startRedisWorker(options: RedisWorkerOptions): RedisWorkerHandle {
  const root = resolve(options.root ?? process.cwd());
  const concurrency = options.concurrency ?? 1;
  const threads = new ThreadSet(concurrency, options.maxWorkerMemoryMb);
  const name = `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => undefined);
  const hashes = new Map<string, string>();
  const lockDuration = options.lockMs ?? 30_000;

  const inside = (rel: string, what: string): string => {
    const p = resolve(root, rel);
    const r = relative(root, p);
    if (isAbsolute(rel) || r === ".." || r.startsWith(".." + sep) || isAbsolute(r)) throw new UnrecoverableError(encodeError({ code: "PATH_REFUSED", message: `the job's ${what} "${rel}" is outside this worker's root ${root}` }));
    return p;
  };

  const verified = (processor: string, opener: string | undefined, want: string): void => {
    const key = `${processor}\0${opener ?? ""}`;
    if (hashes.get(key) === want) return;
    // recomputed on a mismatch too, so a processor updated while the worker runs is picked up
    const have = codeHash(processor, opener);
    hashes.set(key, have);
    if (have !== want)
      throw new UnrecoverableError(
        encodeError({
          code: "PROCESSOR_VERSION",
          message: `worker ${name} (hepflow ${hepflowVersion()}) has a different version of ${relative(root, processor)} (code hash ${have.slice(0, 12)}, the run wants ${want.slice(0, 12)}); update the worker's copy under ${root}`,
        }),
      );
  };

  const handle = async (job: Job<ChunkJob, ChunkReturn>): Promise<ChunkReturn> => {
    const d = job.data;
    try {
      if (d.hepflow !== hepflowVersion()) throw new UnrecoverableError(encodeError({ code: "PROCESSOR_VERSION", message: `worker ${name} runs hepflow ${hepflowVersion()}, the run was submitted by hepflow ${d.hepflow}` }));
      let processor: string;
      try {
        processor = resolveProcessorPath(inside(d.processor, "processor"));
      } catch (e) {
        if (e instanceof UnrecoverableError) throw e;
        throw new UnrecoverableError(encodeError({ code: "PROCESSOR_NOT_FOUND", message: `worker ${name}: no processor ${d.processor} under ${root}` }));
      }
      const opener = d.opener ? inside(d.opener, "opener") : undefined;
      verified(processor, opener, d.codeHash);
      const snapshotDir = d.snapshotDir !== undefined ? inside(d.snapshotDir, "snapshot folder") : undefined;
      const out = await threads.run({ processor, opener, params: d.params, ...(snapshotDir ? { snapshotDir } : {}) }, d.item, d.deadlineMs);
      return { result: putResult(out.accumulator, options.store, d.inlineLimit), events: out.events, readMs: out.readMs, computeMs: out.computeMs, worker: name };
    } catch (e) {
      if (e instanceof UnrecoverableError) {
        log(`job ${job.id} refused: ${e.message}`);
        throw e;
      }
      const info = errorInfo(e);
      log(`chunk ${d.item.sample} ${d.item.file} [${d.item.entryStart}, ${d.item.entryStop}) failed: ${info.code} ${info.message}`);
      throw new Error(encodeError(info, name));
    }
  };

  const worker = new Worker<ChunkJob, ChunkReturn>(QUEUE, handle, {
    connection: parseRedisUrl(options.url),
    prefix: PREFIX,
    concurrency,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    // a job whose worker vanished is put back twice before it counts as failed (the client then charges an attempt)
    maxStalledCount: 2,
    name,
  });
  worker.on("error", (e) => {
    // a late result after the lock was lost lands here: it is discarded, never counted
    log(`worker: ${isHepflowError(e) ? e.message : (e as Error).message}`);
  });
  return {
    name,
    ready: worker.waitUntilReady().then(() => undefined),
    async close() {
      await worker.close();
      await threads.close();
    },
  };
}
