/** The UI's fit panel reads result files written by hand or by other tools: gaps are named, not turned into NaN. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fitView } from "../../src/web/panels.js";

describe("fit panel of a result file", () => {
  it("a listed parameter without a best-fit value is a UI_BAD_INPUT naming it", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "hepflow-panels-")), "fit.json");
    writeFileSync(file, JSON.stringify({ parameters: ["mu", "theta"], bestfit: { mu: 1.2 }, uncertainties: { mu: 0.3, theta: 1 }, twice_nll: 3, converged: true, poi: "mu" }));
    await expect(fitView(file)).rejects.toMatchObject({ code: "UI_BAD_INPUT", file, object: "bestfit.theta" });
  });
});
