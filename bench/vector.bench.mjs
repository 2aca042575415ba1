// Four-vector arithmetic side by side with numpy and scikit-hep vector (the peers of
// ../shared/peers/README.md), one thread each, same arrays: the invariant mass of the two leading
// jets of every event with at least two (NaN elsewhere), 200 k events (1 M without --quick is
// not needed: the arrays fit in cache either way). Jets: Poisson multiplicity (mean 6), float32
// pt/eta/phi/mass as NanoAOD stores them. Values are checked before timing: hepflow against a
// float64 computation (≤ one float32 rounding), the Python results against hepflow's (≤ 1e-2
// relative, 99th percentile reported: the float32 Cartesian chain of numpy/vector cancels in E² − p²,
// by up to E²/m² ≈ 1e4 times float32's 6e-8 for forward jets).
// vector runs when importable: set HEPFLOW_PEERS_SITE to the site folder ../shared/peers/build.sh made.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { Jagged, nth, offsetsFromCounts } from "../dist/array/index.js";
import { mass, pairMass, sumVectors } from "../dist/physics/index.js";

const NEV = 200_000,
  REPEATS = 9;
let s = 11;
const r = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const counts = new Int32Array(NEV);
for (let e = 0; e < NEV; e++) {
  let k = 0,
    p = Math.exp(-6),
    c = p;
  const u = r();
  while (u > c && k < 14) {
    k++;
    p *= 6 / k;
    c += p;
  }
  counts[e] = k;
}
const o = offsetsFromCounts(counts),
  n = o[NEV];
const col = (f) => new Jagged(o, Float32Array.from({ length: n }, f));
const jets = { pt: col(() => 25 + 200 * r() ** 2), eta: col(() => 5 * r() - 2.5), phi: col(() => 2 * Math.PI * r() - Math.PI), mass: col(() => 4 + 16 * r()) };

function best(fn) {
  for (let k = 0; k < 5; k++) fn();
  let t = Infinity;
  for (let k = 0; k < REPEATS; k++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, performance.now() - t0);
  }
  return t / 1000;
}
const fused = () => pairMass(jets, 0, 1);
const lead = (i) => ({ pt: nth(jets.pt, i), eta: nth(jets.eta, i), phi: nth(jets.phi, i), mass: nth(jets.mass, i) });
const cartesian = () => mass(sumVectors([lead(0), lead(1)]));

// values first: hepflow against float64, event by event
const ours = fused();
let worst = 0;
for (let e = 0; e < NEV; e++) {
  if (counts[e] < 2) {
    if (!Number.isNaN(ours[e])) throw new Error(`event ${e}: expected NaN`);
    continue;
  }
  const v = [0, 1].map((i) => {
    const q = o[e] + i,
      pt = jets.pt.content[q],
      x = pt * Math.cos(jets.phi.content[q]),
      y = pt * Math.sin(jets.phi.content[q]),
      z = pt * Math.sinh(jets.eta.content[q]),
      m = jets.mass.content[q];
    return [x, y, z, Math.sqrt(x * x + y * y + z * z + m * m)];
  });
  const [X, Y, Z, E] = [0, 1, 2, 3].map((k) => v[0][k] + v[1][k]);
  const ref = Math.sqrt(E * E - X * X - Y * Y - Z * Z);
  worst = Math.max(worst, Math.abs(ours[e] - ref) / ref);
}
if (!(worst < 6.1e-8)) throw new Error(`pairMass differs from float64 by ${worst} relative`);
const line = (impl, seconds, extra = {}) => console.log(JSON.stringify({ case: "leading_dijet_mass", impl, events: NEV, events_per_s: Math.round(NEV / seconds), ...extra }));
const peers = [];
const dir = mkdtempSync(join(tmpdir(), "hepflow-vector-bench-"));
try {
  writeFileSync(join(dir, "offsets.i32"), o);
  for (const k of ["pt", "eta", "phi", "mass"]) writeFileSync(join(dir, `${k}.f32`), jets[k].content);
  const site = process.env.HEPFLOW_PEERS_SITE ?? [join(tmpdir(), "peers/site")].find((p) => existsSync(p)); // build.sh's default
  const env = { ...process.env, PYTHONPATH: [site, process.env.PYTHONPATH].filter(Boolean).join(":") };
  const py = spawnSync(process.env.PYTHON ?? "python3.11", [new URL("./peers/dijet_mass.py", import.meta.url).pathname, dir, String(REPEATS)], { env, encoding: "utf8" });
  if (py.status !== 0) console.log(JSON.stringify({ case: "leading_dijet_mass", impl: "numpy", skipped: `python3 with numpy failed: ${(py.stderr || py.error?.message || "").trim().split("\n").pop()}` }));
  for (const l of (py.stdout ?? "").split("\n").filter(Boolean)) {
    const rec = JSON.parse(l);
    if (rec.events_per_s) {
      const theirs = new Float32Array(readFileSync(join(dir, `${rec.impl}.f32`)).buffer.slice(0));
      const d = [];
      for (let e = 0; e < NEV; e++) if (counts[e] >= 2) d.push(Math.abs(theirs[e] - ours[e]) / ours[e]);
      d.sort((a, b) => a - b);
      const max = d[d.length - 1],
        p99 = d[Math.floor(0.99 * (d.length - 1))];
      if (!(max < 1e-2)) throw new Error(`${rec.impl} differs from hepflow by ${max} relative`);
      rec.rel_diff_vs_hepflow_p99 = Number(p99.toPrecision(2));
      rec.rel_diff_vs_hepflow_max = Number(max.toPrecision(2));
      peers.push(rec);
    }
    console.log(JSON.stringify(rec));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const tf = best(fused),
  tc = best(cartesian);
const vs = Object.fromEntries(peers.map((p) => [`x_${p.impl}`, Number((NEV / tf / p.events_per_s).toFixed(2))]));
line("hepflow pairMass", tf, { max_rel_err_vs_float64: Number(worst.toPrecision(2)), ...vs });
line("hepflow nth+sumVectors+mass", tc);
