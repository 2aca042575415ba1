export { createFile, updateFile, RootWriter } from "./file.js";
export type { CreateOptions } from "./file.js";
export { TreeWriter } from "./tree.js";
export type { BranchSpec, TreeSchema, TreeWriterOptions, LeafType } from "./tree.js";
export { hadd } from "./hadd.js";
export type { HaddResult } from "./hadd.js";
export { RNTupleWriter } from "./rntuple/index.js";
export type { RNTupleWriterOptions } from "./rntuple/index.js";
