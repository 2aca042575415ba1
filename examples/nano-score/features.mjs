// The event-level classifier of this example: what it reads and how the preselection and its six
// inputs are written, in hepflow's expression language (docs/expr.md) so that training
// (make-model.mjs, through `hepflow skim --define`) and scoring (index.mjs) use the same text.

/** Preselection: two jets and one lepton above 25 GeV (looser than the AGC's 4j1b, spec §3). */
export const PRESELECTION = "Sum$(Jet_pt > 25) >= 2 && Sum$(Muon_pt > 25) + Sum$(Electron_pt > 25) >= 1";

/** Model inputs, in the model's order: name → expression. */
export const FEATURES = [
  ["njet", "Sum$(Jet_pt > 25)"],
  ["nbtag", "Sum$(Jet_pt > 25 && Jet_btagCSVV2 > 0.5)"],
  ["ht", "Sum$(Jet_pt * (Jet_pt > 25))"],
  ["jet1_pt", "Max$(Jet_pt)"],
  ["lep_pt", "max(Max$(Muon_pt), Max$(Electron_pt))"],
  ["met", "MET_pt"],
];

/** Branches of the slimmer NanoAOD: event ids, the objects an analysis of the skim needs, and the score. */
export const KEEP = [
  "run",
  "luminosityBlock",
  "event",
  "Jet_pt",
  "Jet_eta",
  "Jet_phi",
  "Jet_mass",
  "Jet_btagCSVV2",
  "Jet_jetId",
  "Muon_pt",
  "Muon_eta",
  "Muon_phi",
  "Muon_charge",
  "Muon_tightId",
  "Electron_pt",
  "Electron_eta",
  "Electron_phi",
  "Electron_charge",
  "Electron_cutBased",
  "MET_pt",
  "MET_phi",
];
