import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalExecutor, loadDataset } from "../../src/analysis/index.js";
import type { Dataset } from "../../src/analysis/index.js";
import { openFile } from "../../src/root/index.js";
import { generateAgc } from "../../src/generate/index.js";
import type { Jagged } from "../../src/util/index.js";
import type { Columns } from "../../src/util/index.js";
import { rootFile } from "../shared.js";
import type { Ev } from "./agc-events.js";
import { referenceHistograms } from "./agc-reference.js";
// @ts-expect-error plain JS example module
import { columns as agcColumns } from "../../examples/agc-ttbar/index.mjs";
// @ts-expect-error plain JS example module
import { namedHistograms, histogramsJson, writeOutputs } from "../../examples/agc-ttbar/outputs.mjs";
// @ts-expect-error plain JS example module
import { gaussian, seedOf } from "../../examples/agc-ttbar/physics.mjs";

const processor = new URL("../../examples/agc-ttbar/index.mjs", import.meta.url).pathname;

/** Events as objects, from columns read directly with the TTree reader (not through the executor). */
async function readEvents(path: string): Promise<Ev[]> {
  const f = await openFile(path);
  const c: Columns = await (await f.tree("Events")).arrays(agcColumns);
  await f.close();
  const n = (c.Jet_pt as Jagged).length;
  const objs = (prefix: string, fields: Record<string, string>, i: number) => {
    const first = c[`${prefix}_${Object.values(fields)[0]}`] as Jagged;
    const out = [];
    for (let k = first.offsets[i]!; k < first.offsets[i + 1]!; k++) {
      const o: Record<string, number> = {};
      for (const [key, field] of Object.entries(fields)) o[key] = Number(((c[`${prefix}_${field}`] as Jagged).content as Float32Array)[k]);
      out.push(o);
    }
    return out;
  };
  return Array.from({ length: n }, (_, i) => ({
    electrons: objs("Electron", { pt: "pt", eta: "eta", id: "cutBased", sip3d: "sip3d" }, i),
    muons: objs("Muon", { pt: "pt", eta: "eta", id: "tightId", sip3d: "sip3d", iso: "pfRelIso04_all" }, i),
    jets: objs("Jet", { pt: "pt", eta: "eta", phi: "phi", mass: "mass", btag: "btagCSVV2", jetId: "jetId" }, i),
  })) as unknown as Ev[];
}

describe("AGC on the real 200-event NanoAOD file (W+jets, spec §9.4)", () => {
  it("reads the 15 branches, finds 14 one-lepton events and no region, writes no histogram", async () => {
    const path = rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root");
    const ds: Dataset = { samples: [{ name: "wjets__nominal", treeName: "Events", files: [{ path, nevts: 200 }], nevts: 200, metadata: { process: "wjets", variation: "nominal" } }] };
    const r = await new LocalExecutor().run(processor, ds, { workers: 2, chunkSize: 50 });
    const acc = r.accumulator as { cutflow: Record<string, Record<string, number>>; hists: Record<string, unknown> };
    expect(acc.cutflow.wjets__nominal).toEqual({ all: 200, oneLepton: 14, fourJets: 0, oneBtag: 0, r4j1b: 0, r4j2b: 0 });
    // independent count with the per-event loop over the same columns
    const events = await readEvents(path);
    expect(events.filter((e) => Object.keys(referenceHistograms([e], "wjets", "nominal", 200)).length > 0)).toHaveLength(0);
    const out = mkdtempSync(join(tmpdir(), "hepflow-agc-real-"));
    await writeOutputs(acc, { outDir: out, print: () => undefined });
    expect(JSON.parse(readFileSync(join(out, "histograms.json"), "utf8"))).toEqual({});
    expect(JSON.parse(readFileSync(join(out, "cutflow.json"), "utf8")).wjets__nominal.oneLepton).toBe(14);
  }, 30_000);
});

describe("AGC on a generated dataset", () => {
  let ds: Dataset;
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), "hepflow-agc-gen-"));
    // tiny pseudo-data luminosity: the data sample is skipped by the processor anyway
    const g = await generateAgc({ events: 2000, out, filesPerSample: 1, dataLuminosity: 0.001, seed: 7 });
    ds = loadDataset(g.catalogue);
  }, 60_000);

  it("matches the independent per-event loop for every histogram, and is bit-identical for 0 and 2 workers", async () => {
    const r2 = await new LocalExecutor().run(processor, ds, { workers: 2, chunkSize: 1_000_000 });
    const r0 = await new LocalExecutor().run(processor, ds, { workers: 0, chunkSize: 1_000_000 });
    const h2 = histogramsJson(namedHistograms((r2.accumulator as { hists: unknown }).hists)) as Record<string, { contents: number[] }>;
    const h0 = histogramsJson(namedHistograms((r0.accumulator as { hists: unknown }).hists)) as Record<string, { contents: number[] }>;
    expect(h2).toEqual(h0);
    expect(r2.eventsBySample.data__nominal).toBeUndefined(); // data is not processed
    const expected: Record<string, number[]> = {};
    for (const s of ds.samples) {
      const { process, variation } = s.metadata as { process: string; variation: string };
      if (process === "data") continue;
      expect(s.files).toHaveLength(1); // one chunk per file: sums run in the same event order, so equality is exact
      const seed = seedOf(`20240101/${s.name}/0`);
      Object.assign(
        expected,
        referenceHistograms(await readEvents(s.files[0]!.path), process, variation, s.nevts!, (entry, j) => gaussian(seed, entry, j)),
      );
    }
    const got = Object.fromEntries(
      Object.entries(h2)
        .filter(([k]) => !k.endsWith("pseudodata"))
        .map(([k, v]) => [k, v.contents]),
    );
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) expect([k, got[k]]).toEqual([k, expected[k]]);
    expect(Object.keys(got).length).toBeGreaterThan(60); // most of the 122 cells are filled at this size (W+jets rarely reaches 4j2b)
    const cut = (r2.accumulator as { cutflow: Record<string, Record<string, number>> }).cutflow;
    expect(cut.ttbar__nominal!.r4j2b).toBeGreaterThan(30);
  }, 60_000);
});
