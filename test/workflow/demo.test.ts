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

  it("the report's fit table agrees with results.json to the digits it shows (issue 13 item 10)", () => {
    const results = JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"));
    const html = readFileSync(r.report, "utf8");
    const section = /<h2>Fit results<\/h2>([\s\S]*?)<\/section>/.exec(html)![1]!;
    const rows = [...section.matchAll(/<tr><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) => m.slice(1, 4) as [string, string, string]);
    expect(rows.length).toBe(Object.keys(results.fit.bestfit).length);
    for (const [name, shown, shownErr] of rows) {
      const v = results.fit.bestfit[name] as number, u = results.fit.uncertainties[name] as number;
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

describe("hepflow demo --ml", () => {
  it("runs the AGC ML variant (processor parameter ml) and shows the seven ML validation features in the report", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "demo-ml-")), "out");
    const r = await runDemo({ out, seed: 1, workers: 2, ml: true }); // the README size: W+jets reaches 4j2b
    expect(existsSync(path.join(out, "histograms_ml.root"))).toBe(true);
    const html = readFileSync(r.report, "utf8");
    for (const f of ["deltar_leptonbtoplep", "deltar_w1w2", "deltar_w1btophad", "mass_leptonbtoplep", "mass_w1w2", "mass_w1w2btophad", "pt_w1w2btophad"]) {
      expect(existsSync(path.join(out, "plots", `ml_${f}.png`)), f).toBe(true);
      expect(html).toContain(`src="plots/ml_${f}.png"`);
    }
    expect(r.commands.join("\n")).toContain("-P ml=true");
  }, 300_000);
});
