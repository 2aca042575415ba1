/** Bounds passed by the caller (fitOptions.bounds) may not match the model: a FIT_SETTINGS_INVALID naming the parameter, not a TypeError. */
import { describe, expect, it } from "vitest";
import { fit, ranking, scan1D, Workspace, type WorkspaceSpec } from "../../src/stats/index.js";

// one bin: signal μ·10 over background 50 with a 10% normsys
const spec: WorkspaceSpec = {
  channels: [
    {
      name: "SR",
      samples: [
        { name: "sig", data: [10], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
        { name: "bkg", data: [50], modifiers: [{ name: "theta", type: "normsys", data: { hi: 1.1, lo: 0.9 } }] },
      ],
    },
  ],
  observations: [{ name: "SR", data: [62] }],
  measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
  version: "1.0.0",
};

describe("caller bounds of the wrong length", () => {
  const ws = Workspace.fromJSON(spec);
  const model = ws.model();
  const data = ws.data(model);
  const result = fit(data, model);

  it("ranking with a fit result and no bounds for theta", () => {
    expect(() => ranking(model, data, { result, fitOptions: { bounds: [] } })).toThrow(expect.objectContaining({ code: "FIT_SETTINGS_INVALID", message: expect.stringMatching(/bounds of theta/) }));
  });

  it("scan1D's default range with no bounds for theta", () => {
    expect(() => scan1D(model, data, "theta", { result, fitOptions: { bounds: [] } })).toThrow(expect.objectContaining({ code: "FIT_SETTINGS_INVALID", message: expect.stringMatching(/bounds of theta/) }));
  });
});
