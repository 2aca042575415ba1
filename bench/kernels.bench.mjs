// Array and four-vector kernel throughput on a synthetic jet collection (Poisson-like
// multiplicities, mean ~6 jets/event, float32 columns as NanoAOD stores them). Prints one JSON
// line per kernel with events/s and elements/s (jets, or combinations for the trijet cases).
// `--quick` uses fewer events.
import { Jagged, zip, select, gt, lt, abs, and, filterEvents, countTrue, ge, combinations, sum, argmax, offsetsFromCounts } from "../dist/array/index.js";
import { combinationSum, mass, pt as ptOf, toCartesian } from "../dist/physics/index.js";
import { Hist, Regular, StrCategory } from "../dist/hist/index.js";

const quick = process.argv.includes("--quick");
const NEV = quick ? 200_000 : 1_000_000;
const REPEATS = quick ? 3 : 5;

function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const r = rng(3);
const counts = new Int32Array(NEV);
for (let e = 0; e < NEV; e++) { let k = 0, p = Math.exp(-6), s = p; const u = r(); while (u > s && k < 14) { k++; p *= 6 / k; s += p; } counts[e] = k; }
const offsets = offsetsFromCounts(counts);
const nj = offsets[NEV];
const col = (f) => new Jagged(offsets, Float32Array.from({ length: nj }, f));
const jets = zip({ pt: col(() => 15 + 100 * r()), eta: col(() => 5 * r() - 2.5), phi: col(() => 2 * Math.PI * r() - Math.PI), mass: col(() => 5 + 10 * r()), btag: col(() => r()) });

/** Best of REPEATS after warm-up calls, so both sides are measured in their JIT-optimized steady state. */
function best(fn) {
  for (let k = 0; k < 5; k++) fn();
  let t = Infinity;
  for (let k = 0; k < REPEATS; k++) { const s = performance.now(); fn(); t = Math.min(t, performance.now() - s); }
  return t / 1000;
}
function report(name, seconds, elements, bytes) {
  console.log(JSON.stringify({ case: name, impl: "hepflow", events_per_s: Math.round(NEV / seconds), elements_per_s: Math.round(elements / seconds), mb_per_s: Number((bytes / seconds / 1e6).toFixed(1)) }));
}

report("jet_mask_pt_eta", best(() => and(gt(jets.pt, 25), lt(abs(jets.eta), 2.4))), nj, nj * 8);
const mask = and(gt(jets.pt, 25), lt(abs(jets.eta), 2.4));
report("jet_select_collection_5_fields", best(() => select(jets, mask)), nj, nj * 5 * 4);
const good = select(jets, mask);
const evmask = ge(countTrue(gt(good.btag, 0.5)), 1);
report("event_filter_collection", best(() => filterEvents(good, evmask)), good.pt.content.length, good.pt.content.length * 5 * 4);
report("ht_sum", best(() => sum(good.pt)), good.pt.content.length, good.pt.content.length * 4);
report("four_vector_to_cartesian", best(() => toCartesian(good)), good.pt.content.length, good.pt.content.length * 16);
let ncomb = 0;
report("combinations3", best(() => { ncomb = combinations(good, 3)[0].content.length; }), 0, 0);
const tri = combinations(good, 3);
ncomb = tri[0].content.length;
report("trijet_sum_mass_argmax_pt", best(() => { const s = combinationSum(good, tri); const m = mass(s); argmax(ptOf(s)); return m; }), ncomb, ncomb * 12);
console.log(JSON.stringify({ case: "combinations3_count", impl: "hepflow", events: NEV, jets: nj, selected_jets: good.pt.content.length, trijets: ncomb }));

// The 4j1b H_T chain as a processor would write it: jet selection, event selection, H_T, one fill.
const hist = new Hist([Regular(25, 50, 550, { name: "observable" }), StrCategory(["ttbar"], { name: "process" }), StrCategory(["nominal"], { name: "variation" })], { storage: "weight" });
const htJets = zip({ pt: jets.pt, btag: jets.btag }); // only the fields this chain needs
report("agc_4j1b_ht_chain", best(() => {
  const sel = select(htJets, gt(htJets.pt, 25));
  const njet = countTrue(gt(sel.pt, 0));
  const nb = countTrue(gt(sel.btag, 0.5));
  const ev = new Uint8Array(NEV);
  for (let e = 0; e < NEV; e++) ev[e] = njet[e] >= 4 && nb[e] === 1 ? 1 : 0;
  const ht = sum(filterEvents(sel.pt, ev));
  hist.fill({ observable: ht, process: "ttbar", variation: "nominal" }, { weight: 0.5 });
}), nj, nj * 8);
