/**
 * Toy-based CLs and upper limits against pyhf's ToyCalculator. Toys are random, so the comparison is
 * statistical: the reference (test/stats/reference/pyhf-toys-*.json, written by
 * bench/peers/pyhf_toys.py with pyhf run from source, its README says how) holds pyhf's sampled test
 * statistics and the CLs it derived from them; hepflow draws its own toys and must agree within the
 * toys' statistical precision (tolerances below, derived from the toy counts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hypotestToys, upperLimit, upperLimitToys, Workspace } from "../../src/stats/index.js";
import path from "node:path";
import { REFERENCE } from "../shared.js";
import { runCli } from "../helpers/cli.js";

const ref = JSON.parse(readFileSync(new URL("./reference/pyhf-toys-simplemodels_uncorrelated_background.json", import.meta.url), "utf8"));
const ws = Workspace.fromJSON(JSON.parse(readFileSync(path.join(REFERENCE, "stats/simplemodels_uncorrelated_background.json"), "utf8")));
const model = ws.model();
const data = ws.data(model);

/** Two-sample Kolmogorov–Smirnov distance sup |F_a − F_b|. */
function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0,
    j = 0,
    d = 0;
  while (i < x.length && j < y.length) {
    const t = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= t) i++;
    while (j < y.length && y[j]! <= t) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** σ of the difference of two independent binomial fractions p from n and m toys. */
const binomialDiff = (p: number, n: number, m: number) => Math.sqrt(Math.max(p * (1 - p), 0) * (1 / n + 1 / m));

describe("toy-based hypotests against pyhf's ToyCalculator", () => {
  for (const h of ref.hypotests as { poi_test: number; CLs_obs: number; CLsb_obs: number; CLb_obs: number; CLs_exp: number[]; test_stat_value: number; signal_test_stats: number[]; background_test_stats: number[] }[]) {
    it(`mu = ${h.poi_test}: test-statistic distributions, CLs and the expected band (${ref.ntoys} toys each)`, async () => {
      const n = ref.ntoys as number;
      const r = await hypotestToys(h.poi_test, data, model, { testStat: "qtilde", toys: n, seed: 11, workers: 2 });
      // the observed statistic involves no toys: the same fits as pyhf's (its fits stop at ~1e-6)
      expect(r.testStatistic).toBeCloseTo(h.test_stat_value, 4);
      // same distributions: two-sample KS at α = 0.001, D_crit = 1.949·sqrt(2/n) (0.044 for 4000 toys)
      const dcrit = 1.949 * Math.sqrt(2 / n);
      expect(ksDistance(r.signalTestStats, h.signal_test_stats)).toBeLessThan(dcrit);
      expect(ksDistance(r.backgroundTestStats, h.background_test_stats)).toBeLessThan(dcrit);
      // tail fractions: 4σ of the difference of two binomial estimates from n toys each
      expect(Math.abs(r.clsb - h.CLsb_obs)).toBeLessThan(4 * binomialDiff(h.CLsb_obs, n, n));
      expect(Math.abs(r.clb - h.CLb_obs)).toBeLessThan(4 * binomialDiff(h.CLb_obs, n, n));
      // CLs = CLs+b / CLb: relative errors add in quadrature
      const sCls = h.CLs_obs * Math.hypot(binomialDiff(h.CLsb_obs, n, n) / h.CLsb_obs, binomialDiff(h.CLb_obs, n, n) / h.CLb_obs);
      expect(Math.abs(r.cls - h.CLs_obs)).toBeLessThan(4 * sCls);
      // band k sits where CLb = q_k (the b-only percentile); there CLs+b = CLs·q_k carries the
      // binomial error of the s+b toys plus the quantile's position error (its CLb spread
      // sqrt(q(1−q)/n), carried over with slope ≈ CLs+b/CLb); floor: one toy's step, 1/(n·q)
      [0.0227501319, 0.1586552539, 0.5, 0.8413447461, 0.9772498681].forEach((q, k) => {
        const p = h.CLs_exp[k]! * q;
        const sigma = (Math.SQRT2 * Math.hypot(Math.sqrt((p * (1 - p)) / n), (p / q) * Math.sqrt((q * (1 - q)) / n))) / q;
        expect(Math.abs(r.expected[k]! - h.CLs_exp[k]!), `band ${k}`).toBeLessThan(Math.max(4 * sigma, 2 / (n * q)));
      });
      expect(r.converged).toBe(true);
    }, 120_000);
  }

  it("upper limit on pyhf's scan, and the same result on 1 and 2 workers", async () => {
    const u = ref.upper_limit as { scan: number[]; ntoys: number; obs: number; exp: number[] };
    const one = await upperLimitToys(data, model, { scan: u.scan, toys: u.ntoys, seed: 5, workers: 1 });
    const two = await upperLimitToys(data, model, { scan: u.scan, toys: u.ntoys, seed: 5, workers: 2 });
    expect(two.obs).toBe(one.obs);
    expect(two.exp).toEqual(one.exp);
    expect(two.points).toEqual(one.points);
    // CLs noise at CLs ≈ 0.05 from n toys per hypothesis (binomial on CLs+b ≈ 0.05·CLb with CLb ≈ 0.5,
    // relative), turned into a POI error by the CLs slope there (taken from the asymptotic
    // curve), both implementations noisy: tolerance 4·√2·σ_CLs / |dCLs/dμ|
    const asym = upperLimit(data, model, { method: "scan", scan: u.scan });
    const slope = Math.abs((asym.points[5]!.cls - asym.points[3]!.cls) / (asym.points[5]!.mu - asym.points[3]!.mu));
    const sigmaCls = 0.05 * Math.hypot(Math.sqrt((1 - 0.025) / (0.025 * u.ntoys)), Math.sqrt((1 - 0.5) / (0.5 * u.ntoys)));
    const tol = (4 * Math.SQRT2 * sigmaCls) / slope;
    expect(Math.abs(one.obs - u.obs)).toBeLessThan(tol);
    expect(Math.abs(one.exp[2]! - u.exp[2]!)).toBeLessThan(tol);
    expect(one.method).toBe("scan");
  }, 180_000);
});

describe("hepflow limit/cls --calctype toybased", () => {
  it("gives the API's numbers, the same on 1 and 2 workers, and records the toy settings", async () => {
    const file = path.join(REFERENCE, "stats/simplemodels_uncorrelated_background.json");
    const args = ["limit", file, "--calctype", "toybased", "--ntoys", "300", "--seed", "4", "--scan", "0:2:5", "--json"];
    const one = JSON.parse(await runCli(...args, "--workers", "1"));
    const two = JSON.parse(await runCli(...args, "--workers", "2"));
    expect(two).toEqual(one);
    expect(one).toMatchObject({ calctype: "toybased", ntoys: 300, seed: 4, scan: [0, 0.5, 1, 1.5, 2], converged: true });
    const api = await upperLimitToys(data, model, { scan: [0, 0.5, 1, 1.5, 2], toys: 300, seed: 4, workers: 2 });
    expect(one.obs).toBe(api.obs);
    expect(one.exp).toEqual(api.exp);
    const c = JSON.parse(await runCli("cls", file, "--calctype", "toybased", "--ntoys", "300", "--seed", "4", "--workers", "2", "--json"));
    const h = await hypotestToys(1, data, model, { toys: 300, seed: 4, workers: 1 });
    expect(c.CLs_obs).toBe(h.cls);
    expect(c.CLs_exp).toEqual(h.expected);
    await expect(runCli("limit", file, "--calctype", "bayes")).rejects.toThrow(/--calctype must be asymptotics or toybased/);
  }, 120_000);
});
