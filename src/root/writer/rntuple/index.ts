export { RNTupleWriter } from "./ntuple.js";
export type { RNTupleWriterOptions } from "./ntuple.js";
