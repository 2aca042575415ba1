import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import * as P from "../../src/plot/index.js";
import type { VegaLiteSpec } from "../../src/plot/index.js";
import { agcStack, smallCls, smallFit } from "./fixtures.js";

/**
 * Golden PNGs catch accidental changes to the look of the main plots. Regenerate deliberately with
 * `HEPFLOW_UPDATE_GOLDEN=1 npx vitest run test/plot/golden.test.ts` and look at the new files before committing.
 * They need the DejaVu Sans fonts (Debian: fonts-dejavu-core), as every hepflow PNG does.
 */
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden");
// the goldens were drawn with the label that was the default then (CMS Open Data, 13 TeV); it is explicit now
const small = { width: 240, height: 160, experiment: "CMS" as const, status: "Open Data", energy: 13 };

const goldens: [string, () => VegaLiteSpec][] = [
  ["stack", () => P.stackPlot(agcStack(), { ...small, xTitle: "m_bjj [GeV]", luminosity: 3.4 })],
  ["pulls", () => P.pullsPlot(smallFit(), { ...small, exclude: ["mu"] })],
  ["cls", () => P.clsPlot(smallCls(), { ...small })],
];

describe("golden PNGs", () => {
  it("DejaVu Sans is available to the rasteriser", () => {
    expect(P.fontFiles().length).toBeGreaterThan(0);
  });

  it.each(goldens)("%s matches its golden image", async (name, make) => {
    const file = path.join(DIR, `${name}.png`);
    const bytes = await P.renderPNG(make());
    if (process.env.HEPFLOW_UPDATE_GOLDEN) writeFileSync(file, bytes);
    expect(existsSync(file)).toBe(true);
    const actual = PNG.sync.read(bytes);
    const golden = PNG.sync.read(readFileSync(file));
    expect([actual.width, actual.height]).toEqual([golden.width, golden.height]);
    // threshold 0.1 ignores faint anti-aliasing shifts; at most 0.01% of pixels (21 for the stack) may differ beyond
    // that. Checked by hand: raising one data bin of the stack by 3% changes 26 pixels, so real changes fail.
    const diff = pixelmatch(actual.data, golden.data, undefined, actual.width, actual.height, { threshold: 0.1 });
    expect(diff).toBeLessThanOrEqual(Math.ceil(actual.width * actual.height * 1e-4));
  });
});
