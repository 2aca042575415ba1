import { describe, expect, it } from "vitest";
import { Workspace, significance } from "../../src/stats/index.js";

describe("significance when the background-only model predicts nothing where data are", () => {
  it("returns p0 = 0 and Z = ∞ instead of NaN", () => {
    const ws = Workspace.fromJSON({
      version: "1.0.0",
      channels: [{ name: "c", samples: [
        { name: "sig", data: [10, 5], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
        { name: "bkg", data: [0, 2], modifiers: [] },
      ] }],
      observations: [{ name: "c", data: [12, 8] }],
      measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
    });
    const model = ws.model();
    const s = significance(ws.data(model), model);
    expect(s.q0).toBe(Infinity);
    expect(s.p0Obs).toBe(0);
    expect(s.zObs).toBe(Infinity);
    expect(Number.isNaN(s.zExp)).toBe(false);
  });
});
