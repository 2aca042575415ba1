/**
 * The physics model of each AGC sample: which heavy particles an event holds, how hard they are,
 * how much extra radiation, and how the systematic variants differ. Numbers are round values
 * chosen to look like CMS 2015 13 TeV simulation, not fits to it; see docs/generator.md.
 */

/** Per-sample knobs read by the event generator. */
export interface ProcessModel {
  /** Top quarks produced (ttbar 2, single top 1). */
  tops: number;
  /** Mean of the (exponential-like) top transverse momentum, GeV. */
  topPtMean: number;
  /** Extra W bosons besides top decays (tW: 1; W+jets: 1). */
  extraW: number;
  /** Mean W transverse momentum for extra W bosons, GeV. */
  wPtMean: number;
  /** Extra b quarks at hard-process level (s-channel: 1). */
  extraB: number;
  /** A forward light quark (t-channel). */
  forwardJet: boolean;
  /** Mean number of extra radiated jets (Poisson) and their pT scale (exponential mean above 15 GeV). */
  isrMean: number;
  isrPtMean: number;
  /** Flavour mix of radiated jets: fraction b, fraction c (rest light/gluon). */
  isrB: number;
  isrC: number;
  /** Jet energy scale factor applied to all jets (parton-shower variation). */
  jetScale: number;
  /** Exponent k of the b-jet discriminant 1 - u^k (larger k: more b jets near 1). */
  bTagK: number;
  /** Fraction of events with a negative generator weight (aMC@NLO samples). */
  negativeWeights: number;
  /** |genWeight| as the generator writes it. */
  genWeight: number;
}

const TTBAR: ProcessModel = {
  tops: 2,
  topPtMean: 95,
  extraW: 0,
  wPtMean: 0,
  extraB: 0,
  forwardJet: false,
  isrMean: 1.1,
  isrPtMean: 22,
  isrB: 0.02,
  isrC: 0.06,
  jetScale: 1,
  bTagK: 3.1,
  negativeWeights: 0,
  genWeight: 225892.45,
};

/** Models keyed "<process>__<variation>", as in the AGC catalogue. */
export const MODELS: Record<string, ProcessModel> = {
  ttbar__nominal: TTBAR,
  // Renormalisation/factorisation scale up: less radiation and a slightly softer top spectrum.
  ttbar__scaleup: { ...TTBAR, isrMean: TTBAR.isrMean * 0.8, topPtMean: TTBAR.topPtMean * 0.97 },
  ttbar__scaledown: { ...TTBAR, isrMean: TTBAR.isrMean * 1.25, topPtMean: TTBAR.topPtMean * 1.03 },
  // Other matrix-element generator (aMC@NLO): harder tops, a bit more radiation, negative weights.
  ttbar__ME_var: { ...TTBAR, topPtMean: TTBAR.topPtMean * 1.06, isrMean: TTBAR.isrMean * 1.05, negativeWeights: 0.1, genWeight: 1 },
  // Other parton shower (Herwig++): lower jet response, more soft radiation, broader b tagging.
  ttbar__PS_var: { ...TTBAR, jetScale: 0.98, isrMean: TTBAR.isrMean * 1.1, isrPtMean: 19, bTagK: 2.6, genWeight: 1 },
  single_top_s_chan__nominal: {
    tops: 1,
    topPtMean: 70,
    extraW: 0,
    wPtMean: 0,
    extraB: 1,
    forwardJet: false,
    isrMean: 0.7,
    isrPtMean: 20,
    isrB: 0.02,
    isrC: 0.06,
    jetScale: 1,
    bTagK: 3.1,
    negativeWeights: 0.19,
    genWeight: 3.42,
  },
  single_top_t_chan__nominal: {
    tops: 1,
    topPtMean: 65,
    extraW: 0,
    wPtMean: 0,
    extraB: 0,
    forwardJet: true,
    isrMean: 0.8,
    isrPtMean: 20,
    isrB: 0.05,
    isrC: 0.05,
    jetScale: 1,
    bTagK: 3.1,
    negativeWeights: 0,
    genWeight: 1,
  },
  single_top_tW__nominal: {
    tops: 1,
    topPtMean: 80,
    extraW: 1,
    wPtMean: 60,
    extraB: 0,
    forwardJet: false,
    isrMean: 0.9,
    isrPtMean: 21,
    isrB: 0.02,
    isrC: 0.06,
    jetScale: 1,
    bTagK: 3.1,
    negativeWeights: 0,
    genWeight: 1,
  },
  // W+jets: a W with soft recoil and few, soft, mostly light jets.
  wjets__nominal: {
    tops: 0,
    topPtMean: 0,
    extraW: 1,
    wPtMean: 18,
    extraB: 0,
    forwardJet: false,
    isrMean: 1.4,
    isrPtMean: 32,
    isrB: 0.015,
    isrC: 0.08,
    jetScale: 1,
    bTagK: 3.1,
    negativeWeights: 0.2,
    genWeight: 20000,
  },
};

/** Cross sections in pb, exactly as the AGC analysis uses them (spec §1.3). */
export const XSEC: Record<string, number> = {
  ttbar: 396.87 + 332.97,
  single_top_s_chan: 2.0268 + 1.2676,
  single_top_t_chan: (36.993 + 22.175) / 0.252,
  single_top_tW: 37.936 + 37.906,
  wjets: 61457 * 0.252,
};

/** The AGC analysis luminosity, pb^-1. */
export const LUMINOSITY = 3378;

/** Samples in the catalogue's key order (spec §1.5). */
export const SAMPLES: Array<[process: string, variation: string]> = [
  ["ttbar", "nominal"],
  ["ttbar", "scaledown"],
  ["ttbar", "scaleup"],
  ["ttbar", "ME_var"],
  ["ttbar", "PS_var"],
  ["single_top_s_chan", "nominal"],
  ["single_top_t_chan", "nominal"],
  ["single_top_tW", "nominal"],
  ["wjets", "nominal"],
];
