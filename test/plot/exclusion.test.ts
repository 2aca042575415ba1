/** Exclusion contours: marching triangles must put the CLs level where a hand-computable field crosses it. */
import { describe, expect, it } from "vitest";
import { contourSegments, exclusionPlot } from "../../src/plot/index.js";

describe("exclusion contours", () => {
  it("a field linear in x and y is contoured exactly on its level line (1e-12)", () => {
    // f = x + 2y on an irregular grid: linear interpolation on any triangulation is exact, so the
    // f = 3 contour is the line x + 2y = 3
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 7; i++) for (let j = 0; j < 6; j++) {
      xs.push(i + 0.3 * Math.sin(i * 7 + j));
      ys.push(0.6 * j + 0.2 * Math.cos(i + 3 * j));
    }
    const segs = contourSegments(xs, ys, xs.map((x, k) => x + 2 * ys[k]), 3);
    expect(segs.length).toBeGreaterThan(3);
    for (const [x1, y1, x2, y2] of segs) {
      expect(Math.abs(x1 + 2 * y1 - 3)).toBeLessThan(1e-12);
      expect(Math.abs(x2 + 2 * y2 - 3)).toBeLessThan(1e-12);
    }
  });

  it("builds a spec with observed and expected curves, and rejects unusable grids", () => {
    const pts = [0, 1, 2].flatMap((x) => [0, 1, 2].map((y) => ({ x, y, clsObs: 10 ** -(x + y), clsExp: [1, 2, 3, 4, 5].map((k) => 10 ** (-(x + y) * (k / 3))) })));
    const spec = exclusionPlot(pts) as { layer: { data: { values: { curve?: string }[] } }[] };
    const curves = new Set(spec.layer[1].data.values.map((v) => v.curve));
    expect([...curves].sort()).toEqual(["Expected", "Expected +1σ", "Expected −1σ", "Observed"].sort());
    expect(() => exclusionPlot(pts.slice(0, 2))).toThrow(/at least 3/);
    expect(() => exclusionPlot([...pts, { x: NaN, y: 0, clsObs: 1, clsExp: [1, 1, 1, 1, 1] }])).toThrow(/finite/);
  });
});
