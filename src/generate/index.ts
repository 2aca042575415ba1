export { generateAgc, defaultDataLuminosity, LARGE_OUTPUT_BYTES } from "./agc.js";
export type { AgcOptions, AgcSummary } from "./agc.js";
export { generateChunk, EVENT_SCHEMA } from "./events.js";
export { MODELS, XSEC, LUMINOSITY, SAMPLES } from "./model.js";
export type { ProcessModel } from "./model.js";
export { Rng } from "./rng.js";
export { generateJets, jetsToCsv, JET_FEATURES } from "./jets.js";
export type { JetSample, JetOptions, JetFeature } from "./jets.js";
