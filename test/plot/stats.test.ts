import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fit, pulls, ranking, upperLimit, Workspace } from "../../src/stats/index.js";
import type { WorkspaceSpec } from "../../src/stats/index.js";
import * as P from "../../src/plot/index.js";

/** Two bins of signal s·μ over a background with a normsys and a histosys: enough for pulls, impacts and a CLs scan. */
const SPEC: WorkspaceSpec = {
  channels: [
    {
      name: "SR",
      samples: [
        { name: "sig", data: [5, 10], modifiers: [{ name: "mu", type: "normfactor", data: null }] },
        {
          name: "bkg",
          data: [50, 60],
          modifiers: [
            { name: "bkg_norm", type: "normsys", data: { hi: 1.1, lo: 0.9 } },
            { name: "shape", type: "histosys", data: { hi_data: [55, 58], lo_data: [45, 62] } },
          ],
        },
      ],
    },
  ],
  observations: [{ name: "SR", data: [58, 66] }],
  measurements: [{ name: "m", config: { poi: "mu", parameters: [{ name: "mu", bounds: [[0, 10]] }] } }],
  version: "1.0.0",
};

describe("plots from stats/ results", () => {
  const ws = Workspace.fromJSON(SPEC);
  const model = ws.model();
  const data = ws.data(model);
  const result = fit(data, model);

  it("pulls, correlation and ranking plots take the fit, pulls and impacts", async () => {
    const p = pulls(model, result);
    const { fit: fitInput, priors } = P.pullsInputFromStats(p);
    expect(fitInput.parameterNames).toEqual(p.map((q) => q.name));
    const pullSpec = P.pullsPlot(fitInput, { priors });
    // The drawn pull is the one stats/ computed: (θ̂ − θ₀)/Δθ.
    const rows = (pullSpec.layer as { data: { values: { name: string; pull: number }[] } }[])[3]!.data.values;
    for (const q of p) expect(rows.find((r) => r.name === q.name)!.pull).toBeCloseTo(q.pull!, 12);
    const corr = P.correlationPlot(P.fitInputFromResult(result));
    const rank = P.rankingPlot(P.rankingFromImpacts(ranking(model, data, { result }).impacts, p));
    for (const spec of [pullSpec, corr, rank]) expect((await P.renderSVG(spec)).length).toBeGreaterThan(1000);
  });

  it("a CLs scan from upperLimit draws with its five expected bands", async () => {
    const r = upperLimit(data, model, { method: "scan", scan: [0, 1, 2, 3, 4, 5, 6] });
    const points = P.clsPointsFromLimit(r);
    expect(points).toHaveLength(7);
    expect(points.every((p) => p.clsExp.length === 5)).toBe(true);
    expect((await P.renderSVG(P.clsPlot(points))).length).toBeGreaterThan(1000);
  });

  it("writeStandardPlots writes one file per available result", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hepflow-std-"));
    try {
      const p = pulls(model, result);
      const files = await P.writeStandardPlots(dir, { fit: result, pulls: p, impacts: ranking(model, data, { result }).impacts }, {}, "svg");
      expect(files.map((f) => path.basename(f))).toEqual(["pulls.svg", "correlation.svg", "ranking.svg"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
