// Histogram fill throughput: hepflow's Hist against a plain typed-array loop doing the same
// binning (the fastest a JS fill can be), in values filled per second on one thread.
// Cases: 1D Regular (double and weight storage, float64 and float32 input), the AGC-style
// observable × process × variation fill with fixed categories (array and scalar weight) and
// with a per-value process column, a Variable axis, and 2D.
// `--quick` uses fewer values (for development on a busy machine).
import { Hist, Regular, StrCategory, Variable } from "../dist/hist/index.js";

const quick = process.argv.includes("--quick");
const N = quick ? 2_000_000 : 10_000_000;
const REPEATS = quick ? 3 : 7;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(7);
const x64 = new Float64Array(N);
for (let i = 0; i < N; i++) x64[i] = 30 + 560 * r(); // a little under/overflow around [50, 550)
const x32 = new Float32Array(x64);
const y64 = Float64Array.from(x64, (v) => (v * 7.3) % 100);
const w64 = Float64Array.from(x64, () => 0.5 + r());

/** Best of REPEATS after warm-up calls, so both sides are measured in their JIT-optimized steady state. */
function best(fn) {
  for (let k = 0; k < 5; k++) fn();
  let t = Infinity;
  for (let k = 0; k < REPEATS; k++) {
    const s = performance.now();
    fn();
    t = Math.min(t, performance.now() - s);
  }
  return t / 1000;
}

/** The baseline: a plain loop binning into a Float64Array (numpy-style, no edge correction). */
function plainLoop(xs, bins, lo, hi) {
  const out = new Float64Array(bins + 2);
  const scale = bins / (hi - lo);
  for (let i = 0; i < xs.length; i++) {
    const f = (xs[i] - lo) * scale;
    const b = f >= 0 ? (f < bins ? (f | 0) + 1 : bins + 1) : f < 0 ? 0 : bins + 1;
    out[b] += 1;
  }
  return out;
}

function report(name, seconds, baseline) {
  const line = { case: name, impl: "hepflow", fills_per_s: Math.round(N / seconds), events_per_s: Math.round(N / seconds), mb_per_s: Number(((N * 8) / seconds / 1e6).toFixed(1)) };
  if (baseline !== undefined) line.plain_loop_fills_per_s = Math.round(N / baseline);
  console.log(JSON.stringify(line));
}

const base64 = best(() => plainLoop(x64, 25, 50, 550));
const base32 = best(() => plainLoop(x32, 25, 50, 550));
console.log(JSON.stringify({ case: "hist_fill_1d_regular", impl: "plain-loop", fills_per_s: Math.round(N / base64), events_per_s: Math.round(N / base64) }));

let h = new Hist([Regular(25, 50, 550)]);
report(
  "hist_fill_1d_regular",
  best(() => h.fill(x64)),
  base64,
);
h = new Hist([Regular(25, 50, 550)]);
report(
  "hist_fill_1d_regular_f32",
  best(() => h.fill(x32)),
  base32,
);
h = new Hist([Regular(25, 50, 550)], { storage: "weight" });
report(
  "hist_fill_1d_regular_weighted",
  best(() => h.fill(x64, { weight: w64 })),
);

const agc = new Hist([Regular(25, 50, 550, { name: "observable" }), StrCategory([], { name: "process", growth: true }), StrCategory([], { name: "variation", growth: true })], { storage: "weight" });
for (const p of ["ttbar", "wjets", "single_top_s_chan", "single_top_t_chan", "single_top_tW"]) for (const v of ["nominal", "pt_scale_up", "pt_res_up"]) agc.fill({ observable: x64.subarray(0, 10), process: p, variation: v });
report(
  "hist_fill_3d_observable_process_variation",
  best(() => agc.fill({ observable: x64, process: "wjets", variation: "pt_scale_up" }, { weight: w64 })),
);
// the same with one weight for the whole call (AGC: W+jets scale variation = nominal weight × 1.025)
report(
  "hist_fill_3d_observable_process_variation_scalar_weight",
  best(() => agc.fill({ observable: x64, process: "wjets", variation: "pt_scale_up" }, { weight: 0.37 })),
);
// a category column (one label per value) takes the general path: a label lookup per value
const labels = ["ttbar", "wjets", "single_top_tW"];
const procColumn = Array.from({ length: N }, (_, i) => labels[i % 3]);
report(
  "hist_fill_3d_process_column",
  best(() => agc.fill({ observable: x64, process: procColumn, variation: "nominal" }, { weight: w64 })),
);

const hv = new Hist([Variable([50, 60, 80, 100, 150, 200, 300, 550])]);
report(
  "hist_fill_1d_variable",
  best(() => hv.fill(x64)),
);
const h2 = new Hist([Regular(25, 50, 550), Regular(20, 0, 100)]);
report(
  "hist_fill_2d_regular",
  best(() => h2.fill([x64, y64])),
);
