import { describe, expect, it } from "vitest";
import { Workspace, significance } from "../../src/stats/index.js";

/** Background 0 in a bin where data are: q0 = ∞ under the background-only hypothesis. */
const NO_BACKGROUND = {
  version: "1.0.0",
  channels: [
    {
      name: "c",
      samples: [
        { name: "sig", data: [10, 5], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
        { name: "bkg", data: [0, 2], modifiers: [] },
      ],
    },
  ],
  observations: [{ name: "c", data: [12, 8] }],
  measurements: [{ name: "m", config: { poi: "mu", parameters: [] } }],
};

describe("significance when the background-only model predicts nothing where data are", () => {
  it("returns p0 = 0 and Z = ∞ instead of NaN", () => {
    const ws = Workspace.fromJSON(NO_BACKGROUND);
    const model = ws.model();
    const s = significance(ws.data(model), model);
    expect(s.q0).toBe(Infinity);
    expect(s.p0Obs).toBe(0);
    expect(s.zObs).toBe(Infinity);
    expect(Number.isNaN(s.zExp)).toBe(false);
  });
});

describe("significance --json with an infinite significance", () => {
  it('writes Z = ∞ as the string "Infinity", not null', async () => {
    const { runCli } = await import("../helpers/cli.js");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "hepflow-sig-")), "ws.json");
    writeFileSync(file, JSON.stringify(NO_BACKGROUND));
    const s = JSON.parse(await runCli("significance", file, "--json"));
    expect(s.z_obs).toBe("Infinity");
    expect(s.p0_obs).toBe(0);
    expect(Number(s.z_obs)).toBe(Infinity);
    expect(s.z_exp).toBe("Infinity"); // the Asimov data (mu = 1) also put 10 events where the background is 0
  });
});
