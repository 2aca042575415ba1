import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { chi2Sf, fit, goodnessOfFit, postfitYields, prefitYields, pulls, ranking, scan1D, scan2D, Workspace } from "../../src/stats/index.js";
import type { WorkspaceSpec } from "../../src/stats/index.js";
import { REFERENCE } from "../shared.js";

const SETTINGS = { modifierSettings: { normsys: { interpcode: "code4" as const }, histosys: { interpcode: "code0" as const } } };
// The minimizer converges the NLL to ~1e-10 relative; parameters are then good to ~1e-6.
const PAR_TOL = 1e-5;

/** One bin: signal s·μ (μ in [−10, 10]) over background b with a piecewise-linear histosys b·(1 + 0.2θ) / b·(1 + 0.1θ). */
function oneBin(s: number, b: number, n: number): WorkspaceSpec {
  return {
    channels: [
      {
        name: "SR",
        samples: [
          { name: "sig", data: [s], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
          { name: "bkg", data: [b], modifiers: [{ name: "theta", type: "histosys", data: { hi_data: [1.2 * b], lo_data: [0.9 * b] } }] },
        ],
      },
    ],
    observations: [{ name: "SR", data: [n] }],
    measurements: [{ name: "m", config: { poi: "mu", parameters: [{ name: "mu", bounds: [[-10, 10]] }] } }],
    version: "1.0.0",
  };
}

describe("ranking and pulls on a one-parameter model (by hand)", () => {
  const [s, b, n] = [20, 100, 130];
  const ws = Workspace.fromJSON(oneBin(s, b, n));
  const model = ws.model(SETTINGS);
  const data = ws.data(model);
  it("impacts are the background shifts divided by s", () => {
    // μ absorbs any background change in one bin, so θ̂ = 0 (its constraint), μ̂ = (n − b)/s, and the
    // profile likelihood of θ is its unit Gaussian: σ̂(θ) = 1 exactly. Fixing θ = ±1 moves the background
    // by +0.2b / −0.1b, so Δμ = −0.2b/s and +0.1b/s, pre-fit and post-fit alike.
    const r = ranking(model, data);
    expect(r.poiBestfit).toBeCloseTo((n - b) / s, 5);
    expect(r.impacts).toHaveLength(1);
    const x = r.impacts[0]!;
    expect(x.name).toBe("theta");
    expect(Math.abs(x.bestfit)).toBeLessThan(PAR_TOL);
    expect(Math.abs(x.uncertainty - 1)).toBeLessThan(PAR_TOL);
    for (const [got, want] of [
      [x.prefitUp, (-0.2 * b) / s],
      [x.prefitDown, (0.1 * b) / s],
      [x.postfitUp, (-0.2 * b) / s],
      [x.postfitDown, (0.1 * b) / s],
    ] as [number, number][]) {
      expect(Math.abs(got - want)).toBeLessThan(PAR_TOL);
    }
    const p = pulls(model, fit(data, model));
    expect(p.map((q) => q.name)).toEqual(["theta"]);
    expect(Math.abs(p[0]!.pull!)).toBeLessThan(PAR_TOL);
    expect(Math.abs(p[0]!.constraint! - 1)).toBeLessThan(PAR_TOL);
  });
  it("sorts impacts by their post-fit size", () => {
    const spec = oneBin(s, b, n);
    spec.channels[0]!.samples.push({ name: "bkg2", data: [50], modifiers: [{ name: "big", type: "normsys", data: { hi: 1.5, lo: 0.5 } }] });
    const w = Workspace.fromJSON(spec);
    const m = w.model(SETTINGS);
    const r = ranking(m, w.data(m));
    // "big" moves 25 events at ±1σ, "theta" 20 / 10
    expect(r.impacts.map((x) => x.name)).toEqual(["big", "theta"]);
    expect(Math.abs(r.impacts[0]!.prefitUp + 25 / s)).toBeLessThan(PAR_TOL);
  });
});

describe("likelihood scans against pyhf's fits", () => {
  const name = "validation_2bin_2channel";
  const spec = JSON.parse(readFileSync(path.join(REFERENCE, "stats", `${name}.json`), "utf8"));
  const expectedFile = JSON.parse(readFileSync(path.join(REFERENCE, "stats", `${name}.expected.json`), "utf8"));
  const ref = expectedFile.cases[0];
  const ws = Workspace.fromJSON(spec);
  const model = ws.model({ modifierSettings: { normsys: { interpcode: "code4" }, histosys: { interpcode: "code4p" } } });
  const data = ws.data(model);
  // pyhf's twice-NLL values are converged to ~4e-11 (reference README); ours to ~1e-9 relative
  const NLL_TOL = 1e-6;
  it("1D: zero at pyhf's best fit, pyhf's fixed-POI fit at μ = 1, minimum at the grid point nearest μ̂", () => {
    const muHat = ref.mle.poi_hat as number;
    const sc = scan1D(model, data, "mu", { values: [muHat, 1, 0, 0.1, 0.2, 0.3, 0.4, 0.5] });
    expect(Math.abs(sc.twiceNllMin - ref.mle.twice_nll)).toBeLessThan(NLL_TOL);
    expect(Math.abs(sc.bestfit - muHat)).toBeLessThan(1e-4);
    expect(Math.abs(sc.deltaTwiceNll[0]!)).toBeLessThan(NLL_TOL);
    expect(Math.abs(sc.deltaTwiceNll[1]! - (ref.fixed_poi_fit.twice_nll - ref.mle.twice_nll))).toBeLessThan(NLL_TOL);
    const grid = sc.deltaTwiceNll.slice(2);
    expect(grid.indexOf(Math.min(...grid))).toBe(2); // μ̂ ≈ 0.22 is nearest 0.2
    expect(sc.deltaTwiceNll.every((d) => d > -NLL_TOL)).toBe(true);
  });
  it("2D: fixing μ = 1 and a nuisance parameter at pyhf's conditional fit value gives the conditional minimum", () => {
    const names: string[] = expectedFile.model.par_names;
    const j = names.findIndex((x) => x !== "mu");
    expect(j).toBeGreaterThanOrEqual(0);
    const other = names[j]!;
    const value = ref.fixed_poi_fit.pars[j] as number;
    const sc = scan2D(model, data, ["mu", other], { x: [1], y: [value, value + 0.05] });
    expect(Math.abs(sc.deltaTwiceNll[0]![0]! - (ref.fixed_poi_fit.twice_nll - ref.mle.twice_nll))).toBeLessThan(NLL_TOL);
    expect(sc.deltaTwiceNll[0]![1]).toBeGreaterThan(sc.deltaTwiceNll[0]![0]!);
  });
});

describe("goodness of fit", () => {
  it("χ² survival function matches known values", () => {
    // 3.841458820694124 is the 95% quantile of χ²(1); P(χ²(2) > x) = exp(−x/2); tolerance: double rounding
    expect(Math.abs(chi2Sf(3.841458820694124, 1) - 0.05)).toBeLessThan(1e-12);
    expect(Math.abs(chi2Sf(7.3, 2) - Math.exp(-3.65))).toBeLessThan(1e-14);
    expect(Math.abs(chi2Sf(40, 30) - 0.10486428110798468) / 0.10486428110798468).toBeLessThan(1e-9); // scipy.stats.chi2.sf(40, 30)
  });
  it("two bins, one free normalisation: the saturated-model statistic by hand", () => {
    const [s1, s2, n1, n2] = [30, 70, 40, 55];
    const spec: WorkspaceSpec = {
      channels: [{ name: "c", samples: [{ name: "x", data: [s1, s2], modifiers: [{ name: "mu", type: "normfactor", data: null }] }] }],
      observations: [{ name: "c", data: [n1, n2] }],
      measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
      version: "1.0.0",
    };
    const ws = Workspace.fromJSON(spec);
    const m = ws.model();
    const g = goodnessOfFit(m, ws.data(m));
    const mu = (n1 + n2) / (s1 + s2);
    const dev = (n: number, l: number) => 2 * (n * Math.log(n / l) - (n - l));
    const want = dev(n1, mu * s1) + dev(n2, mu * s2);
    expect(g.ndof).toBe(1);
    expect(Math.abs(g.deltaTwiceNll - want)).toBeLessThan(1e-7); // fit converged to ~1e-10 in 2NLL
    expect(Math.abs(g.pValue - chi2Sf(want, 1))).toBeLessThan(1e-6);
  });
});

describe("goodness of fit with a constraint term", () => {
  it("takes the saturated constraint term at the suggested init (cabinetry)", () => {
    const spec = oneBin(20, 100, 130);
    spec.channels[0]!.samples[1]!.data = [100];
    const ws = Workspace.fromJSON(spec);
    const m = ws.model(SETTINGS);
    const data = ws.data(m);
    const r = fit(data, m);
    const g = goodnessOfFit(m, data, { result: r });
    // Poisson(130 | 130) by Stirling-free formula, plus the unit Gaussian at θ = 0 with aux 0
    const lnPois = 130 * Math.log(130) - 130 - lgammaRef(131);
    const sat = -2 * (lnPois - 0.5 * Math.log(2 * Math.PI));
    expect(Math.abs(g.twiceNllSaturated - sat)).toBeLessThan(1e-9);
    expect(Math.abs(g.deltaTwiceNll - (r.twiceNll - sat))).toBeLessThan(1e-12);
    expect(g.ndof).toBe(0); // one bin, one free normalisation
    expect(Number.isNaN(g.pValue)).toBe(true);
  });
});

/** ln Γ(n) for integer n by summing logs (independent of the library's lgamma). */
function lgammaRef(n: number): number {
  let s = 0;
  for (let k = 2; k < n; k++) s += Math.log(k);
  return s;
}

describe("yield tables", () => {
  // two bins: signal (μ) and background with a symmetric linear histosys of ±δ per bin
  const spec: WorkspaceSpec = {
    channels: [
      {
        name: "SR",
        samples: [
          { name: "sig", data: [5, 15], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
          { name: "bkg", data: [50, 40], modifiers: [{ name: "t", type: "histosys", data: { hi_data: [56, 42], lo_data: [44, 38] } }] },
        ],
      },
    ],
    observations: [{ name: "SR", data: [57, 60] }],
    measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
    version: "1.0.0",
  };
  const ws = Workspace.fromJSON(spec);
  const model = ws.model(SETTINGS);
  const data = ws.data(model);
  it("pre-fit: nominal yields, ±1σ of the constrained parameter only", () => {
    const t = prefitYields(model, data)[0]!;
    expect(t.channel).toBe("SR");
    const bkg = t.samples.find((x) => x.name === "bkg")!;
    expect(bkg.bins).toEqual([50, 40]);
    expect(bkg.binUncertainties.map((v) => +v.toFixed(12))).toEqual([6, 2]);
    expect(bkg.uncertainty).toBeCloseTo(8, 12);
    expect(t.samples.find((x) => x.name === "sig")!.uncertainty).toBe(0);
    expect(t.total.total).toBeCloseTo(110, 12);
    expect(t.data.total).toBe(117);
  });
  it("post-fit: linear propagation with the fit covariance, correlations included", () => {
    const r = fit(data, model);
    const t = postfitYields(model, data, r)[0]!;
    const iMu = model.config.parameterIndex("mu"),
      iT = model.config.parameterIndex("t");
    const C = r.covariance!;
    // total yield = μ(5 + 15) + 90 + θ(6 + 2) in the linear region: its variance is J C Jᵀ with J = (20, 8)
    const varTotal = 20 * 20 * C[iMu]![iMu]! + 8 * 8 * C[iT]![iT]! + 2 * 20 * 8 * C[iMu]![iT]!;
    expect(Math.abs(C[iMu]![iT]!)).toBeGreaterThan(1e-3); // the test needs a real correlation
    expect(Math.abs(t.total.uncertainty - Math.sqrt(varTotal)) / Math.sqrt(varTotal)).toBeLessThan(1e-9);
    expect(Math.abs(t.total.total - (20 * r.bestfit[iMu]! + 90 + 8 * r.bestfit[iT]!))).toBeLessThan(1e-9);
  });
});

describe("a fit result of another model", () => {
  it("is refused by the post-fit tables (PARS_INVALID) instead of being read in this model's parameter order", () => {
    const ws = Workspace.fromJSON(oneBin(20, 100, 130));
    const model = ws.model(SETTINGS);
    const data = ws.data(model);
    // the same channel with one more nuisance parameter on the background: 3 parameters instead of 2
    const spec = oneBin(20, 100, 130);
    spec.channels.forEach((c) =>
      c.samples.forEach((s) => {
        if (s.name === "bkg") s.modifiers.push({ name: "k", type: "normsys", data: { hi: 1.1, lo: 0.9 } });
      }),
    );
    const other = Workspace.fromJSON(spec);
    const otherModel = other.model(SETTINGS);
    const r = fit(other.data(otherModel), otherModel);
    expect(r.bestfit.length).not.toBe(model.config.npars);
    expect(() => pulls(model, r)).toThrow(expect.objectContaining({ code: "PARS_INVALID" }));
    expect(() => postfitYields(model, data, r)).toThrow(expect.objectContaining({ code: "PARS_INVALID" }));
    expect(() => scan1D(model, data, "mu", { result: r })).toThrow(expect.objectContaining({ code: "PARS_INVALID" }));
    expect(() => goodnessOfFit(model, data, { result: r })).toThrow(expect.objectContaining({ code: "PARS_INVALID" }));
  });
});
