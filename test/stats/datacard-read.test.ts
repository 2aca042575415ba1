/**
 * Reading CMS Combine datacards. Reference: Combine's documentation, "Common Statistical Methods →
 * Asymptotic Frequentist Limits" (https://cms-analysis.github.io/HiggsAnalysis-CombinedLimit/part3/commonstatsmethods/,
 * source docs/part3/commonstatsmethods.md in github.com/cms-analysis/HiggsAnalysis-CombinedLimit):
 * `combine -M AsymptoticLimits realistic-counting-experiment.txt` prints
 *   Observed Limit: r < 1.6281
 *   Expected  2.5%: r < 0.9640, 16.0%: 1.4329, 50.0%: 2.3281, 84.0%: 3.9800, 97.5%: 6.6194
 * and its limit tree (same page) holds 0.9639892, 1.4329109, 2.328125, 3.9799661, 6.6194028 and the
 * observed 1.6281188 with limitErr 0.0050568. The card (test/stats/datacards/) has the numbers of
 * data/tutorials/counting/realistic-counting-experiment.txt: one bin, 0 observed, lnN and gmN.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { readDatacard, upperLimit, Workspace, workspaceToDatacard, writeShapes } from "../../src/stats/index.js";
import { combineAsymPow } from "../../src/stats/interpolation.js";
import { REFERENCE } from "../shared.js";
import { runCli } from "../helpers/cli.js";

const CARD = new URL("./datacards/realistic-counting-experiment.txt", import.meta.url).pathname;

describe("Combine's documented AsymptoticLimits example", () => {
  it("hepflow limit datacard.txt prints Combine's numbers to the printed 4 decimals", async () => {
    const r = JSON.parse(await runCli("limit", CARD, "--json"));
    // expected band: Combine's own stepping/bisection search reproduced, so its printed values come out
    [0.964, 1.4329, 2.3281, 3.98, 6.6194].forEach((v, i) => expect(Math.abs(r.exp[i] - v), `expected ${i}`).toBeLessThanOrEqual(0.5e-4 + 1e-12));
    // and the limit tree's 7 digits (float32 in Combine's tree: 1e-7 relative)
    [0.9639892, 1.4329109, 2.328125, 3.9799661, 6.6194028].forEach((v, i) => expect(Math.abs(r.exp[i] / v - 1), `tree ${i}`).toBeLessThan(2e-7));
    // observed: Combine's bracketing search starts from Minuit's error on r; it reports its own
    // accuracy, limitErr = 0.0050568: we give the exact crossing, within that
    expect(Math.abs(r.obs - 1.6281188)).toBeLessThan(0.0050568);
    expect(r.converged).toBe(true);
  });

  it("--exact gives the exact crossings, within Combine's search accuracy (rRelAcc 0.5%, NLL within 0.005) of its numbers", async () => {
    const r = JSON.parse(await runCli("limit", CARD, "--exact", "--json"));
    [0.9639892, 1.4329109, 2.328125, 3.9799661, 6.6194028].forEach((v, i) => expect(Math.abs(r.exp[i] / v - 1), `expected ${i}`).toBeLessThan(0.01));
  });

  it("maps the card as documented: lnN → normsys, gmN 4 0.16 → rate 0.64 with shapesys σ = 0.64/2, POI r on ggH", async () => {
    const card = await readDatacard(CARD);
    const ch = card.workspace.channels[0]!;
    expect(ch.samples.map((s) => [s.name, s.data[0]])).toEqual([
      ["ggH", 1.47],
      ["qqWW", 0.64],
      ["ggWW", 0.06],
      ["others", 0.22],
    ]);
    expect(ch.samples[0]!.modifiers.map((m) => [m.name, m.type])).toEqual([
      ["r", "normfactor"],
      ["lumi", "normsys"],
      ["xs_ggH", "normsys"],
    ]);
    expect(ch.samples[1]!.modifiers).toEqual([{ name: "WW_norm", type: "shapesys", data: [0.32] }]);
    expect(ch.samples[2]!.modifiers[1]).toEqual({ name: "xs_ggWW", type: "normsys", data: { lo: 1 / 1.5, hi: 1.5 } });
    expect(card.workspace.observations).toEqual([{ name: "bin1", data: [0] }]);
    expect(card.modifierSettings.normsys?.interpcode).toBe("combine");
  });
});

describe("Combine's lnN interpolation (AsymPow)", () => {
  const at = (theta: number, lo: number, hi: number) => {
    const v = new Float64Array(1),
      d = new Float64Array(1),
      d2 = new Float64Array(1);
    combineAsymPow(theta, lo, hi, v, 0, d, d2);
    return [v[0], d[0], d2[0]];
  };
  it("is κ^θ for a symmetric κ, κ_hi^θ / κ_lo^−θ beyond |θ| = ½, and smooth with analytic derivatives", () => {
    for (const t of [-2, -0.7, -0.3, 0, 0.2, 0.5, 1.3]) expect(at(t, 1 / 1.2, 1.2)[0]).toBeCloseTo(1.2 ** t, 14);
    expect(at(1, 0.9, 1.15)[0]).toBeCloseTo(1.15, 14);
    expect(at(-1, 0.9, 1.15)[0]).toBeCloseTo(0.9, 14);
    expect(at(0.5, 0.9, 1.15)[0]).toBeCloseTo(1.15 ** 0.5, 14);
    // derivatives against central differences (h = 1e-5: error ~h² ≈ 1e-10)
    for (const t of [-0.6, -0.49, -0.2, 0, 0.1, 0.3, 0.49, 0.8]) {
      const h = 1e-5;
      const [, d, d2] = at(t, 0.8, 1.3);
      expect(d).toBeCloseTo((at(t + h, 0.8, 1.3)[0]! - at(t - h, 0.8, 1.3)[0]!) / (2 * h), 8);
      expect(d2).toBeCloseTo((at(t + h, 0.8, 1.3)[1]! - at(t - h, 0.8, 1.3)[1]!) / (2 * h), 6);
    }
  });
});

describe("the datacard writer round-trips through the reader", () => {
  for (const name of ["validation_xmlimport_input_bkg", "validation_2bin_2channel_coupledhistosys"]) {
    it(name, async () => {
      const spec = JSON.parse(readFileSync(path.join(REFERENCE, "stats", `${name}.json`), "utf8"));
      const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-dc-"));
      try {
        const exp = workspaceToDatacard(spec, { shapesFile: "shapes.root" });
        writeFileSync(path.join(dir, "datacard.txt"), exp.text);
        await writeShapes(path.join(dir, "shapes.root"), exp.shapes);
        const back = await readDatacard(path.join(dir, "datacard.txt"));
        const a = Workspace.fromJSON(spec),
          b = Workspace.fromJSON(back.workspace);
        const ma = a.model({ modifierSettings: { normsys: { interpcode: "code1" }, histosys: { interpcode: "code4p" } } });
        const mb = b.model({ modifierSettings: back.modifierSettings });
        expect(Array.from(b.data(mb)).slice(0, mb.config.nmaindata)).toEqual(Array.from(a.data(ma)).slice(0, ma.config.nmaindata));
        // expected data agree where the two interpolations meet (one parameter moved at a time): normsys code1 is κ^θ in both; histosys+normsys vs normalised shape × AsymPow agree at 0 and ±1
        // same parameter names (the POI becomes a rateParam of that name; r stays at 1)
        const missing = ma.config.parameterNames.filter((n) => !mb.config.parameterNames.includes(n));
        expect(missing).toEqual([]);
        const parsB = (pa: Float64Array) => {
          const pb = mb.config.suggestedInit();
          ma.config.parameterNames.forEach((n, i) => (pb[mb.config.parameterNames.indexOf(n)] = pa[i]!));
          return pb;
        };
        const init = ma.config.suggestedInit();
        // nuisances (α) at ±1, multiplicative factors (lumi, staterror γ) at ±0.1
        const points = [
          init,
          ...ma.config.parameterNames.flatMap((n, i) => (n === ma.config.poiName ? [] : [-1, 1].map((s) => Float64Array.from(init, (v, k) => (k === i ? v + (n === "lumi" || n.startsWith("staterror") ? s / 10 : s) : v))))),
        ];
        expect(points.length).toBeGreaterThan(2);
        for (const p of points) {
          const ea = ma.expectedActualData(p),
            eb = mb.expectedActualData(parsB(p));
          ea.forEach((v, k) => expect(Math.abs(eb[k]! - v), `bin ${k}`).toBeLessThan(1e-9 * Math.max(1, v)));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("shapes lines", () => {
  it("the most specific line wins, $MASS is substituted (combine -m), rate scales the template, autoMCStats uses its sumw2", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-dc-"));
    try {
      await writeShapes(path.join(dir, "s.root"), [
        { path: "SR/data_obs", contents: [5, 7], sumw2: [5, 7] },
        { path: "SR/bkg", contents: [4, 6], sumw2: [1, 4] },
        { path: "SR/sig125", contents: [1, 3], sumw2: [0, 0] },
      ]);
      const f = path.join(dir, "card.txt");
      writeFileSync(
        f,
        ["imax 1", "jmax 1", "kmax 0", "shapes * * s.root $CHANNEL/$PROCESS", "shapes sig SR s.root $CHANNEL/sig$MASS", "bin SR", "observation -1", "bin SR SR", "process sig bkg", "process 0 1", "rate -1 20", "SR autoMCStats 0"].join("\n"),
      );
      const card = await readDatacard(f, { mass: 125 });
      const sig = card.workspace.channels[0]!.samples[0]!,
        bkg = card.workspace.channels[0]!.samples[1]!;
      expect(sig.data).toEqual([1, 3]);
      expect(bkg.data).toEqual([8, 12]); // scaled to rate 20
      expect(bkg.modifiers).toEqual([{ name: "staterror_SR", type: "staterror", data: [2, 4] }]); // √sumw2 × 2
      expect(sig.modifiers).toEqual([{ name: "r", type: "normfactor", data: null }]); // no template errors: no γ
      expect(card.workspace.observations[0]!.data).toEqual([5, 7]);
      await expect(readDatacard(f)).rejects.toThrow(/sig120/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bad datacards give clear errors with file and line", () => {
  it("jmax mismatch, unknown line, unsupported shapeN", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-dc-"));
    try {
      const base = ["imax 1", "jmax 1", "kmax *", "bin b", "observation 5", "bin b b", "process s bkg", "process 0 1", "rate 1 4"];
      const f = path.join(dir, "c.txt");
      writeFileSync(f, [...base.map((l) => (l === "jmax 1" ? "jmax 2" : l))].join("\n"));
      await expect(readDatacard(f)).rejects.toThrow(/jmax 2 but 2 processes/);
      writeFileSync(f, [...base, "foo bar 1 2"].join("\n"));
      await expect(readDatacard(f)).rejects.toThrow(/c\.txt:10: unknown line/);
      writeFileSync(f, [...base, "x shapeN 1 -"].join("\n"));
      await expect(readDatacard(f)).rejects.toThrow(/"shapeN" lines are not supported/);
      writeFileSync(f, [...base, "u lnU 2 2", "k lnN 0.9/1.2 -", "n rateParam b bkg 1 [0,5]", "g group = k n"].join("\n"));
      const ok = await readDatacard(f);
      expect(ok.groups).toEqual({ g: ["k", "n"] });
      expect(ok.workspace.measurements[0]!.config.parameters).toEqual([
        { name: "r", bounds: [[0, 20]], inits: [1] },
        { name: "u", bounds: [[0.5, 2]], inits: [1] },
        { name: "n", inits: [1], bounds: [[0, 5]] },
      ]);
      const m = Workspace.fromJSON(ok.workspace).model({ modifierSettings: ok.modifierSettings });
      expect(upperLimit(Workspace.fromJSON(ok.workspace).data(m), m).converged).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("a line missing a value or column names the line, not a NaN later", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-dc-"));
    try {
      const base = ["imax 1", "jmax 1", "kmax *", "bin b", "observation 5", "bin b b", "process s bkg", "process 0 1", "rate 1 4"];
      const f = path.join(dir, "c.txt");
      writeFileSync(f, ["imax", ...base.slice(1)].join("\n"));
      await expect(readDatacard(f)).rejects.toThrow(/c\.txt:1: "imax" line has no value/);
      writeFileSync(f, [...base, "k lnN 1.1"].join("\n"));
      await expect(readDatacard(f)).rejects.toThrow(/c\.txt:10: lnN "k" needs 2 columns, has 1/);
      writeFileSync(f, [...base, "n rateParam b"].join("\n"));
      await expect(readDatacard(f)).rejects.toThrow(/c\.txt:10: rateParam needs bin, process and an initial value/);
      writeFileSync(f, ["shapes * * f.root", ...base].join("\n"));
      await expect(readDatacard(f)).rejects.toThrow(/c\.txt:1: a shapes line needs process, channel, file and a histogram pattern/);
      writeFileSync(
        f,
        base
          .filter((l) => !l.startsWith("rate"))
          .concat("rate 1")
          .join("\n"),
      );
      await expect(readDatacard(f)).rejects.toMatchObject({ code: "DATACARD_INVALID" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
