export { renderReport, formatNumber } from "./report.js";
export type { ReportInput, ReportPlot, ReportStage, ReportTable } from "./report.js";
export { provenance, sha256File, hepflowVersion } from "./provenance.js";
export { prepareOutputDir } from "./outdir.js";
