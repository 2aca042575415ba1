// The worker-fault suite (issue 13): a processor that throws, exits, loops, runs out of memory or
// returns an uncloneable or mismatched accumulator, at 0, 1 and 2 worker threads. Every run must
// end, name every failed chunk, count each chunk exactly once, and — when the fault happens on the
// first attempt only and retries are allowed — give a result bit-identical to a clean run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalExecutor, parseDataset } from "../../src/analysis/index.js";
import type { Accumulator, ExecutorOptions, RunResult } from "../../src/analysis/index.js";

const here = new URL(".", import.meta.url).pathname;
const opener = join(here, "fixtures/memtree.mjs");
const processor = join(here, "fixtures/faultproc.mjs");

/** Sample a: 3 files × 300 entries... here 2 files of 500 (chunks of 100); sample b: one file of 300. The fault hits a, file 0, entries [100, 200). */
function dataset(fault?: string, once?: string) {
  const metadata = fault ? { fault, faultAt: 100, ...(once ? { once } : {}) } : {};
  return parseDataset({
    samples: [
      { name: "a", treeName: "Events", files: ["mem:21?n=500&cluster=100", "mem:22?n=500&cluster=100"], metadata },
      { name: "b", treeName: "Events", files: ["mem:23?n=300&cluster=100"] },
    ],
  });
}

const base: ExecutorOptions = { chunkSize: 100, opener, chunkTimeoutMs: 2000, maxWorkerMemoryMb: 64 };
const expectedCode: Record<string, RegExp> = {
  throw: /PROCESSOR_ERROR/,
  exit: /PROCESSOR_EXIT|WORKER_DIED/,
  loop: /CHUNK_TIMEOUT/,
  oom: /WORKER_OUT_OF_MEMORY/,
  uncloneable: /ACCUMULATOR_INVALID/,
  mismatch: /ACCUMULATOR_MISMATCH/,
};
// an endless loop or an exhausted heap cannot be stopped inside the calling thread: 0 workers covers the others
const faultsAt = (workers: number) => (workers === 0 ? ["throw", "exit", "uncloneable", "mismatch"] : Object.keys(expectedCode));

async function run(workers: number, ds: ReturnType<typeof dataset>, extra: ExecutorOptions): Promise<{ r: RunResult; done: number[] }> {
  const done: number[] = [];
  const r = await new LocalExecutor().run(processor, ds, {
    ...base,
    workers,
    ...extra,
    progress: (e) => {
      expect(e.done).toBeLessThanOrEqual(e.total!);
      done.push(e.done);
    },
  });
  return { r, done };
}

describe("worker-fault suite", () => {
  let clean: Record<string, Accumulator>;
  it("a clean run counts every event once (independent count: 1000 + 300 entries)", async () => {
    const { r } = await run(2, dataset(), {});
    clean = r.accumulator as Record<string, Accumulator>;
    expect(clean.n).toEqual({ a: 1000, b: 300 });
    expect(r.events).toBe(1300);
    expect(Array.from(clean.hist as Float64Array).reduce((s, v) => s + v, 0)).toBe(1300);
  }, 30_000);

  for (const workers of [0, 1, 2]) {
    for (const fault of faultsAt(workers)) {
      it(`${fault} at ${workers} worker(s), no retries: the run ends and names the one failed chunk`, async () => {
        const { r, done } = await run(workers, dataset(fault), { retries: 0, onFailure: "continue" });
        expect(r.failures).toHaveLength(1);
        expect(r.failures[0]).toMatchObject({ sample: "a", fileIndex: 0, entryStart: 100, entryStop: 200, attempts: 1 });
        expect(r.failures[0]!.error.code).toMatch(expectedCode[fault]!);
        // nothing twice, nothing lost: the other 1200 entries, each once
        expect(r.events).toBe(1200);
        expect(r.eventsBySample).toEqual({ a: 900, b: 300 });
        expect((r.accumulator as Record<string, Accumulator>).n).toEqual({ a: 900, b: 300 });
        expect(done.at(-1)).toBe(1200);
        if (fault === "throw") expect(r.failures[0]!.error.stack).toMatch(/faultproc\.mjs/);
      }, 30_000);

      it(`${fault} at ${workers} worker(s), once, with a retry: bit-identical to the clean run`, async () => {
        const once = mkdtempSync(join(tmpdir(), "hepflow-fault-"));
        const { r } = await run(workers, dataset(fault, once), { retries: 1 });
        expect(r.failures).toEqual([]);
        const acc = r.accumulator as Record<string, Accumulator>;
        expect(Object.is(acc.sumx, clean.sumx)).toBe(true);
        expect(Array.from(acc.hist as Float64Array)).toEqual(Array.from(clean.hist as Float64Array));
        expect(acc.n).toEqual({ a: 1000, b: 300 });
        expect(r.events).toBe(1300);
      }, 30_000);
    }
  }

  it("fail mode names CHUNK_TIMEOUT for a chunk that never ends", async () => {
    await expect(run(1, dataset("loop"), { retries: 0 })).rejects.toMatchObject({ code: "CHUNK_TIMEOUT" });
  }, 30_000);

  it("a worker that dies charges only the chunk it computed, not the one it read ahead", async () => {
    // one worker holds two chunks (readahead); with no retries, only [100, 200) may be lost
    const { r } = await run(1, dataset("exit"), { retries: 0, onFailure: "continue", readahead: 3 });
    expect(r.failures.map((f) => [f.fileIndex, f.entryStart])).toEqual([[0, 100]]);
    expect(r.samples.a!.processed).toBe(900);
  }, 30_000);
});
