import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalExecutor, parseDataset } from "../../src/analysis/index.js";
import type { Accumulator } from "../../src/analysis/index.js";
// @ts-expect-error plain JS fixture without types
import { memEvent } from "./fixtures/memtree.mjs";

const here = new URL(".", import.meta.url).pathname;
const opener = join(here, "fixtures/memtree.mjs");
const processor = join(here, "fixtures/sumproc.mjs");

const dataset = (files: Record<string, string[]>) => parseDataset({ samples: Object.entries(files).map(([name, f]) => ({ name, treeName: "Events", files: f })) });

/** The expected answer by a plain loop over all events in file order (independent of the executor). */
function expected(paths: string[]): { hist: number[]; nEvents: number } {
  const hist = new Array(10).fill(0);
  let nEvents = 0;
  for (const p of paths) {
    const seed = Number(p.slice(4, p.indexOf("?")));
    const n = Number(new URLSearchParams(p.split("?")[1]).get("n"));
    for (let i = 0; i < n; i++) {
      nEvents++;
      for (const pt of memEvent(seed, i).pts as number[]) hist[Math.min(9, Math.max(0, Math.floor((pt - 10) / 10)))]++;
    }
  }
  return { hist, nEvents };
}

describe("LocalExecutor", () => {
  const files = { a: ["mem:1?n=1000&cluster=70", "mem:2?n=333&cluster=50"], b: ["mem:3?n=777&cluster=100"] };

  it("processes every event once, reads lazily, and matches a plain loop", async () => {
    const r = await new LocalExecutor().run(processor, dataset(files), { workers: 0, chunkSize: 150, opener });
    const acc = r.accumulator as Record<string, Accumulator>;
    const exp = expected([...files.a, ...files.b]);
    expect(r.events).toBe(exp.nEvents);
    expect(r.eventsBySample).toEqual({ a: 1333, b: 777 });
    expect(Array.from(acc.hist as Float64Array)).toEqual(exp.hist);
    expect(acc.counts).toEqual({ a: 1333, b: 777 });
    expect(acc.loaded).toBe("Jet_pt,x"); // nJet was never touched, so never read
    // chunks lie on cluster boundaries: ≥150 entries in multiples of 70 for file 1 → 210
    expect((acc.starts as number[]).slice(0, 3)).toEqual([0, 210, 420]);
    expect(r.failures).toEqual([]);
  });

  it("gives bit-identical results with 0, 1 and 2 workers", async () => {
    const ds = dataset(files);
    const runs = [];
    for (const workers of [0, 1, 2]) runs.push(await new LocalExecutor().run(processor, ds, { workers, chunkSize: 60, opener }));
    const [r0, r1, r2] = runs.map((r) => r.accumulator as Record<string, Accumulator>);
    // Object.is: exact equality of the float64 sums, not a tolerance
    expect(Object.is(r1!.sumx, r0!.sumx) && Object.is(r2!.sumx, r0!.sumx)).toBe(true);
    expect(r2!.starts).toEqual(r0!.starts);
    expect(Array.from(r2!.hist as Float64Array)).toEqual(Array.from(r0!.hist as Float64Array));
    expect(runs[2]!.workers).toBe(2);
  }, 30_000);

  it("the merge order matters for float sums, so a shuffled order would be detectable", () => {
    // guards the previous test: the per-chunk sums of this processor are not associative
    const parts = [0.1 * 1.1, 0.7 * 1.1, 0.3 * 1.1];
    expect(parts[0]! + parts[1]! + parts[2]!).not.toBe(parts[0]! + (parts[1]! + parts[2]!));
  });

  it("reports the exact file and entry range of a persistent failure and keeps the rest", async () => {
    const bad = "mem:4?n=500&cluster=100&fail=250-260";
    const ds = dataset({ a: [files.a[0]!, bad] });
    for (const workers of [0, 2]) {
      const r = await new LocalExecutor().run(processor, ds, { workers, chunkSize: 100, opener, onFailure: "continue", retries: 2 });
      expect(r.failures).toHaveLength(1);
      expect(r.failures[0]).toMatchObject({ sample: "a", file: bad, fileIndex: 1, entryStart: 200, entryStop: 300, attempts: 3 });
      expect(r.failures[0]!.error.message).toContain("synthetic read error in entries [200, 300)");
      expect(r.events).toBe(1000 + 400);
    }
  }, 30_000);

  it("throws CHUNK_FAILED naming file and range when the caller chooses fail", async () => {
    const bad = "mem:4?n=500&cluster=100&fail=0-1";
    await expect(new LocalExecutor().run(processor, dataset({ a: [bad] }), { workers: 0, chunkSize: 100, opener, retries: 0 })).rejects.toThrow(/mem:4.*entries \[0, 100\)/);
  });

  it("in fail mode stops at the first failed chunk instead of processing everything", async () => {
    const seen: number[] = [];
    const bad = "mem:4?n=500&cluster=100&fail=0-1";
    const ds = dataset({ a: [bad, ...Array.from({ length: 20 }, (_, i) => `mem:${10 + i}?n=200&cluster=100`)] });
    await expect(new LocalExecutor().run(processor, ds, { workers: 0, chunkSize: 100, opener, retries: 0, progress: (e) => seen.push(e.done) })).rejects.toThrow(/a chunk failed \(run stopped\)/);
    expect(seen).toEqual([]); // the failing chunk is the first; nothing after it ran
  });

  it("reports a file that cannot be opened, without an entry range, and keeps the rest", async () => {
    const ds = dataset({ a: ["nonsense-path", "mem:2?n=333&cluster=50"] });
    const r = await new LocalExecutor().run(processor, ds, { workers: 0, chunkSize: 100, opener, onFailure: "continue" });
    expect(r.failures).toMatchObject([{ sample: "a", file: "nonsense-path", fileIndex: 0, attempts: 1 }]);
    expect(r.failures[0]!.entryStart).toBeUndefined();
    expect(r.events).toBe(333);
    await expect(new LocalExecutor().run(processor, ds, { workers: 0, opener })).rejects.toThrow(/nonsense-path: a file failed/);
  });

  it("retries a chunk that fails once and then succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hepflow-flaky-"));
    const path = `mem:5?n=300&cluster=100&flaky=${dir}`;
    const r = await new LocalExecutor().run(processor, dataset({ a: [path] }), { workers: 2, chunkSize: 100, opener, retries: 1 });
    expect(r.failures).toEqual([]);
    expect(r.events).toBe(300);
    expect(Array.from((r.accumulator as Record<string, Accumulator>).hist as Float64Array)).toEqual(expected([path.replace(/&flaky.*/, "")]).hist);
  }, 30_000);

  it("replaces a worker thread that dies and retries the chunks it held", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hepflow-crash-"));
    process.env.HEPFLOW_TEST_CRASH_DIR = dir; // worker threads copy the environment at start
    const r = await new LocalExecutor().run(join(here, "fixtures/crashproc.mjs"), dataset({ a: ["mem:6?n=400&cluster=100"] }), { workers: 2, chunkSize: 100, opener, retries: 1 });
    expect(r.failures).toEqual([]);
    expect(r.accumulator).toEqual({ n: 400 });
  }, 30_000);

  it("emits progress events up to the total", async () => {
    const events: number[] = [];
    await new LocalExecutor().run(processor, dataset(files), {
      workers: 0,
      chunkSize: 500,
      opener,
      progress: (e) => {
        expect(e.total).toBe(2110);
        events.push(e.done);
      },
    });
    expect(events.at(-1)).toBe(2110);
    expect(events).toEqual([...events].sort((x, y) => x - y));
  });

  it("reports planning, worker start-up and tail idle time separately", async () => {
    const r2 = await new LocalExecutor().run(processor, dataset(files), { workers: 2, chunkSize: 100, opener });
    expect(r2.startupMs).toBeGreaterThan(0); // two workers had to load the processor
    expect(r2.planMs).toBeGreaterThan(0);
    expect(r2.planMs).toBeLessThanOrEqual(r2.wallMs);
    expect(r2.tailIdleMs).toBeGreaterThanOrEqual(0);
    expect(r2.samples.a).toEqual({ nevts: 1333, entries: 1333, processed: 1333, failedEntries: 0, unopenedFiles: 0, effectiveNevts: 1333, scale: 1 });
    const r0 = await new LocalExecutor().run(processor, dataset(files), { workers: 0, chunkSize: 100, opener });
    expect(r0.startupMs).toBe(0); // in-thread: nothing to start
    expect(r0.warnings).toEqual([]);
  }, 30_000);
});
