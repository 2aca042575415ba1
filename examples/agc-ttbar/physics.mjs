// AGC ttbar physics (spec §3–§5), written with hepflow's array and four-vector kernels.
// Float32 inputs stay float32 through the kernels, which reproduces the reference's float32
// arithmetic (§4.1); a float64 pt (the pt_res_up pass) makes everything downstream float64.
import { zip, and, gt, lt, eq, ne, ge, absLt, hasBits, add, mul, countTrue, select, filterEvents, sum, combinations, combinationMax, argmax, pick, randomNormal, counterNormal, seedFromText } from "hepflow/array";
import { combinationSum, pt, mass } from "hepflow/physics";

/** b-tag working point: strictly greater (§3; the `>=` variant was AGC bug #174). */
export const B_TAG_THRESHOLD = 0.5;

/** Luminosity (pb^-1) of the analysis (spec §1.3): the default of the `lumi` parameter. */
export const AGC_LUMI = 3378;

/** The object pt cut of the spec (§3) for leptons and jets: the default of the `pt_threshold` parameter. */
export const PT_THRESHOLD = 30;

/** Cross sections in pb exactly as the reference code computes them (spec §1.3). */
export const XSEC = {
  ttbar: 396.87 + 332.97,
  single_top_s_chan: 2.0268 + 1.2676,
  single_top_t_chan: (36.993 + 22.175) / 0.252,
  single_top_tW: 37.936 + 37.906,
  wjets: 61457 * 0.252,
};

/** Tight electrons and muons (§3) with pt > ptCut GeV. */
export function tightLeptons(el, mu, ptCut = PT_THRESHOLD) {
  return {
    goodEl: and(gt(el.pt, ptCut), absLt(el.eta, 2.1), eq(el.cutBased, 4), lt(el.sip3d, 4)),
    goodMu: and(gt(mu.pt, ptCut), absLt(mu.eta, 2.1), ne(mu.tightId, 0), lt(mu.sip3d, 4), lt(mu.pfRelIso04_all, 0.15)),
  };
}

/** Events with exactly one tight electron or muon (§3). */
export function oneLepton(el, mu, ptCut = PT_THRESHOLD) {
  const { goodEl, goodMu } = tightLeptons(el, mu, ptCut);
  return eq(add(countTrue(goodEl), countTrue(goodMu)), 1);
}

/** Jet properties no pt variation changes (§3): acceptance (|eta| < 2.4, tight-lepton-veto ID bit) and b-tag. */
export function jetFlags(jets) {
  return { accepted: and(absLt(jets.eta, 2.4), hasBits(jets.jetId, 4)), btagged: gt(jets.btagCSVV2, B_TAG_THRESHOLD) };
}

/** pt_scale_up: pt × 1.03 in float32, float32(pt × float32(1.03)) (§4.1, §5.2). */
export const scaledPt = (jets) => mul(jets.pt, 1.03);

/**
 * pt_res_up: pt × N(1, 0.05) in float64 (§5.2). The reference draws unseeded numbers; here each
 * jet's factor is a pure function of (seed, entry number, jet index in the event), so results do
 * not depend on chunking, event filtering or worker count.
 */
export const smearedPt = (jets, entry, seed) => mul(jets.pt, add(mul(randomNormal(jets.pt, entry, seed), 0.05), 1));

/** The Gaussian behind smearedPt and the seed derivation, exported for cross-checks. */
export const gaussian = counterNormal;
export const seedOf = seedFromText;

/**
 * One jet-kinematic pass (§3, §5.2): jets pass with the given (possibly varied) pt; events need
 * ≥ 4 jets and are split by the number of b-tagged jets into 4j1b (one) and 4j2b (two or more).
 * The region masks come from per-event counts, so only events in a region have their jets copied.
 * Only pt changes between passes: eta, phi, mass and the b-tag score are the stored ones.
 */
export function regions(jets, ptv, flags, ptCut = PT_THRESHOLD) {
  const good = and(flags.accepted, gt(ptv, ptCut));
  const nB = countTrue(and(good, flags.btagged));
  const fourJets = ge(countTrue(good), 4);
  const candidates = { jets: zip({ pt: ptv, eta: jets.eta, phi: jets.phi, mass: jets.mass, btag: jets.btagCSVV2 }), good };
  const selectedIn = (region) => {
    const ev = filterEvents(candidates, region);
    return select(ev.jets, ev.good);
  };
  const j1b = selectedIn(and(fourJets, eq(nB, 1)));
  const j2b = selectedIn(and(fourJets, ge(nB, 2)));
  return {
    fourJets: countTrue(fourJets),
    "4j1b": { jets: j1b, observable: sum(j1b.pt) }, // H_T over all selected jets, running sum in jet order (§4.1)
    "4j2b": { jets: j2b, observable: trijetMass(j2b) },
  };
}

/** m_bjj (§4.1): mass of the highest-pt trijet among those with at least one b-tagged jet. */
export function trijetMass(jets) {
  const trijet = combinations(jets, 3);
  const p4 = combinationSum(jets, trijet);
  const hasB = gt(combinationMax(jets.btag, trijet), B_TAG_THRESHOLD);
  return mass(pick(p4, argmax(pt(p4), { where: hasB })));
}
