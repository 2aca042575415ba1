import { describe, expect, it } from "vitest";
import * as P from "../../src/plot/index.js";
import { uniqueLabels } from "../../src/plot/style.js";
import { agcStack } from "./fixtures.js";
import { chi2Sf } from "../../src/stats/index.js";

/** Every text mark of a spec. */
const texts = (spec: unknown): string[] =>
  JSON.stringify(spec)
    .match(/"text":"[^"]*"/g)
    ?.map((t) => t.slice(8, -1)) ?? [];

describe("plot labels (issue 14 item 4)", () => {
  it("no experiment, status, luminosity or energy unless asked for", () => {
    const plain = texts(P.stackPlot(agcStack(), {}));
    expect(plain.some((t) => /CMS|ATLAS|Open Data|TeV|fb⁻¹/.test(t))).toBe(false);
    const atlas = texts(P.stackPlot(agcStack(), { experiment: "ATLAS", status: "Internal", luminosity: 139, energy: 13 }));
    expect(atlas).toEqual(expect.arrayContaining(["ATLAS", "Internal", "139 fb⁻¹ (13 TeV)"]));
    expect(atlas.some((t) => t.includes("CMS"))).toBe(false);
  });

  it("correlation matrix: top-N by strongest |ρ| with the rule printed; labels unique after shortening", () => {
    const n = 30;
    const names = Array.from({ length: n }, (_, i) => `staterror_SR_metsigST_long_channel[${i}]`);
    // parameter i correlates with i+1 by ρ = i/100: the strongest are the last ones
    const corr = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : Math.abs(i - j) === 1 ? Math.max(i, j) / 100 : 0)));
    const spec = P.correlationPlot({ parameterNames: names, bestfit: names.map(() => 0), uncertainties: names.map(() => 1), correlation: corr }, { top: 5 });
    const t = texts(spec);
    expect(t).toContain(`5 of ${n} parameters: the 5 most correlated`);
    const shown = new Set(JSON.stringify(spec).match(/"a":"[^"]*"/g));
    expect(shown.size).toBe(5);
    expect(uniqueLabels(names, 20).every((l) => l.length <= 20)).toBe(true);
    expect(new Set(uniqueLabels(names, 20)).size).toBe(n);
    expect(uniqueLabels(["a_very_long_prefix_X_same_end", "a_very_long_prefix_Y_same_end"], 10)).toEqual(["a_very_long_prefix_X_same_end", "a_very_long_prefix_Y_same_end"]);
  });

  it("a single histogram has no ratio panel, no band unless asked, and its x axis on the main panel", () => {
    const h = agcStack().mc[0]!;
    const plain = P.histogramPlot(h, { xTitle: "m [GeV]" }) as Record<string, unknown>;
    expect(plain.vconcat).toBeUndefined();
    const layers = plain.layer as { mark: { opacity?: number }; encoding: { x?: { title?: string } } }[];
    expect(layers.filter((l) => l.mark.opacity === 0.45)).toHaveLength(0);
    expect(layers[0]!.encoding.x!.title).toBe("m [GeV]");
    const banded = P.histogramPlot(h, { band: true }) as { layer: { mark: { opacity?: number } }[] };
    expect(banded.layer.filter((l) => l.mark.opacity === 0.45)).toHaveLength(1);
    // stacks keep their ratio panel
    expect((P.stackPlot(agcStack(), {}) as Record<string, unknown>).vconcat).toBeDefined();
  });

  it("scan plot: the curve with the 1σ and 2σ levels at Δ(−2 ln L) = 1 and 4", () => {
    const x = [0, 0.5, 1, 1.5, 2];
    const spec = P.scanPlot(
      x,
      x.map((v) => ((v - 1) / 0.5) ** 2),
      { xTitle: "mu" },
    ) as { layer: { data: { values: { y: number; t?: string }[] } }[] };
    expect(spec.layer[0]!.data.values).toEqual([
      { y: 1, t: "1σ" },
      { y: 4, t: "2σ" },
    ]);
    expect(spec.layer[2]!.data.values.map((r) => r.y)).toEqual([4, 1, 0, 1, 4]);
    expect(() => P.scanPlot([1], [0])).toThrow(/at least 2 points/);
  });

  it("goodness of fit: the shaded tail of the χ² density has the area of the p-value; residuals are (n − ν̂)/√ν̂", () => {
    for (const [obs, k] of [
      [4.4, 21],
      [2.7, 7],
      [3.1, 2],
    ] as const) {
      const spec = P.gofPlot({ deltaTwiceNll: obs, ndof: k, pValue: chi2Sf(obs, k) }) as { layer: { data: { values: { x: number; y: number }[] } }[] };
      const tail = spec.layer[0]!.data.values;
      let area = 0;
      for (let i = 1; i < tail.length; i++) area += ((tail[i]!.y + tail[i - 1]!.y) / 2) * (tail[i]!.x - tail[i - 1]!.x);
      // the curve ends at mean + 5σ of χ²_k: add the tail beyond; trapezoids on a 200-step grid err by < 1e-4 here
      const beyond = chi2Sf(tail[tail.length - 1]!.x, k);
      expect(Math.abs(area + beyond - chi2Sf(obs, k))).toBeLessThan(1e-4);
    }
    expect(JSON.stringify(P.gofPlot({ deltaTwiceNll: 4.4079, ndof: 21, pValue: 0.999954 }))).toContain(`"value":"Δ(−2 ln L) = 4.41, ndof = 21, p = 0.99995"`);
    const spec = P.residualsPlot([
      { channel: "SR", data: [9, 4, 3], expected: [4, 4, 0] },
      { channel: "CR", data: [100], expected: [121] },
    ]) as { layer: { data: { values: { r?: number; bin?: number }[] } }[] };
    const points = spec.layer.find((l) => l.data.values.some((v) => v.r !== undefined))!.data.values;
    // the empty-expectation bin is left out
    expect(points.map((v) => [v.bin, v.r])).toEqual([
      [0.5, 2.5],
      [1.5, 0],
      [3.5, -21 / 11],
    ]);
    expect(() => P.gofPlot({ deltaTwiceNll: 1, ndof: 0, pValue: NaN })).toThrow(/degrees of freedom/);
  });
});
