import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TrackingStore, adaptiveParzen, linearForgettingWeights, normalCdf, parseSpace, randomSuggest, runSearch, tpeSuggest, type Observation, type ParamSet, type SearchSpec } from "../../src/tracking/index.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "hepflow-search-"));

/** Branin–Hoo on x1 ∈ [-5, 10], x2 ∈ [0, 15]; global minimum 0.397887 at three points. */
function branin(p: ParamSet): number {
  const x1 = Number(p.x1),
    x2 = Number(p.x2);
  const b = 5.1 / (4 * Math.PI ** 2),
    c = 5 / Math.PI,
    t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}
const BRANIN_SPACE = parseSpace({ x1: "uniform(-5, 10)", x2: "uniform(0, 15)" });

function bestOf(algo: "tpe" | "random", seed: number, n: number): number {
  const hist: Observation[] = [];
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const p = algo === "tpe" ? tpeSuggest(BRANIN_SPACE, hist, seed, i) : randomSuggest(BRANIN_SPACE, seed, i)!;
    const v = branin(p);
    hist.push({ index: i, params: p, loss: v });
    best = Math.min(best, v);
  }
  return best;
}

describe("search spaces and random search (sklearn ParameterSampler semantics)", () => {
  it("reads distributions as text, objects and lists, and rejects bad ones with the parameter's name", () => {
    expect(parseSpace({ a: "uniform(1, 2)", b: "loguniform(1e-3, 1)", c: "randint(10, 41)", d: "quniform(20, 60, 5)", e: "choice(25, 'x')", f: [1, 2], g: { dist: "uniform", low: 0, high: 1 } })).toEqual({
      a: { dist: "uniform", low: 1, high: 2 },
      b: { dist: "loguniform", low: 0.001, high: 1 },
      c: { dist: "randint", low: 10, high: 41 },
      d: { dist: "quniform", low: 20, high: 60, q: 5 },
      e: { dist: "choice", options: [25, "x"] },
      f: { dist: "choice", options: [1, 2] },
      g: { dist: "uniform", low: 0, high: 1 },
    });
    expect(() => parseSpace({ a: "uniform(2, 1)" })).toThrow(/"a".*low < high/);
    expect(() => parseSpace({ a: "loguniform(0, 1)" })).toThrow(/low > 0/);
    expect(() => parseSpace({ a: "gauss(0, 1)" })).toThrow(/unknown distribution/);
    expect(() => parseSpace({ a: "process.exit()" })).toThrow(/"a"/);
  });

  it("draws within the priors: integers in [low, high), log-uniform in log space", () => {
    const space = parseSpace({ n: "randint(10, 13)", lr: "loguniform(1e-4, 1)", q: "quniform(20, 60, 5)" });
    const draws = Array.from({ length: 4000 }, (_, i) => randomSuggest(space, 7, i)!);
    expect(new Set(draws.map((d) => d.n))).toEqual(new Set([10, 11, 12]));
    for (const d of draws) expect(Number(d.q) % 5).toBe(0);
    const logs = draws.map((d) => Math.log10(Number(d.lr)));
    expect(Math.min(...logs)).toBeGreaterThanOrEqual(-4);
    expect(Math.max(...logs)).toBeLessThanOrEqual(0);
    // log10(lr) ~ U(-4, 0): mean -2, sd 4/sqrt(12); 4000 draws → standard error 0.018, tolerance 5 of them
    expect(Math.abs(logs.reduce((a, b) => a + b, 0) / logs.length + 2)).toBeLessThan(0.09);
    // each of the three integers ~ 1/3: binomial sd sqrt(4000·(1/3)(2/3)) ≈ 30, tolerance 5 sd
    for (const v of [10, 11, 12]) expect(Math.abs(draws.filter((d) => d.n === v).length - 4000 / 3)).toBeLessThan(150);
  });

  it("samples an all-choice space as a grid without replacement, then stops", () => {
    const space = parseSpace({ a: [1, 2, 3], b: ["x", "y"] });
    const got = Array.from({ length: 6 }, (_, i) => randomSuggest(space, 1, i)!);
    expect(new Set(got.map((g) => `${g.a}${g.b}`))).toEqual(new Set(["1x", "1y", "2x", "2y", "3x", "3y"]));
    expect(randomSuggest(space, 1, 6)).toBeUndefined();
  });
});

describe("TPE (hyperopt's algorithm)", () => {
  it("builds adaptive Parzen estimators as hyperopt does (worked by hand)", () => {
    // mus 1, 3, 7 with the prior (mu 5, sigma 10) inserted: sorted 1, 3, 5, 7; neighbour widths 2, 2, 2, 2;
    // clipped to [10 / min(100, 1 + 4), 10] = [2, 10]; the prior keeps sigma 10; equal weights (N < LF)
    const p = adaptiveParzen([7, 1, 3], 1, 5, 10, 25);
    expect(p.mus).toEqual([1, 3, 5, 7]);
    expect(p.sigmas).toEqual([2, 2, 10, 2]);
    expect(p.weights).toEqual([0.25, 0.25, 0.25, 0.25]);
    // one observation: the prior and it, the observation's width half the prior's
    expect(adaptiveParzen([8], 1, 5, 10, 25)).toEqual({ weights: [0.5, 0.5], mus: [5, 8], sigmas: [10, 5] });
    // linear forgetting: N = 30, LF = 25 → the oldest 5 ramp linspace(1/30, 1, 5), the newest 25 weigh 1
    const w = linearForgettingWeights(30, 25);
    expect(w.slice(0, 5).map((x) => +x.toFixed(12))).toEqual([1 / 30, 1 / 30 + 29 / 30 / 4, 1 / 30 + 29 / 30 / 2, 1 / 30 + (3 * 29) / 30 / 4, 1].map((x) => +x.toFixed(12)));
    expect(w.slice(5).every((x) => x === 1)).toBe(true);
  });

  it("normal CDF to 1e-7 (reference values from the error function tables)", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447461, 7);
    expect(normalCdf(-1.96)).toBeCloseTo(0.0249978952, 7);
    expect(normalCdf(3)).toBeCloseTo(0.998650102, 7);
  });

  it("starts from the prior for n_startup_jobs trials, then models", () => {
    const hist: Observation[] = [];
    for (let i = 0; i < 19; i++) hist.push({ index: i, params: { x1: 0, x2: 0 }, loss: i });
    const a = tpeSuggest(BRANIN_SPACE, hist, 1, 19);
    expect(a).toEqual(tpeSuggest(BRANIN_SPACE, [], 1, 19)); // 19 < 20 finished: still the prior draw
    hist.push({ index: 19, params: { x1: 9, x2: 1 }, loss: -1 });
    expect(tpeSuggest(BRANIN_SPACE, hist, 1, 20)).not.toEqual(tpeSuggest(BRANIN_SPACE, [], 1, 20));
  });

  it("beats random search on Branin at equal budget (100 trials) over 10 seeds", () => {
    // 100 trials = 20 from the prior + 80 modelled; bench/search.bench.mjs has more seeds and budgets
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const tpe = seeds.map((s) => bestOf("tpe", s, 100)),
      rnd = seeds.map((s) => bestOf("random", s, 100));
    const median = (x: number[]) => {
      const y = [...x].sort((a, b) => a - b);
      return (y[4]! + y[5]!) / 2;
    };
    expect(median(tpe)).toBeLessThan(median(rnd));
    expect(tpe.filter((v, i) => v < rnd[i]!).length).toBeGreaterThanOrEqual(6);
    expect(Math.min(...tpe)).toBeGreaterThanOrEqual(0.397887 - 1e-6); // never below the true minimum
  });
});

describe("search runs", () => {
  const spec = (o: Partial<SearchSpec> = {}): SearchSpec => ({ space: BRANIN_SPACE, algo: "tpe", seed: 5, maxRuns: 12, parallel: 1, objective: "branin", direction: "minimize", tpe: { nStartupJobs: 4 }, target: { kind: "function" }, ...o });
  const fn = async (p: ParamSet) => branin(p);

  it("records the search as a parent run with one child per trial, and is reproducible", async () => {
    const s = new TrackingStore(tmp());
    const a = await runSearch(s, spec(), { objectiveFn: fn });
    expect(a.trials.length).toBe(12);
    const kids = s.children(a.searchRunId);
    expect(kids.length).toBe(12);
    expect(kids.every((k) => k.status === "FINISHED")).toBe(true);
    const bestKid = s.getRun(a.best!.runId);
    expect(bestKid.metrics.branin!.value).toBe(Math.min(...a.trials.map((t) => t.value)));
    expect(Number(bestKid.params.x1)).toBe(a.best!.params.x1);
    const parent = s.getRun(a.searchRunId);
    expect(parent.tags["hepflow.search.best_run"]).toBe(a.best!.runId);
    expect(s.metricHistory(a.searchRunId, "best_branin").length).toBe(12);
    const b = await runSearch(s, spec(), { objectiveFn: fn });
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    const c = await runSearch(s, spec({ seed: 6 }), { objectiveFn: fn });
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    s.close();
  });

  it("gives the same trials with parallel trials whatever order they finish in", async () => {
    const s = new TrackingStore(tmp());
    const jitter = (seed: number) => async (p: ParamSet, ctx: { index: number }) => {
      await new Promise((r) => setTimeout(r, ((ctx.index * 7 + seed) % 5) * 3));
      return branin(p);
    };
    const a = await runSearch(s, spec({ parallel: 3 }), { objectiveFn: jitter(0) });
    const b = await runSearch(s, spec({ parallel: 3 }), { objectiveFn: jitter(3) });
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    s.close();
  });

  it("resumes: finished trials are kept, interrupted ones rerun, and the result equals an uninterrupted search", async () => {
    const s = new TrackingStore(tmp());
    const full = await runSearch(s, spec({ maxRuns: 10 }), { objectiveFn: fn });
    const part = await runSearch(s, spec({ maxRuns: 6 }), { objectiveFn: fn });
    const kids = s.children(part.searchRunId);
    s.updateRun(kids[5]!.runId, { status: "RUNNING", endTime: null }); // as if killed mid-trial
    const resumed = await runSearch(s, { maxRuns: 10 } as SearchSpec, { resume: part.searchRunId, objectiveFn: fn });
    expect(resumed.trials.map((t) => t.params)).toEqual(full.trials.map((t) => t.params));
    expect(resumed.trials.slice(0, 5).map((t) => t.runId)).toEqual(kids.slice(0, 5).map((k) => k.runId)); // reused
    expect(s.getRunInfo(kids[5]!.runId).status).toBe("KILLED");
    expect(s.children(part.searchRunId).length).toBe(11); // 10 trials + the killed attempt
    s.close();
  });

  it("stops early when trials stop improving", async () => {
    const s = new TrackingStore(tmp());
    const r = await runSearch(s, spec({ maxRuns: 50, patience: 3, algo: "random" }), { objectiveFn: async () => 1 });
    expect(r.trials.length).toBe(4); // trial 0 sets the best, 1-3 do not improve
    expect(r.stoppedEarly).toBe(true);
    expect(s.getRun(r.searchRunId).tags["hepflow.search.stopped"]).toBe("early");
    s.close();
  });

  it("maximises when asked and marks failing trials FAILED without stopping", async () => {
    const s = new TrackingStore(tmp());
    const r = await runSearch(s, spec({ maxRuns: 6, direction: "maximize", algo: "random" }), {
      objectiveFn: async (p, c) => {
        if (c.index === 2) throw new Error("boom");
        return Number(p.x1);
      },
    });
    expect(r.trials[2]!.status).toBe("FAILED");
    expect(r.best!.value).toBe(Math.max(...r.trials.filter((t) => t.status === "FINISHED").map((t) => Number(t.params.x1))));
    s.close();
  });
});
