/**
 * The block-arrow (Schur complement) Newton solver against the dense one and against pyhf's
 * references. Tolerances:
 * - Hessian entries: both paths sum the same terms in a different order: 1e-12 relative to the
 *   largest entry of the row/column pair;
 * - structured vs dense fit of the same model: both converge quadratically to the same optimum, so
 *   twice-NLL within 1e-10 relative, parameters 1e-7, uncertainties and covariances 1e-7 relative
 *   (the inverse of the same matrix by two elimination orders, ~1e-12, plus the optimum's spread);
 * - against pyhf: the tolerances of reference.test.ts (twice-NLL 1e-8, parameters 1e-4 rel or
 *   1e-5 abs, uncertainties 1e-4 rel, correlations 1e-4 abs, CLs 1e-5 rel).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Workspace, fit, hypotest } from "../../src/stats/index.js";
import type { HypotestResult, Model, WorkspaceSpec } from "../../src/stats/index.js";
import { BlockArrowFactor, HessianStructure } from "../../src/stats/infer/structured.js";
import { inverseSPD } from "../../src/stats/infer/linalg.js";
import { REFERENCE } from "../shared.js";

const DIR = path.join(REFERENCE, "stats");
const load = (f: string) => JSON.parse(readFileSync(path.join(DIR, f), "utf8"));

function close(a: number, e: number, rel: number, abs = 0, what = ""): void {
  if (!(Math.abs(a - e) <= Math.max(rel * Math.abs(e), abs))) expect.fail(`${what}: ${a} vs ${e} (rel ${rel}, abs ${abs})`);
}

/** One channel, N bins, signal × mu, background with per-bin shapesys and staterror (the model). */
function binned(N: number): WorkspaceSpec {
  const sig = Array.from({ length: N }, (_, b) => 20 * Math.exp(-0.5 * ((b - N / 2) / (N / 10)) ** 2) + 0.1);
  const bkg = Array.from({ length: N }, (_, b) => 200 * Math.exp((-3 * b) / N) + 10);
  // observed: background with a ±6 % wiggle (pulls the γ's) plus half the signal, rounded
  const obs = bkg.map((v, b) => Math.round(v * (1 + 0.06 * Math.sin(1.7 * b)) + 0.5 * sig[b]!));
  return {
    channels: [
      {
        name: "SR",
        samples: [
          { name: "signal", data: sig, modifiers: [{ name: "mu", type: "normfactor", data: null }] },
          {
            name: "background",
            data: bkg,
            modifiers: [
              { name: "shape", type: "shapesys", data: bkg.map((v) => 0.05 * v) },
              { name: "staterror_SR", type: "staterror", data: bkg.map((v) => 0.03 * v) },
              { name: "lumi_like", type: "normsys", data: { hi: 1.02, lo: 0.98 } },
            ],
          },
        ],
      },
    ],
    observations: [{ name: "SR", data: obs }],
    measurements: [{ name: "meas", config: { poi: "mu", parameters: [] } }],
    version: "1.0.0",
  };
}

function denseHessian(model: Model, pars: Float64Array, data: ArrayLike<number>): Float64Array {
  const n = model.config.npars;
  const H = new Float64Array(n * n);
  model.nllHessian(pars, data, H);
  return H;
}

function expectSameHessian(model: Model, pars: Float64Array, data: ArrayLike<number>): void {
  const n = model.config.npars;
  const H = denseHessian(model, pars, data);
  const M = model.hessianStructure().matrix();
  model.nllHessianStructured(pars, data, M);
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      const scale = Math.max(Math.abs(H[p * n + p]!), Math.abs(H[q * n + q]!), 1e-300);
      close(M.get(p, q), H[p * n + q]!, 0, 1e-12 * scale, `H[${p}][${q}]`);
    }
  }
}

describe("block-arrow Hessian structure", () => {
  it("classifies per-bin parameters by bin and the rest as global", () => {
    const ws = Workspace.fromJSON(binned(5));
    const m = ws.model();
    const s = m.hessianStructure();
    const name = (i: number) => m.config.parameterNames[i];
    expect([...s.global].map(name).sort()).toEqual(["lumi_like", "mu"]);
    expect(s.local.length).toBe(10);
    expect(s.nblocks).toBe(5);
    // each block: shape[b] and staterror_SR[b] of the same bin
    for (let k = 0; k < 5; k++) {
      const names = [...s.local.subarray(s.blockStart[k], s.blockStart[k + 1])].map(name).sort();
      expect(names).toEqual([`shape[${k}]`, `staterror_SR[${k}]`]);
    }
  });

  it("Schur-complement solve and inverse equal the dense inverse of a block-arrow SPD matrix", () => {
    // per-bin blocks of size 2 (bins 0..3), one parameter touching no bin, two global parameters
    const bins = [[0], [0], [1], [1], [2], [3], [], [0, 1, 2, 3], [1, 2]];
    const s = new HessianStructure(bins);
    const n = bins.length;
    const M = s.matrix();
    // A = Rᵀ R + n I restricted to the pattern is not SPD in general; build SPD by diagonal dominance
    const dense = new Float64Array(n * n);
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const couples = (p: number, q: number) => s.slot[p]! >= 0 || s.slot[q]! >= 0 || (bins[p]!.length === 1 && bins[q]!.length === 1 && bins[p]![0] === bins[q]![0]);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < p; q++) {
        if (!couples(p, q)) continue;
        const v = rnd();
        M.addSym(p, q, v);
        dense[p * n + q] = v;
        dense[q * n + p] = v;
      }
    }
    for (let p = 0; p < n; p++) {
      const v = 4 + rnd();
      M.addDiag(p, v);
      dense[p * n + p] = v;
    }
    const all = new Uint8Array(n).fill(1);
    const f = new BlockArrowFactor(M, all);
    expect(f.ok).toBe(true);
    const inv = inverseSPD(dense, n)!;
    const cov = f.inverse();
    for (let p = 0; p < n; p++) {
      close(cov.variance[p]!, inv[p * n + p]!, 1e-12, 0, `var[${p}]`);
      for (let q = 0; q < n; q++) close(cov.get(p, q), inv[p * n + q]!, 0, 1e-12, `inv[${p}][${q}]`);
    }
    const r = Float64Array.from({ length: n }, (_, i) => i - 3);
    const x = r.slice();
    f.solve(x);
    for (let p = 0; p < n; p++) {
      let v = 0;
      for (let q = 0; q < n; q++) v += inv[p * n + q]! * r[q]!;
      close(x[p]!, v, 0, 1e-12, `x[${p}]`);
    }
    // an active subset (one per-bin and one global parameter dropped) is the principal submatrix
    const act = Uint8Array.from(all);
    act[2] = 0;
    act[8] = 0;
    const keep = [...Array(n).keys()].filter((i) => act[i]);
    const sub = Float64Array.from({ length: keep.length ** 2 }, (_, k) => dense[keep[Math.floor(k / keep.length)]! * n + keep[k % keep.length]!]!);
    const subInv = inverseSPD(sub, keep.length)!;
    const cs = new BlockArrowFactor(M, act).inverse();
    keep.forEach((p, a) => keep.forEach((q, b) => close(cs.get(p, q), subInv[a * keep.length + b]!, 0, 1e-12, `sub[${p}][${q}]`)));
    expect(cs.get(2, 2)).toBe(0);
  });

  it("the structured Hessian of a model equals the dense one (shapesys, staterror, normsys, shapefactor, histosys, lumi)", () => {
    for (const name of ["all_modifiers_2channel", "validation_2bin_2channel_coupledshapefactor", "validation_xmlimport_input_bkg"]) {
      const ws = Workspace.fromJSON(load(`${name}.json`));
      const m = ws.model();
      const d = ws.data(m);
      const init = m.config.suggestedInit();
      expectSameHessian(m, init, d);
      const shifted = init.map((v, i) => v + 0.05 * Math.sin(i + 1));
      expectSameHessian(m, shifted, d);
    }
    const ws = Workspace.fromJSON(binned(12));
    const m = ws.model();
    expectSameHessian(
      m,
      m.config.suggestedInit().map((v, i) => v * (1 + 0.03 * Math.cos(i))),
      ws.data(m),
    );
  });
});

describe("structured fits", () => {
  it("agree with the dense solver on a 150-bin model (301 parameters + normsys), incl. covariance", () => {
    const ws = Workspace.fromJSON(binned(150));
    const m = ws.model();
    const d = ws.data(m);
    const a = fit(d, m, { solver: "dense" });
    const b = fit(d, m, { solver: "structured" });
    expect(a.solver).toBe("dense");
    expect(b.solver).toBe("structured");
    expect(a.converged && b.converged).toBe(true);
    close(b.twiceNll, a.twiceNll, 1e-10, 0, "twiceNll");
    const n = m.config.npars;
    for (let i = 0; i < n; i++) {
      close(b.bestfit[i]!, a.bestfit[i]!, 1e-7, 1e-7, `bestfit[${i}]`);
      close(b.uncertainties[i]!, a.uncertainties[i]!, 1e-7, 0, `unc[${i}]`);
    }
    const mu = m.config.poiIndex!;
    for (let j = 0; j < n; j += 7) {
      const scale = a.uncertainties[mu]! * a.uncertainties[j]!;
      close(b.covariance![mu]![j]!, a.covariance![mu]![j]!, 0, 1e-7 * scale, `cov[mu][${j}]`);
      close(b.covarianceOf!(j, j + 1 < n ? j + 1 : j), a.covariance![j]![j + 1 < n ? j + 1 : j]!, 0, 1e-7 * a.uncertainties[j]! ** 2 + 1e-300, `cov[${j}]`);
      close(b.correlation![j]![mu]!, a.correlation![j]![mu]!, 0, 1e-7, `corr[${j}][mu]`);
    }
    // the automatic choice takes the structured path for this model
    expect(fit(d, m, { uncertainties: false }).solver).toBe("structured");
  });

  it("handle the POI held at its lower bound and fixed parameters like the dense solver", () => {
    const spec = binned(40);
    // observed = background only, scaled down: mu-hat wants to go negative and stops at 0
    spec.observations[0]!.data = spec.channels[0]!.samples[1]!.data.map((v) => Math.round(0.97 * v));
    spec.measurements[0]!.config.parameters = [{ name: "lumi_like", fixed: true, inits: [0.5] }];
    const ws = Workspace.fromJSON(spec);
    const m = ws.model();
    const d = ws.data(m);
    const a = fit(d, m, { solver: "dense" });
    const b = fit(d, m, { solver: "structured" });
    expect(b.converged).toBe(true);
    expect(b.bestfit[m.config.poiIndex!]).toBe(0);
    close(b.twiceNll, a.twiceNll, 1e-10, 0, "twiceNll");
    for (let i = 0; i < m.config.npars; i++) {
      close(b.bestfit[i]!, a.bestfit[i]!, 1e-7, 1e-7, `bestfit[${i}]`);
      close(b.uncertainties[i]!, a.uncertainties[i]!, 1e-7, 0, `unc[${i}]`);
    }
    expect(b.uncertainties[m.config.parameterIndex("lumi_like")]).toBe(0);
  });

  for (const name of ["all_modifiers_2channel", "validation_2bin_2channel_coupledshapefactor", "docs_2bin_1channel", "validation_2bin_staterror"]) {
    it(`${name}: structured solver reproduces pyhf's fit, uncertainties, correlations and CLs`, () => {
      const expected = load(`${name}.expected.json`);
      const cs = expected.cases[0];
      const ws = Workspace.fromJSON(load(`${name}.json`));
      const m = ws.model({ modifierSettings: cs.settings.modifier_settings });
      const d = ws.data(m);
      const names: string[] = expected.model.par_names;
      const idx = m.config.parameterNames.map((n) => names.indexOf(n));
      const r = fit(d, m, { solver: "structured" });
      expect(r.converged).toBe(true);
      close(r.twiceNll, cs.mle.twice_nll, 1e-8, 0, "twice_nll");
      idx.forEach((pi, i) => {
        close(r.bestfit[i]!, cs.mle.bestfit[pi], 1e-4, 1e-5, `bestfit ${names[pi]}`);
        close(r.uncertainties[i]!, cs.mle.uncertainties[pi], 1e-4, 0, `unc ${names[pi]}`);
        if (cs.mle.correlation) idx.forEach((pj, j) => close(r.correlation![i]![j]!, cs.mle.correlation[pi][pj], 0, 1e-4, `corr ${names[pi]} ${names[pj]}`));
      });
      if (cs.hypotest) {
        const h = hypotest(cs.hypotest.poi_test, d, m, { testStat: cs.hypotest.test_stat, solver: "structured" }) as HypotestResult;
        close(h.cls, cs.hypotest.CLs_obs, 1e-5, 0, "CLs_obs");
        h.expected.forEach((v, k) => close(v, cs.hypotest.CLs_exp[k], 1e-5, 1e-12, `CLs_exp[${k}]`));
      }
    });
  }
});
