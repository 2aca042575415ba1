import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { rmSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openFile as jsrootOpen } from "jsroot/io";
import { treeProcess, TSelector } from "jsroot/tree";
import { openFile, type TreeLike } from "../../src/root/index.js";
import { Jagged, type Columns } from "../../src/util/index.js";
import { generateAgc, generateChunk, MODELS, Rng, XSEC, LUMINOSITY } from "../../src/generate/index.js";
import { parseDataset } from "../../src/analysis/dataset.js";
import { rootFile } from "../shared.js";
import { agcObservables, peak, type Observables } from "./physics.js";

const out = mkdtempSync(path.join(tmpdir(), "hepflow-agc-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const EVENTS = 30_000;
const DATA_LUMI = 0.5; // pb^-1: keeps the pseudo-data small (W+jets alone is 15 nb)
let catalogue: Record<string, Record<string, { nevts_total: number; xsec?: number; files: { path: string; nevts: number }[]; truth?: Record<string, unknown> }>>;
const obs: Record<string, Observables> = {};
const cols: Record<string, Columns> = {};

async function readAll(file: string): Promise<{ tree: TreeLike; columns: Columns; close: () => Promise<void> }> {
  const f = await openFile(file);
  const tree = await f.tree("Events");
  return { tree, columns: await tree.arrays(), close: () => f.close() };
}

beforeAll(async () => {
  await generateAgc({ events: EVENTS, out, seed: 7, filesPerSample: 2, dataLuminosity: DATA_LUMI });
  catalogue = JSON.parse(readFileSync(path.join(out, "dataset.json"), "utf8"));
  for (const [proc, vars] of Object.entries(catalogue)) {
    if (proc === "data") continue;
    for (const [v, e] of Object.entries(vars)) {
      const r = await readAll(e.files[0]!.path);
      cols[`${proc}__${v}`] = r.columns;
      obs[`${proc}__${v}`] = agcObservables(r.columns);
      await r.close();
    }
  }
}, 120_000);

describe("generated AGC dataset", () => {
  it("writes a catalogue in the AGC schema that the dataset loader accepts", () => {
    expect(Object.keys(catalogue)).toEqual(["ttbar", "single_top_s_chan", "single_top_t_chan", "single_top_tW", "wjets", "data"]);
    expect(Object.keys(catalogue.ttbar!)).toEqual(["nominal", "scaledown", "scaleup", "ME_var", "PS_var"]);
    for (const [proc, vars] of Object.entries(catalogue))
      for (const e of Object.values(vars)) {
        expect(e.files.length).toBe(2);
        expect(e.nevts_total).toBe(e.files.reduce((s, f) => s + f.nevts, 0));
        if (proc !== "data") {
          expect(e.nevts_total).toBe(EVENTS);
          expect(e.xsec).toBe(XSEC[proc]);
        }
      }
    const ds = parseDataset(catalogue, { source: path.join(out, "dataset.json") });
    expect(ds.samples.map((s) => s.name)).toContain("ttbar__PS_var");
    const truth = catalogue.data!.nominal!.truth!;
    expect(truth.mu_ttbar).toBeCloseTo(DATA_LUMI / LUMINOSITY, 12);
  });

  it("stores the events per file that the trees really hold, and pseudo-data at the stated luminosity", async () => {
    for (const vars of Object.values(catalogue))
      for (const e of Object.values(vars))
        for (const f of e.files) {
          const file = await openFile(f.path);
          expect((await file.tree("Events")).numEntries).toBe(f.nevts);
          await file.close();
        }
    const truth = catalogue.data!.nominal!.truth! as { drawn_events: Record<string, number>; expected_events: Record<string, number> };
    const drawn = Object.values(truth.drawn_events).reduce((a, b) => a + b, 0);
    expect(drawn).toBe(catalogue.data!.nominal!.nevts_total);
    // Poisson draw: the total stays within 5 standard deviations of its mean.
    const mean = Object.values(XSEC).reduce((a, b) => a + b, 0) * DATA_LUMI;
    expect(Math.abs(drawn - mean)).toBeLessThan(5 * Math.sqrt(mean));
  });

  it("has the branch names and types of the real CMS NanoAOD for every branch the analysis reads", async () => {
    const real = await openFile(rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root"));
    const realTypes = new Map((await real.tree("Events")).branches.map((b) => [b.name, b.typeName]));
    await real.close();
    const gen = await openFile(catalogue.ttbar!.nominal!.files[0]!.path);
    const genTypes = new Map((await gen.tree("Events")).branches.map((b) => [b.name, b.typeName]));
    await gen.close();
    const used = [
      "run",
      "luminosityBlock",
      "event",
      "genWeight",
      "LHEScaleWeight",
      "PSWeight",
      "nJet",
      "nElectron",
      "nMuon",
      "Jet_pt",
      "Jet_eta",
      "Jet_phi",
      "Jet_mass",
      "Jet_btagCSVV2",
      "Jet_jetId",
      "Jet_qgl",
      "Jet_hadronFlavour",
      "Electron_pt",
      "Electron_eta",
      "Electron_phi",
      "Electron_mass",
      "Electron_cutBased",
      "Electron_sip3d",
      "Muon_pt",
      "Muon_eta",
      "Muon_phi",
      "Muon_mass",
      "Muon_tightId",
      "Muon_sip3d",
      "Muon_pfRelIso04_all",
      "MET_pt",
      "MET_phi",
    ];
    for (const b of used) expect([b, genTypes.get(b)]).toEqual([b, realTypes.get(b)]);
  });

  it("is read by JSROOT with the same values as hepflow's reader", async () => {
    const file = catalogue.single_top_tW!.nominal!.files[1]!.path;
    const f = await jsrootOpen(file);
    const t = await f.readObject("Events");
    const sel = new TSelector();
    for (const b of ["event", "nJet", "Jet_pt", "Muon_tightId"]) sel.addBranch(b);
    const rows: { event: number; pt: number[]; tight: boolean[] }[] = [];
    sel.Process = function (this: { tgtobj: { event: number; Jet_pt: ArrayLike<number>; Muon_tightId: ArrayLike<boolean> } }) {
      rows.push({ event: Number(this.tgtobj.event), pt: Array.from(this.tgtobj.Jet_pt), tight: Array.from(this.tgtobj.Muon_tightId, (x) => Boolean(x)) });
    };
    await treeProcess(t, sel, { numentries: 2000 });
    const r = await readAll(file);
    const ev = r.columns.event as BigUint64Array,
      pt = r.columns.Jet_pt as Jagged,
      tight = r.columns.Muon_tightId as Jagged;
    expect(rows.length).toBe(2000);
    for (let i = 0; i < rows.length; i++) {
      expect(rows[i]!.event).toBe(Number(ev[i]));
      expect(rows[i]!.pt).toEqual(Array.from((pt.content as Float32Array).subarray(pt.offsets[i]!, pt.offsets[i + 1]!)));
      expect(rows[i]!.tight).toEqual(Array.from((tight.content as Uint8Array).subarray(tight.offsets[i]!, tight.offsets[i + 1]!), (x) => x === 1));
    }
    await r.close();
  });
});

describe("generated physics", () => {
  // Peak positions: mode of a 2 GeV histogram smoothed over 5 bins; with ~700 ttbar 4j2b events
  // the statistical wobble of the mode is about ±3 GeV, so "near 173" means within 6 GeV.
  it("ttbar has a trijet mass peak near the top mass and a dijet peak near the W mass", () => {
    const o = obs.ttbar__nominal!;
    expect(o.region2b).toBeGreaterThan(500);
    expect(Math.abs(peak(o.mbjj, 50, 400, 2) - 173)).toBeLessThan(6);
    expect(Math.abs(peak(o.mjjW, 20, 200, 2) - 80.4)).toBeLessThan(6);
  });

  it("b jets and light jets have different b-tag discriminants", () => {
    const c = cols.ttbar__nominal!;
    const fl = (c.Jet_hadronFlavour as Jagged).content as Int32Array,
      bt = (c.Jet_btagCSVV2 as Jagged).content as Float32Array,
      eta = (c.Jet_eta as Jagged).content as Float32Array;
    let nb = 0,
      tb = 0,
      nl = 0,
      tl = 0;
    for (let i = 0; i < fl.length; i++) {
      if (Math.abs(eta[i]!) > 2.4) {
        expect(bt[i]).toBe(-10);
        continue;
      }
      if (fl[i] === 5) {
        nb++;
        if (bt[i]! > 0.5) tb++;
      } else if (fl[i] === 0) {
        nl++;
        if (bt[i]! > 0.5) tl++;
      }
    }
    // CSVv2 at 0.5: ~80% of b jets and ~8% of light jets pass (binomial errors < 1% here).
    expect(tb / nb).toBeGreaterThan(0.72);
    expect(tl / nl).toBeLessThan(0.12);
  });

  it("processes differ in jet multiplicity and H_T the way the physics says", () => {
    expect(obs.ttbar__nominal!.meanJets30).toBeGreaterThan(obs.single_top_tW__nominal!.meanJets30);
    expect(obs.single_top_tW__nominal!.meanJets30).toBeGreaterThan(obs.wjets__nominal!.meanJets30);
    expect(obs.wjets__nominal!.meanJets30).toBeLessThan(2);
    const fourJet = (k: string): number => (obs[k]!.region1b + obs[k]!.region2b) / obs[k]!.events;
    expect(fourJet("ttbar__nominal")).toBeGreaterThan(10 * fourJet("wjets__nominal"));
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(obs.ttbar__nominal!.ht1b)).toBeGreaterThan(mean(obs.single_top_t_chan__nominal!.ht1b));
  });

  it("leptons pass identification at realistic rates", () => {
    const c = cols.ttbar__nominal!;
    const tight = (c.Muon_tightId as Jagged).content as Uint8Array,
      pt = (c.Muon_pt as Jagged).content as Float32Array,
      iso = (c.Muon_pfRelIso04_all as Jagged).content as Float32Array;
    let hard = 0,
      hardTight = 0,
      soft = 0,
      softIso = 0;
    for (let i = 0; i < pt.length; i++) {
      if (pt[i]! > 30) {
        hard++;
        if (tight[i] && iso[i]! < 0.15) hardTight++;
      } else if (pt[i]! < 10) {
        soft++;
        if (iso[i]! < 0.15) softIso++;
      }
    }
    // Hard muons are mostly prompt W decays (~90% pass), soft ones mostly non-prompt (few isolated).
    expect(hardTight / hard).toBeGreaterThan(0.8);
    expect(softIso / soft).toBeLessThan(0.5);
    // About 2 in 9 ttbar events have exactly one tight e/mu above 30 GeV (l+jets with e or mu, in acceptance).
    expect(obs.ttbar__nominal!.oneLepton / obs.ttbar__nominal!.events).toBeGreaterThan(0.15);
    expect(obs.ttbar__nominal!.oneLepton / obs.ttbar__nominal!.events).toBeLessThan(0.3);
  });

  it("systematic variants shift what their names say", () => {
    const n = (k: string): number => obs[k]!.meanJets30;
    // More radiation at lower scale: scaledown > nominal > scaleup in jet multiplicity (±0.01 statistical).
    expect(n("ttbar__scaledown")).toBeGreaterThan(n("ttbar__nominal") + 0.05);
    expect(n("ttbar__nominal")).toBeGreaterThan(n("ttbar__scaleup") + 0.05);
    // Parton-shower variant: 2% lower jet response.
    const meanPt = (k: string): number => {
      const a = (cols[k]!.Jet_pt as Jagged).content as Float32Array;
      return a.reduce((s, x) => s + x, 0) / a.length;
    };
    expect(meanPt("ttbar__PS_var")).toBeLessThan(meanPt("ttbar__nominal") * 0.99);
    // aMC@NLO samples carry negative weights; Powheg nominal does not.
    const negFrac = (k: string): number => {
      const w = cols[k]!.genWeight as Float32Array;
      return w.filter((x) => x < 0).length / w.length;
    };
    expect(negFrac("ttbar__nominal")).toBe(0);
    expect(negFrac("ttbar__ME_var")).toBeGreaterThan(0.07);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = generateChunk(new Rng("s/ttbar/0"), MODELS.ttbar__nominal!, 500, 0);
    const b = generateChunk(new Rng("s/ttbar/0"), MODELS.ttbar__nominal!, 500, 0);
    const c = generateChunk(new Rng("s/ttbar/1"), MODELS.ttbar__nominal!, 500, 0);
    expect(Array.from((a.Jet_pt as Jagged).content as Float32Array)).toEqual(Array.from((b.Jet_pt as Jagged).content as Float32Array));
    expect(Array.from((a.Jet_pt as Jagged).content as Float32Array)).not.toEqual(Array.from((c.Jet_pt as Jagged).content as Float32Array));
  });
});

describe("generator options", () => {
  it("skips pseudo-data at luminosity 0 and rejects bad sizes", async () => {
    const dir = path.join(out, "nodata");
    const s = await generateAgc({ events: 30, out: dir, filesPerSample: 3, dataLuminosity: 0, compression: "lz4" });
    expect(s.files).toBe(27);
    const cat = JSON.parse(readFileSync(path.join(dir, "dataset.json"), "utf8"));
    expect(Object.keys(cat)).not.toContain("data");
    expect(cat.wjets.nominal.files.map((f: { nevts: number }) => f.nevts)).toEqual([10, 10, 10]);
    await expect(generateAgc({ events: 0, out: dir })).rejects.toThrow(/positive integer/);
    await expect(generateAgc({ events: 10, out: dir, dataLuminosity: -1 })).rejects.toThrow(/non-negative/);
  });
});

describe("worker threads", () => {
  // Workers run the compiled dist/ code (npm test builds it first).
  it("produce the same events as one thread", async () => {
    const one = path.join(out, "w1"),
      two = path.join(out, "w2");
    await generateAgc({ events: 400, out: one, seed: 11, filesPerSample: 2, dataLuminosity: 0.02 });
    await generateAgc({ events: 400, out: two, seed: 11, filesPerSample: 2, dataLuminosity: 0.02, workers: 2 });
    const cat1 = JSON.parse(readFileSync(path.join(one, "dataset.json"), "utf8"));
    const cat2 = JSON.parse(readFileSync(path.join(two, "dataset.json"), "utf8"));
    const files = (cat: typeof catalogue): string[] => Object.values(cat).flatMap((v) => Object.values(v).flatMap((e) => e.files.map((f) => f.path)));
    const f1 = files(cat1),
      f2 = files(cat2);
    expect(f2).toEqual(f1.map((p) => p.replace(one, two)));
    for (let i = 0; i < f1.length; i++) {
      const a = await readAll(f1[i]!),
        b = await readAll(f2[i]!);
      for (const name of ["event", "Jet_pt", "Muon_tightId", "genWeight"]) {
        const x = a.columns[name]!,
          y = b.columns[name]!;
        const flat = (c: unknown): unknown[] => Array.from((c instanceof Jagged ? c.content : c) as ArrayLike<unknown>);
        expect(flat(y)).toEqual(flat(x));
      }
      await a.close();
      await b.close();
    }
  }, 60_000);
});
