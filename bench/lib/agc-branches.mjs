/** The NanoAOD branches the AGC ttbar selection reads (spec §3), as the read benchmarks read them. */
export const AGC_DATA_BRANCHES = [
  "nJet",
  "Jet_pt",
  "Jet_eta",
  "Jet_phi",
  "Jet_mass",
  "Jet_btagCSVV2",
  "Jet_jetId",
  "nElectron",
  "Electron_pt",
  "Electron_eta",
  "Electron_cutBased",
  "Electron_sip3d",
  "nMuon",
  "Muon_pt",
  "Muon_eta",
  "Muon_tightId",
  "Muon_sip3d",
  "Muon_pfRelIso04_all",
  "run",
  "luminosityBlock",
  "event",
];
/** The same for simulation, which carries the generator weight too. */
export const AGC_MC_BRANCHES = [...AGC_DATA_BRANCHES, "genWeight"];
