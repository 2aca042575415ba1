import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fit, fixedPoiFit, minimizeBounded, Workspace } from "../../src/stats/index.js";
import { REFERENCE } from "../shared.js";
import { counting } from "./helpers.js";

describe("fit: hand-computable maximum-likelihood estimates", () => {
  it("one-bin counting: mu-hat = (n − b)/s, σ(mu) = sqrt(n)/s, twice-NLL at the optimum", () => {
    // s = 10, b = 50, n = 72 → mu-hat = 2.2; the Poisson information at the optimum gives σ = sqrt(72)/10
    const ws = Workspace.fromJSON(counting(10, 50, 72, [{ name: "fixedb", type: "normfactor", data: null }], [{ name: "fixedb", fixed: true }]));
    const m = ws.model();
    const r = fit(ws.data(m), m);
    const mu = m.config.poiIndex!;
    expect(r.converged).toBe(true);
    expect(Math.abs(r.bestfit[mu]! - 2.2)).toBeLessThan(1e-9);
    // Hessian by central differences of the analytic gradient: 1e-7 relative
    expect(Math.abs(r.uncertainties[mu]! / (Math.sqrt(72) / 10) - 1)).toBeLessThan(1e-7);
    expect(r.uncertainties[m.config.parameterIndex("fixedb")]).toBe(0);
    expect(r.correlation![mu]![mu]).toBe(1);
    // twice-NLL = −2 [n log n − n − log n!]
    const lg = (x: number) => {
      let s = 0;
      for (let k = 2; k < x; k++) s += Math.log(k);
      return s;
    };
    expect(Math.abs(r.twiceNll - -2 * (72 * Math.log(72) - 72 - lg(73)))).toBeLessThan(1e-10);
  });

  it("respects bounds (n < b puts mu-hat at its lower bound 0) and fixed values", () => {
    const ws = Workspace.fromJSON(counting(10, 50, 40));
    const m = ws.model();
    const r = fit(ws.data(m), m);
    expect(r.bestfit[m.config.poiIndex!]).toBe(0);
    const f = fixedPoiFit(1.7, ws.data(m), m);
    expect(f.bestfit[m.config.poiIndex!]).toBe(1.7);
    const g = fit(ws.data(m), m, { fixed: { mu: 0.5 } });
    expect(g.bestfit[m.config.poiIndex!]).toBe(0.5);
    expect(g.uncertainties[m.config.poiIndex!]).toBe(0);
  });

  it("a Gaussian-constrained nuisance parameter pulls as the closed form says", () => {
    // λ = b(1 + 0.1 α) to first order is not exact for code4p; use histosys code0 (exactly linear):
    // λ = 100 + 10 α, n = 120, constraint N(0 | α, 1): minimise (λ − n log λ) + α²/2 → 10(1 − n/λ) + α = 0
    const ws = Workspace.fromJSON(counting(0, 100, 120, [{ name: "a", type: "histosys", data: { lo_data: [90], hi_data: [110] } }]));
    const m = ws.model({ modifierSettings: { histosys: { interpcode: "code0" } }, poiName: null });
    const r = fit(ws.data(m), m, { fixed: { mu: 1 } });
    const a = r.bestfit[m.config.parameterIndex("a")]!;
    expect(Math.abs(10 * (1 - 120 / (100 + 10 * a)) + a)).toBeLessThan(1e-9);
  });

  it("flags a fit that runs out of iterations instead of returning it as converged", () => {
    const ws = Workspace.fromJSON(counting(10, 50, 72, [{ name: "hs", type: "histosys", data: { lo_data: [40], hi_data: [63] } }]));
    const m = ws.model();
    const r = fit(ws.data(m), m, { maxIterations: 1 });
    expect(r.converged).toBe(false);
    expect(r.message).toMatch(/no convergence/);
  });

  it("rejects malformed data and settings", () => {
    const ws = Workspace.fromJSON(counting(10, 50, 72));
    const m = ws.model();
    expect(() => fit([1, 2, 3], m)).toThrow(/data has 3 entries/);
    expect(() => fit([-1], m)).toThrow(/non-negative/);
    expect(() => fit(ws.data(m), m, { fixed: { nope: 1 } })).toThrow(/no parameter "nope"/);
  });

  it("the minimiser finds the minimum of a bounded Rosenbrock function", () => {
    const fg = (x: Float64Array, g: Float64Array) => {
      g[0] = -2 * (1 - x[0]!) - 400 * x[0]! * (x[1]! - x[0]! * x[0]!);
      g[1] = 200 * (x[1]! - x[0]! * x[0]!);
      return (1 - x[0]!) ** 2 + 100 * (x[1]! - x[0]! * x[0]!) ** 2;
    };
    const r = minimizeBounded(fg, Float64Array.from([-1.2, 1]), Float64Array.from([-2, -2]), Float64Array.from([2, 2]), [false, false]);
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0]! - 1)).toBeLessThan(1e-6);
    // with x bounded to ≤ 0.5 the constrained optimum sits on the bound with y = x²
    const b = minimizeBounded(fg, Float64Array.from([-1.2, 1]), Float64Array.from([-2, -2]), Float64Array.from([0.5, 2]), [false, false]);
    expect(b.x[0]).toBe(0.5);
    expect(Math.abs(b.x[1]! - 0.25)).toBeLessThan(1e-8);
  });
});

describe("fit: a large model (hundreds of parameters)", () => {
  it("recovers the generating parameters from Asimov data", () => {
    // 3 channels x 40 bins, 3 samples, staterror per channel (120 γ), shapesys on one sample per
    // channel (120 γ), 8 normsys, 6 histosys, 2 normfactors: 256 parameters. The MLE of Asimov
    // data (expected main and auxiliary data at θ0) is θ0 itself, whatever the minimiser.
    const nb = 40;
    const channels = ["A", "B", "C"].map((name, ci) => {
      const shape = (k: number) => Array.from({ length: nb }, (_, i) => 50 + 30 * Math.sin(0.3 * i + ci + k));
      const bkg = shape(0);
      return {
        name,
        samples: [
          {
            name: "signal",
            data: shape(1).map((v) => v / 5),
            modifiers: [
              { name: "mu", type: "normfactor" as const, data: null },
              { name: `stat_${name}`, type: "staterror" as const, data: bkg.map((v) => Math.sqrt(v) / 2) },
            ],
          },
          {
            name: "bkg1",
            data: bkg,
            modifiers: [
              { name: "k1", type: "normfactor" as const, data: null },
              { name: `stat_${name}`, type: "staterror" as const, data: bkg.map((v) => Math.sqrt(v)) },
              ...[0, 1, 2, 3].map((k) => ({ name: `ns${k + 4 * (ci % 2)}`, type: "normsys" as const, data: { hi: 1.05 + 0.01 * k, lo: 0.94 - 0.01 * k } })),
              ...[0, 1].map((k) => ({ name: `hs${k + 2 * ci}`, type: "histosys" as const, data: { lo_data: bkg.map((v, i) => v * (1 - 0.02 * Math.cos(i + k))), hi_data: bkg.map((v, i) => v * (1 + 0.03 * Math.cos(i + k))) } })),
            ],
          },
          { name: "bkg2", data: shape(2), modifiers: [{ name: `shape_${name}`, type: "shapesys" as const, data: shape(2).map((v) => 0.1 * v) }] },
        ],
      };
    });
    const ws = Workspace.fromJSON({
      channels,
      observations: channels.map((c) => ({ name: c.name, data: new Array(nb).fill(50) })),
      measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
      version: "1.0.0",
    });
    const m = ws.model();
    expect(m.config.npars).toBe(256);
    const theta0 = m.config.suggestedInit();
    theta0.forEach((v, i) => (theta0[i] = v + 0.05 * Math.sin(3 * i)));
    theta0[m.config.poiIndex!] = 1.3;
    const asimov = m.expectedData(theta0);
    const r = fit(asimov, m);
    expect(r.converged).toBe(true);
    // the optimum is exact up to the stopping rule (Newton decrement < 1e-13): parameters to 1e-6
    for (let i = 0; i < theta0.length; i++) expect(Math.abs(r.bestfit[i]! - theta0[i]!)).toBeLessThan(1e-6);
    expect(r.uncertainties.every((u) => u > 0 && Number.isFinite(u))).toBe(true);
  });
});

describe("fit: robustness on the published ATLAS RegionC likelihood", () => {
  // Signal points where the POI ends on a bound (0 or 10) for data or Asimov data; they once
  // stalled a line search. Invariant checked: every fit converges and the free fit is never worse
  // than a fit with the POI fixed (it minimises over a superset).
  const dir = path.join(REFERENCE, "stats", "sbottom-regionC");
  const bkg = Workspace.fromJSON(JSON.parse(readFileSync(path.join(dir, "BkgOnly.json"), "utf8")));
  for (const point of ["950_230_100", "1500_330_200", "1000_131_1", "1400_1250_60"]) {
    it(`signal point ${point}`, () => {
      const ws = bkg.applyPatches([JSON.parse(readFileSync(path.join(dir, `patch.sbottom_${point}.json`), "utf8"))]);
      const m = ws.model();
      const data = ws.data(m);
      const free = fit(data, m, { uncertainties: false });
      expect(free.converged).toBe(true);
      for (const mu of [0, 1, 3]) {
        const fixed = fixedPoiFit(mu, data, m, { uncertainties: false });
        expect(fixed.converged).toBe(true);
        // 1e-9 absolute: both optima are found to ~1e-13 in the NLL
        expect(free.twiceNll).toBeLessThanOrEqual(fixed.twiceNll + 1e-9);
      }
    });
  }
});
