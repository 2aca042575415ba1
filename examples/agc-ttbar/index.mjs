// The IRIS-HEP AGC ttbar analysis (spec: shared/specs/agc-ttbar.md) as a hepflow processor.
// Run: hepflow run examples/agc-ttbar --dataset D/dataset.json --out OUT
import { env } from "node:process";
import { HepflowError } from "../../dist/util/index.js";
import { XSEC, LUMI, countLeptons, jetBaseMask, scaledPt, smearedPt, seedOf, runPass } from "./physics.mjs";
import { toAccumulator } from "../../dist/hist/index.js";
import { REGIONS, PROCESSES, VARIATIONS, regionHist } from "./histograms.mjs";
import { writeOutputs } from "./outputs.mjs";

export { REGIONS };

export const columns = [
  "Electron_pt", "Electron_eta", "Electron_cutBased", "Electron_sip3d",
  "Muon_pt", "Muon_eta", "Muon_tightId", "Muon_sip3d", "Muon_pfRelIso04_all",
  "Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btagCSVV2", "Jet_jetId",
];

/** Options through the environment so worker threads see them too. */
const NOMINAL_ONLY = env.HEPFLOW_AGC_NOMINAL_ONLY === "1";
const RES_SEED = Number(env.HEPFLOW_AGC_SEED ?? 20240101) >>> 0;

/** Event-weight factor of btag_var (spec §5.3), same operation order as the correctionlib TFormula. */
const btagFactor = (pt, up) => (up ? 1.0 + (pt * 0.075) / 50 : 1.0 - (pt * 0.075) / 50);

/**
 * Real (or pseudo-) data is catalogued but never processed by the reference (spec §1.2); with
 * HEPFLOW_AGC_DATA=1 it is processed too (nominal selection, unit weights) and written as `R_data`,
 * so a fit can use the generator's pseudo-data instead of the reference's pseudodata recipe.
 */
const WITH_DATA = env.HEPFLOW_AGC_DATA === "1";
export function acceptSample(sample) {
  return WITH_DATA || (sample.metadata.process ?? sample.name.split("__")[0]) !== "data";
}

export function process(events, meta) {
  const proc = String(meta.process ?? meta.sample.split("__")[0]);
  const variation = String(meta.variation ?? "nominal");
  const isData = proc === "data";
  const xsec = isData ? 1 : typeof meta.xsec === "number" ? meta.xsec : XSEC[proc];
  if (xsec === undefined) throw new HepflowError("AGC_UNKNOWN_PROCESS", `no cross section for process "${proc}"; add "xsec" to the sample`, { file: meta.file });
  if (!(meta.nevts > 0)) throw new HepflowError("AGC_NO_NEVTS", `sample ${meta.sample} has no event count for normalisation`, { file: meta.file });
  const w = isData ? 1 : (xsec * LUMI) / meta.nevts;
  // a label outside the fixed category lists would land in the axes' overflow bin, unseen
  if (!PROCESSES.includes(proc)) throw new HepflowError("AGC_UNKNOWN_PROCESS", `process "${proc}" is not one of ${PROCESSES.join(", ")}`, { file: meta.file });
  if (!VARIATIONS.includes(variation)) throw new HepflowError("AGC_UNKNOWN_VARIATION", `variation "${variation}" is not one of ${VARIATIONS.join(", ")}`, { file: meta.file });

  const jet = events.Jet;
  const nLep = countLeptons(events.Electron, events.Muon);
  const base = jetBaseMask(jet);
  const hists = REGIONS.map(regionHist);
  const cut = { all: events.length, oneLepton: 0, fourJets: 0, oneBtag: 0, r4j1b: 0, r4j2b: 0 };
  const isNominalSample = variation === "nominal";
  const pt = jet.pt.content;

  // nominal pass (for alternative samples: filled under the sample's variation name, §5.1)
  const nom = collect(jet, pt, base, nLep, true, cut, true);
  REGIONS.forEach((_, r) => {
    const obs = nom.obs[r];
    hists[r].fill({ observable: obs, process: proc, variation: isNominalSample ? "nominal" : variation }, { weight: w });
    if (!isNominalSample || NOMINAL_ONLY || isData) return;
    // event-weight variations on the nominal selection, from the unvaried pt of jets 0–3 (§5.3)
    const wv = new Float64Array(obs.length);
    for (let i = 0; i < 4; i++) {
      for (const up of [true, false]) {
        for (let e = 0; e < obs.length; e++) wv[e] = w * btagFactor(nom.pts[r][4 * e + i], up);
        hists[r].fill({ observable: obs, process: proc, variation: `btag_var_${i}_${up ? "up" : "down"}` }, { weight: wv });
      }
    }
    if (proc === "wjets") {
      hists[r].fill({ observable: obs, process: proc, variation: "scale_var_up" }, { weight: w * 1.025 });
      hists[r].fill({ observable: obs, process: proc, variation: "scale_var_down" }, { weight: w * 0.975 });
    }
  });

  if (isNominalSample && !NOMINAL_ONLY && !isData) {
    const passes = [
      ["pt_scale_up", scaledPt(pt), true],
      ["pt_res_up", smearedPt(pt, jet.pt.offsets, meta.entryStart, seedOf(`${RES_SEED}/${meta.sample}/${meta.fileIndex}`)), false],
    ];
    for (const [name, ptv, float32] of passes) {
      const varied = collect(jet, ptv, base, nLep, float32, undefined, false);
      REGIONS.forEach((_, r) => hists[r].fill({ observable: varied.obs[r], process: proc, variation: name }, { weight: w }));
    }
  }
  return { hists: Object.fromEntries(REGIONS.map((R, r) => [R, toAccumulator(hists[r])])), cutflow: { [meta.sample]: cut } };
}

/** Run one pass and gather the observables per region (and the nominal pt of jets 0–3 for weights). */
function collect(jet, ptv, base, nLep, float32, cut, wantPts) {
  const n = nLep.length;
  const obs = [new Float64Array(n), new Float64Array(n)], k = [0, 0];
  const pts = wantPts ? [new Float64Array(4 * n), new Float64Array(4 * n)] : undefined;
  runPass(jet, ptv, base, nLep, float32, (e, region, value, sel) => {
    const i = k[region]++;
    obs[region][i] = value;
    if (pts) for (let j = 0; j < 4; j++) pts[region][4 * i + j] = ptv[sel[j]];
  }, cut);
  return { obs: obs.map((o, r) => o.subarray(0, k[r])), pts };
}

export async function finalize(acc, ctx) {
  await writeOutputs(acc, ctx);
}
