// The AGC histograms (spec §4.2): per region, observable (regular bins on [50, 550) GeV with
// under/overflow; 25 in the spec, the `num_bins` parameter) × process × variation, weighted
// storage. The category lists are fixed (not growable) so every chunk's histogram has the same
// layout and merges by plain addition.
import { Hist, Regular, StrCategory } from "hepflow/hist";

export const REGIONS = ["4j1b", "4j2b"];
export const PROCESSES = ["ttbar", "single_top_s_chan", "single_top_t_chan", "single_top_tW", "wjets", "data"];
export const VARIATIONS = ["nominal", "pt_scale_up", "pt_res_up", ...[0, 1, 2, 3].flatMap((i) => [`btag_var_${i}_up`, `btag_var_${i}_down`]), "scale_var_up", "scale_var_down", "scaledown", "scaleup", "ME_var", "PS_var"];
/** The observable range of §4.2. */
export const LOW = 50,
  HIGH = 550;
/** The spec's 26 bin edges (25 bins of 20 GeV). */
export const EDGES = Array.from({ length: 26 }, (_, k) => LOW + 20 * k);

/** An empty region histogram with `numBins` bins on [50, 550). */
export function regionHist(region, numBins = 25) {
  return new Hist([Regular(numBins, LOW, HIGH, { name: "observable" }), StrCategory(PROCESSES, { name: "process" }), StrCategory(VARIATIONS, { name: "variation" })], {
    storage: "weight",
    name: region,
    label: region === "4j1b" ? "H_T [GeV]" : "m_bjj [GeV]",
  });
}
