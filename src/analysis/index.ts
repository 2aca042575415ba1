/** Public face of analysis/: datasets, processors, accumulators and executors. */
export { loadDataset, parseDataset } from "./dataset.js";
export type { Dataset, DatasetFile, DatasetOptions, Sample } from "./dataset.js";
export { mergeAccumulators, mergeAll } from "./accumulate.js";
export type { Accumulator } from "./accumulate.js";
export { EventChunk, withRecordViews } from "./eventchunk.js";
export type { CollectionView, ColumnReader } from "./eventchunk.js";
export { loadProcessor, loadOpener, resolveProcessorPath } from "./processor.js";
export type { ChunkMeta, FinalizeContext, ProcessorModule, TreeOpener } from "./processor.js";
export { ChunkRunner } from "./runner.js";
export type { WorkItem, ChunkOutput, ErrorInfo } from "./runner.js";
export { groupClusters, planChunks } from "./chunks.js";
export { LocalExecutor } from "./executor.js";
export type { Executor, ExecutorOptions, ChunkFailure, RunResult } from "./executor.js";
