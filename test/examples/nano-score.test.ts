// examples/nano-score on the CMS 2015 NanoAOD of ../shared/data (200 events): the events kept are
// those a plain loop over the input selects, the output keeps NanoAOD collections (counters), and
// the new per-event branch equals `hepflow predict` of the same ONNX model on the same events'
// inputs, computed here by plain loops from the slim file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openFile } from "../../src/root/index.js";
import type { Jagged } from "../../src/util/index.js";
import { rootFile } from "../shared.js";
// @ts-expect-error plain JS example without types
import { scoreNano, DEFAULT_MODEL, SCORE } from "../../examples/nano-score/index.mjs";

const NANO = rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root");
const BIN = new URL("../../bin/hepflow.js", import.meta.url).pathname;
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-nano-score-"));

type J = Jagged & { content: Float32Array };
const items = (j: J, i: number) => Array.from(j.content.subarray(j.offsets[i]!, j.offsets[i + 1]!));

describe("examples/nano-score", () => {
  it("preselects, scores every kept event with the ONNX model, writes a slimmer NanoAOD", async () => {
    const out = path.join(dir, "scored.root");
    const r = await scoreNano([NANO], out);
    // the preselection by a plain loop over the input: ≥ 2 jets and ≥ 1 lepton above 25 GeV
    const fin = await openFile(NANO);
    const cin = await (await fin.tree("Events")).arrays(["event", "Jet_pt", "Muon_pt", "Electron_pt"]);
    await fin.close();
    const want: bigint[] = [];
    for (let i = 0; i < (cin.event as ArrayLike<unknown>).length; i++) {
      const nj = items(cin.Jet_pt as J, i).filter((p) => p > 25).length;
      const nl = items(cin.Muon_pt as J, i).filter((p) => p > 25).length + items(cin.Electron_pt as J, i).filter((p) => p > 25).length;
      if (nj >= 2 && nl >= 1) want.push(BigInt((cin.event as ArrayLike<number | bigint>)[i]!));
    }
    expect(r.entriesIn).toBe(200);
    expect(r.entriesOut).toBe(want.length);
    expect(want.length).toBeGreaterThan(10); // 25 of these W+jets-like events

    const f = await openFile(out);
    const t = await f.tree("Events");
    expect(t.branches.find((b) => b.name === "Jet_pt")?.counter).toBe("nJet"); // collections stay NanoAOD collections
    expect(t.branches.length).toBe(r.branches.length);
    const c = await t.arrays(["event", "Jet_pt", "Jet_btagCSVV2", "Muon_pt", "Electron_pt", "MET_pt", SCORE]);
    await f.close();
    expect(Array.from(c.event as ArrayLike<number | bigint>, (v) => BigInt(v))).toEqual(want);

    // the six inputs of features.mjs, by plain loops, as a CSV for `hepflow predict`
    const rows = ["njet,nbtag,ht,jet1_pt,lep_pt,met"];
    for (let i = 0; i < want.length; i++) {
      const jets = items(c.Jet_pt as J, i),
        btag = items(c.Jet_btagCSVV2 as J, i);
      const good = jets.map((p) => p > 25);
      const ht = jets.reduce((s, p, k) => s + (good[k] ? p : 0), 0);
      const lead = (a: number[]) => (a.length ? Math.max(...a) : 0);
      rows.push([good.filter(Boolean).length, jets.filter((_p, k) => good[k] && btag[k]! > 0.5).length, ht, lead(jets), Math.max(lead(items(c.Muon_pt as J, i)), lead(items(c.Electron_pt as J, i))), (c.MET_pt as Float32Array)[i]].join(","));
    }
    const csv = path.join(dir, "rows.csv");
    writeFileSync(csv, rows.join("\n") + "\n");
    const p = spawnSync(process.execPath, [BIN, "predict", DEFAULT_MODEL, csv, "--json"], { encoding: "utf8" });
    expect(p.status, p.stderr).toBe(0);
    const scores = (JSON.parse(p.stdout) as { scores: number[][] }).scores.map((s) => s[0]!);
    const branch = Array.from(c[SCORE] as Float32Array);
    expect(branch).toHaveLength(want.length);
    // the same runtime on the same float32 inputs: equal up to the float32 → JSON → float32 round trip (none)
    for (let i = 0; i < want.length; i++) expect(branch[i]).toBe(Math.fround(scores[i]!));
    // the model separates: ttbar-like events (≥ 4 jets, a b-tag) score above the others on average
    expect(Math.max(...branch)).toBeGreaterThan(0.9);
    expect(Math.min(...branch)).toBeLessThan(0.1);
  }, 30_000);
});
