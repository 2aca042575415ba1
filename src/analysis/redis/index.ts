/**
 * Redis/BullMQ execution: `RedisExecutor` runs a processor through chunk jobs computed by
 * `hepflow worker` processes on any machine that reaches Redis and the files. BullMQ is imported
 * only when a run or a worker starts, so local runs never load it.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { compiledModule } from "../../util/index.js";
import type { Dataset } from "../dataset.js";
import { runDispatched } from "../dispatch.js";
import type { Executor, ExecutorOptions, RunResult } from "../executor.js";
import { parseRedisUrl } from "./connection.js";
import type { RedisDispatcher, RedisExecutorOptions } from "./dispatcher.js";
import type { RedisWorkerHandle, RedisWorkerOptions } from "./worker.js";

export type { RedisExecutorOptions } from "./dispatcher.js";
export type { RedisWorkerHandle, RedisWorkerOptions } from "./worker.js";
export { parseRedisUrl, redactUrl } from "./connection.js";

/** Runs chunks as BullMQ jobs on `hepflow worker` processes; merges on this side, in the canonical order. */
export class RedisExecutor implements Executor {
  private current?: RedisDispatcher;

  constructor(private readonly redis: RedisExecutorOptions) {
    parseRedisUrl(redis.url); // a bad URL fails before anything is planned
  }

  async run(processor: string, dataset: Dataset, options: ExecutorOptions = {}): Promise<RunResult> {
    const { RedisDispatcher } = await import("./dispatcher.js");
    try {
      return await runDispatched(processor, dataset, options, async (ctx) => (this.current = await RedisDispatcher.create(ctx, this.redis)));
    } finally {
      this.current = undefined;
    }
  }

  /**
   * Remove the running run's queued jobs before this process exits (for a SIGINT handler,
   * which cannot wait for asynchronous work): done by a short child process, synchronously.
   */
  cancelSync(): number {
    const ids = this.current?.pendingIds() ?? [];
    removeJobsSync(this.redis.url, ids);
    return ids.length;
  }
}

/**
 * Removes queued jobs from a hepflow queue before this process exits (for a SIGINT handler, which
 * cannot wait for asynchronous work): done by a short child process, synchronously. Jobs being
 * computed keep their lock and finish.
 */
export function removeJobsSync(url: string, ids: string[], queue?: string, what?: string): void {
  if (!ids.length) return;
  // Required here, not imported: the analysis face is loaded by every worker thread (processors
  // import it), and node:child_process is only ever needed by this interrupt path.
  const { spawnSync } = createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
  spawnSync(process.execPath, [fileURLToPath(compiledModule(import.meta.url, "./cancel.js"))], { input: JSON.stringify({ url, ids, queue, what }), timeout: 15_000, stdio: ["pipe", "ignore", "inherit"] });
}

/** Start a BullMQ worker in this process (what `hepflow worker` runs). */
export async function startRedisWorker(options: RedisWorkerOptions): Promise<RedisWorkerHandle> {
  parseRedisUrl(options.url);
  const { startRedisWorker: start } = await import("./worker.js");
  return start(options);
}
