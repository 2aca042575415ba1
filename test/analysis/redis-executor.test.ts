// The Redis/BullMQ executor (issue 16) against the local executor: a private redis-server on a
// random loopback port and 3 `hepflow worker` processes. Results must be byte-identical (V8
// serialisation of the merged accumulator) to the local thread pool's; the jet-count reference is
// computed independently from the synthetic tree's definition (memEvent).
import { join } from "node:path";
import { serialize } from "node:v8";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalExecutor, RedisExecutor, parseDataset } from "../../src/analysis/index.js";
import type { Accumulator, ExecutorOptions, RunResult } from "../../src/analysis/index.js";
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
  for (const [s, entries] of [[seed, 500], [seed + 1, 500], [seed + 2, 300]] as const) for (let i = 0; i < entries; i++) n += (memEvent(s, i) as { nJet: number }).nJet;
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
    const r = await new RedisExecutor({ url: redis.url, root }).run(processor, dataset(11), base);
    expectComplete(r, 11);
    expect(Buffer.compare(bytes(r.accumulator), bytes(want.accumulator))).toBe(0);
    expect(r.workers).toBeGreaterThanOrEqual(1);
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
});
