export { openFile, RootFile } from "./file.js";
export type { FileHeader, KeyEntry } from "./file.js";
export type { Key } from "./key.js";
export { Directory } from "./directory.js";
export { Cursor } from "./cursor.js";
export { decompress, compress, parseCompression, compressionFromROOT, CODEC_IDS } from "./compression.js";
export type { Codec, CompressionSetting } from "./compression.js";
export type { TreeLike, BranchInfo, EntryRange, IterateOptions, ColumnChunk } from "./treelike.js";
export type { RootHistogram, RootAxis } from "./histogram.js";
