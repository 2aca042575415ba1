import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { runDemo, type DemoResult } from "../../src/workflow/index.js";
import { isHepflowError } from "../../src/util/index.js";
import { launchChromium, inspectPage } from "../helpers/browser.js";
import { rootFile } from "../shared.js";

describe("hepflow demo (the whole chain on generated data)", () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "demo-")), "out");
  let r: DemoResult;
  let browser: Browser;
  beforeAll(async () => {
    // The README's default size: 40k simulated events per sample, pseudo-data at 50 pb^-1.
    r = await runDemo({ out, seed: 1, workers: 2 });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => { await browser?.close(); });

  it("writes every output", () => {
    for (const f of ["report.html", "histograms.root", "histograms.json", "cutflow.json", "workspace.json", "results.json", "data/dataset.json"]) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    const plots = readdirSync(path.join(out, "plots")).filter((f) => f.endsWith(".png"));
    for (const p of ["pre-fit_4j1b_CR.png", "post-fit_4j2b_SR.png", "pulls.png", "correlation.png", "ranking.png", "variation_4j2b_ttbar_jet_energy_scale.png"]) expect(plots).toContain(p);
    const html = readFileSync(r.report, "utf8");
    for (const p of plots) expect(html, p).toContain(`src="plots/${p}"`);
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

  it("lists the stage-by-stage commands and timings", () => {
    expect(r.commands.map((c) => c.split(" ").find((w) => !w.includes("=") && w !== "hepflow"))).toEqual(["generate", "run", "build", "fit", "ranking", "significance"]);
    expect(r.stages.find((s) => s.name.startsWith("AGC"))!.events).toBeGreaterThan(300_000);
  });

  it("renders in Chromium with no console errors and every image loaded", async () => {
    const res = await inspectPage(browser, `file://${r.report}`, path.join(out, "report-screenshot.png"));
    expect(res.consoleErrors).toEqual([]);
    expect(res.brokenImages).toEqual([]);
    expect(res.images).toBeGreaterThanOrEqual(10);
  });

  it("refuses to overwrite the output directory without force", async () => {
    const err = await runDemo({ out }).catch((e) => e);
    expect(isHepflowError(err, "OUTPUT_EXISTS")).toBe(true);
  });

  it("runs on the real 200-event NanoAOD file: plumbing and cutflow, no fit (nothing reaches a region)", async () => {
    const o2 = path.join(mkdtempSync(path.join(tmpdir(), "demo-real-")), "out");
    const r2 = await runDemo({ out: o2, input: rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root"), workers: 0 });
    expect(r2.fit).toBeUndefined();
    const cut = JSON.parse(readFileSync(path.join(o2, "cutflow.json"), "utf8"));
    const c = Object.values(cut)[0] as Record<string, number>;
    expect(c.all).toBe(200);
    expect(c.oneLepton).toBe(14);
    expect(c.r4j1b + c.r4j2b).toBe(0);
  });
});
