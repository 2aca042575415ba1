import { describe, expect, it } from "vitest";
import { RunCollector } from "../../src/analysis/index.js";
import type { SamplePlan, WorkItem } from "../../src/analysis/index.js";
import { Hist, Regular, toAccumulator } from "../../src/hist/index.js";
import type { HistAccumulator } from "../../src/hist/index.js";

/** A plan of `chunks` chunks of 100 entries in one file with `entries` = 100·chunks. */
function plan(sample: string, first: number, chunks: number, nevts: number): SamplePlan {
  const items: WorkItem[] = Array.from({ length: chunks }, (_, k) => ({
    index: first + k,
    sample,
    fileIndex: 0,
    file: `${sample}.root`,
    treeName: "Events",
    entryStart: 100 * k,
    entryStop: 100 * (k + 1),
    meta: {},
  }));
  return { sample, nevts, nevtsFromCatalogue: true, files: [{ file: `${sample}.root`, entries: 100 * chunks, nevts }], items, failures: [] };
}

const histOf = (w: number) => {
  const h = new Hist([Regular(1, 0, 1)], { storage: "weight" });
  h.fill(Float64Array.of(0.5), { weight: w });
  return toAccumulator(h);
};
const out = (index: number, acc: unknown) => ({ index, accumulator: acc as never, events: 100, readMs: 0, computeMs: 0 });

describe("RunCollector", () => {
  it("folds outcomes arriving in any order in item order, sample by sample", () => {
    const c = new RunCollector({ retries: 0, onFailure: "continue", normalised: () => true });
    c.addSample(plan("a", 0, 3, 300));
    c.addSample(plan("b", 3, 1, 100));
    // strings must agree when merged, so a list records the fold order exactly
    for (const i of [3, 2, 0, 1]) c.ok(out(i, { order: [i] }));
    const r = c.result();
    expect(r.accumulator).toEqual({ order: [0, 1, 2, 3] });
    expect(r.samples.a).toEqual({ nevts: 300, entries: 300, processed: 300, failedEntries: 0, unopenedFiles: 0, effectiveNevts: 300, scale: 1 });
    expect(r.eventsBySample).toEqual({ a: 300, b: 100 });
  });

  it("retries up to the limit, then records the failure and rescales only samples normalised by nevts", () => {
    const progress: number[][] = [];
    const c = new RunCollector({ retries: 1, onFailure: "continue", normalised: (s) => s === "mc", progress: (e) => progress.push([e.done, e.total!]) });
    c.addSample(plan("mc", 0, 4, 4000)); // nevts 4000 over 400 entries: each entry stands for 10 events
    c.addSample(plan("data", 4, 2, 200));
    expect(c.failed(1, { code: "X", message: "boom" })).toBe(true); // first attempt: retry
    expect(c.failed(1, { code: "X", message: "boom" })).toBe(false); // second: failed for good
    expect(c.failed(5, { code: "X", message: "boom" })).toBe(true);
    expect(c.failed(5, { code: "X", message: "boom" })).toBe(false);
    for (const i of [0, 2, 3]) c.ok(out(i, { mc: histOf(1) }));
    c.ok(out(4, { data: histOf(1) }));
    const r = c.result();
    expect(r.failures.map((f) => [f.sample, f.entryStart, f.attempts])).toEqual([
      ["mc", 100, 2],
      ["data", 100, 2],
    ]);
    // one chunk of four lost: effective nevts 3000, scale 4/3; weights w → 4w/3, w² → 16w²/9
    expect(r.samples.mc).toMatchObject({ processed: 300, failedEntries: 100, effectiveNevts: 3000, scale: 4000 / 3000 });
    const mc = (r.accumulator as Record<string, HistAccumulator>).mc!;
    expect((mc.sumw as Float64Array)[1]).toBeCloseTo(3 * (4 / 3), 14);
    expect((mc.sumw2 as Float64Array)[1]).toBeCloseTo(3 * (16 / 9), 14);
    expect(r.samples.data).toMatchObject({ processed: 100, scale: 1 });
    expect(Array.from((r.accumulator as Record<string, HistAccumulator>).data!.sumw as Float64Array)).toEqual([0, 1, 0]);
    expect(r.warnings[1]).toMatch(/sample data: .*not rescaled.*50% low/);
    // the progress total shrinks by the failed entries so the bar still ends at 100%
    expect(progress.at(-1)).toEqual([400, 400]);
  });

  it("counts chunks and events per worker and lists every failed attempt as it happens, retried ones included", () => {
    const c = new RunCollector({ retries: 1, onFailure: "continue", normalised: () => false });
    c.addSample(plan("a", 0, 4, 400));
    c.ok(out(0, { n: 1 }), "thread-1");
    c.ok(out(2, { n: 1 }), "thread-2");
    expect(c.failed(1, { code: "X", message: "boom" }, "thread-2")).toBe(true);
    let live = c.live();
    expect(live.workers).toEqual([
      { worker: "thread-1", chunks: 1, events: 100, failedAttempts: 0 },
      { worker: "thread-2", chunks: 1, events: 100, failedAttempts: 1 },
    ]);
    expect(live.attempts.map((f) => [f.entryStart, f.attempt, f.retried, f.worker, f.error.message])).toEqual([[100, 1, true, "thread-2", "boom"]]);
    expect(live.failures).toEqual([]); // retried: not (yet) a failure of the run
    expect(c.failed(1, { code: "X", message: "again" }, "thread-10")).toBe(false);
    c.ok(out(3, { n: 1 }), "thread-10");
    c.ok(out(3, { n: 1 }), "thread-1"); // a late duplicate counts for nobody
    live = c.live();
    // numeric order of the names: thread-10 after thread-2
    expect(live.workers.map((w) => [w.worker, w.chunks, w.failedAttempts])).toEqual([
      ["thread-1", 1, 0],
      ["thread-2", 1, 1],
      ["thread-10", 1, 1],
    ]);
    expect(live.attempts.map((f) => [f.attempt, f.retried, f.worker])).toEqual([
      [1, true, "thread-2"],
      [2, false, "thread-10"],
    ]);
    expect(live.failures.map((f) => [f.entryStart, f.worker])).toEqual([[100, "thread-10"]]);
    expect(live.workers.reduce((s, w) => s + w.events, 0)).toBe(live.done);
  });

  it("stops at the first failure in fail mode", () => {
    const c = new RunCollector({ retries: 0, onFailure: "fail", normalised: () => true });
    c.addSample(plan("a", 0, 2, 200));
    expect(c.stopped).toBe(false);
    c.failed(0, { code: "X", message: "boom" });
    expect(c.stopped).toBe(true);
  });
});
