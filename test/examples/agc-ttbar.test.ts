import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mergeAccumulators, normalisedSamples } from "../../src/analysis/index.js";
import type { Accumulator } from "../../src/analysis/index.js";
import { openFile } from "../../src/root/index.js";
import { fromAccumulator } from "../../src/hist/index.js";
import type { EdgeAxis, HistAccumulator } from "../../src/hist/index.js";
import { chunkOf, goodMuon, jet } from "./agc-events.js";
import type { Ev } from "./agc-events.js";
import { referenceHistograms } from "./agc-reference.js";
// @ts-expect-error plain JS example module
import * as agc from "../../examples/agc-ttbar/index.mjs";
// @ts-expect-error plain JS example module
import { namedHistograms, histogramsJson, writeOutputs } from "../../examples/agc-ttbar/outputs.mjs";
// @ts-expect-error plain JS example module
import { gaussian, seedOf } from "../../examples/agc-ttbar/physics.mjs";
// @ts-expect-error plain JS example module
import { validate } from "../../examples/agc-ttbar/validate.mjs";
import { REFERENCE } from "../shared.js";

type Hists = Record<string, HistAccumulator>;

const meta = (process: string, variation: string, nevts: number, entryStart = 0, n = 0, params?: Record<string, unknown>) => ({
  sample: `${process}__${variation}`,
  process,
  variation,
  nevts,
  treeName: "Events",
  file: "hand-made",
  fileIndex: 0,
  entryStart,
  entryStop: entryStart + n,
  params,
});

async function run(events: Ev[], process = "ttbar", variation = "nominal", nevts = 1000, entryStart = 0, params?: Record<string, unknown>) {
  const chunk = await chunkOf(events, agc.columns);
  return (await agc.process(chunk, meta(process, variation, nevts, entryStart, events.length, params))) as { hists: Hists; cutflow: Record<string, Record<string, number>> };
}

const f32 = Math.fround;
const contents = (h: Hists, region: string, proc: string, v: string) => Array.from(fromAccumulator(h[region]!).pick({ process: proc, variation: v }).values({ flow: true }));
const total = (h: Hists, region: string, proc: string, v: string) => contents(h, region, proc, v).reduce((a, b) => a + b, 0);
const names = (h: Hists) => [...(namedHistograms(h) as Map<string, unknown>).keys()];
const onlyBin = (bin: number, w: number) => Array.from({ length: 27 }, (_, i) => (i === bin ? w : 0));

describe("AGC processor on hand-made events at the cuts", () => {
  const w = (729.84 * 3378) / 1000;

  it("HT at a bin edge goes to the upper bin, in float32 running-sum arithmetic", async () => {
    const last = f32(37.5 - 2 ** -18); // 37.5 minus one float32 ulp
    expect(37.5 * 3 + last).toBeLessThan(150); // in float64 the event would land in [130, 150)
    const h = (await run([{ muons: [goodMuon], jets: [jet(37.5, 0.9), jet(37.5), jet(37.5), jet(last)] }])).hists;
    expect(contents(h, "4j1b", "ttbar", "nominal")).toEqual(onlyBin(6, w)); // bin 6 = [150, 170)
  });

  it("b-tag is strictly > 0.5, jet pt strictly > 30, |eta| < 2.4 and the jetId bit 4 are required", async () => {
    const events: Ev[] = [
      // 130 GeV exactly (4 × 32.5); the 0.5-score jet is not tagged, so 4j1b not 4j2b
      { muons: [goodMuon], jets: [jet(32.5, 0.8), jet(32.5, 0.5), jet(32.5), jet(32.5)] },
      // a tagged jet at exactly 30 GeV, one at eta 2.4 and one with jetId 2 are not selected
      { muons: [goodMuon], jets: [jet(40, 0.9), jet(40), jet(40), jet(40), jet(30, 0.9), jet(50, 0.9, { eta: 2.4 }), jet(50, 0.9, { jetId: 2 })] },
      // only three good jets → fails ≥ 4 jets
      { muons: [goodMuon], jets: [jet(40, 0.9), jet(40), jet(40), jet(50, 0.9, { eta: -2.4 })] },
      // no b-tag at all → dropped
      { muons: [goodMuon], jets: [jet(40), jet(40), jet(40), jet(40)] },
      // HT exactly 550 → overflow
      { muons: [goodMuon], jets: [jet(137.5, 0.9), jet(137.5), jet(137.5), jet(137.5)] },
    ];
    const r = await run(events);
    const expected = onlyBin(5, w); // [130, 150)
    expected[6] = w; // 160 → [150, 170)
    expected[26] = w; // 550 → overflow
    expect(contents(r.hists, "4j1b", "ttbar", "nominal")).toEqual(expected);
    expect(total(r.hists, "4j2b", "ttbar", "nominal")).toBe(0); // (pt_scale_up lifts the 30-GeV b-jet into 4j2b)
    expect(r.cutflow.ttbar__nominal).toEqual({ all: 5, oneLepton: 5, fourJets: 4, oneBtag: 3, r4j1b: 3, r4j2b: 0 });
  });

  it("lepton cuts: pt > 30, |eta| < 2.1, cutBased == 4, sip3d < 4, tightId, iso < 0.15; exactly one", async () => {
    const jets = [jet(40, 0.9), jet(40), jet(40), jet(40)];
    const el = (o: object) => ({ pt: 35, eta: 0, id: 4, sip3d: 1, ...o });
    const events: Ev[] = [
      // eta is stored as float32(2.1) and the cut is float32 too (spec §4.1 float32 semantics): it fails
      { electrons: [el({ pt: 30 }), el({ eta: 2.1 }), el({ id: 3 }), el({ sip3d: 4 })], muons: [goodMuon], jets }, // 1 lepton
      { electrons: [el({})], muons: [goodMuon], jets }, // 2 leptons
      {
        muons: [
          { ...goodMuon, iso: 0.15 },
          { ...goodMuon, id: 0 },
        ],
        jets,
      }, // 0
      { electrons: [el({ eta: -2.0999 })], jets }, // 1
    ];
    const r = await run(events);
    expect(r.cutflow.ttbar__nominal!.oneLepton).toBe(2);
    expect(contents(r.hists, "4j1b", "ttbar", "nominal")[6]).toBe(2 * w); // HT 160
  });

  it("event-weight variations use the nominal pt of the first four selected jets; W+jets gets scale_var", async () => {
    // the first jet fails |eta|, so "jet 0" of the selection is the 45-GeV one
    const e: Ev = { muons: [goodMuon], jets: [jet(80, 0.9, { eta: 3 }), jet(45, 0.9), jet(41), jet(42), jet(43), jet(44)] };
    const wj = (15487.164 * 3378) / 1000;
    const r = await run([e], "wjets");
    const bin = 9; // HT = 215 → [210, 230)
    const pts = [45, 41, 42, 43];
    for (let i = 0; i < 4; i++) {
      expect(contents(r.hists, "4j1b", "wjets", `btag_var_${i}_up`)[bin]).toBe(wj * (1 + (pts[i]! * 0.075) / 50));
      expect(contents(r.hists, "4j1b", "wjets", `btag_var_${i}_down`)[bin]).toBe(wj * (1 - (pts[i]! * 0.075) / 50));
    }
    expect(contents(r.hists, "4j1b", "wjets", "scale_var_up")[bin]).toBe(wj * 1.025);
    expect(contents(r.hists, "4j1b", "wjets", "scale_var_down")[bin]).toBe(wj * 0.975);
    const t = await run([e], "ttbar");
    expect(names(t.hists)).not.toContain("4j1b_ttbar_scale_var_up");
    expect(names(r.hists)).toContain("4j1b_wjets_scale_var_up");
  });

  it("pt_scale_up multiplies pt by float32(1.03) before the jet cut, changing the selection", async () => {
    // a 29.5-GeV jet passes only when scaled (30.385); it also carries the second b-tag
    const e: Ev = { muons: [goodMuon], jets: [jet(40, 0.9), jet(40), jet(40), jet(40), jet(29.5, 0.9)] };
    const r = await run([e]);
    expect(contents(r.hists, "4j1b", "ttbar", "nominal")[6]).toBe(w); // HT 160
    expect(total(r.hists, "4j1b", "ttbar", "pt_scale_up")).toBe(0);
    expect(total(r.hists, "4j2b", "ttbar", "pt_scale_up")).toBe(w);
  });

  it("alternative samples fill only their variation name, with their own N_used", async () => {
    const e: Ev = { muons: [goodMuon], jets: [jet(40, 0.9), jet(40), jet(40), jet(40)] };
    const r = await run([e], "ttbar", "ME_var", 500);
    expect(names(r.hists)).toEqual(["4j1b_ttbar_ME_var"]);
    expect(contents(r.hists, "4j1b", "ttbar", "ME_var")[6]).toBe((729.84 * 3378) / 500);
  });
});

/** Deterministic pseudo-random events near the cuts (xorshift), for the cross-check. */
function randomEvents(n: number, seed: number): Ev[] {
  let s = seed >>> 0;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) {
    const nj = Math.floor(u() * 9);
    const jets = Array.from({ length: nj }, () =>
      jet(f32(20 + 120 * u() ** 2), u() < 0.35 ? f32(0.5 + u() * 0.5) : f32(u() * 0.5), { eta: f32((u() - 0.5) * 5.2), phi: f32((u() - 0.5) * 6.28), mass: f32(u() * 20), jetId: u() < 0.9 ? 6 : 2 }),
    );
    const muons = u() < 0.6 ? [{ pt: f32(25 + 20 * u()), eta: f32((u() - 0.5) * 4.6), id: u() < 0.9 ? 1 : 0, sip3d: f32(u() * 5), iso: f32(u() * 0.2) }] : [];
    const electrons = u() < 0.4 ? [{ pt: f32(25 + 20 * u()), eta: f32((u() - 0.5) * 4.6), id: u() < 0.8 ? 4 : 2, sip3d: f32(u() * 5) }] : [];
    out.push({ muons, electrons, jets });
  }
  return out;
}

describe("AGC processor parameters (no environment variables)", () => {
  // four 27 GeV jets, one tagged: below the spec's 30 GeV cut, above the AGC MLproject's 25
  const soft: Ev = { muons: [goodMuon], jets: [jet(27, 0.9), jet(27), jet(27), jet(27)] };

  it("pt_threshold is the jet (and lepton) pt cut: 30 GeV by default, 25 selects the soft event", async () => {
    expect(total((await run([soft])).hists, "4j1b", "ttbar", "nominal")).toBe(0);
    const h = (await run([soft], "ttbar", "nominal", 1000, 0, { pt_threshold: 25 })).hists;
    expect(contents(h, "4j1b", "ttbar", "nominal")).toEqual(onlyBin(3, (729.84 * 3378) / 1000)); // H_T = 108 → bin 3 = [90, 110)
    // the lepton cut moves too: a 27 GeV muon passes at 25 GeV, not at 30
    const softMu: Ev = { muons: [{ ...goodMuon, pt: 27 }], jets: [jet(40, 0.9), jet(40), jet(40), jet(40)] };
    expect((await run([softMu])).cutflow.ttbar__nominal!.oneLepton).toBe(0);
    expect((await run([softMu], "ttbar", "nominal", 1000, 0, { "pt-threshold": "25" })).cutflow.ttbar__nominal!.oneLepton).toBe(1);
  });

  it("num_bins sets the binning on [50, 550); lumi the normalisation; nominal_only drops the systematics", async () => {
    const ev: Ev = { muons: [goodMuon], jets: [jet(40, 0.9), jet(40), jet(40), jet(40)] }; // H_T = 160
    const h = (await run([ev], "ttbar", "nominal", 1000, 0, { num_bins: 50, lumi: 50 })).hists;
    const c = contents(h, "4j1b", "ttbar", "nominal");
    expect(c).toHaveLength(52);
    expect(c).toEqual(Array.from({ length: 52 }, (_, i) => (i === 12 ? (729.84 * 50) / 1000 : 0))); // bin 12 = [160, 170)
    expect(Array.from((fromAccumulator(h["4j1b"]!).axes[0] as EdgeAxis).edges)).toEqual(Array.from({ length: 51 }, (_, k) => 50 + 10 * k));
    expect(total(h, "4j1b", "ttbar", "btag_var_0_up")).toBeGreaterThan(0);
    const n = (await run([ev], "ttbar", "nominal", 1000, 0, { nominal_only: true })).hists;
    expect(total(n, "4j1b", "ttbar", "nominal")).toBe((729.84 * 3378) / 1000);
    for (const v of ["btag_var_0_up", "pt_scale_up", "pt_res_up"]) expect(total(n, "4j1b", "ttbar", v)).toBe(0);
  });

  it("data=true lets the executor read the data samples; unknown names and bad values are errors", () => {
    const data = { name: "data", metadata: { process: "data" } } as never;
    expect(agc.acceptSample(data, {})).toBe(false);
    expect(agc.acceptSample(data, { data: "true" })).toBe(true);
    expect(() => agc.acceptSample(data, { numbins: 30, lumii: 1 })).toThrow(/unknown parameter "lumii"/);
    expect(() => agc.acceptSample(data, { lumi: 0 })).toThrow(/lumi/);
    expect(() => agc.acceptSample(data, { num_bins: 2.5 })).toThrow(/whole number/);
  });
});

describe("AGC processor against an independent per-event loop", () => {
  const events = randomEvents(4000, 12345);
  const nevts = 4000;

  for (const [process, variation] of [
    ["ttbar", "nominal"],
    ["wjets", "nominal"],
    ["ttbar", "PS_var"],
  ] as const) {
    it(`${process} ${variation}: every histogram bin identical (same float32 operations)`, async () => {
      const r = await run(events, process, variation, nevts);
      const seed = seedOf(`${20240101}/${process}__${variation}/0`);
      const ref = referenceHistograms(events, process, variation, nevts, (entry, j) => gaussian(seed, entry, j));
      const got = histogramsJson(namedHistograms(r.hists)) as Record<string, { contents: number[] }>;
      expect(Object.keys(got).sort()).toEqual(Object.keys(ref).sort());
      for (const [name, c] of Object.entries(ref)) expect([name, got[name]!.contents]).toEqual([name, c]);
      // the sample reaches both regions, so the comparison is not vacuous
      expect(r.cutflow[`${process}__${variation}`]!.r4j1b).toBeGreaterThan(20);
      expect(r.cutflow[`${process}__${variation}`]!.r4j2b).toBeGreaterThan(20);
    });
  }

  it("splitting into chunks changes nothing but float summation order (pt_res_up seeded per entry)", async () => {
    const whole = await run(events, "ttbar", "nominal", nevts);
    const a = await run(events.slice(0, 1500), "ttbar", "nominal", nevts, 0);
    const b = await run(events.slice(1500), "ttbar", "nominal", nevts, 1500);
    const merged = mergeAccumulators(a as unknown as Accumulator, b as unknown as Accumulator) as unknown as typeof whole;
    for (const region of ["4j1b", "4j2b"])
      for (const v of ["nominal", "pt_scale_up", "pt_res_up", "btag_var_0_up", "btag_var_3_down"]) {
        const x = contents(whole.hists, region, "ttbar", v),
          y = contents(merged.hists, region, "ttbar", v);
        // sums of the same weights grouped differently: equal to float64 rounding (1e-12 relative)
        x.forEach((xi, i) => expect([v, i, Math.abs(xi - y[i]!) <= 1e-12 * Math.abs(xi)]).toEqual([v, i, true]));
      }
    expect(merged.cutflow).toEqual(whole.cutflow);
  });

  it("the pt_res_up factors are N(1, 0.05)", () => {
    let s = 0,
      s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const g = gaussian(7, i >> 3, i & 7);
      s += g;
      s2 += g * g;
    }
    // standard error of the mean is 1/sqrt(n) ≈ 0.0022, of the variance ≈ sqrt(2/n) ≈ 0.0032: allow 5σ
    expect(Math.abs(s / n)).toBeLessThan(0.012);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.016);
  });
});

describe("AGC outputs", () => {
  it("tells the executor that simulation, not data, is normalised by nevts (cross sections from physics.mjs)", () => {
    const sample = (name: string, process: string) => ({ name, treeName: "Events", files: [], nevts: 10, metadata: { process } });
    const dataset = { samples: [sample("ttbar__nominal", "ttbar"), sample("wjets__nominal", "wjets"), sample("data__nominal", "data")] };
    const rescaled = normalisedSamples(agc, dataset as never);
    expect(["ttbar__nominal", "wjets__nominal", "data__nominal"].map(rescaled)).toEqual([true, true, false]);
  });

  it("names histograms per §6.1, builds pseudo-data, writes JSON, cutflow and a readable ROOT file", async () => {
    const ev = randomEvents(3000, 777);
    const parts = [] as Accumulator[];
    for (const [p, v] of [
      ["ttbar", "nominal"],
      ["ttbar", "ME_var"],
      ["ttbar", "PS_var"],
      ["wjets", "nominal"],
    ] as const)
      parts.push((await run(ev, p, v, 3000)) as unknown as Accumulator);
    const acc = parts.reduce((x, y) => mergeAccumulators(x, y)!) as unknown as { hists: Hists };
    const out = mkdtempSync(join(tmpdir(), "hepflow-agc-"));
    let printed = "";
    await writeOutputs(acc, {
      outDir: out,
      print: (t: string) => {
        printed += t;
      },
    });
    const json = JSON.parse(readFileSync(join(out, "histograms.json"), "utf8")) as Record<string, { edges: number[]; contents: number[] }>;
    expect(json["4j1b_ttbar"]!.edges).toEqual(Array.from({ length: 26 }, (_, k) => 50 + 20 * k));
    for (const n of ["4j1b_ttbar", "4j2b_wjets_btag_var_0_up", "4j2b_wjets_scale_var_down", "4j1b_ttbar_ME_var", "4j1b_ttbar_pt_scale_up", "4j2b_ttbar_pt_res_up", "4j1b_pseudodata"]) expect(json).toHaveProperty(n);
    expect(json).not.toHaveProperty("4j1b_ttbar_scale_var_up");
    expect(json).not.toHaveProperty("4j1b_wjets_ME_var");
    const me = json["4j2b_ttbar_ME_var"]!.contents,
      ps = json["4j2b_ttbar_PS_var"]!.contents,
      wj = json["4j2b_wjets"]!.contents;
    expect(json["4j2b_pseudodata"]!.contents).toEqual(me.map((m, i) => (m + ps[i]!) / 2 + wj[i]!));
    const cut = JSON.parse(readFileSync(join(out, "cutflow.json"), "utf8"));
    expect(Object.keys(cut)).toEqual(["ttbar__nominal", "ttbar__ME_var", "ttbar__PS_var", "wjets__nominal"]);
    expect(printed).toContain("exactly 1 lepton");
    const f = await openFile(join(out, "histograms.root"));
    const entries = await f.keys();
    expect(new Set(entries.map((k) => k.className))).toEqual(new Set(["TH1D"])); // nothing but TH1D (§6.1)
    const keys = entries.map((k) => k.path).sort();
    expect(keys).toEqual(Object.keys(json).sort());
    const h = (await f.get("4j1b_ttbar")) as { className: string; contents: Float64Array; sumw2?: Float64Array };
    expect(h.className).toBe("TH1D");
    expect(Array.from(h.contents)).toEqual(json["4j1b_ttbar"]!.contents);
    expect(h.sumw2!.length).toBe(27);
    // weighted storage: sumw2 of the nominal histogram is Σw² = w × Σw for equal weights w
    const wTT = (729.84 * 3378) / 3000;
    h.sumw2!.forEach((v, i) => expect(Math.abs(v - wTT * h.contents[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, v)));
    await f.close();
  });
});

describe("AGC validator (spec §9.2 rules)", () => {
  const ref = JSON.parse(readFileSync(join(REFERENCE, "agc/histos_1_file_per_process.json"), "utf8")) as Record<string, { edges: number[]; contents: number[] }>;
  const copy = () => JSON.parse(JSON.stringify(ref)) as typeof ref;

  it("accepts the reference itself and a one-ttbar-event migration between neighbouring bins", () => {
    expect(validate(ref, ref)).toEqual([]);
    const m = copy();
    const w = (729.84 * 3378) / 1334428; // one ttbar event at N = 1 (spec §1.3: 1.847533)
    m["4j1b_ttbar"]!.contents[6]! -= w;
    m["4j1b_ttbar"]!.contents[7]! += w;
    expect(validate(m, ref)).toEqual([]);
  });

  it("rejects a W+jets migration (w = 41.9 > 2.0), a lost event, a missing histogram; ignores pt_res_up and missing pseudo-data", () => {
    const m = copy();
    const w = (15487.164 * 3378) / 1249076;
    m["4j1b_wjets"]!.contents[6]! -= w;
    m["4j1b_wjets"]!.contents[7]! += w;
    m["4j2b_ttbar"]!.contents[10]! += 1.8;
    delete m["4j2b_single_top_tW"];
    delete m["4j1b_pseudodata"];
    m["4j1b_ttbar_pt_res_up"]!.contents[5]! += 100;
    const errors = validate(m, ref);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^4j1b_wjets: bins 6,7 differ by more than 2\.0/);
    expect(errors.join("\n")).toMatch(/4j2b_ttbar: bins 10-10 sum/);
    expect(errors.join("\n")).toMatch(/4j2b_single_top_tW: missing/);
  });
});
