/** Public face of analysis/: datasets, processors, accumulators and executors. */
export { loadDataset, parseDataset } from "./dataset.js";
export type { Dataset, DatasetFile, DatasetOptions, Sample } from "./dataset.js";
export { mergeAccumulators, mergeAll, rescaleHistograms } from "./accumulate.js";
export type { Accumulator } from "./accumulate.js";
export { EventChunk, withRecordViews } from "./eventchunk.js";
export type { CollectionView, ColumnReader } from "./eventchunk.js";
export { loadProcessor, loadOpener, resolveProcessorPath } from "./processor.js";
export type { ChunkMeta, FinalizeContext, ProcessorModule, TreeOpener } from "./processor.js";
export { ChunkRunner } from "./runner.js";
export type { WorkItem, ChunkOutput, ErrorInfo } from "./runner.js";
export { groupClusters, planChunks, planSamples } from "./chunks.js";
export type { FilePlan, PlanFailure, SamplePlan } from "./chunks.js";
export { RunCollector } from "./collect.js";
export type { CollectorOptions } from "./collect.js";
export { LocalExecutor, normalisedSamples } from "./executor.js";
export type { Executor, ExecutorOptions, ChunkFailure, RunResult, SampleReport } from "./executor.js";
