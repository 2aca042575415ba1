import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Command } from "commander";
import { PNG } from "pngjs";
import { register } from "../../src/cli/commands/plot.js";
import { openHistogramFile } from "../../src/plot/index.js";
import { REFERENCE, rootFile } from "../shared.js";

const AGC = path.join(REFERENCE, "agc", "histos_1_file_per_process.json");
const out = mkdtempSync(path.join(tmpdir(), "hepflow-plot-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let text = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((text += String(s)), true));
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
