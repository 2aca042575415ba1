// Array and four-vector kernel throughput on a synthetic jet collection (Poisson-like
// multiplicities, mean ~6 jets/event, float32 columns as NanoAOD stores them). Prints one JSON
// line per kernel with events/s and elements/s (jets, or combinations for the trijet cases),
// then the AGC selection chain of examples/agc-ttbar on synthetic NanoAOD-like events.
// `--quick` uses fewer events. Build first: npx tsc -p .
import { Jagged, zip, select, gt, lt, abs, and, filterEvents, countTrue, ge, combinations, sum, argmax, offsetsFromCounts } from "../dist/array/index.js";
import { combinationSum, mass, pt as ptOf, toCartesian } from "../dist/physics/index.js";
import { Hist, Regular, StrCategory } from "../dist/hist/index.js";

const quick = process.argv.includes("--quick");
const NEV = quick ? 200_000 : 1_000_000;
const REPEATS = quick ? 3 : 5;

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
const r = rng(3);
const counts = new Int32Array(NEV);
for (let e = 0; e < NEV; e++) {
  let k = 0,
    p = Math.exp(-6),
    s = p;
  const u = r();
  while (u > s && k < 14) {
    k++;
    p *= 6 / k;
    s += p;
  }
  counts[e] = k;
}
const offsets = offsetsFromCounts(counts);
const nj = offsets[NEV];
const col = (f) => new Jagged(offsets, Float32Array.from({ length: nj }, f));
const jets = zip({ pt: col(() => 15 + 100 * r()), eta: col(() => 5 * r() - 2.5), phi: col(() => 2 * Math.PI * r() - Math.PI), mass: col(() => 5 + 10 * r()), btag: col(() => r()) });

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
function report(name, seconds, elements, bytes) {
  console.log(JSON.stringify({ case: name, impl: "hepflow", events_per_s: Math.round(NEV / seconds), elements_per_s: Math.round(elements / seconds), mb_per_s: Number((bytes / seconds / 1e6).toFixed(1)) }));
}

report(
  "jet_mask_pt_eta",
  best(() => and(gt(jets.pt, 25), lt(abs(jets.eta), 2.4))),
  nj,
  nj * 8,
);
const mask = and(gt(jets.pt, 25), lt(abs(jets.eta), 2.4));
report(
  "jet_select_collection_5_fields",
  best(() => select(jets, mask)),
  nj,
  nj * 5 * 4,
);
const good = select(jets, mask);
const evmask = ge(countTrue(gt(good.btag, 0.5)), 1);
report(
  "event_filter_collection",
  best(() => filterEvents(good, evmask)),
  good.pt.content.length,
  good.pt.content.length * 5 * 4,
);
report(
  "ht_sum",
  best(() => sum(good.pt)),
  good.pt.content.length,
  good.pt.content.length * 4,
);
report(
  "four_vector_to_cartesian",
  best(() => toCartesian(good)),
  good.pt.content.length,
  good.pt.content.length * 16,
);
let ncomb = 0;
report(
  "combinations3",
  best(() => {
    ncomb = combinations(good, 3)[0].content.length;
  }),
  0,
  0,
);
const tri = combinations(good, 3);
ncomb = tri[0].content.length;
report(
  "trijet_sum_mass_argmax_pt",
  best(() => {
    const s = combinationSum(good, tri);
    const m = mass(s);
    argmax(ptOf(s));
    return m;
  }),
  ncomb,
  ncomb * 12,
);
console.log(JSON.stringify({ case: "combinations3_count", impl: "hepflow", events: NEV, jets: nj, selected_jets: good.pt.content.length, trijets: ncomb }));

// The 4j1b H_T chain as a processor would write it: jet selection, event selection, H_T, one fill.
const hist = new Hist([Regular(25, 50, 550, { name: "observable" }), StrCategory(["ttbar"], { name: "process" }), StrCategory(["nominal"], { name: "variation" })], { storage: "weight" });
const htJets = zip({ pt: jets.pt, btag: jets.btag }); // only the fields this chain needs
report(
  "agc_4j1b_ht_chain",
  best(() => {
    const sel = select(htJets, gt(htJets.pt, 25));
    const njet = countTrue(gt(sel.pt, 0));
    const nb = countTrue(gt(sel.btag, 0.5));
    const ev = new Uint8Array(NEV);
    for (let e = 0; e < NEV; e++) ev[e] = njet[e] >= 4 && nb[e] === 1 ? 1 : 0;
    const ht = sum(filterEvents(sel.pt, ev));
    hist.fill({ observable: ht, process: "ttbar", variation: "nominal" }, { weight: 0.5 });
  }),
  nj,
  nj * 8,
);

// The AGC chain exactly as examples/agc-ttbar/physics.mjs writes it (spec §3–§5), on synthetic
// NanoAOD-like events: electrons (mean 0.35/event), muons (0.7), jets (6) with float32
// kinematics and int32 IDs. "nominal" = lepton selection, early one-lepton filter, jet
// selection, regions, H_T, m_bjj and two fills; "all_passes" adds pt_scale_up, pt_res_up and
// the eight b-tag weight fills.
const agc = await import("../examples/agc-ttbar/physics.mjs");
const { arange, nth } = await import("../dist/array/index.js");
function poissonCounts(mean) {
  const out = new Int32Array(NEV);
  for (let e = 0; e < NEV; e++) {
    let k = 0,
      p = Math.exp(-mean),
      s = p;
    const u = r();
    while (u > s && k < 14) {
      k++;
      p *= mean / k;
      s += p;
    }
    out[e] = k;
  }
  return out;
}
function collection(mean, fields) {
  const o = offsetsFromCounts(poissonCounts(mean)),
    n = o[NEV];
  return zip(Object.fromEntries(Object.entries(fields).map(([k, [Arr, f]]) => [k, new Jagged(o, Arr.from({ length: n }, f))])));
}
const F32 = Float32Array,
  I32 = Int32Array,
  U8 = Uint8Array;
const electrons = collection(0.35, { pt: [F32, () => 20 + 40 * r()], eta: [F32, () => 5 * r() - 2.5], cutBased: [I32, () => (r() < 0.7 ? 4 : 2)], sip3d: [F32, () => 5 * r()] });
const muons = collection(0.7, { pt: [F32, () => 20 + 40 * r()], eta: [F32, () => 5 * r() - 2.5], tightId: [U8, () => (r() < 0.8 ? 1 : 0)], sip3d: [F32, () => 5 * r()], pfRelIso04_all: [F32, () => 0.3 * r()] });
const agcJets = collection(6, {
  pt: [F32, () => 20 + 100 * r() ** 2],
  eta: [F32, () => 5 * r() - 2.5],
  phi: [F32, () => 2 * Math.PI * r() - Math.PI],
  mass: [F32, () => 5 + 10 * r()],
  btagCSVV2: [F32, () => r() ** 2],
  jetId: [I32, () => (r() < 0.9 ? 6 : 2)],
});
const agcHist = () => new Hist([Regular(25, 50, 550, { name: "observable" }), StrCategory(["ttbar"], { name: "process" }), StrCategory(["nominal", "pt_scale_up", "pt_res_up", "btag"], { name: "variation" })], { storage: "weight" });
function agcChain(all) {
  const hists = [agcHist(), agcHist()];
  const { jets, entry } = filterEvents({ jets: agcJets, entry: arange(0, NEV) }, agc.oneLepton(electrons, muons));
  const flags = agc.jetFlags(jets);
  const passes = [["nominal", jets.pt]];
  if (all) passes.push(["pt_scale_up", agc.scaledPt(jets)], ["pt_res_up", agc.smearedPt(jets, entry, 7)]);
  for (const [name, ptv] of passes) {
    const sel = agc.regions(jets, ptv, flags);
    ["4j1b", "4j2b"].forEach((R, k) => {
      hists[k].fill({ observable: sel[R].observable, process: "ttbar", variation: name }, { weight: 0.5 });
      if (all && name === "nominal")
        for (let i = 0; i < 4; i++) {
          const pti = nth(sel[R].jets.pt, i),
            wu = new Float64Array(pti.length),
            wd = new Float64Array(pti.length);
          for (let e = 0; e < pti.length; e++) {
            wu[e] = 0.5 * (1 + (pti[e] * 0.075) / 50);
            wd[e] = 0.5 * (1 - (pti[e] * 0.075) / 50);
          }
          hists[k].fill({ observable: sel[R].observable, process: "ttbar", variation: "btag" }, { weight: wu });
          hists[k].fill({ observable: sel[R].observable, process: "ttbar", variation: "btag" }, { weight: wd });
        }
    });
  }
  return hists;
}
const agcJetsN = agcJets.pt.content.length;
report(
  "agc_chain_nominal",
  best(() => agcChain(false)),
  agcJetsN,
  0,
);
report(
  "agc_chain_all_passes",
  best(() => agcChain(true)),
  agcJetsN,
  0,
);
