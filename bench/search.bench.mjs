// Parameter searches and the run store. One JSON line per case.
//  - search-branin-*: best Branin value found by TPE and by random search at equal budgets over 20 seeds
//    (the true minimum is 0.397887); no peer runs here (hyperopt is not installable from npm/Debian).
//  - store-*: metric-logging throughput of the SQLite run store, one process and 8 processes at once.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { TrackingStore, parseSpace, randomSuggest, tpeSuggest } from "../dist/tracking/index.js";

const branin = ({ x1, x2 }) => {
  const b = 5.1 / (4 * Math.PI ** 2),
    c = 5 / Math.PI,
    t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
};
const space = parseSpace({ x1: "uniform(-5, 10)", x2: "uniform(0, 15)" });
const SEEDS = 20;

function best(algo, seed, n) {
  const hist = [];
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const p = algo === "tpe" ? tpeSuggest(space, hist, seed, i) : randomSuggest(space, seed, i);
    const v = branin(p);
    hist.push({ index: i, params: p, loss: v });
    b = Math.min(b, v);
  }
  return b;
}
const median = (x) => {
  const y = [...x].sort((a, b) => a - b);
  return (y[(y.length - 1) >> 1] + y[y.length >> 1]) / 2;
};
const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;

for (const budget of [50, 100, 200]) {
  const res = {};
  for (const algo of ["random", "tpe"]) {
    const t0 = performance.now();
    const v = Array.from({ length: SEEDS }, (_, s) => best(algo, s + 1, budget));
    res[algo] = { v, ms: performance.now() - t0 };
  }
  const wins = res.tpe.v.filter((x, i) => x < res.random.v[i]).length;
  for (const algo of ["random", "tpe"]) {
    console.log(
      JSON.stringify({
        case: `search-branin-${budget}`,
        impl: `hepflow-${algo}`,
        seeds: SEEDS,
        budget,
        median_best: +median(res[algo].v).toFixed(4),
        mean_best: +mean(res[algo].v).toFixed(4),
        within_0_1_of_min: res[algo].v.filter((x) => x < 0.397887 + 0.1).length,
        ...(algo === "tpe" ? { tpe_wins_of_seeds: wins } : {}),
        suggest_ms_per_trial: +(res[algo].ms / (SEEDS * budget)).toFixed(3),
      }),
    );
  }
}

// store throughput
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-bench-store-"));
const s = new TrackingStore(dir);
const run = s.startRun({ runName: "bench" });
let t0 = performance.now();
for (let i = 0; i < 5000; i++) s.logMetric(run.runId, "m", i, { step: i });
const single = 5000 / ((performance.now() - t0) / 1000);
t0 = performance.now();
for (let k = 0; k < 50; k++)
  s.logMetrics(
    run.runId,
    Array.from({ length: 1000 }, (_, i) => ({ key: "b", value: i, step: k * 1000 + i })),
  );
const batched = 50000 / ((performance.now() - t0) / 1000);
console.log(JSON.stringify({ case: "store-log-metric", impl: "hepflow-sqlite", one_per_transaction_per_s: Math.round(single), batch_of_1000_per_s: Math.round(batched) }));
const dist = fileURLToPath(new URL("../dist/tracking/index.js", import.meta.url));
const script = `import { TrackingStore } from ${JSON.stringify(dist)}; const s = new TrackingStore(process.argv[1]); for (let i = 0; i < 1000; i++) s.logMetric(process.argv[2], "p" + process.argv[3], i, { step: i }); s.close();`;
t0 = performance.now();
await Promise.all(
  Array.from(
    { length: 8 },
    (_, w) => new Promise((res, rej) => spawn(process.execPath, ["--input-type=module", "-e", script, dir, run.runId, String(w)], { stdio: "inherit" }).on("exit", (c) => (c === 0 ? res() : rej(new Error(`writer ${w}: ${c}`))))),
  ),
);
const wall = (performance.now() - t0) / 1000;
let n = 0;
for (let w = 0; w < 8; w++) n += s.metricHistory(run.runId, `p${w}`).length;
console.log(JSON.stringify({ case: "store-8-writers", impl: "hepflow-sqlite", processes: 8, metrics_each: 1000, stored: n, wall_s: +wall.toFixed(2), metrics_per_s_incl_process_start: Math.round(8000 / wall) }));
s.close();
