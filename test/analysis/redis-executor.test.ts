// The Redis/BullMQ executor (issue 16) against the local executor: a private redis-server on a
// random loopback port and 3 `hepflow worker` processes. Results must be byte-identical (V8
// serialisation of the merged accumulator) to the local thread pool's; the jet-count reference is
// computed independently from the synthetic tree's definition (memEvent).
import { join } from "node:path";
import { serialize } from "node:v8";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalExecutor, RedisExecutor, parseDataset } from "../../src/analysis/index.js";
import type { Accumulator, ExecutorOptions, LiveSnapshot, RunResult } from "../../src/analysis/index.js";
import { startRedis, startWorker } from "../helpers/redis.js";
import type { RedisServer, WorkerProcess } from "../helpers/redis.js";
// @ts-expect-error untyped test fixture
import { memEvent } from "./fixtures/memtree.mjs";

const here = new URL(".", import.meta.url).pathname;
const root = here; // workers and client resolve processor paths against test/analysis
const processor = join(here, "redis-fixtures/slowsum.mjs");
const opener = join(here, "fixtures/memtree.mjs");

/** Two samples, 13 chunks of 100 entries; `seed` keeps each test's jobs its own. */
function dataset(seed: number) {
  return parseDataset({
    samples: [
      { name: "a", treeName: "Events", files: [`mem:${seed}?n=500&cluster=100`, `mem:${seed + 1}?n=500&cluster=100`] },
      { name: "b", treeName: "Events", files: [`mem:${seed + 2}?n=300&cluster=100`] },
    ],
  });
}

/** Jets of the dataset, from the tree's definition rather than from any executor. */
function jets(seed: number): number {
  let n = 0;
  for (const [s, entries] of [
    [seed, 500],
    [seed + 1, 500],
    [seed + 2, 300],
  ] as const)
    for (let i = 0; i < entries; i++) n += (memEvent(s, i) as { nJet: number }).nJet;
  return n;
}

const base: ExecutorOptions = { chunkSize: 100, opener, chunkTimeoutMs: 20_000 };
const bytes = (a: Accumulator | undefined) => serialize(a);

function expectComplete(r: RunResult, seed: number): void {
  const acc = r.accumulator as Record<string, Accumulator>;
  expect(r.failures).toEqual([]);
  expect(r.events).toBe(1300);
  expect(acc.counts).toEqual({ a: 1000, b: 300 });
  expect(Array.from(acc.hist as Float64Array).reduce((s, v) => s + v, 0)).toBe(jets(seed));
  // every chunk start exactly once, in the canonical order
  expect(acc.starts).toEqual([0, 100, 200, 300, 400, 0, 100, 200, 300, 400, 0, 100, 200]);
}

describe("Redis/BullMQ executor with 3 worker processes", () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  const local = (seed: number, params = {}) => new LocalExecutor().run(processor, dataset(seed), { ...base, workers: 2, params });

  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([0, 1, 2].map(() => startWorker(redis.url, { root })));
  }, 40_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  it("gives byte-identical results to the local executor, and a resubmission attaches to the finished jobs", async () => {
    const want = await local(11);
    expectComplete(want, 11);
    let last: LiveSnapshot | undefined;
    const r = await new RedisExecutor({ url: redis.url, root }).run(processor, dataset(11), {
      ...base,
      live: {
        intervalMs: 50,
        update: (x) => {
          last = x;
        },
      },
    });
    expectComplete(r, 11);
    expect(Buffer.compare(bytes(r.accumulator), bytes(want.accumulator))).toBe(0);
    expect(r.workers).toBeGreaterThanOrEqual(1);
    // the live view's last word names the worker processes (host:pid) and counts every chunk once
    const pids = new Set(workers.map((w) => String(w.proc.pid)));
    expect(last!.workers.length).toBeGreaterThanOrEqual(1);
    for (const w of last!.workers) expect(pids.has(w.worker.split(":").at(-1)!), w.worker).toBe(true);
    expect(last!.workers.reduce((n, w) => n + w.chunks, 0)).toBe(13);
    expect(last!.workers.reduce((n, w) => n + w.events, 0)).toBe(r.events);
    const q = new Queue("chunks", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "hepflow" });
    try {
      expect(await q.getCompletedCount()).toBe(13);
      const again = await new RedisExecutor({ url: redis.url, root }).run(processor, dataset(11), base);
      expect(Buffer.compare(bytes(again.accumulator), bytes(want.accumulator))).toBe(0);
      expect(await q.getCompletedCount()).toBe(13); // nothing computed twice
    } finally {
      await q.close();
    }
  }, 30_000);
  it("SIGKILL of a worker mid-chunk: its chunk stalls, is retried on another worker and merged once", async () => {
    const params = { hold_ms: 400 };
    const want = await local(21, params);
    const victim = workers[0]!;
    const r = await new RedisExecutor({ url: redis.url, root }).run(processor, dataset(21), { ...base, params, progress: onFirst(() => process.kill(victim.proc.pid!, "SIGKILL")) });
    expectComplete(r, 21);
    expect(Buffer.compare(bytes(r.accumulator), bytes(want.accumulator))).toBe(0);
    expect(victim.proc.signalCode ?? (await new Promise((res) => victim.proc.once("exit", (_c, s) => res(s))))).toBe("SIGKILL");
    workers[0] = await startWorker(redis.url, { root });
  }, 40_000);

  it("SIGSTOP past the lock duration, then SIGCONT: the late result is discarded, not counted twice", async () => {
    const params = { hold_ms: 400 };
    const want = await local(31, params);
    const sleeper = workers[1]!;
    let stopped = false;
    const r = await new RedisExecutor({ url: redis.url, root }).run(processor, dataset(31), {
      ...base,
      params,
      progress: onFirst(() => {
        process.kill(sleeper.proc.pid!, "SIGSTOP");
        stopped = true;
      }),
    });
    expect(stopped).toBe(true);
    // the run finished while the worker was stopped: its chunk was taken over after the lock expired
    process.kill(sleeper.proc.pid!, "SIGCONT");
    expectComplete(r, 31);
    expect(Buffer.compare(bytes(r.accumulator), bytes(want.accumulator))).toBe(0);
    // the stopped worker wakes, finishes its chunk and is refused: BullMQ says its lock is gone
    for (let i = 0; i < 100 && !/Missing lock/.test(sleeper.log()); i++) await new Promise((res) => setTimeout(res, 100));
    expect(sleeper.log()).toMatch(/Missing lock/);
  }, 40_000);

  it("Ctrl-C (abort) cancels the run: it rejects with CANCELLED and its queued jobs are removed", async () => {
    const ac = new AbortController();
    const q = new Queue("chunks", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "hepflow" });
    const before = await q.getCompletedCount();
    const run = new RedisExecutor({ url: redis.url, root, signal: ac.signal }).run(processor, dataset(41), { ...base, params: { hold_ms: 300 }, progress: onFirst(() => ac.abort()) });
    await expect(run).rejects.toMatchObject({ code: "CANCELLED" });
    await new Promise((res) => setTimeout(res, 200)); // the removal is sent as the run rejects
    try {
      await new Promise((res) => setTimeout(res, 300));
      expect(await q.getWaitingCount()).toBe(0);
      // at most the 3 chunks being computed when it was cancelled, plus the one that had finished, ever ran
      for (let i = 0; i < 50 && (await q.getActiveCount()) > 0; i++) await new Promise((res) => setTimeout(res, 100));
      // the 12 chunks still queued at the first result were not all computed: only those already running finish
      expect((await q.getCompletedCount()) - before).toBeLessThanOrEqual(1 + 3 + 3);
    } finally {
      await q.close();
    }
  }, 30_000);
  it("a chunk past its deadline on a remote worker fails with CHUNK_TIMEOUT (its thread stopped there)", async () => {
    const run = new RedisExecutor({ url: redis.url, root }).run(processor, dataset(101), { ...base, chunkTimeoutMs: 300, retries: 0, params: { hold_ms: 1500 } });
    await expect(run).rejects.toMatchObject({ code: "CHUNK_TIMEOUT" });
    await expect(run).rejects.toThrow(/deadline of 0\.3 s/);
  }, 30_000);
});

describe("Redis/BullMQ executor from the CLI", () => {
  it("hepflow run examples/agc-ttbar --executor redis://… writes byte-identical histograms to the local run", async () => {
    const { execFileSync } = await import("node:child_process");
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { generateAgc } = await import("../../src/generate/index.js");
    const tmp = mkdtempSync(join(tmpdir(), "hepflow-dist-agc-"));
    await generateAgc({ events: 3000, out: join(tmp, "data"), filesPerSample: 2, dataLuminosity: 0.001, seed: 3 });
    const repo = join(here, "../..");
    const run = (out: string, ...extra: string[]) =>
      execFileSync(process.execPath, [join(repo, "bin/hepflow.js"), "run", "examples/agc-ttbar", "--dataset", join(tmp, "data/dataset.json"), "--out", join(tmp, out), "--chunk-size", "1000", "-P", "num_bins=20", ...extra], {
        cwd: repo,
        encoding: "utf8",
      });
    run("local", "--workers", "2");
    // its own Redis: a worker without the processor under its root refuses the job (PROCESSOR_NOT_FOUND)
    const redis = await startRedis();
    const agcWorkers = await Promise.all([0, 1].map(() => startWorker(redis.url, { root: repo })));
    try {
      run("redis", "--executor", redis.url);
    } finally {
      await Promise.all(agcWorkers.map((w) => w.stop()));
      await redis.stop();
    }
    for (const f of ["histograms.json", "cutflow.json", "parameters.json"]) expect(readFileSync(join(tmp, "redis", f)).equals(readFileSync(join(tmp, "local", f))), f).toBe(true);
    expect(JSON.parse(readFileSync(join(tmp, "redis/parameters.json"), "utf8")).num_bins).toBe(20);
  }, 60_000);
  it("Ctrl-C on `hepflow run --executor` removes the run's queued jobs and exits 130", async () => {
    const { spawn } = await import("node:child_process");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const tmp = mkdtempSync(join(tmpdir(), "hepflow-dist-int-"));
    writeFileSync(join(tmp, "dataset.json"), JSON.stringify({ samples: [{ name: "a", treeName: "Events", files: ["mem:91?n=1300&cluster=100"] }] }));
    const redis = await startRedis();
    const w = await startWorker(redis.url, { root });
    const q = new Queue("chunks", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "hepflow" });
    try {
      const repo = join(here, "../..");
      const client = spawn(
        process.execPath,
        [
          join(repo, "bin/hepflow.js"),
          "run",
          "redis-fixtures/slowsum.mjs",
          "--dataset",
          join(tmp, "dataset.json"),
          "--opener",
          "fixtures/memtree.mjs",
          "--out",
          join(tmp, "out"),
          "--chunk-size",
          "100",
          "-P",
          "hold_ms=400",
          "--executor",
          redis.url,
        ],
        { cwd: root, stdio: ["ignore", "ignore", "pipe"] },
      );
      let err = "";
      client.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
      });
      for (let i = 0; i < 100 && (await q.getActiveCount()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      client.kill("SIGINT");
      const code = await new Promise((r) => client.once("exit", (c) => r(c)));
      expect(code).toBe(130);
      expect(err).toMatch(/cancelled: \d+ of \d+ unfinished chunk job\(s\) removed/);
      expect(await q.getWaitingCount()).toBe(0);
    } finally {
      await q.close();
      await w.stop();
      await redis.stop();
    }
  }, 30_000);
});

describe("Redis/BullMQ executor: stale workers and Redis restarts", () => {
  it("a worker with a different version of the processor refuses the chunk clearly", async () => {
    const { cpSync, mkdtempSync, symlinkSync, appendFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    // the worker's copy of test/analysis (with dist/ reachable as from the repository) differs in one line
    const copy = mkdtempSync(join(tmpdir(), "hepflow-stale-"));
    cpSync(join(here, ".."), join(copy, "test"), { recursive: true, filter: (p) => !p.includes("node_modules") });
    symlinkSync(join(here, "../../dist"), join(copy, "dist"));
    appendFileSync(join(copy, "test/analysis/redis-fixtures/slowsum.mjs"), "\n// an older version\n");
    const redis = await startRedis();
    const w = await startWorker(redis.url, { root: join(copy, "test/analysis") });
    try {
      const run = new RedisExecutor({ url: redis.url, root }).run(processor, dataset(51), { ...base, retries: 0 });
      await expect(run).rejects.toMatchObject({ code: "CHUNK_FAILED" });
      await expect(new RedisExecutor({ url: redis.url, root }).run(processor, dataset(52), { ...base, retries: 0 })).rejects.toThrow(/different version of redis-fixtures\/slowsum\.mjs/);
      expect(w.log()).toMatch(/refused/);
    } finally {
      await w.stop();
      await redis.stop();
    }
  }, 40_000);

  it("Redis restarted mid-run with persistence (AOF): the run resumes and is byte-identical", async () => {
    const params = { hold_ms: 300 };
    const want = await new LocalExecutor().run(processor, dataset(61), { ...base, workers: 2, params });
    const redis = await startRedis({ aof: true });
    const ws = await Promise.all([0, 1].map(() => startWorker(redis.url, { root })));
    try {
      let restarted: Promise<void> | undefined;
      const r = await new RedisExecutor({ url: redis.url, root, pollMs: 300 }).run(processor, dataset(61), {
        ...base,
        params,
        progress: onFirst(() => {
          restarted = redis.stop("SIGKILL").then(() => redis.start());
        }),
      });
      await restarted;
      expectComplete(r, 61);
      expect(Buffer.compare(serialize(r.accumulator), serialize(want.accumulator))).toBe(0);
    } finally {
      await Promise.all(ws.map((w) => w.stop()));
      await redis.stop();
    }
  }, 60_000);

  it("Redis restarted without persistence: the run fails cleanly, naming the lost chunk", async () => {
    const redis = await startRedis();
    const ws = await Promise.all([0, 1].map(() => startWorker(redis.url, { root })));
    try {
      const run = new RedisExecutor({ url: redis.url, root, pollMs: 300 }).run(processor, dataset(71), { ...base, params: { hold_ms: 300 }, progress: onFirst(() => void redis.stop("SIGKILL").then(() => redis.start())) });
      await expect(run).rejects.toMatchObject({ code: "REDIS_JOB_LOST" });
      await expect(run).rejects.toThrow(/no longer in Redis/);
    } finally {
      await Promise.all(ws.map((w) => w.stop()));
      await redis.stop();
    }
  }, 60_000);
});

function onFirst(fn: () => void): ExecutorOptions["progress"] {
  let fired = false;
  return () => {
    if (!fired) {
      fired = true;
      fn();
    }
  };
}

describe("Redis/BullMQ executor: connection URLs and what a worker accepts", () => {
  it("parses ACL user, password, database and rediss:// (TLS); refuses other schemes", async () => {
    const { parseRedisUrl, redactUrl } = await import("../../src/analysis/index.js");
    expect(parseRedisUrl("rediss://analyst:s%40cret@redis.example.org:6380/2")).toEqual({ host: "redis.example.org", port: 6380, username: "analyst", password: "s@cret", db: 2, tls: {}, maxRetriesPerRequest: null });
    expect(parseRedisUrl("redis://:pw@10.0.0.1")).toMatchObject({ host: "10.0.0.1", port: 6379, password: "pw" });
    expect(redactUrl("redis://u:pw@h:1")).toBe("redis://u:***@h:1");
    expect(() => parseRedisUrl("http://h:1")).toThrow(/unsupported scheme/);
    expect(() => new RedisExecutor({ url: "redis://h:1/x" })).toThrow(/database/);
  });

  it("a job naming a processor outside the worker's root is refused, never imported", async () => {
    const redis = await startRedis();
    const w = await startWorker(redis.url, { root });
    const q = new Queue("chunks", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "hepflow" });
    try {
      const { hepflowVersion } = await import("../../src/analysis/redis/identity.js");
      await q.add(
        "x",
        {
          processor: "../../../../tmp/evil.mjs",
          codeHash: "0",
          hepflow: hepflowVersion(),
          params: {},
          item: { index: 0, sample: "s", fileIndex: 0, file: "mem:1", treeName: "t", entryStart: 0, entryStop: 1, meta: {} },
          deadlineMs: 1000,
          inlineLimit: 1000,
        },
        { jobId: "evil" },
      );
      let state = "";
      for (let i = 0; i < 100 && state !== "failed"; i++) {
        state = await q.getJobState("evil");
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe("failed");
      expect((await q.getJob("evil"))!.failedReason).toMatch(/PATH_REFUSED.*outside this worker's root/);
    } finally {
      await q.close();
      await w.stop();
      await redis.stop();
    }
  }, 30_000);
  it("accumulators above the inline limit travel through the content-addressed store, only their digest through Redis", async () => {
    const { mkdtempSync, readdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const store = mkdtempSync(join(tmpdir(), "hepflow-store-"));
    const redis = await startRedis();
    const w = await startWorker(redis.url, { root, store });
    try {
      const want = await new LocalExecutor().run(processor, dataset(81), { ...base, workers: 2 });
      const r = await new RedisExecutor({ url: redis.url, root, store, inlineLimit: 16 }).run(processor, dataset(81), base);
      expectComplete(r, 81);
      expect(Buffer.compare(serialize(r.accumulator), serialize(want.accumulator))).toBe(0);
      // 13 chunks, each a distinct accumulator (its own start and counts): 13 blobs named by digest
      const blobs = readdirSync(store).flatMap((d) => readdirSync(join(store, d)));
      expect(blobs).toHaveLength(13);
      expect(blobs.every((b) => /^[0-9a-f]{64}$/.test(b))).toBe(true);
      // without the store on the client the run fails clearly instead of merging nothing
      await expect(new RedisExecutor({ url: redis.url, root, inlineLimit: 16 }).run(processor, dataset(81), { ...base, retries: 0 })).rejects.toThrow(/--store/);
    } finally {
      await w.stop();
      await redis.stop();
    }
  }, 30_000);
});
