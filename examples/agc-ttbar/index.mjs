// The IRIS-HEP AGC ttbar analysis (spec: shared/specs/agc-ttbar.md) as a hepflow processor.
// Run: hepflow run examples/agc-ttbar --dataset D/dataset.json --out OUT
import { env } from "node:process";
import { HepflowError } from "hepflow/util";
import { arange, filterEvents, nth } from "hepflow/array";
import { XSEC, LUMI, oneLepton, jetFlags, regions, scaledPt, smearedPt, seedOf } from "./physics.mjs";
import { toAccumulator } from "hepflow/hist";
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

/**
 * Real (or pseudo-) data is catalogued but never processed by the reference (spec §1.2); with
 * HEPFLOW_AGC_DATA=1 it is processed too (nominal selection, unit weights) and written as `R_data`,
 * so a fit can use the generator's pseudo-data instead of the reference's pseudodata recipe.
 */
const WITH_DATA = env.HEPFLOW_AGC_DATA === "1";
const processOf = (sample) => String(sample.metadata.process ?? sample.name.split("__")[0]);
export function acceptSample(sample) {
  return WITH_DATA || processOf(sample) !== "data";
}

/**
 * Simulation is weighted by xsec × lumi / nevts, with the cross section often from physics.mjs
 * rather than the dataset: tell the executor so, so that lost chunks (--continue-on-failure)
 * rescale these samples and never the data.
 */
export function normalisedByNevts(sample) {
  return processOf(sample) !== "data";
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
  if (!Number.isSafeInteger(meta.entryStart)) throw new HepflowError("AGC_NO_ENTRY", `chunk of ${meta.sample} has no entryStart; the pt_res_up random numbers are keyed by entry number`, { file: meta.file });

  // §3: exactly one tight lepton. Every later step needs only these events, so filter them first.
  const lepton = oneLepton(events.zip("Electron"), events.zip("Muon"));
  const { jets, entry } = filterEvents({ jets: events.zip("Jet"), entry: arange(meta.entryStart, meta.entryStart + events.length) }, lepton);
  const flags = jetFlags(jets);
  const hists = REGIONS.map(regionHist);
  const fill = (r, observable, label, weight) => hists[r].fill({ observable, process: proc, variation: label }, { weight });
  const systematics = variation === "nominal" && !NOMINAL_ONLY && !isData;

  // nominal pass; alternative samples fill it under their own variation name (§5.1)
  const nominal = regions(jets, jets.pt, flags);
  REGIONS.forEach((R, r) => {
    const { jets: selected, observable } = nominal[R];
    fill(r, observable, variation, w);
    if (!systematics) return;
    // b-tag weights from the unvaried pt of selected jets 0–3 (§5.3); every selected event has ≥ 4
    for (let i = 0; i < 4; i++) {
      const ptI = nth(selected.pt, i);
      fill(r, observable, `btag_var_${i}_up`, btagWeights(w, ptI, +1));
      fill(r, observable, `btag_var_${i}_down`, btagWeights(w, ptI, -1));
    }
    if (proc === "wjets") {
      fill(r, observable, "scale_var_up", w * 1.025);
      fill(r, observable, "scale_var_down", w * 0.975);
    }
  });

  // jet-kinematic variations redo the jet selection and the observables (§5.2)
  if (systematics) {
    const seed = seedOf(`${RES_SEED}/${meta.sample}/${meta.fileIndex}`);
    for (const [name, ptv] of [["pt_scale_up", scaledPt(jets)], ["pt_res_up", smearedPt(jets, entry, seed)]]) {
      const varied = regions(jets, ptv, flags);
      REGIONS.forEach((R, r) => fill(r, varied[R].observable, name, w));
    }
  }

  const cutflow = {
    all: events.length, oneLepton: jets.pt.length, fourJets: nominal.fourJets,
    oneBtag: nominal["4j1b"].observable.length + nominal["4j2b"].observable.length,
    r4j1b: nominal["4j1b"].observable.length, r4j2b: nominal["4j2b"].observable.length,
  };
  return { hists: Object.fromEntries(REGIONS.map((R, r) => [R, toAccumulator(hists[r])])), cutflow: { [meta.sample]: cutflow } };
}

/**
 * Event weights w × (1 ± 0.075 × pt / 50) of btag_var (§5.3), in double precision and in the
 * operation order of the reference's correctionlib formula.
 */
function btagWeights(w, pt, sign) {
  const out = new Float64Array(pt.length);
  for (let e = 0; e < pt.length; e++) out[e] = w * (sign > 0 ? 1.0 + (pt[e] * 0.075) / 50 : 1.0 - (pt[e] * 0.075) / 50);
  return out;
}

export async function finalize(acc, ctx) {
  await writeOutputs(acc, ctx);
}
