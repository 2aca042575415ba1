import { describe, expect, it } from "vitest";
import { hypotest, hypotestToys, normalCdf, significance, testStatistic, upperLimit, Workspace } from "../../src/stats/index.js";
import type { HypotestResult, ToyHypotestResult } from "../../src/stats/index.js";
import { counting } from "./helpers.js";

// One bin, s = 10, b = 50, n = 60, no nuisance parameters: every asymptotic quantity has a closed
// form (Cowan et al., arXiv:1007.1727) that we evaluate here independently of the library.
const s = 10;
const b = 50;
const n = 60;
const ws = Workspace.fromJSON(counting(s, b, n));
const model = ws.model();
const data = ws.data(model);
/** twice the Poisson NLL difference −2 ln[P(k | λ) / P(k | k)] (the factorials cancel). */
const q = (k: number, lam: number) => 2 * (lam - k - k * Math.log(lam / k));

describe("asymptotic hypothesis tests against closed forms", () => {
  it("q̃_mu, CLs+b, CLb, CLs and the expected band at mu = 2", () => {
    const mu = 2;
    const qmu = q(n, mu * s + b); // mu-hat = 1 < 2
    const qA = q(b, mu * s + b); // Asimov at mu = 0, mu-hat_A = 0
    const sq = Math.sqrt(qmu);
    const sqA = Math.sqrt(qA);
    const ts = sq <= sqA ? sq - sqA : (qmu - qA) / (2 * sqA);
    const clsb = normalCdf(-(ts + sqA));
    const clb = normalCdf(-ts);
    const r = hypotest(mu, data, model) as HypotestResult;
    // fits converge to ~1e-10 in mu-hat: 1e-8 relative on the derived probabilities
    expect(Math.abs(r.testStatistic / qmu - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.clsb / clsb - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.clb / clb - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.cls / (clsb / clb) - 1)).toBeLessThan(1e-8);
    [2, 1, 0, -1, -2].forEach((k, i) => expect(Math.abs(r.expected[i]! / (normalCdf(-(k + sqA)) / normalCdf(-k)) - 1)).toBeLessThan(1e-8));
  });

  it("q_mu is 0 when mu-hat exceeds the tested mu; t_mu is not", () => {
    expect(testStatistic("q", 0.5, data, model).value).toBe(0);
    expect(Math.abs(testStatistic("t", 0.5, data, model).value / q(n, 0.5 * s + b) - 1)).toBeLessThan(1e-8);
  });

  it("discovery: q0, Z = sqrt(q0), p0 = Φ(−Z); expected Z from the mu = 1 Asimov data", () => {
    const q0 = q(n, b);
    const r = significance(data, model);
    expect(Math.abs(r.q0 / q0 - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.zObs / Math.sqrt(q0) - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.p0Obs / normalCdf(-Math.sqrt(q0)) - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.zExp / Math.sqrt(q(s + b, b)) - 1)).toBeLessThan(1e-8);
  });

  it("expected median 95% CL limit solves Φ(−sqrt(q_A(mu)))/0.5 = 0.05", () => {
    // bisection on the closed form: q_A(mu) = (Φ⁻¹(0.975))²
    const target = 1.959963984540054 ** 2;
    let lo = 0;
    let hi = 20;
    for (let i = 0; i < 200; i++) {
      const mid = 0.5 * (lo + hi);
      if (q(b, mid * s + b) < target) lo = mid;
      else hi = mid;
    }
    const r = upperLimit(data, model);
    expect(Math.abs(r.exp[2]! / lo - 1)).toBeLessThan(1e-7);
    // the observed limit is where CLs crosses 0.05
    const at = hypotest(r.obs, data, model) as HypotestResult;
    expect(Math.abs(at.cls - 0.05)).toBeLessThan(1e-8);
    const scan = upperLimit(data, model, { method: "scan", scan: Array.from({ length: 41 }, (_, i) => i * 0.2) });
    // linear interpolation on a 0.2 grid of a smooth CLs curve: within 1% of the root
    expect(Math.abs(scan.obs / r.obs - 1)).toBeLessThan(0.01);
  });

  it("rejects impossible settings", () => {
    expect(() => hypotest(1, data, model, { testStat: "z" as "q" })).toThrow(/unknown test statistic/);
    expect(() => hypotest(1, data, model, { testStat: "t" })).toThrow(/toy calculator/);
    expect(() => hypotest(1, data, model, { fixed: { mu: 1 } })).toThrow(/fixed/);
    expect(() => upperLimit(data, model, { cl: 1.5 })).toThrow(/confidence level/);
  });
});

describe("toy calculator", () => {
  it("is reproducible from the seed and independent of the number of worker threads", async () => {
    const opts = { toys: 200, seed: 7 };
    const sync = hypotest(1.5, data, model, { ...opts, calculator: "toys" }) as ToyHypotestResult;
    const one = await hypotestToys(1.5, data, model, { ...opts, workers: 1 });
    const events: { done: number; total?: number }[] = [];
    const two = await hypotestToys(1.5, data, model, { ...opts, workers: 2, onProgress: (e) => events.push(e) });
    expect(events.at(-1)).toMatchObject({ done: 400, total: 400 });
    expect(Array.from(one.signalTestStats)).toEqual(Array.from(sync.signalTestStats));
    expect(Array.from(two.backgroundTestStats)).toEqual(Array.from(sync.backgroundTestStats));
    expect(two.cls).toBe(sync.cls);
    expect(two.expected).toEqual(sync.expected);
    const other = hypotest(1.5, data, model, { toys: 200, seed: 8, calculator: "toys" }) as ToyHypotestResult;
    expect(Array.from(other.signalTestStats)).not.toEqual(Array.from(sync.signalTestStats));
  });

  it("agrees with the asymptotic CLs+b within the toys' statistical precision", () => {
    // 2000 toys: binomial σ of CLs+b ≈ sqrt(p(1−p)/2000) ≈ 0.006 at p ≈ 0.1; the Poisson
    // discreteness adds a few 0.01; allow 0.05 absolute
    const toys = hypotest(2, data, model, { toys: 2000, seed: 3, calculator: "toys" }) as ToyHypotestResult;
    const asym = hypotest(2, data, model) as HypotestResult;
    expect(Math.abs(toys.clsb - asym.clsb)).toBeLessThan(0.05);
    expect(Math.abs(toys.clb - asym.clb)).toBeLessThan(0.05);
    expect(toys.converged).toBe(true);
  });
});
