/** `hepflow worker --redis URL`: compute chunk jobs of `hepflow run --executor redis://…` runs. */
import type { Command } from "commander";
import { redactUrl, startRedisWorker } from "../../analysis/index.js";
import { HepflowError } from "../../util/index.js";
import { inProcessRunner } from "./workflow.js";

interface WorkerOptions {
  redis: string;
  concurrency: string;
  root?: string;
  store?: string;
  lockMs: string;
  workerMemory?: string;
}

const positive = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new HepflowError("CLI_OPTION", `${name} must be an integer ≥ 1 (got "${v}")`);
  return n;
};

export function register(program: Command): void {
  program
    .command("worker")
    .description("compute chunks of distributed runs and steps of distributed workflows: BullMQ workers on Redis queues (hepflow run|workflow run --executor redis://…)")
    .requiredOption("--redis <url>", "redis://[user:password@]host:port[/db], or rediss:// for TLS")
    .option("--concurrency <n>", "chunks computed at once, one worker thread each", "1")
    .option("--root <dir>", "processor paths of jobs resolve inside this folder only (default: the working directory)")
    .option("--store <dir>", "result store shared with the client, for accumulators too large to travel through Redis")
    .option("--lock-ms <ms>", "BullMQ lock duration: a worker silent this long loses its chunk to another", "30000")
    .option("--worker-memory <MB>", "heap limit per worker thread")
    .action(async (o: WorkerOptions) => {
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const w = await startRedisWorker({
        url: o.redis,
        concurrency: positive("--concurrency", o.concurrency),
        root: o.root,
        store: o.store,
        lockMs: positive("--lock-ms", o.lockMs),
        maxWorkerMemoryMb: o.workerMemory === undefined ? undefined : positive("--worker-memory", o.workerMemory),
        log,
      });
      // the same process takes workflow steps (hepflow workflow run --executor) from their own queue
      const { startStepWorker } = await import("../../workflow/index.js");
      const steps = await startStepWorker({ url: o.redis, root: o.root, concurrency: positive("--concurrency", o.concurrency), hepflow: inProcessRunner(), log });
      await Promise.all([w.ready, steps.ready]);
      log(`worker ${w.name} ready on ${redactUrl(o.redis)} (concurrency ${o.concurrency}; chunk jobs and workflow steps)`);
      await new Promise<void>((res) => {
        const stop = () => {
          log(`worker ${w.name} stopping: finishing the chunks in progress`);
          void Promise.all([w.close(), steps.close()]).then(() => res());
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
