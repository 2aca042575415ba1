/**
 * XRootD (root://) for Node: TCP and TLS sockets, token files. The browser build
 * (../browser/xrootd.ts) has the same names, each refusing with an explanation.
 */
export { XRootDSource } from "../../xrootd-source.js";
export type { XrdSourceOptions, XrdStats } from "../../xrootd-source.js";
export { statUrl, remoteChecksum } from "../../xrootd-session.js";
export type { XrdOptions } from "../../xrootd-session.js";
export { discoverToken } from "../../xrootd-auth.js";
export { XRootDWriter, removeUrl } from "../../xrootd-writer.js";
export type { XrdWriterOptions } from "../../xrootd-writer.js";
export { copyFile } from "../../xrootd-copy.js";
export type { CopyOptions, CopyResult } from "../../xrootd-copy.js";
export { listDirectory, expandGlob, hasGlob } from "../../xrootd-dirlist.js";
export { stageOutput, isRemoteOutput } from "../../output.js";
export type { StagedOutput } from "../../output.js";
