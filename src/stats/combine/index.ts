/** stats/combine: export of pyhf workspaces to CMS Combine datacards with a shapes ROOT file. */
export { workspaceToDatacard } from "./datacard.js";
export type { DatacardExport, ShapeTemplate } from "./datacard.js";
export { writeShapes, templateHistogram } from "./shapes.js";
