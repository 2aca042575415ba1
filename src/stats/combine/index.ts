/** stats/combine: CMS Combine datacards: export of pyhf workspaces (with a shapes ROOT file) and reading datacards into workspaces. */
export { workspaceToDatacard } from "./datacard.js";
export type { DatacardExport, ShapeTemplate } from "./datacard.js";
export { writeShapes, templateHistogram } from "./shapes.js";
export { readDatacard, isDatacard } from "./read.js";
export type { DatacardModel, ReadDatacardOptions } from "./read.js";
