/** stats/histfactory: HistFactory XML ↔ pyhf workspace JSON (pyhf's readxml / writexml). */
export { readHistFactoryXml } from "./read.js";
export type { ReadXmlOptions } from "./read.js";
export { workspaceToHistFactoryXml, writeHistFactoryXml } from "./write.js";
export type { WriteXmlOptions, HistFactoryXmlExport } from "./write.js";
