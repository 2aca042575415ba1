// Draws docs/images/sbottom-regionC-exclusion.png: CLs at mu = 1 for all 215 RegionC patches
// (stats/grid on 2 workers), contours in the (m_sbottom, m_neutralino2) plane at m_neutralino1 = 60 GeV. `npm run build` first.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runGrid } from "../dist/stats/index.js";
import { exclusionPlot, writePlot } from "../dist/plot/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.resolve(here, "../../shared/reference/stats/sbottom-regionC");
const files = readdirSync(DIR)
  .filter((f) => /^patch\.sbottom_\d+_\d+_\d+\.json$/.test(f))
  .sort();
const patchset = {
  metadata: { description: "sbottom RegionC", digests: {}, labels: ["m_sbottom", "m_neutralino2", "m_neutralino1"], references: {} },
  patches: files.map((f) => {
    const name = f.slice(6, -5);
    return { metadata: { name, values: name.split("_").slice(1).map(Number) }, patch: JSON.parse(readFileSync(path.join(DIR, f), "utf8")) };
  }),
  version: "1.0.0",
};
const rows = await runGrid(JSON.parse(readFileSync(path.join(DIR, "BkgOnly.json"), "utf8")), patchset, { workers: 2 });
// the grid is three-dimensional; ATLAS shows the m(neutralino1) = 60 GeV plane
const plane = rows.filter((r) => r.values[2] === 60);
const spec = exclusionPlot(
  plane.map((r) => ({ x: r.values[0], y: r.values[1], clsObs: r.CLs_obs, clsExp: r.CLs_exp })),
  {
    xTitle: "m(sbottom) [GeV]",
    yTitle: "m(neutralino2) [GeV]",
    title: `sbottom RegionC (ATLAS, HEPData ins1748602), m(neutralino1) = 60 GeV: ${plane.length} points`,
  },
);
await writePlot(spec, path.resolve(here, "../docs/images/sbottom-regionC-exclusion.png"));
console.log("wrote docs/images/sbottom-regionC-exclusion.png");
