/** Exclusion contours: marching triangles must put the CLs level where a hand-computable field crosses it. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { contourSegments, exclusionPlot, renderSVG, writeStandardPlots } from "../../src/plot/index.js";
import type { ExpectedBand } from "../../src/stats/index.js";

/** An expected band from its value at −2σ … +2σ. */
const sigmas = (f: (k: number) => number): ExpectedBand => [f(-2), f(-1), f(0), f(1), f(2)];

describe("exclusion contours", () => {
  it("a field linear in x and y is contoured exactly on its level line (1e-12)", () => {
    // f = x + 2y on an irregular grid: linear interpolation on any triangulation is exact, so the
    // f = 3 contour is the line x + 2y = 3
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 7; i++)
      for (let j = 0; j < 6; j++) {
        xs.push(i + 0.3 * Math.sin(i * 7 + j));
        ys.push(0.6 * j + 0.2 * Math.cos(i + 3 * j));
      }
    const segs = contourSegments(
      xs,
      ys,
      xs.map((x, k) => x + 2 * ys[k]!),
      3,
    );
    expect(segs.length).toBeGreaterThan(3);
    for (const [x1, y1, x2, y2] of segs) {
      expect(Math.abs(x1 + 2 * y1 - 3)).toBeLessThan(1e-12);
      expect(Math.abs(x2 + 2 * y2 - 3)).toBeLessThan(1e-12);
    }
  });

  it("builds a spec with observed and expected curves, and rejects unusable grids", () => {
    const pts = [0, 1, 2].flatMap((x) => [0, 1, 2].map((y) => ({ x, y, clsObs: 10 ** -(x + y), clsExp: [1, 2, 3, 4, 5].map((k) => 10 ** (-(x + y) * (k / 3))) })));
    const spec = exclusionPlot(pts) as { layer: { data: { values: { curve?: string }[] } }[] };
    const curves = new Set(spec.layer[1]!.data.values.map((v) => v.curve));
    expect([...curves].sort()).toEqual(["Expected", "Expected +1σ", "Expected −1σ", "Observed"].sort());
    expect(() => exclusionPlot(pts.slice(0, 2))).toThrow(/at least 3/);
    expect(() => exclusionPlot([...pts, { x: NaN, y: 0, clsObs: 1, clsExp: [1, 1, 1, 1, 1] }])).toThrow(/finite/);
  });

  it("the rendered plot has a legend of the contour lines (colour and dash), beside the grid points'", async () => {
    const pts = [0, 1, 2].flatMap((x) => [0, 1, 2].map((y) => ({ x, y, clsObs: 10 ** -(x + y), clsExp: [1, 2, 3, 4, 5].map((k) => 10 ** (-(x + y) * (k / 3))) })));
    const svg = await renderSVG(exclusionPlot(pts));
    for (const t of ["CLs = 0.05", "Observed", "Expected −1σ", "grid point"]) expect(svg).toContain(t);
  });
});

describe("cls.png of a root-finding limit", () => {
  it("ends at the first point beyond twice the largest limit, not at the search's far bracket", async () => {
    // the root finder's visits: a bracketing search doubling up to 19, then points near the crossing
    const mus = [0, 0.3, 0.4, 0.5, 0.6, 0.9, 1.2, 2.4, 4.7, 9.5, 19];
    const points = mus.map((mu) => ({ mu, cls: Math.exp(-6 * mu), expected: sigmas((k) => Math.exp((-6 * mu) / (1 + 0.3 * k))) }));
    const limit = { obs: 0.5, exp: [0.35, 0.42, 0.5, 0.62, 0.9] satisfies ExpectedBand, cl: 0.95, method: "root" as const, points, converged: true };
    const dir = mkdtempSync(path.join(tmpdir(), "hepflow-cls-"));
    const [file] = await writeStandardPlots(dir, { limit, poiName: "mu" }, {}, "vl.json");
    const spec = JSON.stringify(JSON.parse(readFileSync(file!, "utf8")));
    // 2 × 0.9 = 1.8: the plot runs from 0 to 2.4, the first visited point beyond it
    expect(spec).toContain('"domain":[0,2.4]');
    // a scan grid is drawn as the user chose it
    const [scan] = await writeStandardPlots(path.join(dir, "scan"), { limit: { ...limit, method: "scan" as const }, poiName: "mu" }, {}, "vl.json");
    expect(JSON.stringify(JSON.parse(readFileSync(scan!, "utf8")))).toContain('"domain":[0,19]');
  });
});
