import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openFile, type TreeLike } from "../../src/root/index.js";
import { skim } from "../../src/expr/index.js";
import { Jagged, isHepflowError, type Column, type NumericArray } from "../../src/util/index.js";
import { rootFile } from "../shared.js";

/** Columns of numbers the plain loops below do arithmetic on (no 64-bit integers here). */
type Num = Exclude<NumericArray, BigInt64Array | BigUint64Array>;

const dir = mkdtempSync(path.join(tmpdir(), "hepflow-skim-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NANO = rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root");

async function tree(file: string): Promise<{ t: TreeLike; close: () => Promise<void> }> {
  const f = await openFile(file);
  return { t: await f.tree("Events"), close: () => f.close() };
}

function rows(c: Column, i: number): unknown {
  if (c instanceof Jagged) return Array.from((c.content as Float32Array).subarray(c.offsets[i]!, c.offsets[i + 1]!));
  return (c as ArrayLike<unknown>)[i];
}

describe("skim on the CMS NanoAOD file against plain loops", () => {
  for (const format of ["ttree", "rntuple"] as const) {
    it(`cut, branch globs, define → ${format}`, async () => {
      const src = await tree(NANO);
      const all = await src.t.arrays(["nJet", "Jet_*", "nMuon", "Muon_pt", "Muon_eta"]);
      const out = path.join(dir, `skim.${format}.root`);
      // step 64: several chunks, so the streaming path and the chunk boundaries are exercised
      const r = await skim([src.t], out, {
        where: "nJet >= 4 && Sum$(Jet_pt > 30) >= 2",
        branches: ["Jet_*", "nMuon", "Muon_pt"],
        define: [
          { name: "ht", expression: "Sum$(Jet_pt)" },
          { name: "lead_mu_eta", expression: "Alt$(Muon_eta[0], -9)" },
        ],
        format,
        stepSize: 64,
      });
      // the plain-loop selection
      const pt = all.Jet_pt as Jagged<Num>;
      const nJet = all.nJet as Uint32Array;
      const pass: number[] = [];
      for (let i = 0; i < nJet.length; i++) {
        let hard = 0;
        for (let k = pt.offsets[i]!; k < pt.offsets[i + 1]!; k++) if (pt.content[k]! > 30) hard++;
        if (nJet[i]! >= 4 && hard >= 2) pass.push(i);
      }
      expect(pass.length).toBeGreaterThan(10);
      expect(r.entriesIn).toBe(200);
      expect(r.entriesOut).toBe(pass.length);
      const jetNames = src.t.branches.map((b) => b.name).filter((n) => n.startsWith("Jet_"));
      const back = await tree(out);
      expect(back.t.numEntries).toBe(pass.length);
      expect(back.t.branches.map((b) => b.name).sort()).toEqual([...jetNames, "nJet", "nMuon", "Muon_pt", "ht", "lead_mu_eta"].sort());
      const got = await back.t.arrays();
      for (const name of [...jetNames, "nJet", "nMuon", "Muon_pt"]) {
        const col = (all[name] ?? (await src.t.arrays([name]))[name])!;
        expect(
          pass.map((_, k) => rows(got[name]!, k)),
          name,
        ).toEqual(pass.map((i) => rows(col, i)));
      }
      const mu = all.Muon_eta as Jagged<Num>;
      pass.forEach((i, k) => {
        let s = 0;
        for (let j = pt.offsets[i]!; j < pt.offsets[i + 1]!; j++) s += pt.content[j]!;
        // float32 inputs summed in double: equal to 1e-9 relative whatever the summation order
        expect(Math.abs(Number(rows(got.ht!, k)) - s)).toBeLessThanOrEqual(1e-9 * Math.abs(s));
        const lead = mu.offsets[i + 1]! > mu.offsets[i]! ? mu.content[mu.offsets[i]!]! : -9;
        expect(Number(rows(got.lead_mu_eta!, k))).toBeCloseTo(lead, 6);
      });
      if (format === "ttree") {
        // NanoAOD collections stay collections: Jet_* counted by nJet, sharing one offsets array
        expect(back.t.branches.find((b) => b.name === "Jet_pt")!.counter).toBe("nJet");
        expect((got.Jet_pt as Jagged<Num>).offsets).toBe((got.Jet_eta as Jagged<Num>).offsets);
      }
      await src.close();
      await back.close();
    });
  }

  it("extend: every original branch unchanged, one branch added (NanoAOD-tools friend step)", async () => {
    const src = await tree(NANO);
    const out = path.join(dir, "extended.root");
    const r = await skim([src.t], out, { define: [{ name: "score", expression: "Sum$(Jet_pt * (Jet_btagCSVV2 > 0.5)) / 100" }], stepSize: 50 });
    expect(r.entriesOut).toBe(200);
    const back = await tree(out);
    const names = src.t.branches.map((b) => b.name);
    expect(back.t.branches.map((b) => b.name)).toEqual([...names, "score"]);
    for (let a = 0; a < names.length; a += 100) {
      const part = names.slice(a, a + 100);
      const want = await src.t.arrays(part);
      const got = await back.t.arrays(part);
      for (const n of part) {
        expect(got[n]!.constructor, n).toBe(want[n]!.constructor);
        for (let i = 0; i < 200; i++) expect(rows(got[n]!, i), `${n}[${i}]`).toEqual(rows(want[n]!, i));
      }
      for (const b of part) expect(back.t.branches.find((x) => x.name === b)!.counter, b).toBe(src.t.branches.find((x) => x.name === b)!.counter);
    }
    const jets = await src.t.arrays(["Jet_pt", "Jet_btagCSVV2"]);
    const score = (await back.t.arrays(["score"])).score as Float64Array;
    const pt = jets.Jet_pt as Jagged<Num>,
      tag = jets.Jet_btagCSVV2 as Jagged<Num>;
    for (let i = 0; i < 200; i++) {
      let s = 0;
      for (let k = pt.offsets[i]!; k < pt.offsets[i + 1]!; k++) if (tag.content[k]! > 0.5) s += pt.content[k]!;
      expect(Math.abs(score[i]! - s / 100)).toBeLessThanOrEqual(1e-9 * Math.max(1, s / 100));
    }
    await src.close();
    await back.close();
  });

  it("computed columns: per event and per jet (written Jet_x[nJet]) equal plain loops; a computed collection needs its counter kept", async () => {
    const src = await tree(NANO);
    const out = path.join(dir, "computed.root");
    // a code-computed score per jet (pt × |η|) on the chunk's own offsets, and one per event (the count)
    const r = await skim([src.t], out, {
      where: "nJet >= 3",
      branches: ["nJet", "Jet_pt", "Jet_eta"],
      stepSize: 64,
      computed: [
        {
          name: "Jet_ptabseta",
          branches: ["Jet_pt", "Jet_eta"],
          counter: "nJet",
          compute: (c) => {
            const pt = c.Jet_pt as Jagged<Float32Array>,
              eta = c.Jet_eta as Jagged<Float32Array>;
            return new Jagged(
              pt.offsets,
              Float32Array.from(pt.content, (p, k) => p * Math.abs(eta.content[k]!)),
            );
          },
        },
        {
          name: "n_central",
          branches: ["Jet_eta"],
          compute: async (c, n) => {
            const eta = c.Jet_eta as Jagged<Float32Array>;
            return Int32Array.from({ length: n }, (_, i) => Array.from(eta.content.subarray(eta.offsets[i]!, eta.offsets[i + 1]!)).filter((e) => Math.abs(e) < 1.5).length);
          },
        },
      ],
    });
    expect(r.branches).toEqual(["nJet", "Jet_eta", "Jet_pt", "Jet_ptabseta", "n_central"]); // kept ones in file order
    const back = await tree(out);
    expect(back.t.branches.find((b) => b.name === "Jet_ptabseta")?.counter).toBe("nJet");
    const c = await back.t.arrays(["Jet_pt", "Jet_eta", "Jet_ptabseta", "n_central"]);
    for (let i = 0; i < r.entriesOut; i++) {
      const pt = rows(c.Jet_pt!, i) as number[],
        eta = rows(c.Jet_eta!, i) as number[];
      expect(rows(c.Jet_ptabseta!, i)).toEqual(pt.map((p, k) => Math.fround(p * Math.abs(eta[k]!))));
      expect(rows(c.n_central!, i)).toBe(eta.filter((e) => Math.abs(e) < 1.5).length);
    }
    await back.close();
    const e = await skim([src.t], path.join(dir, "x0.root"), { branches: ["Jet_pt"], computed: [{ name: "s", branches: ["Jet_pt"], counter: "nMuon", compute: (c) => c.Jet_pt! }] }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(isHepflowError(e) && e.code === "SKIM_DEFINE" && /counter nMuon is not among the kept branches/.test(e.message)).toBe(true);
    await src.close();
  });

  it("refuses an existing output without force, element-level cuts and unknown branches", async () => {
    const src = await tree(NANO);
    const existing = path.join(dir, "exists.root");
    writeFileSync(existing, "x");
    const err = async (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    const e1 = await err(skim([src.t], existing, { where: "nJet > 0" }));
    expect(isHepflowError(e1) && e1.code === "OUTPUT_EXISTS").toBe(true);
    const e2 = await err(skim([src.t], path.join(dir, "x1.root"), { where: "Jet_pt > 30" }));
    expect(isHepflowError(e2) && e2.code === "SKIM_CUT").toBe(true);
    const e3 = await err(skim([src.t], path.join(dir, "x2.root"), { branches: ["Nope_*"] }));
    expect(isHepflowError(e3) && e3.code === "SKIM_BRANCHES").toBe(true);
    const e4 = await err(skim([src.t], NANO, { force: true, inputPaths: [NANO] }));
    expect(isHepflowError(e4)).toBe(true);
    await src.close();
  });
});
