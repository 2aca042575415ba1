import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REFERENCE } from "../shared.js";
import { lgamma, normalCdf, normalQuantile, Workspace } from "../../src/stats/index.js";
import { counting } from "./helpers.js";

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string; object?: string };
  }
  throw new Error("expected an error");
};

describe("special functions", () => {
  it("lgamma matches exact factorials and Γ(1/2)", () => {
    // log(170!) from the exact integer product accumulated in log space: agreement to 1e-13 relative
    let lf = 0;
    for (let k = 2; k <= 170; k++) lf += Math.log(k);
    expect(Math.abs(lgamma(171) / lf - 1)).toBeLessThan(1e-13);
    expect(Math.abs(lgamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(1e-15);
    expect(lgamma(1)).toBe(0);
  });
  it("normalCdf keeps relative precision deep in the tail and inverts with normalQuantile", () => {
    // Φ(−10) = 7.619853024160527e-24 (Abramowitz & Stegun tables); relative 1e-13
    expect(Math.abs(normalCdf(-10) / 7.619853024160527e-24 - 1)).toBeLessThan(1e-13);
    expect(normalCdf(0)).toBe(0.5);
    for (const p of [1e-12, 0.001, 0.05, 0.5, 0.9]) expect(Math.abs(normalCdf(normalQuantile(p)) / p - 1)).toBeLessThan(1e-13);
  });
});

describe("Model: hand-computable expected rates and likelihood", () => {
  it("one-bin counting: λ = mu·s + b and the continuous Poisson log-likelihood", () => {
    const ws = Workspace.fromJSON(counting(5, 10, 12, [{ name: "bnorm", type: "normfactor", data: null }]));
    const m = ws.model();
    expect(m.config.parameterNames).toEqual(["bnorm", "mu"]);
    expect(m.config.poiIndex).toBe(1);
    const lam = m.expectedActualData([1.5, 2]);
    expect(lam[0]).toBe(2 * 5 + 1.5 * 10);
    const n = 12;
    const expected = n * Math.log(25) - 25 - lgamma(13);
    expect(Math.abs(m.logpdf([1.5, 2], ws.data(m)) - expected)).toBeLessThan(1e-12);
  });

  it("normsys code1 and code4: hi^α outside ±1, 1 at 0, polynomial inside matching at the joins", () => {
    const ws = Workspace.fromJSON(counting(0, 100, 100, [{ name: "ns", type: "normsys", data: { hi: 1.2, lo: 0.9 } }]));
    const c1 = ws.model({ modifierSettings: { normsys: { interpcode: "code1" } } });
    const c4 = ws.model({ modifierSettings: { normsys: { interpcode: "code4" } } });
    const at = (m: typeof c1, a: number) => m.expectedActualData(m.config.parameterNames.map((name) => (name === "mu" ? 1 : a)))[0]!;
    for (const m of [c1, c4]) {
      expect(at(m, 0)).toBeCloseTo(100, 12);
      expect(Math.abs(at(m, 2) - 100 * 1.2 ** 2)).toBeLessThan(1e-10);
      expect(Math.abs(at(m, -1.5) - 100 * 0.9 ** 1.5)).toBeLessThan(1e-10);
    }
    // code4 is continuous at ±1 with the exponential branches (value and slope, relative 1e-7 across a 1e-9 gap)
    expect(Math.abs(at(c4, 1 - 1e-9) / at(c4, 1) - 1)).toBeLessThan(1e-8);
    expect(Math.abs(at(c4, -1 + 1e-9) / at(c4, -1) - 1)).toBeLessThan(1e-8);
    // code1 at 0.5 is hi^0.5 exactly; code4 differs from it inside (polynomial)
    expect(Math.abs(at(c1, 0.5) - 100 * Math.sqrt(1.2))).toBeLessThan(1e-10);
    expect(Math.abs(at(c4, 0.5) - 100 * Math.sqrt(1.2))).toBeGreaterThan(1e-4);
  });

  it("histosys code0 is linear in α on each side; code4p agrees with it beyond ±1", () => {
    const spec = counting(0, 50, 50, [{ name: "hs", type: "histosys", data: { lo_data: [45], hi_data: [58] } }]);
    const ws = Workspace.fromJSON(spec);
    for (const code of ["code0", "code4p"] as const) {
      const m = ws.model({ modifierSettings: { histosys: { interpcode: code } } });
      const idx = m.config.parameterIndex("hs");
      const ev = (a: number) => {
        const p = m.config.suggestedInit();
        p[idx] = a;
        return m.expectedActualData(p)[0]!;
      };
      expect(Math.abs(ev(1.5) - (50 + 1.5 * 8))).toBeLessThan(1e-12);
      expect(Math.abs(ev(-2) - (50 - 2 * 5))).toBeLessThan(1e-12);
      if (code === "code0") expect(Math.abs(ev(0.5) - 54)).toBeLessThan(1e-12);
    }
  });

  it("staterror: one γ per bin shared by samples, σ = sqrt(Σδ²)/Σnominal; shapesys: τ = (nominal/δ)²", () => {
    const spec = {
      channels: [
        {
          name: "c",
          samples: [
            {
              name: "a",
              data: [10, 20],
              modifiers: [
                { name: "mu", type: "normfactor", data: null },
                { name: "stat_c", type: "staterror", data: [3, 4] },
                { name: "sh", type: "shapesys", data: [2, 0] },
              ],
            },
            { name: "b", data: [30, 0], modifiers: [{ name: "stat_c", type: "staterror", data: [4, 0] }] },
          ],
        },
      ],
      observations: [{ name: "c", data: [40, 20] }],
      measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
      version: "1.0.0",
    };
    const m = Workspace.fromJSON(spec).model();
    expect(m.config.parameterNames).toEqual(["mu", "sh[0]", "sh[1]", "stat_c[0]", "stat_c[1]"]);
    const st = m.config.parameterSet("stat_c")!;
    expect(st.sigmas[0]).toBeCloseTo(5 / 40, 15);
    expect(st.sigmas[1]).toBeCloseTo(4 / 20, 15);
    const sh = m.config.parameterSet("sh")!;
    expect(sh.factors).toEqual([25, 1]);
    expect(sh.fixed).toEqual([false, true]);
    expect(m.config.auxdata).toEqual([25, 1, 1, 1]);
    // γ's multiply: bin 0 of sample a gets stat γ0 and shapesys γ0; sample b only the stat γ0
    const lam = m.expectedActualData([1, 1.1, 1, 0.9, 1]);
    expect(lam[0]).toBeCloseTo(10 * 1.1 * 0.9 + 30 * 0.9, 12);
  });

  it("the analytic NLL gradient agrees with central finite differences", () => {
    const spec = counting(5, 40, 47, [
      { name: "ns", type: "normsys", data: { hi: 1.1, lo: 0.85 } },
      { name: "hs", type: "histosys", data: { lo_data: [37], hi_data: [44] } },
      { name: "st", type: "staterror", data: [3] },
    ]);
    const ws = Workspace.fromJSON(spec);
    const m = ws.model();
    const data = ws.data(m);
    const p = Float64Array.from([0.3, 0.7, 1.2, -0.4].map((v, i) => (m.config.parameterNames[i] === "st[0]" ? 1.05 : v)));
    const g = new Float64Array(p.length);
    m.nllAndGradient(p, data, g);
    for (let i = 0; i < p.length; i++) {
      const h = 1e-6;
      const up = p.slice();
      const dn = p.slice();
      up[i]! += h;
      dn[i]! -= h;
      const fd = (m.nll(up, data) - m.nll(dn, data)) / (2 * h);
      // central differences with h = 1e-6: truncation ~1e-12, rounding ~1e-10 on an NLL of O(10)
      expect(Math.abs(g[i]! - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });
});

describe("Model: analytic Hessian", () => {
  it("agrees with central differences of the analytic gradient on a model with every modifier", () => {
    const json = JSON.parse(readFileSync(path.join(REFERENCE, "stats", "all_modifiers_2channel.json"), "utf8"));
    const ws = Workspace.fromJSON(json);
    const m = ws.model();
    const data = ws.data(m);
    const n = m.config.npars;
    // a generic point away from interpolation joins (|α| ≠ 0, 1) and with all γ ≠ 1
    const x = Float64Array.from(m.config.suggestedInit(), (v, i) => v + 0.13 + 0.07 * Math.sin(i));
    const H = new Float64Array(n * n);
    m.nllHessian(x, data, H);
    const gp = new Float64Array(n);
    const gm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const h = 1e-5;
      const up = x.slice();
      const dn = x.slice();
      up[i]! += h;
      dn[i]! -= h;
      m.nllAndGradient(up, data, gp);
      m.nllAndGradient(dn, data, gm);
      for (let j = 0; j < n; j++) {
        const fd = (gp[j]! - gm[j]!) / (2 * h);
        // central differences with h = 1e-5: truncation ~1e-10·|∂³NLL|, rounding ~1e-10·|∇NLL|
        expect(Math.abs(H[j * n + i]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});

describe("Workspace: validation, patches, errors", () => {
  it("schema errors name the JSON path", () => {
    const bad = counting(1, 2, 3) as unknown as { channels: { samples: { modifiers: unknown[] }[] }[] };
    bad.channels[0]!.samples[1]!.modifiers.push({ name: "x", type: "normsys", data: { hi: 1.1 } });
    const e = err(() => Workspace.fromJSON(bad));
    expect(e.code).toBe("WORKSPACE_INVALID");
    expect(e.object).toBe("$.channels[0].samples[1].modifiers[0].data");
    expect(e.message).toContain('missing required property "lo"');
    const e2 = err(() => Workspace.fromJSON({ ...counting(1, 2, 3), version: "2.0.0" }));
    expect(e2.object).toBe("$.version");
  });

  it("inconsistent bins, unknown POI, missing lumi settings and bad interpolation codes are clear errors", () => {
    const spec = counting(1, 2, 3);
    spec.channels[0]!.samples[1]!.data = [2, 3];
    expect(err(() => Workspace.fromJSON(spec)).message).toMatch(/sample "background" has 2 bins but channel "SR" has 1/);
    const ws = Workspace.fromJSON(counting(1, 2, 3));
    expect(err(() => ws.model({ poiName: "nope" })).message).toMatch(/parameter of interest "nope"/);
    const lumi = Workspace.fromJSON(counting(1, 2, 3, [{ name: "lumi", type: "lumi", data: null }]));
    expect(err(() => lumi.model()).message).toMatch(/lumi parameter "lumi" needs "inits"/);
    expect(err(() => ws.model({ modifierSettings: { normsys: { interpcode: "code9" as "code1" } } })).code).toBe("SETTINGS_INVALID");
    expect(err(() => ws.model({ measurement: "other" })).code).toBe("MEASUREMENT_NOT_FOUND");
  });

  it("applies RFC 6902 patches and pyhf patchsets; toJSON round-trips", () => {
    const ws = Workspace.fromJSON(counting(1, 2, 3));
    const patched = ws.applyPatches([[{ op: "replace", path: "/channels/0/samples/0/data", value: [7] }]]);
    expect(patched.toJSON().channels[0]!.samples[0]!.data).toEqual([7]);
    expect(ws.toJSON().channels[0]!.samples[0]!.data).toEqual([1]);
    const patchset = {
      metadata: { references: { hepdata: "ins0000000" }, digests: { sha256: "0".repeat(64) }, labels: ["m"], description: "test" },
      patches: [{ metadata: { name: "p1", values: [1] }, patch: [{ op: "replace" as const, path: "/channels/0/samples/0/data", value: [9] }] }],
      version: "1.0.0" as const,
    };
    expect(ws.applyPatches(patchset, { name: "p1" }).toJSON().channels[0]!.samples[0]!.data).toEqual([9]);
    expect(err(() => ws.applyPatches(patchset)).code).toBe("PATCH_INVALID");
    expect(err(() => ws.applyPatches([[{ op: "remove", path: "/channels/5" }]])).code).toBe("PATCH_INVALID");
    expect(Workspace.fromJSON(JSON.parse(JSON.stringify(ws.toJSON()))).toJSON()).toEqual(ws.toJSON());
  });
});
