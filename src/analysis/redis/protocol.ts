/** What travels through Redis between the client and the workers: plain data only, never code. */
import type { ErrorInfo, WorkItem } from "../runner.js";
import type { StoredResult } from "./store.js";

/** BullMQ queue of chunk jobs, and the key prefix of hepflow's queues. */
export const QUEUE = "chunks";
export const PREFIX = "hepflow";

/** A chunk job. Paths are relative to the worker's --root; the worker checks `codeHash` against its copy. */
export interface ChunkJob {
  processor: string;
  opener?: string;
  codeHash: string;
  hepflow: string;
  params: Record<string, unknown>;
  /** The run's snapshot folder relative to the root; absent when it is outside the root (a snapshot then fails). */
  snapshotDir?: string;
  item: WorkItem;
  deadlineMs: number;
  inlineLimit: number;
}

/** What a worker returns for a chunk. */
export interface ChunkReturn {
  result: StoredResult;
  events: number;
  readMs: number;
  computeMs: number;
  /** host:pid of the worker process. */
  worker: string;
}

/** A failed chunk's reason is its ErrorInfo as JSON, so codes survive the queue. */
export function encodeError(e: ErrorInfo, worker?: string): string {
  return JSON.stringify({ code: e.code, message: e.message, ...(worker !== undefined ? { worker } : {}) });
}

/** The worker (host:pid) a failure reason names, if it does (BullMQ's own reasons do not). */
export function failedWorker(reason: string | undefined): string | undefined {
  try {
    const w = (JSON.parse(reason ?? "") as { worker?: unknown }).worker;
    return typeof w === "string" ? w : undefined;
  } catch {
    return undefined;
  }
}

export function decodeError(reason: string | undefined): ErrorInfo {
  try {
    const e = JSON.parse(reason ?? "") as ErrorInfo;
    if (typeof e.code === "string" && typeof e.message === "string") return { code: e.code, message: e.message };
  } catch {
    // a reason BullMQ wrote itself (stalled too often, lock lost)
  }
  const r = reason ?? "unknown";
  return { code: /stalled/i.test(r) ? "WORKER_LOST" : "JOB_FAILED", message: r };
}
