import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildWorkspace, loadBuilderConfig, workspaceToDatacard, writeShapes } from "../../src/stats/index.js";
import type { WorkspaceSpec } from "../../src/stats/index.js";
import { openFile } from "../../src/root/index.js";
import type { RootHistogram } from "../../src/root/index.js";
import { REFERENCE } from "../shared.js";

const dir = mkdtempSync(path.join(tmpdir(), "hepflow-datacard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The datacard's non-comment lines split into whitespace-separated cells. */
const rows = (text: string) =>
  text
    .split("\n")
    .filter((l) => l && !l.startsWith("#") && !l.startsWith("-"))
    .map((l) => l.trim().split(/\s+/));

describe("Combine datacard from the all-modifiers reference workspace", () => {
  const spec = JSON.parse(readFileSync(path.join(REFERENCE, "stats", "all_modifiers_2channel.json"), "utf8")) as WorkspaceSpec;
  const card = workspaceToDatacard(spec);
  const r = rows(card.text);
  const find = (first: string, second?: string) => r.filter((x) => x[0] === first && (second === undefined || x[1] === second));

  it("lists channels, observations and one column per (channel, sample)", () => {
    expect(find("imax")[0]![1]).toBe(String(spec.channels.length));
    const bins = find("bin");
    expect(bins[0]!.slice(1)).toEqual(spec.channels.map((c) => c.name));
    expect(find("observation")[0]!.slice(1).map(Number)).toEqual(spec.observations.map((o) => o.data.reduce((a, b) => a + b, 0)));
    const columns = spec.channels.flatMap((c) => c.samples.map((s) => [c.name, s.name]));
    expect(bins[1]!.slice(1)).toEqual(columns.map((c) => c[0]));
    const [names = [], ids = []] = find("process");
    expect(names.slice(1)).toEqual(columns.map((c) => c[1]));
    // the POI's sample is the only signal (index <= 0); backgrounds get positive ids
    names.slice(1).forEach((n, i) => expect(Number(ids[i + 1]) <= 0).toBe(n === "signal"));
  });

  it("maps normsys to lnN (down/up), histosys to shape, normfactor and lumi to rateParam, staterror to autoMCStats", () => {
    const columns = spec.channels.flatMap((c) => c.samples.map((s) => ({ c, s })));
    for (const name of ["sig_xsec", "ttbar_extrap", "wjets_norm"]) {
      const line = find(name, "lnN")[0]!;
      columns.forEach(({ s }, i) => {
        const m = s.modifiers.find((x) => x.name === name && x.type === "normsys");
        const d = m?.data as { hi: number; lo: number } | undefined;
        expect(line[i + 2]).toBe(d ? `${d.lo}/${d.hi}` : "-");
      });
    }
    const jes = find("jes", "shape")[0]!;
    columns.forEach(({ s }, i) => expect(jes[i + 2]).toBe(s.modifiers.some((m) => m.name === "jes" && m.type === "histosys") ? "1" : "-"));
    const rp = find("mu", "rateParam");
    expect(rp.map((x) => x.slice(2))).toEqual([
      ["SR", "signal", "1", "[0,20]"],
      ["CR_qcd", "signal", "1", "[0,20]"],
    ]);
    const lumiSettings = spec.measurements[0]!.config.parameters.find((p) => p.name === "lumi")!;
    expect(find("lumi", "param")[0]!.slice(2).map(Number)).toEqual([lumiSettings.auxdata![0], lumiSettings.sigmas![0]]);
    expect(find("SR", "autoMCStats")[0]!.slice(2)).toEqual(["0", "0", "1"]);
    // what Combine cannot express is said, in the card and in the result
    expect(card.unmapped.some((u) => u.includes("shapesys") && u.includes("wjets_shape"))).toBe(true);
    expect(card.unmapped.some((u) => u.includes("shapefactor") && u.includes("qcd_sf"))).toBe(true);
    expect(card.unmapped.some((u) => u.includes("theory_fixed") && u.includes("fixed"))).toBe(true);
    for (const u of card.unmapped) expect(card.text).toContain(`# NOT MAPPED: ${u}`);
  });

  it("writes the templates to a ROOT file that reads back", async () => {
    const file = path.join(dir, "shapes.root");
    await writeShapes(file, card.shapes);
    const f = await openFile(file);
    const sr = spec.channels.find((c) => c.name === "SR")!;
    const ttbar = sr.samples.find((s) => s.name === "ttbar")!;
    const h = (await f.get("SR/ttbar")) as RootHistogram;
    expect(Array.from(h.contents.slice(1, -1))).toEqual(ttbar.data);
    const stat = ttbar.modifiers.find((m) => m.type === "staterror")!.data as number[];
    // sumw2 holds the squared staterror widths; squaring then reading back is exact to rounding
    Array.from(h.sumw2!.slice(1, -1)).forEach((v, i) => expect(Math.abs(v - stat[i]! ** 2)).toBeLessThan(1e-12 * stat[i]! ** 2));
    const up = (await f.get("SR/ttbar_jesUp")) as RootHistogram;
    const jes = ttbar.modifiers.find((m) => m.name === "jes" && m.type === "histosys")!.data as { hi_data: number[] };
    expect(Array.from(up.contents.slice(1, -1))).toEqual(jes.hi_data);
    const obs = (await f.get("CR_ttbar/data_obs")) as RootHistogram;
    expect(Array.from(obs.contents.slice(1, -1))).toEqual(spec.observations.find((o) => o.name === "CR_ttbar")!.data);
    await f.close();
  });
});

describe("Combine datacard from the AGC workspace (NormPlusShape)", () => {
  it("shape templates reproduce the input variation histograms", async () => {
    const agc = path.join(REFERENCE, "agc");
    const histos = path.join(agc, "histos_1_file_per_process.json");
    const ws = await buildWorkspace(loadBuilderConfig(path.join(agc, "cabinetry_config.yml")), { inputFile: histos });
    const card = workspaceToDatacard(ws);
    const raw = JSON.parse(readFileSync(histos, "utf8")) as Record<string, { contents: number[] }>;
    // independent rebinning: in-range bins 3.. merged pairwise (spec §8.2)
    const rebinned = (k: string) => Array.from({ length: 11 }, (_, b) => raw[k]!.contents[4 + 2 * b]! + raw[k]!.contents[5 + 2 * b]!);
    const t = (p: string) => card.shapes.find((x) => x.path === p)!.contents;
    // a normsys+histosys pair goes into one shape line whose up template is the raw up variation
    const u = rebinned("4j2b_wjets_btag_var_0_up");
    const d = rebinned("4j2b_wjets_btag_var_0_down");
    const rel = 1e-12; // (u·S_n/S_u)·(S_u/S_n) round-trips to a few ulps
    t("_4j2b_SR/W_jets_b_tag_NP_1Up").forEach((v, i) => expect(Math.abs(v - u[i]!)).toBeLessThanOrEqual(rel * u[i]!));
    t("_4j2b_SR/W_jets_b_tag_NP_1Down").forEach((v, i) => expect(Math.abs(v - d[i]!)).toBeLessThanOrEqual(rel * d[i]!));
    expect(rows(card.text).some((x) => x[0] === "b_tag_NP_1" && x[1] === "lnN")).toBe(false);
    expect(card.renamed["4j2b SR"]).toBe("_4j2b_SR");
  });
});
