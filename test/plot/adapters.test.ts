import { describe, expect, it } from "vitest";
import { Hist, Regular } from "../../src/hist/index.js";
import { hist1dFromAgc, hist1dFromHist, hist2dFromHist, stackPlot } from "../../src/plot/index.js";

describe("adapters", () => {
  it("hist1dFromHist takes edges, values and sum-of-w² variances without flow", () => {
    const h = new Hist([Regular(4, 0, 4, { name: "x", label: "x [GeV]" })], { storage: "weight" });
    h.fill({ x: [0.5, 0.5, 2.5, 9] }, { weight: [1, 2, 3, 4] });
    const p = hist1dFromHist(h);
    expect(Array.from(p.edges)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(p.values)).toEqual([3, 0, 3, 0]); // the weight-4 entry is overflow and dropped
    expect(Array.from(p.variances!)).toEqual([5, 0, 9, 0]);
    expect(p.label).toBe("x [GeV]");
  });

  it("hist2dFromHist keeps x-major order and rejects 1D input", () => {
    const h = new Hist([Regular(2, 0, 2, { name: "x" }), Regular(3, 0, 3, { name: "y" })]);
    h.fill({ x: [0.5, 1.5], y: [2.5, 0.5] });
    const p = hist2dFromHist(h);
    expect(Array.from(p.values)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => hist2dFromHist(new Hist([Regular(2, 0, 2)]))).toThrow(expect.objectContaining({ code: "PLOT_DIMENSION" }));
  });

  it("hist1dFromAgc drops the flow bins and rejects inconsistent lengths", () => {
    const p = hist1dFromAgc({ edges: [0, 1, 2], contents: [9, 1, 2, 8] }, "a");
    expect(Array.from(p.values)).toEqual([1, 2]);
    expect(() => hist1dFromAgc({ edges: [0, 1, 2], contents: [1, 2, 3] }, "bad")).toThrow(expect.objectContaining({ code: "PLOT_BAD_BINNING" }));
  });

  it("a converted Hist feeds a plot", () => {
    const h = new Hist([Regular(4, 0, 4, { name: "x" })]);
    h.fill({ x: [0.5, 1.5, 1.5] });
    expect(() => stackPlot({ mc: [hist1dFromHist(h, "mc")], data: hist1dFromHist(h, "data") })).not.toThrow();
  });
});
