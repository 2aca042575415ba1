import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildWorkspace, validateBuilderConfig } from "../../src/stats/index.js";
import type { BuilderConfig, HistoSysData, NormSysData } from "../../src/stats/index.js";
import { createFile } from "../../src/root/index.js";
import { Rng, generateChunk, MODELS, EVENT_SCHEMA } from "../../src/generate/index.js";
import type { Jagged, NumericArray } from "../../src/util/index.js";

/** Columns of numbers the plain loops below do arithmetic on (no 64-bit integers here). */
type Num = Exclude<NumericArray, BigInt64Array | BigUint64Array>;

const dir = mkdtempSync(path.join(tmpdir(), "hepflow-cabntuple-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** AGC-like ntuples: generated events reduced to per-event columns, as an ntuple-making step would. */
async function ntuple(file: string, model: string, n: number, seed: string, shift = 1): Promise<{ ht: Float64Array; nj: Int32Array; nb: Int32Array; w: Float32Array }> {
  const ev = generateChunk(new Rng(seed), MODELS[model]!, n, 0);
  const pt = ev.Jet_pt as Jagged<Num>,
    tag = ev.Jet_btagCSVV2 as Jagged<Num>;
  const ht = new Float64Array(n),
    nj = new Int32Array(n),
    nb = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = pt.offsets[i]!; k < pt.offsets[i + 1]!; k++) {
      if (pt.content[k]! * shift <= 25) continue;
      ht[i]! += pt.content[k]! * shift;
      nj[i]!++;
      if (tag.content[k]! >= 0.5) nb[i]!++;
    }
  }
  const w = Float32Array.from(ev.genWeight as Float32Array, (g) => Math.sign(g) * 0.5);
  const out = await createFile(file);
  const t = out.writeTree("events", [
    { name: "ht", type: "f64" },
    { name: "n_jets", type: "i32" },
    { name: "n_bjets", type: "i32" },
    { name: "weight", type: "f32" },
  ]);
  t.write({ ht, n_jets: nj, n_bjets: nb, weight: w });
  await out.close();
  expect(EVENT_SCHEMA.some((b) => b.name === "Jet_btagCSVV2")).toBe(true);
  return { ht, nj, nb, w };
}

/** The template by a plain loop: Variable = ht, the cut, the weight, edges [a, b) with flow dropped. */
function fill(d: { ht: Float64Array; nj: Int32Array; nb: Int32Array; w: Float32Array }, edges: number[], cut: (i: number) => boolean, weighted: boolean) {
  const y = new Array(edges.length - 1).fill(0),
    v = new Array(edges.length - 1).fill(0);
  for (let i = 0; i < d.ht.length; i++) {
    if (!cut(i)) continue;
    const b = edges.findIndex((e, k) => k < edges.length - 1 && d.ht[i]! >= e && d.ht[i]! < edges[k + 1]!);
    if (b < 0) continue;
    const w = weighted ? d.w[i]! : 1;
    y[b] += w;
    v[b] += w * w;
  }
  return { y, v };
}

describe("cabinetry templates from ntuples", () => {
  it("Tree/Filter/Weight/Variable, systematic overrides and InputPath placeholders equal templates filled in the test", async () => {
    const sig = await ntuple(path.join(dir, "ttbar.root"), "ttbar__nominal", 4000, "s");
    const up = await ntuple(path.join(dir, "ttbar_jes_up.root"), "ttbar__nominal", 4000, "s", 1.03);
    const bkg = await ntuple(path.join(dir, "wjets.root"), "wjets__nominal", 4000, "b");
    const data = await ntuple(path.join(dir, "data.root"), "ttbar__nominal", 3000, "d");
    const edges = [100, 200, 300, 400, 600, 1000];
    const cfg = validateBuilderConfig({
      General: { Measurement: "m", POI: "mu", InputPath: "{SamplePath}{VariationPath}.root" },
      Regions: [{ Name: "4j2b", Variable: "ht", Filter: "n_jets >= 4 && n_bjets >= 2", Binning: edges }],
      Samples: [
        { Name: "Data", Tree: "events", SamplePath: "data", Data: true },
        { Name: "ttbar", Tree: "events", SamplePath: "ttbar", Weight: "weight" },
        { Name: "W+jets", Tree: "events", SamplePath: "wjets", Weight: "weight * 2", Filter: "n_jets < 7" },
      ],
      NormFactors: [{ Name: "mu", Samples: "ttbar" }],
      Systematics: [
        { Name: "jes", Type: "NormPlusShape", Samples: "ttbar", Up: { VariationPath: "_jes_up" }, Down: { Symmetrize: true } },
        { Name: "wgt", Type: "NormPlusShape", Samples: "ttbar", Up: { Weight: "weight * 1.1" }, Down: { Weight: "weight * 0.95", Filter: "n_jets >= 4 && n_bjets >= 3" } },
      ],
    }) as BuilderConfig;
    const ws = await buildWorkspace(cfg, { baseDir: dir });
    const cut = (d: typeof sig) => (i: number) => d.nj[i]! >= 4 && d.nb[i]! >= 2;
    const ch = ws.channels[0]!;
    const close = (a: number[], b: number[]) => a.forEach((x, k) => expect(Math.abs(x - b[k]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b[k]!))));
    const tt = fill(sig, edges, cut(sig), true);
    expect(tt.y.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    close(ch.samples.find((s) => s.name === "ttbar")!.data, tt.y);
    const wj = fill(bkg, edges, (i) => cut(bkg)(i) && bkg.nj[i]! < 7, true).y.map((x) => 2 * x);
    expect(wj.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    close(ch.samples.find((s) => s.name === "W+jets")!.data, wj);
    close(ws.observations[0]!.data, fill(data, edges, cut(data), false).y);
    const mods = ch.samples.find((s) => s.name === "ttbar")!.modifiers;
    close(mods.find((m) => m.type === "staterror")!.data as number[], tt.v.map(Math.sqrt));
    // NormPlusShape as cabinetry: normsys = total ratio, histosys = variation rescaled to the nominal total
    const total = (a: number[]) => a.reduce((s, x) => s + x, 0);
    const jesUp = fill(up, edges, cut(up), true).y;
    const jesNorm = mods.find((m) => m.name === "jes" && m.type === "normsys")!.data as NormSysData;
    expect(jesNorm.hi).toBeCloseTo(total(jesUp) / total(tt.y), 12);
    close(
      (mods.find((m) => m.name === "jes" && m.type === "histosys")!.data as HistoSysData).hi_data,
      jesUp.map((x) => (x * total(tt.y)) / total(jesUp)),
    );
    const wDown = fill(sig, edges, (i) => sig.nj[i]! >= 4 && sig.nb[i]! >= 3, true).y.map((x) => x * 0.95);
    const wNorm = mods.find((m) => m.name === "wgt" && m.type === "normsys")!.data as NormSysData;
    expect(wNorm.hi).toBeCloseTo(1.1, 6); // weight × 1.1 in float64 of a float32 weight
    expect(wNorm.lo).toBeCloseTo(total(wDown) / total(tt.y), 6);
  });
});
