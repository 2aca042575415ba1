/** tracking/: the run store (SQLite, MLflow's data model and file formats), its REST server, MLprojects and parameter searches. */
export { TrackingStore, trackingDir, gitState, filterView, RUN_STATUSES } from "./store.js";
export type { Experiment, RunInfo, Run, Metric, RunStatus, ArtifactEntry, InputEntry, StartRunOptions, SearchOptions, LifecycleStage } from "./store.js";
export { parseFilter, parseOrderBy, matches, sortRuns } from "./filter.js";
export type { Clause, OrderBy, FilterableRun } from "./filter.js";
export { openStore, closeStores, startRun, logParams, logMetrics, logArtifact, setTags, endRun, searchRuns } from "./api.js";
export { exportMlflow, importMlflow } from "./mlflow-fs.js";
export type { ExportSummary, ImportSummary } from "./mlflow-fs.js";
export { buildTrackingServer, serveTracking } from "./server.js";
export type { ServeOptions } from "./server.js";
export { loadProject, resolveParameters, renderCommand, splitCommand, shellQuote, checkParameter, runProject } from "./mlproject.js";
export type { Project, EntryPoint, ProjectParameter, ParameterType, ProjectRunOptions, ProjectRunResult } from "./mlproject.js";
export { metricHistoryPlot, objectiveVsTrialPlot, paramVsObjectivePlot } from "./plots.js";
export * from "./search/index.js";
export { autolog } from "./autolog.js";
export type { AutologRecord } from "./autolog.js";
