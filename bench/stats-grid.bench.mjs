// Grid benchmark of issue 15: the sbottom RegionC background (BkgOnly.json) with all 215 signal
// patches, CLs at mu = 1 with the expected band for every point, on 2 worker threads, against pyhf
// run patch by patch (its per-patch build + hypotest time from timings.pyhf.json, × the number of
// patches). A second case adds the upper limit (root finding) of every point.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runGrid } from "../dist/stats/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.resolve(here, "../../shared/reference/stats/sbottom-regionC");
const timings = JSON.parse(readFileSync(path.resolve(DIR, "../timings.pyhf.json"), "utf8")).sbottom[0];
const quick = process.argv.includes("--quick");
const background = JSON.parse(readFileSync(path.join(DIR, "BkgOnly.json"), "utf8"));
// the RegionC patches come as one file each; gather them into a pyhf patchset, masses from the names
let files = readdirSync(DIR)
  .filter((f) => /^patch\.sbottom_\d+_\d+_\d+\.json$/.test(f))
  .sort();
if (quick) files = files.slice(0, 8);
const patchset = {
  metadata: { description: "sbottom RegionC", digests: {}, labels: ["m_sbottom", "m_neutralino2", "m_neutralino1"], references: {} },
  patches: files.map((f) => {
    const name = f.slice("patch.".length, -".json".length);
    return { metadata: { name, values: name.split("_").slice(1).map(Number) }, patch: JSON.parse(readFileSync(path.join(DIR, f), "utf8")) };
  }),
  version: "1.0.0",
};
const pyhfPerPatch = timings.build_model_from_json.median_s + timings.hypotest_mu1_qtilde_expected_set.median_s;
for (const limits of process.argv.includes("--cls-only") ? [false] : [false, true]) {
  const t = performance.now();
  const rows = await runGrid(background, patchset, { workers: 2, limits });
  const s = (performance.now() - t) / 1000;
  const pyhfS = pyhfPerPatch * rows.length;
  console.log(
    JSON.stringify({
      case: `stats-grid/sbottom-regionC/${limits ? "cls+limits" : "cls"}`,
      impl: "hepflow",
      workers: 2,
      patches: rows.length,
      wall_s: Number(s.toPrecision(4)),
      per_patch_s: Number((s / rows.length).toPrecision(4)),
      converged: rows.filter((r) => r.converged).length,
      pyhf_per_patch_s: limits ? null : Number(pyhfPerPatch.toPrecision(4)),
      pyhf_grid_s_estimate: limits ? null : Number(pyhfS.toPrecision(4)),
      speedup: limits ? null : Number((pyhfS / s).toPrecision(4)),
      pyhf_note: limits
        ? "pyhf has no per-patch root-finding limit timing for RegionC (its plain upper_limit raises there, see the reference README)"
        : "pyhf per patch = build_model_from_json + hypotest_mu1_qtilde_expected_set medians (timings.pyhf.json), × patches",
    }),
  );
}
