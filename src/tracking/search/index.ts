/** Parameter searches: spaces, random search and TPE, and the search runner over tracked runs. */
export { parseSpace, parseDistribution, checkDistribution, spaceKeys } from "./space.js";
export type { Distribution, SearchSpace, ParamSet, ParamValue } from "./space.js";
export { randomSuggest, tpeSuggest, adaptiveParzen, linearForgettingWeights, normalCdf, TPE_DEFAULTS } from "./samplers.js";
export type { Observation, TpeOptions, Parzen } from "./samplers.js";
export { runSearch, trialTable } from "./search.js";
export type { SearchSpec, SearchResult, TrialRecord, TrialTarget, RunSearchOptions } from "./search.js";
