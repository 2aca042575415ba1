export type { ByteSource, ByteRange } from "./source.js";
export { LocalFileSource, MemorySource } from "./local.js";
export { openSource, httpOptionsFromEnv } from "./read.js";

export { HttpSource } from "./http.js";
export { coalesce } from "./spans.js";
export type { HttpOptions, HttpStats } from "./http.js";
export { XRootDSource, statUrl, remoteChecksum, discoverToken, XRootDWriter, removeUrl, copyFile, listDirectory, expandGlob, hasGlob } from "#io/xrootd";
// Types straight from the client's modules: type-only, so a page's bundle never loads them.
export type { XrdSourceOptions, XrdStats } from "./xrootd-source.js";
export type { XrdOptions } from "./xrootd-session.js";
export type { XrdWriterOptions } from "./xrootd-writer.js";
export type { CopyOptions, CopyResult } from "./xrootd-copy.js";
export { isXrootdUrl, parseXrdUrl, formatXrdUrl } from "./xrootd-url.js";
export type { XrdUrl } from "./xrootd-url.js";
export { adler32, adler32Combine, adler32Hex } from "./xrootd-checksum.js";
export { stageOutput, isRemoteOutput } from "#io/xrootd";
export type { StagedOutput } from "./output.js";
