// Inference benchmark on every pyhf reference workspace: model build from JSON text, one free fit,
// one hypotest at mu = 1 with the expected band, one upper limit. Prints one JSON line per
// workspace with hepflow's median times next to pyhf's (numpy backend) from timings.pyhf.json.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Workspace, fit, hypotest, upperLimit } from "../dist/stats/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.resolve(here, "../../shared/reference/stats");
const index = JSON.parse(readFileSync(path.join(DIR, "index.json"), "utf8"));
const timings = JSON.parse(readFileSync(path.join(DIR, "timings.pyhf.json"), "utf8"));
const quick = process.argv.includes("--quick");

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(fn, repeats) {
  fn(); // warm-up (JIT), as pyhf's timings had one warm-up run
  const runs = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    runs.push((performance.now() - t) / 1000);
  }
  return median(runs);
}
const round = (x) => (x === undefined ? null : Number(x.toPrecision(4)));

for (const item of index.items) {
  const big = item.npars > 30;
  const pyhf = big ? timings.sbottom[0] : timings.small.find((t) => t.label === item.name);
  if (!pyhf) continue;
  const wsText = readFileSync(path.join(DIR, item.workspace), "utf8");
  const patchTexts = item.patches.map((p) => readFileSync(path.join(DIR, p), "utf8"));
  const build = () => {
    let ws = Workspace.fromJSON(JSON.parse(wsText));
    if (patchTexts.length) ws = ws.applyPatches(patchTexts.map((t) => JSON.parse(t)));
    const model = ws.model();
    return { model, data: ws.data(model) };
  };
  const { model, data } = build();
  const repeats = quick ? 1 : big ? 3 : 5;
  const buildS = time(build, repeats);
  const fitS = time(() => fit(data, model), repeats);
  const hypoS = time(() => hypotest(1, data, model, { expected: true }), repeats);
  // small workspaces: root-finding limit, as pyhf's upper_limit(data, model); RegionC: pyhf only
  // timed the 21-point scan there, so we time the same grid
  const scanGrid = big ? Array.from({ length: 21 }, (_, i) => (15 * i) / 20) : undefined;
  const limitS = time(() => (big ? upperLimit(data, model, { method: "scan", scan: scanGrid }) : upperLimit(data, model)), quick || big ? 1 : 3);
  const pyLimit = big ? pyhf.upper_limit_scan_21?.median_s : pyhf.upper_limit_root_finding?.median_s;
  const line = {
    case: `stats/${item.name}`,
    impl: "hepflow",
    npars: item.npars,
    build_s: round(buildS),
    fit_s: round(fitS),
    hypotest_s: round(hypoS),
    limit_s: round(limitS),
    limit_method: big ? "scan21" : "root",
    fits_per_s: round(1 / fitS),
    pyhf_build_s: round(pyhf.build_model_from_json.median_s),
    pyhf_fit_s: round(pyhf.mle_fit.median_s),
    pyhf_hypotest_s: round(pyhf.hypotest_mu1_qtilde_expected_set.median_s),
    pyhf_limit_s: round(pyLimit),
    speedup_fit: round(pyhf.mle_fit.median_s / fitS),
    speedup_hypotest: round(pyhf.hypotest_mu1_qtilde_expected_set.median_s / hypoS),
    speedup_limit: pyLimit ? round(pyLimit / limitS) : null,
    pyhf_note: big ? "pyhf timed a hidden RegionC point; same model size (66 parameters)" : undefined,
  };
  console.log(JSON.stringify(line));
}
