/** `hepflow run PATH --dataset FILE`: run a processor module over a dataset on all cores and write its outputs. */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { LocalExecutor, RedisExecutor, SNAPSHOT_KEY, assembleSnapshots, loadDataset, loadParameterFile, loadProcessor, parseParameterAssignments } from "../../analysis/index.js";
import type { Accumulator, LiveSnapshot, RunResult, SnapshotPart } from "../../analysis/index.js";
import { HepflowError, prepareOutput } from "../../util/index.js";
import { progressPrinter } from "../progress.js";
import { track, trackOptions } from "./track-options.js";

interface RunOptions {
  dataset: string;
  workers?: string;
  maxFiles?: string;
  out: string;
  chunkSize?: string;
  retries?: string;
  continueOnFailure?: boolean;
  prefix: string[];
  opener?: string;
  json?: boolean;
  force?: boolean;
  param: string[];
  params?: string;
  chunkTimeout?: string;
  workerMemory?: string;
  executor?: string;
  store?: string;
  live?: boolean;
}

const int = (name: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new HepflowError("CLI_OPTION", `${name} must be an integer ≥ ${min} (got "${v}")`);
  return n;
};

const seconds = (name: string, v: string): number => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new HepflowError("CLI_OPTION", `${name} must be a positive number of seconds (got "${v}")`);
  return n;
};

/** Typed arrays become plain arrays so the default output is readable JSON. */
function toJson(a: Accumulator | undefined): unknown {
  return JSON.parse(JSON.stringify(a ?? null, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)));
}

function summary(r: RunResult): string {
  const perS = r.wallMs > 0 ? (r.events * 1000) / r.wallMs : 0;
  const lines = [
    `events    ${r.events} in ${r.chunks} chunks on ${r.workers || 1} thread(s)`,
    `wall      ${(r.wallMs / 1000).toFixed(2)} s (${Math.round(perS)} events/s); planning ${(r.planMs / 1000).toFixed(2)} s, worker start-up ${(r.startupMs / 1000).toFixed(2)} s (overlapping)`,
    `time      read+decompress ${(r.readMs / 1000).toFixed(2)} s, compute ${(r.computeMs / 1000).toFixed(2)} s (summed over chunks)`,
  ];
  for (const f of r.failures) {
    const range = f.entryStart !== undefined ? ` entries [${f.entryStart}, ${f.entryStop})` : " (whole file)";
    lines.push(`FAILED    ${f.sample} ${f.file}${range}: ${f.error.message}`);
  }
  const lossy = Object.entries(r.samples).filter(([, s]) => s.processed < s.entries || s.unopenedFiles > 0);
  if (lossy.length) {
    lines.push("sample events processed / planned entries (nevts used → effective, histogram scale):");
    for (const [name, s] of lossy)
      lines.push(`          ${name}: ${s.processed} / ${s.entries}${s.unopenedFiles ? ` + ${s.unopenedFiles} unopened file(s)` : ""} (nevts ${s.nevts} → ${+s.effectiveNevts.toPrecision(8)}, ×${+s.scale.toPrecision(6)})`);
  }
  for (const w of r.warnings) lines.push(`WARNING   ${w}`);
  return lines.join("\n");
}

export function register(program: Command): void {
  trackOptions(
    program
      .command("run <processor>")
      .description("run a processor module (file or folder with index.mjs) over a dataset on a worker-thread pool")
      .requiredOption("--dataset <file>", "dataset JSON (list of samples, or an AGC nanoaod_inputs.json catalogue)")
      .option("--workers <n>", "worker threads (default: all cores; 0 = in this thread)")
      .option("--max-files <k>", "only the first K files of every sample")
      .option("--out <dir>", "output folder", "hepflow-out")
      .option("--chunk-size <n>", "entries per chunk, rounded to cluster boundaries", "200000")
      .option("--retries <n>", "extra attempts for a failing chunk", "1")
      .option("--continue-on-failure", "keep the results of the other chunks when some fail (listed in OUT/failures.json); simulation histograms of samples that lost events are rescaled to the events processed")
      .option("--prefix <from=to>", "rewrite file path prefixes (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option("--opener <module>", "module exporting openTree(path, treeName) for non-ROOT inputs")
      .option("-P, --param <name=value>", "set a processor parameter (repeatable; the processor's `parameters` export declares them)", (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option("--params <file>", "processor parameters from a JSON or YAML mapping (-P overrides it)")
      .option("--chunk-timeout <s>", "deadline per chunk in seconds (default 60 s + 0.5 ms per entry); a chunk past it is stopped, retried, then CHUNK_TIMEOUT")
      .option("--worker-memory <MB>", "heap limit per worker thread; a worker past it fails its chunk with WORKER_OUT_OF_MEMORY")
      .option("--executor <url>", "where chunks are computed: local (default) or redis://[user:password@]host:port (rediss:// for TLS), with `hepflow worker` processes")
      .option("--store <dir>", "with --executor redis://: result store shared with the workers, for large accumulators")
      .option("--live", "write OUT/live.json 5 times a second while running: progress per sample, failures, the accumulator so far (hepflow ui shows it)")
      .option("--json", "print the run summary as JSON")
      .option("--force", "replace a non-empty output folder (the old one is kept until this run has written its results)"),
  ).action(async (processor: string, o: RunOptions & { track?: boolean }) => {
    const prefixRewrite: Record<string, string> = {};
    for (const p of o.prefix) {
      const i = p.indexOf("=");
      if (i <= 0) throw new HepflowError("CLI_OPTION", `--prefix takes FROM=TO (got "${p}")`);
      prefixRewrite[p.slice(0, i)] = p.slice(i + 1);
    }
    const dataset = loadDataset(o.dataset, { maxFiles: int("--max-files", o.maxFiles, -1), prefixRewrite });
    await expandRemoteGlobs(dataset);
    const mod = await loadProcessor(processor); // fail early, before the pool starts
    // Claimed before the run, so a refusal costs nothing; an old output comes back if the run fails.
    const outDir = prepareOutput(o.out, { force: o.force, inputs: [o.dataset, processor, ...dataset.samples.flatMap((s) => s.files.map((f) => f.path))] });
    try {
      const progress = progressPrinter();
      // A processor that returns `$snapshot` columns gets its per-chunk parts here (the folder travels with the work).
      const partsDir = resolve(join(o.out, ".snapshot-parts"));
      const executor = chooseExecutor(o);
      const live = o.live ? liveWriter(join(o.out, "live.json"), { processor, dataset: o.dataset }) : undefined;
      const result = await executor
        .run(processor, dataset, {
          live: live ? { update: live.update } : undefined,
          workers: int("--workers", o.workers, 0),
          chunkSize: int("--chunk-size", o.chunkSize, 1),
          retries: int("--retries", o.retries, 0),
          onFailure: o.continueOnFailure ? "continue" : "fail",
          opener: o.opener,
          params: { ...(o.params ? loadParameterFile(o.params) : {}), ...parseParameterAssignments(o.param) },
          chunkTimeoutMs: o.chunkTimeout === undefined ? undefined : seconds("--chunk-timeout", o.chunkTimeout) * 1000,
          maxWorkerMemoryMb: int("--worker-memory", o.workerMemory, 16),
          snapshotDir: partsDir,
          progress,
        })
        .catch((e: unknown) => {
          live?.end("failed", undefined, (e as Error).message);
          throw e;
        });
      live?.end("finished", result);
      // the values the run used (defaults included): part of what the outputs mean
      if (Object.keys(result.params).length) writeFileSync(join(o.out, "parameters.json"), JSON.stringify(result.params, null, 2) + "\n");
      progress.end();
      if (result.failures.length) writeFileSync(join(o.out, "failures.json"), JSON.stringify({ failures: result.failures, samples: result.samples, warnings: result.warnings }, null, 2) + "\n");
      const acc = result.accumulator as Record<string, unknown> | undefined;
      if (acc && typeof acc === "object" && Array.isArray(acc[SNAPSHOT_KEY])) {
        // one file per sample in the canonical chunk order: OUT/snapshots/<sample>.root
        await assembleSnapshots(acc[SNAPSHOT_KEY] as SnapshotPart[], join(o.out, "snapshots"));
        delete acc[SNAPSHOT_KEY];
      }
      rmSync(partsDir, { recursive: true, force: true });
      const print = (t: string) => (o.json ? process.stderr : process.stdout).write(t);
      if (mod.finalize) await mod.finalize(result.accumulator, { outDir: o.out, dataset, result, print });
      else writeFileSync(join(o.out, "accumulator.json"), JSON.stringify(toJson(result.accumulator)) + "\n");
      if (o.json) {
        // lost events change what the outputs mean: say so outside the JSON too
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
        const { accumulator: _a, ...rest } = result;
        process.stdout.write(JSON.stringify(rest, null, 2) + "\n");
      } else process.stdout.write(summary(result) + "\n");
      if (result.failures.length) process.exitCode = 2;
      outDir.commit();
      await track(
        {
          command: "run",
          params: { processor, dataset: o.dataset, ...result.params, workers: result.workers, chunk_size: o.chunkSize },
          metrics: { events: result.events, chunks: result.chunks, wall_s: result.wallMs / 1000, events_per_s: result.wallMs > 0 ? (result.events * 1000) / result.wallMs : undefined, failures: result.failures.length },
          artifacts: [{ path: o.out, as: "outputs" }],
          inputs: [o.dataset],
        },
        o.track,
      );
    } catch (e) {
      outDir.abort();
      throw e;
    }
  });
}

/**
 * OUT/live.json while the run proceeds (replaced atomically, so a reader never sees half a file):
 * what `hepflow ui` attaches to, for runs it started and runs started in a terminal alike.
 */
function liveWriter(file: string, what: { processor: string; dataset: string }) {
  const started = new Date().toISOString();
  let spentMs = 0; // this writer's own time (serialising and writing), recorded in the last snapshot
  const write = (body: Record<string, unknown>) => {
    const t0 = performance.now();
    // typed arrays become plain arrays in one pass first: half the cost of a JSON.stringify replacer
    const text = JSON.stringify(plainArrays({ format: "hepflow-live/1", pid: process.pid, ...what, started, updated: new Date().toISOString(), ...body }));
    writeFileSync(file + ".tmp", text);
    renameSync(file + ".tmp", file);
    spentMs += performance.now() - t0;
  };
  write({ state: "running", done: 0, total: 0, rate: 0, samples: [], failures: [], workers: [], attempts: [], accumulator: null });
  let last: Pick<LiveSnapshot, "workers" | "attempts"> = { workers: [], attempts: [] };
  return {
    update: (s: LiveSnapshot) => {
      last = s;
      write({ state: "running", ...s });
    },
    end(state: "finished" | "failed", r?: RunResult, error?: string) {
      if (!r) {
        write({ state, error, done: 0, total: 0, rate: 0, samples: [], failures: [], accumulator: null });
        return;
      }
      const samples = Object.entries(r.samples).map(([sample, s]) => ({ sample, planned: s.entries, processed: s.processed, failed: s.failedEntries, closed: true }));
      // per-worker counts are the executor's, from its last snapshot (the result does not keep them)
      write({
        state,
        done: r.events,
        total: r.events,
        rate: r.wallMs > 0 ? (r.events * 1000) / r.wallMs : 0,
        samples,
        failures: r.failures,
        workers: last.workers,
        attempts: last.attempts,
        accumulator: r.accumulator ?? null,
        wallMs: r.wallMs,
        liveWriteMs: spentMs,
      });
    },
  };
}

function plainArrays(x: unknown): unknown {
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.map(plainArrays);
  if (x === null || typeof x !== "object") return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[k] = plainArrays(v);
  return out;
}

/** The local thread pool, or a Redis queue (Ctrl-C then removes the run's queued jobs before exiting). */
function chooseExecutor(o: RunOptions): LocalExecutor | RedisExecutor {
  if (o.executor === undefined || o.executor === "local") {
    if (o.store) throw new HepflowError("CLI_OPTION", "--store needs --executor redis://…");
    return new LocalExecutor();
  }
  const redis = new RedisExecutor({ url: o.executor, store: o.store });
  // the output rule's SIGINT handler exits at once; this one runs first and waits for the cancel
  process.prependOnceListener("SIGINT", () => {
    const n = redis.cancelSync();
    process.stderr.write(`\ninterrupted: ${n} unfinished chunk job(s) of this run cancelled\n`);
    if (process.listenerCount("SIGINT") === 0) process.exit(130);
  });
  return redis;
}

/** root:// dataset entries with wildcards (root://host//store/x/*.root) become every matching file. */
async function expandRemoteGlobs(dataset: Awaited<ReturnType<typeof loadDataset>>): Promise<void> {
  if (!dataset.samples.some((s) => s.files.some((f) => /^x?roots?:\/\//i.test(f.path)))) return;
  const { expandGlob, hasGlob, isXrootdUrl } = await import("../../io/index.js");
  for (const s of dataset.samples) {
    const files: typeof s.files = [];
    for (const f of s.files) {
      if (!isXrootdUrl(f.path) || !hasGlob(f.path)) {
        files.push(f);
        continue;
      }
      for (const path of await expandGlob(f.path)) files.push({ path });
    }
    if (files.length !== s.files.length) s.nevts = undefined;
    s.files = files;
  }
}
