/**
 * XRootD in a page: a browser has no TCP sockets, so each name of ../node/xrootd.ts is here and
 * refuses when used (a root:// file is read in the page through an HTTP(S) door of the server).
 */
import type * as Node from "../node/xrootd.js";

export type { XrdSourceOptions, XrdStats, XrdOptions, XrdWriterOptions, CopyOptions, CopyResult, StagedOutput } from "../node/xrootd.js";

function absent(what: string): never {
  throw new Error(`${what}: XRootD (root://) needs TCP sockets, which a browser does not have; read the file over HTTP(S) instead`);
}
const fn = (what: string) => ((..._args: unknown[]) => absent(what)) as never;
const cls = (what: string) =>
  class {
    constructor() {
      absent(what);
    }
  } as never;

export const XRootDSource: typeof Node.XRootDSource = cls("XRootDSource");
export const XRootDWriter: typeof Node.XRootDWriter = cls("XRootDWriter");
export const statUrl: typeof Node.statUrl = fn("statUrl");
export const remoteChecksum: typeof Node.remoteChecksum = fn("remoteChecksum");
export const discoverToken: typeof Node.discoverToken = fn("discoverToken");
export const removeUrl: typeof Node.removeUrl = fn("removeUrl");
export const copyFile: typeof Node.copyFile = fn("copyFile");
export const listDirectory: typeof Node.listDirectory = fn("listDirectory");
export const expandGlob: typeof Node.expandGlob = fn("expandGlob");
export const hasGlob: typeof Node.hasGlob = fn("hasGlob");
export const stageOutput: typeof Node.stageOutput = fn("stageOutput");
export const isRemoteOutput: typeof Node.isRemoteOutput = fn("isRemoteOutput");
