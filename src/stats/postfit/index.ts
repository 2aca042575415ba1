/** stats/postfit: pulls, impacts ranking, likelihood scans, goodness of fit and yield tables on top of fit(). */
export { prefitParameters } from "./prefit.js";
export type { PrefitParameters } from "./prefit.js";
export { pulls } from "./pulls.js";
export type { Pull } from "./pulls.js";
export { ranking } from "./ranking.js";
export type { Impact, RankingOptions } from "./ranking.js";
export { scan1D, scan2D, linspace, defaultRange } from "./scan.js";
export type { Scan1D, Scan2D } from "./scan.js";
export { goodnessOfFit, chi2Sf, gammaQ } from "./gof.js";
export type { GoodnessOfFit } from "./gof.js";
export { yieldTable, prefitYields, postfitYields } from "./yields.js";
export type { ChannelYields } from "./yields.js";
