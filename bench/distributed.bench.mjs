// Distributed executor benchmark (issue 16): the AGC on a generated dataset with the local
// executor on 2 worker threads vs the Redis/BullMQ executor with 2 `hepflow worker` processes
// (concurrency 1 each) on this machine — ratio, and the overhead per chunk job in ms — and the
// job-throughput ceiling of one Redis: many no-op chunks, N concurrent worker slots on loopback.
// Input: HEPFLOW_BENCH_DIST_EVENTS events per simulated sample (default 40000 → 9 samples × 2
// files = 360 000 events; the 3.6 M-event set is HEPFLOW_BENCH_DIST_EVENTS=400000 and
// ~10× longer), cached in $TMPDIR. redis-server must be on PATH. Build first: npx tsc -p .
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "node:v8";
import { LocalExecutor, RedisExecutor, loadDataset, parseDataset } from "../dist/analysis/index.js";
import { generateAgc } from "../dist/generate/index.js";
import { startRedisServer } from "./lib/redis.mjs";

const EVENTS = Number(process.env.HEPFLOW_BENCH_DIST_EVENTS ?? 40000);
const TINY = Number(process.env.HEPFLOW_BENCH_DIST_JOBS ?? 3000);
const repo = new URL("..", import.meta.url).pathname;
const line = (o) => console.log(JSON.stringify({ ...o, load1: +loadavg()[0].toFixed(2) }));
const r3 = (x) => +x.toFixed(3);

const dir = join(process.env.TMPDIR || tmpdir(), `hepflow-bench-dist-agc-${EVENTS}x2`);
const catalogue = join(dir, "dataset.json");
if (!existsSync(catalogue)) await generateAgc({ events: EVENTS, out: dir, filesPerSample: 2, dataLuminosity: 0.001, seed: 1 });
const dataset = loadDataset(catalogue);
dataset.samples = dataset.samples.filter((s) => s.metadata.process !== "data");

const redisDir = mkdtempSync(join(tmpdir(), "hepflow-bench-redis-"));
const { url, proc: redis } = await startRedisServer(redisDir);
const children = [redis];
process.on("exit", () => {
  for (const c of children)
    try {
      process.kill(c.pid, "SIGKILL");
    } catch {}
});

async function startWorkers(n, concurrency) {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((res, rej) => {
          const w = spawn(process.execPath, ["--single-threaded-gc", join(repo, "bin/hepflow.js"), "worker", "--redis", url, "--root", repo, "--concurrency", String(concurrency)], { stdio: ["ignore", "ignore", "pipe"] });
          children.push(w);
          let err = "";
          w.stderr.on("data", (d) => {
            err += d;
            if (/ready on/.test(err)) res(w);
          });
          w.once("exit", (c) => rej(new Error(`worker exited ${c}: ${err}`)));
        }),
    ),
  );
}
const stopWorkers = async (ws) =>
  Promise.all(
    ws.map(
      (w) =>
        new Promise((res) => {
          w.removeAllListeners("exit");
          w.once("exit", res);
          w.kill("SIGKILL");
        }),
    ),
  );

// AGC: local 2 threads vs 2 worker processes (the worker processes are started before timing,
// as a cluster's are; the first Redis run warms their threads, then each is timed REPEATS times)
const REPEATS = Math.max(1, Number(process.env.HEPFLOW_BENCH_REPEATS ?? 2));
const processor = join(repo, "examples/agc-ttbar/index.mjs");
for (const chunkSize of [50_000, 10_000]) {
  const opts = { chunkSize, params: { nominal_only: false } };
  const ws = await startWorkers(2, 1);
  await new RedisExecutor({ url, root: repo }).run(processor, dataset, { ...opts, params: { ...opts.params, seed: 7 } }); // warm-up: other job ids
  const loc = [],
    red = [];
  let equal = true,
    chunks = 0,
    events = 0;
  for (let k = 0; k < REPEATS; k++) {
    const l = await new LocalExecutor().run(processor, dataset, { ...opts, workers: 2 });
    // a fresh parameter value per repeat keeps the job ids new (otherwise the run attaches to finished jobs)
    const r = await new RedisExecutor({ url, root: repo }).run(processor, dataset, { ...opts, params: { ...opts.params, seed: 100 + k } });
    const l2 = await new LocalExecutor().run(processor, dataset, { ...opts, workers: 2, params: { ...opts.params, seed: 100 + k } });
    equal &&= Buffer.compare(serialize(r.accumulator), serialize(l2.accumulator)) === 0;
    loc.push(l.wallMs / 1000);
    red.push(r.wallMs / 1000);
    chunks = r.chunks;
    events = r.events;
  }
  await stopWorkers(ws);
  const lb = Math.min(...loc),
    rb = Math.min(...red);
  line({
    case: `agc_local2_vs_redis2_chunk${chunkSize}`,
    impl: "hepflow",
    events,
    chunks,
    repeats: REPEATS,
    local_2threads_s: r3(lb),
    redis_2workers_s: r3(rb),
    ratio_redis_over_local: r3(rb / lb),
    overhead_ms_per_chunk: r3(((rb - lb) * 1000 * 2) / chunks),
    byte_identical: equal,
  });
}

// Throughput ceiling: TINY no-op chunk jobs (1 entry each) through one Redis, N concurrent slots
const tiny = parseDataset({ samples: [{ name: "tiny", treeName: "t", files: [`tiny:${TINY}:1`] }] });
const noop = join(repo, "bench/lib/noop-proc.mjs");
const opener = join(repo, "bench/lib/tiny-tree.mjs");
for (const [n, c] of [
  [1, 1],
  [2, 4],
  [4, 4],
]) {
  const ws = await startWorkers(n, c);
  await new RedisExecutor({ url, root: repo }).run(noop, parseDataset({ samples: [{ name: "warm", treeName: "t", files: [`tiny:${50 * n * c}:1`] }] }), { chunkSize: 1, opener });
  const r = await new RedisExecutor({ url, root: repo }).run(noop, tiny, { chunkSize: 1, opener, params: {} });
  await stopWorkers(ws);
  line({ case: `redis_noop_jobs_${n}x${c}`, impl: "hepflow", worker_processes: n, concurrency: c, jobs: r.chunks, seconds: r3(r.wallMs / 1000), jobs_per_s: Math.round((r.chunks * 1000) / r.wallMs), events: r.accumulator.n });
}
redis.kill("SIGTERM");
process.exit(0);
