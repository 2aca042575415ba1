// Toy-based hypotest (issue 15): 2 × N toys (s+b and b-only, q̃, mu = 1) on the pyhf README model
// (simplemodels_uncorrelated_background), hepflow on 1 and 2 worker threads, pyhf's ToyCalculator
// side by side. pyhf runs live when it imports (HEPFLOW_PYHF_PYTHON / HEPFLOW_PYHF_PYTHONPATH, as
// stats-scaling); otherwise the time pyhf took for the same hypotest when it wrote
// test/stats/reference/pyhf-toys-*.json is printed, marked "recorded". Also a toy-based upper
// limit on pyhf's scan (0…2, 9 points, 1000 toys per hypothesis), against pyhf's recorded time
// for it (running pyhf's takes about two minutes).
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Workspace, hypotestToys, upperLimitToys } from "../dist/stats/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const N = process.argv.includes("--quick") ? 1000 : 4000;
const wsFile = path.join(here, "../../shared/reference/stats/simplemodels_uncorrelated_background.json");
const refFile = path.join(here, "../test/stats/reference/pyhf-toys-simplemodels_uncorrelated_background.json");
const PY = process.env.HEPFLOW_PYHF_PYTHON ?? "python3";
const pyEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", ...(process.env.HEPFLOW_PYHF_PYTHONPATH ? { PYTHONPATH: process.env.HEPFLOW_PYHF_PYTHONPATH } : {}) };
const round = (x) => (x === undefined || x === null ? null : Number(x.toPrecision(4)));

const ws = Workspace.fromJSON(JSON.parse(readFileSync(wsFile, "utf8")));
const model = ws.model();
const data = ws.data(model);
await hypotestToys(1, data, model, { toys: 100, seed: 1, workers: 1 }); // warm-up

let pyhf = null;
if (spawnSync(PY, ["-c", "import pyhf"], { env: pyEnv }).status === 0) {
  const p = spawnSync(PY, [path.join(here, "peers/pyhf_toys.py"), wsFile, String(N), "1", "time"], { env: pyEnv, encoding: "utf8", timeout: 1800_000 });
  if (p.status === 0) pyhf = { ...JSON.parse(p.stdout.trim().split("\n").pop()), source: "live" };
}
if (!pyhf) {
  const ref = JSON.parse(readFileSync(refFile, "utf8"));
  const h = ref.hypotests.find((x) => x.poi_test === 1);
  pyhf = { seconds: (h.seconds * N) / ref.ntoys, CLs_obs: h.CLs_obs, CLs_exp: h.CLs_exp, source: `recorded (${ref.ntoys} toys, scaled to ${N})` };
}
for (const workers of [1, 2]) {
  const t = performance.now();
  const r = await hypotestToys(1, data, model, { toys: N, seed: 1, workers });
  const s = (performance.now() - t) / 1000;
  console.log(
    JSON.stringify({
      case: `stats-toys/hypotest ntoys=${N} workers=${workers}`,
      impl: "hepflow",
      ntoys: N,
      workers,
      seconds: round(s),
      toys_per_s: round((2 * N) / s),
      CLs_obs: r.cls,
      CLs_exp_median: r.expected[2],
      pyhf_seconds: round(pyhf.seconds),
      pyhf_CLs_obs: pyhf.CLs_obs,
      pyhf_CLs_exp_median: pyhf.CLs_exp[2],
      pyhf_source: pyhf.source,
      speedup: round(pyhf.seconds / s),
    }),
  );
}

{
  const ref = JSON.parse(readFileSync(refFile, "utf8"));
  const u = ref.upper_limit;
  for (const workers of [1, 2]) {
    const t = performance.now();
    const r = await upperLimitToys(data, model, { scan: u.scan, toys: u.ntoys, seed: 1, workers });
    const s = (performance.now() - t) / 1000;
    console.log(
      JSON.stringify({
        case: `stats-toys/upper-limit scan=${u.scan.length} ntoys=${u.ntoys} workers=${workers}`,
        impl: "hepflow",
        workers,
        seconds: round(s),
        obs: r.obs,
        exp_median: r.exp[2],
        pyhf_seconds: round(u.seconds),
        pyhf_obs: u.obs,
        pyhf_exp_median: u.exp[2],
        pyhf_source: "recorded (test/stats/reference/pyhf-toys-*.json)",
        speedup: round(u.seconds / s),
      }),
    );
  }
}
