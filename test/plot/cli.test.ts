import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Command } from "commander";
import { PNG } from "pngjs";
import { register } from "../../src/cli/commands/plot.js";
import { openHistogramFile } from "../../src/plot/index.js";
import { REFERENCE, rootFile } from "../shared.js";
import { Hist, RegularAxis } from "../../src/hist/index.js";
import type { RootHistogram } from "../../src/root/index.js";
import { openFile } from "../../src/root/index.js";

const AGC = path.join(REFERENCE, "agc", "histos_1_file_per_process.json");
const out = mkdtempSync(path.join(tmpdir(), "hepflow-plot-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let text = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    text += String(s);
    return true;
  });
  try {
    await program.parseAsync(["node", "hepflow", ...args]);
  } finally {
    spy.mockRestore();
  }
  return text;
}

describe("hepflow plot", () => {
  it("stack writes one PNG per region and lists them", async () => {
    const text = await run(["plot", "stack", AGC, "--regions", "4j1b,4j2b", "--samples", "wjets,ttbar", "--data", "pseudodata", "-o", out, "--scale", "1", "--json"]);
    const written = (JSON.parse(text) as { written: { file: string }[] }).written.map((w) => w.file);
    expect(written).toEqual([path.join(out, "stack_4j1b.png"), path.join(out, "stack_4j2b.png")]);
    const png = PNG.sync.read(readFileSync(written[0]!));
    expect(png.width).toBeGreaterThan(500);
  });

  it("variations writes the Vega-Lite spec with the requested variations", async () => {
    await run(["plot", "variations", AGC, "--region", "4j1b", "--sample", "ttbar", "--variations", "scaleup,scaledown", "-o", out, "--format", "vl.json"]);
    const spec = JSON.parse(readFileSync(path.join(out, "variations_4j1b_ttbar.vl.json"), "utf8")) as { vconcat: { layer: { data?: { values: { label: string }[] } }[] }[] };
    const labels = new Set(spec.vconcat[0]!.layer[0]!.data!.values.map((r) => r.label));
    expect([...labels]).toEqual(["ttbar nominal", "scaleup", "scaledown"]);
  });

  it("labels from a fit config's General.Plot; each option overrides its part; a bad key names its path", async () => {
    const config = (plot: string) => {
      const file = path.join(out, `fit-${Math.random().toString(36).slice(2)}.yml`);
      writeFileSync(file, `General:\n  Measurement: m\n  POI: mu\n  InputPath: "h.root:{RegionPath}_{SamplePath}"\n  Plot: ${plot}\nRegions: [{Name: SR}]\nSamples: [{Name: data, Data: true}, {Name: sig}]\nNormFactors: [{Name: mu}]\n`);
      return file;
    };
    const texts = (name: string): string[] => (JSON.stringify(JSON.parse(readFileSync(path.join(out, name), "utf8"))).match(/"text":"[^"]*"/g) ?? []).map((t) => t.slice(8, -1));
    const good = config("{Experiment: ATLAS, Status: Internal, Lumi: 139, Energy: 13}");
    await run(["plot", "hist", AGC, "--name", "4j1b_ttbar", "--fit-config", good, "-o", path.join(out, "a"), "--format", "vl.json"]);
    expect(texts("a/hist_4j1b_ttbar.vl.json")).toEqual(expect.arrayContaining(["ATLAS", "Internal", "139 fb⁻¹ (13 TeV)"]));
    await run(["plot", "hist", AGC, "--name", "4j1b_ttbar", "--fit-config", good, "--experiment", "CMS", "--lumi", "36.1", "-o", path.join(out, "b"), "--format", "vl.json"]);
    const b = texts("b/hist_4j1b_ttbar.vl.json");
    expect(b).toEqual(expect.arrayContaining(["CMS", "Internal", "36.1 fb⁻¹ (13 TeV)"]));
    expect(b).not.toContain("ATLAS");
    await expect(run(["plot", "hist", AGC, "--name", "4j1b_ttbar", "--fit-config", config("{Colour: red}"), "-o", out])).rejects.toMatchObject({ code: "CONFIG_INVALID", object: "General.Plot.Colour" });
  });

  it("hist of a ROOT TH2: a colour map whose cells hold the stored in-range total; --logz gives a log colour scale", async () => {
    const file = rootFile("uproot-hepdata-example.root");
    await run(["plot", "hist", file, "--name", "hpxpy", "--logz", "-o", path.join(out, "h2"), "--format", "vl.json"]);
    const spec = JSON.parse(readFileSync(path.join(out, "h2", "hist_hpxpy.vl.json"), "utf8")) as { layer: { data?: { values: { v?: number }[] }; encoding?: { color?: { scale: { type: string } } } }[] };
    const cells = spec.layer[0]!;
    const f = await openFile(file);
    const tsumw = ((await f.get("hpxpy")) as RootHistogram).stats.tsumw;
    await f.close();
    // unit-weight fills: the in-range bins sum to the stored Σw exactly (the sum of integers below 2^24 is exact)
    expect(cells.data!.values.reduce((a, c) => a + c.v!, 0)).toBe(tsumw);
    expect(cells.encoding!.color!.scale.type).toBe("log");
    // PNG too, at the requested scale
    await run(["plot", "hist", file, "--name", "hpxpy", "-o", path.join(out, "h2png"), "--scale", "1"]);
    expect(PNG.sync.read(readFileSync(path.join(out, "h2png", "hist_hpxpy.png"))).width).toBeGreaterThan(400);
  });

  it("hist of hepflow's histogram JSON: 2D cells where the fills went (x and y not swapped), axis labels as titles", async () => {
    const h = new Hist([new RegularAxis(4, 0, 4, { name: "x", label: "p_T [GeV]" }), new RegularAxis(2, 0, 2, { name: "y", label: "|η|" })], { name: "h2" });
    // three fills in bin (x=3, y=0), one in (x=0, y=1)
    h.fill({ x: [3.5, 3.2, 3.9, 0.5], y: [0.5, 0.1, 0.9, 1.5] });
    const file = path.join(out, "hists.json");
    writeFileSync(file, JSON.stringify({ h2: h.toJSON(), h1: new Hist([new RegularAxis(2, 0, 1, { name: "m" })]).toJSON() }));
    await run(["plot", "hist", file, "--name", "h2", "-o", path.join(out, "hj"), "--format", "vl.json"]);
    const spec = JSON.parse(readFileSync(path.join(out, "hj", "hist_h2.vl.json"), "utf8")) as { layer: { data?: { values: Record<string, number>[] }; encoding?: Record<string, { title?: string }> }[] };
    expect(spec.layer[0]!.data!.values).toEqual([
      { x0: 0, x1: 1, y0: 1, y1: 2, v: 1 },
      { x0: 3, x1: 4, y0: 0, y1: 1, v: 3 },
    ]);
    expect([spec.layer[0]!.encoding!.x!.title, spec.layer[0]!.encoding!.y!.title]).toEqual(["p_T [GeV]", "|η|"]);
    // a 1D hepflow histogram in the same file draws as a 1D plot; a 2D plot of an AGC 1D entry is refused
    await run(["plot", "hist", file, "--name", "h1", "-o", path.join(out, "hj"), "--format", "vl.json"]);
    await expect(run(["plot", "hist", file, "--name", "h3", "-o", out])).rejects.toMatchObject({ code: "PLOT_MISSING_HIST" });
  });

  it("a missing histogram is a HepflowError naming it", async () => {
    await expect(run(["plot", "stack", AGC, "--regions", "4j1b", "--samples", "nope", "-o", out])).rejects.toMatchObject({ code: "PLOT_MISSING_HIST", object: "4j1b_nope" });
  });
});

describe("openHistogramFile", () => {
  it("reads a ROOT TH1F without its flow bins", async () => {
    const f = await openHistogramFile(rootFile("uproot-histograms.root"));
    try {
      const h = await f.get("one");
      // TH1F "one" in uproot's test file: 10 regular bins on [-3, 3].
      expect(h.values.length).toBe(10);
      expect(Array.from(h.edges).map((e) => +e.toFixed(9))).toEqual([-3, -2.4, -1.8, -1.2, -0.6, 0, 0.6, 1.2, 1.8, 2.4, 3]);
      expect(await f.names()).toEqual(["one", "two", "three"]);
    } finally {
      await f.close();
    }
  });
});
