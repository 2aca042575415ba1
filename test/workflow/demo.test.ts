import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { runDemo, type DemoOptions, type DemoResult } from "../../src/workflow/index.js";
import { inProcessRunner } from "../../src/cli/commands/workflow.js";
import { isHepflowError, type ProgressEvent } from "../../src/util/index.js";
import { launchChromium, inspectPage } from "../helpers/browser.js";
import { rootFile } from "../shared.js";

// the demo runs examples/agc-ttbar/workflow.yml; its hepflow steps run in this process
const demo = (o: Omit<DemoOptions, "hepflow">) => runDemo({ ...o, hepflow: inProcessRunner() });

describe("hepflow demo (the whole chain on generated data)", () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "demo-")), "out");
  let r: DemoResult;
  let browser: Browser;
  beforeAll(async () => {
    // The README's default size: 40k simulated events per sample, pseudo-data at 50 pb^-1.
    r = await demo({ out, seed: 1, workers: 2 });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("writes every output", () => {
    // the report and results beside the workflow's run directory (one work directory per step)
    for (const f of [
      "report.html",
      "results.json",
      "run/generate/data/dataset.json",
      "run/selection/out/histograms.root",
      "run/selection/out/histograms.json",
      "run/selection/out/cutflow.json",
      "run/workspace/workspace.json",
      "run/_hepflow/state.json",
    ]) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    const html = readFileSync(r.report, "utf8");
    const plots = ["yields/prefit_4j1b_CR.png", "yields/postfit_4j2b_SR.png", "fit/pulls.png", "fit/correlation.png", "ranking/ranking.png", "variations/jet_energy_scale/variations_4j2b_ttbar.png", "plots/stack_4j2b.png"];
    for (const p of plots) {
      expect(existsSync(path.join(out, "run", p)), p).toBe(true);
      expect(html, p).toContain(`src="run/${p}"`);
    }
    // every figure of the report is a PNG a step published
    const published = new Set(
      Object.values(r.state.steps)
        .flatMap((s) => JSON.stringify(s.result ?? null).match(/[^"]+\.png/g) ?? [])
        .map((f) => path.relative(out, f)),
    );
    const shown = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!);
    expect(shown.length).toBe(published.size);
    for (const f of shown) expect(published.has(f), f).toBe(true);
  });

  it("recovers the generated ttbar normalisation within its uncertainty", () => {
    // Pseudo-data are Poisson draws of the nominal model (truth 1); with a fixed seed the outcome
    // is deterministic, and a 1σ interval is what the issue asks for.
    expect(r.fit?.converged).toBe(true);
    expect(r.fit!.truth).toBe(1);
    expect(Math.abs(r.fit!.value - 1)).toBeLessThan(r.fit!.uncertainty);
    expect(r.fit!.uncertainty).toBeGreaterThan(0.02);
    expect(r.fit!.uncertainty).toBeLessThan(0.5);
    const results = JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"));
    expect(results.fit.bestfit.ttbar_norm).toBeCloseTo(r.fit!.value, 12);
  });

  it("the report's fit table agrees with results.json to the digits it shows (issue 13 item 10)", () => {
    const results = JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"));
    const html = readFileSync(r.report, "utf8");
    const section = /<h2>Fit results<\/h2>([\s\S]*?)<\/section>/.exec(html)![1]!;
    const rows = [...section.matchAll(/<tr><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) => m.slice(1, 4) as [string, string, string]);
    expect(rows.length).toBe(Object.keys(results.fit.bestfit).length);
    for (const [name, shown, shownErr] of rows) {
      const v = results.fit.bestfit[name] as number,
        u = results.fit.uncertainties[name] as number;
      // The uncertainty keeps 2 significant digits; value and uncertainty are shown to the same
      // decimal place, each within half a unit of that place of the full-precision JSON number.
      const decimals = shownErr.includes(".") ? shownErr.split(".")[1]!.length : 0;
      const half = 0.5 * 10 ** -decimals * (1 + 1e-9);
      expect(Math.abs(Number(shown) - v), name).toBeLessThanOrEqual(half);
      expect(Math.abs(Number(shownErr) - u), name).toBeLessThanOrEqual(half);
      expect(shownErr.replace(/^[0.]+/, "").replace(".", "").length, `${name}: ${shownErr}`).toBe(2);
      expect(shown.includes(".") ? shown.split(".")[1]!.length : 0, name).toBe(decimals);
    }
    const stat = rows.filter(([n]) => n.startsWith("staterror")).length;
    expect(stat).toBeGreaterThan(0);
    expect(section).toContain(`the ${stat} staterror γ parameters are listed here and left out of the pulls plot`);
  });

  it("takes its stage table, timings and commands from the workflow's step records", () => {
    const steps = Object.values(r.state.steps).filter((s) => !s.init);
    // ml_plots applies only with --ml: its cases add no step
    expect(steps.map((s) => s.id).sort()).toEqual(["cutflow", "fit", "generate", "plots", "ranking", "selection", "significance", "variations", "workspace", "yields"]);
    expect(steps.every((s) => s.status === "done" && !s.reused)).toBe(true);
    expect(r.stages.map((s) => s.name)).toEqual(steps.map((s) => s.id));
    expect(r.stages.map((s) => s.seconds)).toEqual(steps.map((s) => s.seconds));
    // every step with a process has its command, in run order, as the engine recorded it
    const withCmd = steps.filter((s) => s.command);
    expect(r.commands.map((c) => c.split("\n")[0])).toEqual(withCmd.map((s) => `# ${s.id}`));
    const verbs = r.commands.map((c) => c.split("\n")[1]!.split(" ")[1]);
    expect(verbs).toEqual(withCmd.map((s) => ({ generate: "generate", selection: "run", plots: "plot", workspace: "build", fit: "fit", ranking: "ranking", significance: "significance", yields: "yields", variations: "plot" })[s.id]));
    // all processes and variations: 9 simulated samples of 40000 events and the pseudo-data
    expect(r.stages.find((s) => s.name === "selection")!.events).toBeGreaterThan(9 * 40_000);
    const html = readFileSync(r.report, "utf8");
    for (const s of withCmd) expect(html).toContain(`# ${s.id}\nhepflow `);
    expect(html).toContain("workflow (sha256)");
  });

  it("renders in Chromium with no console errors and every image loaded", async () => {
    const res = await inspectPage(browser, `file://${r.report}`, path.join(out, "report-screenshot.png"));
    expect(res.consoleErrors).toEqual([]);
    expect(res.brokenImages).toEqual([]);
    expect(res.images).toBeGreaterThanOrEqual(10);
  });

  it("refuses to overwrite the output directory without force", async () => {
    const err = await demo({ out }).catch((e) => e);
    expect(isHepflowError(err, "OUTPUT_EXISTS")).toBe(true);
  });

  it("runs on the real 200-event NanoAOD file: plumbing and cutflow, no fit (nothing reaches a region)", async () => {
    const o2 = path.join(mkdtempSync(path.join(tmpdir(), "demo-real-")), "out");
    const stepEvents: string[] = [];
    const progress: ProgressEvent[] = [];
    const r2 = await runDemo({ out: o2, input: rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root"), workers: 0, hepflow: inProcessRunner({ progress: (e) => progress.push(e) }), onStep: (e) => stepEvents.push(`${e.kind} ${e.step.id}`) });
    expect(r2.fit).toBeUndefined();
    // live progress: every step's start and end, in order (one step at a time), and the selection's
    // event count through the progress listener instead of into its step log
    expect(stepEvents).toEqual(["generate", "selection", "cutflow", "plots"].flatMap((id) => [`start ${id}`, `done ${id}`]));
    expect(progress.filter((e) => e.unit === "events").at(-1)).toMatchObject({ done: 200, total: 200 });
    expect(readFileSync(path.join(o2, "run/_hepflow/logs/selection.log"), "utf8")).not.toMatch(/200\/200 events/);
    // the fit stages' cases apply to nothing: no workspace, fit, ranking, significance, yields or variations step
    expect(
      Object.keys(r2.state.steps)
        .filter((s) => s !== "init")
        .sort(),
    ).toEqual(["cutflow", "generate", "plots", "selection"]);
    expect(existsSync(path.join(o2, "results.json"))).toBe(false);
    const cut = JSON.parse(readFileSync(path.join(o2, "run/selection/out/cutflow.json"), "utf8"));
    const c = Object.values(cut)[0] as Record<string, number>;
    expect(c.all).toBe(200);
    expect(c.oneLepton).toBe(14);
    expect(c.r4j1b! + c.r4j2b!).toBe(0);
  });
});

describe("hepflow demo --ml", () => {
  it("runs the AGC ML variant (processor parameter ml) and shows the seven ML validation features in the report", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "demo-ml-")), "out");
    const r = await demo({ out, seed: 1, workers: 2, ml: true }); // the README size: W+jets reaches 4j2b
    expect(existsSync(path.join(out, "run/selection/out/histograms_ml.root"))).toBe(true);
    const html = readFileSync(r.report, "utf8");
    for (const f of ["deltar_leptonbtoplep", "deltar_w1w2", "deltar_w1btophad", "mass_leptonbtoplep", "mass_w1w2", "mass_w1w2btophad", "pt_w1w2btophad"]) {
      expect(existsSync(path.join(out, "run/ml_plots", `stack_${f}.png`)), f).toBe(true);
      expect(html).toContain(`src="run/ml_plots/stack_${f}.png"`);
    }
    expect(r.commands.join("\n")).toContain("-P ml=true");
  }, 300_000);
});
