/**
 * examples/agc-ttbar/workflow.yml: the demo's chain as a workflow of hepflow steps. The pseudo-data
 * are Poisson draws of the nominal model with ttbar_norm = 1 (docs/generator.md): the fit must
 * recover it within its 1σ uncertainty, as test/workflow/demo.test.ts asks of `hepflow demo`.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { readState } from "../../src/workflow/index.js";

describe("the AGC ttbar chain as a workflow", () => {
  it("generate → selection → cutflow → workspace → fit ∥ ranking ∥ significance ∥ yields ∥ variations, plots; report from the step records", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "hepflow-agcwf-")), "run");
    await runCli("workflow", "run", "examples/agc-ttbar/workflow.yml", "examples/agc-ttbar/workflow-inputs.yml", "--init-dir", ".", "-o", out, "--no-cache", "--quiet", "-j", "2");
    const steps = readState(out).steps;
    const ran = Object.values(steps).filter((s) => !s.init);
    // ml_plots applies only with ml: true (its cases add no step otherwise)
    expect(ran.map((s) => s.id).sort()).toEqual(["cutflow", "fit", "generate", "plots", "ranking", "selection", "significance", "variations", "workspace", "yields"]);
    expect(ran.every((s) => s.status === "done")).toBe(true);
    const fit = JSON.parse(readFileSync(path.join(out, "fit/fit.json"), "utf8")) as { converged: boolean; mle_parameters: Record<string, number[]>; mle_uncertainties: Record<string, number[]> };
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.mle_parameters.ttbar_norm![0]! - 1)).toBeLessThan(fit.mle_uncertainties.ttbar_norm![0]!);
    expect((steps.plots!.result as { plots: string[] }).plots.map((p) => path.relative(out, p))).toEqual(["plots/stack_4j1b.png", "plots/stack_4j2b.png"]);
    expect((steps.variations!.result as { plots: string[] }).plots.map((p) => path.relative(out, p))).toEqual([
      "variations/btag_np_1/variations_4j2b_ttbar.png",
      "variations/jet_energy_scale/variations_4j2b_ttbar.png",
      "variations/wjets_scale/variations_4j1b_wjets.png",
    ]);
    // yields --config: the stacks take the config's edges; a config of another analysis is refused by region name
    expect(steps.yields!.command).toContain("--config");
    await expect(runCli("yields", path.join(out, "workspace/workspace.json"), "--plots", path.join(out, "other"), "--config", "examples/recast/vhbb/fit-config.yml")).rejects.toThrow(/the config has no region "4j1b CR"/);
    await runCli("workflow", "report", out);
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    for (const id of ["generate", "selection", "workspace", "fit", "ranking", "significance"]) expect(html).toContain(`# ${id}\nhepflow `);
    expect(html).toContain('src="plots/stack_4j2b.png"');
  }, 300_000);
});
