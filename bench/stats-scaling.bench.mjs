// Scaling benchmark of issue 15: one channel with N bins, a normfactor signal and a background with
// per-bin shapesys + staterror (2N + 1 parameters), N = 100 … 10 000. One JSON line per N with
// hepflow's in-process times (free fit as pyhf times it, i.e. without uncertainties; the fit with
// uncertainties; a hypotest at mu = 1 with the expected band), the dense solver where it is still
// affordable, the whole-process time of `hepflow fit --json`, peak memory, and pyhf side by side.
//
// pyhf: run live when it imports (python3 with pyhf on PYTHONPATH; set HEPFLOW_PYHF_PYTHON to the
// interpreter, HEPFLOW_PYHF_PYTHONPATH to its path), up to HEPFLOW_PYHF_MAX_BINS bins (default 1000,
// pyhf's SLSQP takes minutes beyond); otherwise the figures measured on this machine kind and
// recorded in bench/peers/pyhf-scaling.json are printed, marked "recorded".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Workspace, fit, hypotest } from "../dist/stats/index.js";
import { binnedWorkspace } from "./lib/binned-model.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const SIZES = quick ? [100, 1000] : [100, 300, 1000, 3000, 10000];
const tmp = mkdtempSync(path.join(os.tmpdir(), "hepflow-scaling-"));
const PY = process.env.HEPFLOW_PYHF_PYTHON ?? "python3";
const pyEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", ...(process.env.HEPFLOW_PYHF_PYTHONPATH ? { PYTHONPATH: process.env.HEPFLOW_PYHF_PYTHONPATH } : {}) };
const pyhfLive = spawnSync(PY, ["-c", "import pyhf"], { env: pyEnv }).status === 0;
const pyhfMax = Number(process.env.HEPFLOW_PYHF_MAX_BINS ?? 1000);
const recorded = JSON.parse(readFileSync(path.join(here, "peers/pyhf-scaling.json"), "utf8"));

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn, repeats) {
  const runs = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    runs.push((performance.now() - t) / 1000);
  }
  return median(runs);
}
const round = (x) => (x === undefined || x === null ? null : Number(x.toPrecision(4)));

// JIT warm-up on a small model (pyhf's timings also had one warm-up run)
{
  const ws = Workspace.fromJSON(binnedWorkspace(50));
  const m = ws.model();
  fit(ws.data(m), m);
}
for (const N of SIZES) {
  const spec = binnedWorkspace(N);
  const file = path.join(tmp, `binned-${N}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const text = readFileSync(file, "utf8");
  const repeats = N >= 3000 ? 1 : 3;
  let model, data;
  const buildS = time(() => {
    const ws = Workspace.fromJSON(JSON.parse(text));
    model = ws.model();
    data = ws.data(model);
  }, repeats);
  let r;
  const fitS = time(() => (r = fit(data, model, { uncertainties: false })), repeats);
  let ru;
  const fitUncS = time(() => (ru = fit(data, model)), repeats);
  const hypoS = time(() => hypotest(1, data, model, { expected: true }), 1);
  const denseS = N <= 300 ? time(() => fit(data, model, { solver: "dense", uncertainties: false }), 1) : null;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const t0 = performance.now();
  const proc = spawnSync(process.execPath, ["--single-threaded-gc", path.join(here, "../bin/hepflow.js"), "fit", file, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
  const wholeS = (performance.now() - t0) / 1000;
  if (proc.status !== 0) throw new Error(`hepflow fit failed: ${proc.stderr}`);
  let pyhf = null;
  if (pyhfLive && N <= pyhfMax) {
    const p = spawnSync(PY, [path.join(here, "peers/pyhf_fit.py"), file, "1"], { env: pyEnv, encoding: "utf8", timeout: 1800_000 });
    if (p.status === 0) pyhf = { ...JSON.parse(p.stdout.trim().split("\n").pop()), source: "live" };
  }
  if (!pyhf && recorded.cases[String(N)]) pyhf = { ...recorded.cases[String(N)], source: `recorded ${recorded.measured}` };
  const mu = model.config.poiIndex;
  console.log(
    JSON.stringify({
      case: `stats-scaling/bins=${N}`,
      impl: "hepflow",
      nbins: N,
      npars: model.config.npars,
      solver: r.solver,
      build_s: round(buildS),
      fit_s: round(fitS),
      fit_with_uncertainties_s: round(fitUncS),
      hypotest_s: round(hypoS),
      dense_fit_s: round(denseS),
      whole_process_fit_s: round(wholeS),
      max_rss_mb: round(rssMb),
      iterations: r.iterations,
      converged: r.converged && ru.converged,
      twice_nll: r.twiceNll,
      mu_hat: r.bestfit[mu],
      mu_unc: ru.uncertainties[mu],
      pyhf_fit_s: round(pyhf?.fit_s),
      pyhf_twice_nll: pyhf?.twice_nll ?? null,
      pyhf_mu_hat: pyhf?.mu_hat ?? null,
      pyhf_source: pyhf ? pyhf.source : pyhfLive ? `not run: beyond HEPFLOW_PYHF_MAX_BINS=${pyhfMax} (${recorded.not_measured})` : "not run (pyhf not importable and nothing recorded)",
      speedup_fit: pyhf?.fit_s ? round(pyhf.fit_s / fitS) : null,
    }),
  );
}
rmSync(tmp, { recursive: true, force: true });
