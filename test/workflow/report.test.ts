import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import type { Browser } from "playwright-core";
import { renderReport, formatNumber, prepareOutputDir } from "../../src/workflow/index.js";
import { isHepflowError } from "../../src/util/index.js";
import { launchChromium, inspectPage } from "../helpers/browser.js";

function png(file: string, w: number, h: number): void {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < p.data.length; i += 4) {
    p.data[i] = 200;
    p.data[i + 1] = 80;
    p.data[i + 2] = 40;
    p.data[i + 3] = 255;
  }
  writeFileSync(file, PNG.sync.write(p));
}

describe("report page", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const input = (plots: string[]) => ({
    title: "AGC ttbar <demo>",
    summary: "test",
    headline: [["ttbar_norm", "1.02 ± 0.05"]] as Array<[string, string]>,
    stages: [{ name: "run", seconds: 2, events: 1000 }],
    tables: [
      {
        title: "Cutflow",
        columns: ["step", "events"],
        rows: [
          ["all", 1000],
          ["1 lepton", 312],
        ],
      },
    ],
    plots: plots.map((f) => ({ title: f, file: f })),
    provenance: [["seed", "1"]] as Array<[string, string]>,
    commands: ["hepflow run x"],
  });

  it("escapes text, and renders with every image loaded and no console errors", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "report-"));
    png(path.join(dir, "a.png"), 40, 30);
    png(path.join(dir, "b.png"), 40, 30);
    writeFileSync(path.join(dir, "report.html"), renderReport(input(["a.png", "b.png"])));
    const html = readFileSync(path.join(dir, "report.html"), "utf8");
    expect(html).toContain("AGC ttbar &lt;demo&gt;");
    const r = await inspectPage(browser, `file://${dir}/report.html`, path.join(dir, "shot.png"));
    expect(r.consoleErrors).toEqual([]);
    expect(r.images).toBe(2);
    expect(r.brokenImages).toEqual([]);
  });

  it("detects a missing image (the check can fail)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "report-"));
    writeFileSync(path.join(dir, "report.html"), renderReport(input(["missing.png"])));
    const r = await inspectPage(browser, `file://${dir}/report.html`);
    expect(r.brokenImages).toEqual(["missing.png"]);
  });
});

describe("report helpers", () => {
  it("formats numbers for tables", () => {
    expect(formatNumber(12345)).toBe("12,345");
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(1.5e-5)).toBe("1.500e-5");
  });
  it("refuses a non-empty output directory without force", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "out-"));
    writeFileSync(path.join(dir, "keep.txt"), "mine");
    let err: unknown;
    try {
      prepareOutputDir(dir);
    } catch (e) {
      err = e;
    }
    expect(isHepflowError(err, "OUTPUT_EXISTS")).toBe(true);
    // With force the old output is kept aside until the new one commits, then removed: nothing stale survives.
    const out = prepareOutputDir(dir, true);
    expect(existsSync(path.join(dir, "keep.txt"))).toBe(false);
    out.abort();
    expect(readFileSync(path.join(dir, "keep.txt"), "utf8")).toBe("mine");
    prepareOutputDir(dir, true).commit();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("numbers in the report (issue 13 item 10)", () => {
  it("rounds value and uncertainty once, from full precision, to the uncertainty's 2 significant digits", async () => {
    const { valueWithUncertainty } = await import("../../src/workflow/report.js");
    // The cases of the issue: toFixed(1) first had shown "0.1000 ± 0" and "0 ± 0".
    expect(valueWithUncertainty(0.05353, 0.01341)).toEqual(["0.054", "0.013"]);
    expect(valueWithUncertainty(0.0462, 0.0073)).toEqual(["0.0462", "0.0073"]);
    expect(valueWithUncertainty(1234.567, 35.2)).toEqual(["1235", "35"]);
    expect(valueWithUncertainty(123456, 2345)).toEqual(["123500", "2300"]);
    expect(valueWithUncertainty(1.00213, 0.0471)).toEqual(["1.002", "0.047"]);
    expect(valueWithUncertainty(0.5, 0)).toEqual(["0.5000", "0"]);
    expect(valueWithUncertainty(1.00012, 0.9963)).toEqual(["1.0", "1.0"]); // rounding up crosses a power of ten
  });
});
