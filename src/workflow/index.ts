export { renderReport, formatNumber, valueWithUncertainty } from "./report.js";
export type { ReportInput, ReportPlot, ReportStage, ReportTable } from "./report.js";
export { provenance, sha256File, hepflowVersion } from "./provenance.js";
export { prepareOutputDir } from "./outdir.js";
export { runDemo } from "./demo.js";
export type { DemoOptions, DemoResult } from "./demo.js";
export * from "./yadage/index.js";
export { listEntries, findEntry, readEntry, entryWorkflow, exampleInit, readResult, catalogueDirs } from "./recast.js";
export type { RecastEntry, RecastResult } from "./recast.js";
