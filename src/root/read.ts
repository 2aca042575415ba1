/**
 * The reading face of root/: open a file and read its trees, histograms and objects. Unlike the
 * full face (index.ts) it loads neither the writer nor, until a file holds one, the RNTuple
 * reader, nor the remote clients until a URL is opened: an analysis worker thread imports this
 * one (docs/performance.md, "The AGC, all systematics").
 */
export { openFile, RootFile } from "./file.js";
export type { OpenOptions, FileHeader, KeyEntry } from "./file.js";
export type { Key } from "./key.js";
export { Directory } from "./directory.js";
export { decompress, decompressAsync, decompressAny, syncCodecs, codecsReady, decompressionTotals, inflateImplementation, parseCompression, compressionFromROOT, CODEC_IDS } from "./compression.js";
export type { Codec, CompressionSetting } from "./compression.js";
export type { TreeLike, BranchInfo, EntryRange, IterateOptions, ColumnChunk } from "./treelike.js";
export type { RootHistogram, RootAxis } from "./histogram.js";
export { TTree } from "./ttree/index.js";
export type { BranchModel, Interpretation, BasketRef } from "./ttree/index.js";
export { readObject } from "./objects.js";
export { loadStreamerInfos, readKeyObject, ObjectReader } from "./streamers/index.js";
export type { StreamerInfo, StreamerElement, StreamerRegistry, RootObject, RootList } from "./streamers/index.js";
