import type { HttpOptions } from "./http.js";
import { HepflowError } from "../util/index.js";
import { LocalFileSource } from "./local.js";
import type { ByteSource } from "./source.js";

export type { ByteSource, ByteRange } from "./source.js";
export { LocalFileSource, MemorySource } from "./local.js";

/** Opens a path or URL as a ByteSource: local path, file://, http(s)://, root:// and roots:// (XRootD). */
export async function openSource(location: string, options: { http?: HttpOptions } = {}): Promise<ByteSource> {
  if (/^https?:\/\//i.test(location)) {
    const { HttpSource } = await import("./http.js");
    return new HttpSource(location, { ...httpOptionsFromEnv(), ...options.http });
  }
  if (/^x?roots?:\/\//i.test(location)) {
    const { XRootDSource } = await import("#io/xrootd");
    return new XRootDSource(location);
  }
  if (/^file:\/\//i.test(location)) return new LocalFileSource(new URL(location).pathname);
  return new LocalFileSource(location);
}
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

/**
 * HTTP timeouts from the environment (seconds): HEPFLOW_HTTP_CONNECT_TIMEOUT,
 * HEPFLOW_HTTP_FIRST_BYTE_TIMEOUT, HEPFLOW_HTTP_IDLE_TIMEOUT. The CLI's --connect-timeout,
 * --first-byte-timeout and --idle-timeout set them, so analysis worker threads (which share the
 * environment) open files with the same settings.
 */
export function httpOptionsFromEnv(env: Record<string, string | undefined> = globalThis.process?.env ?? {}): HttpOptions {
  const out: HttpOptions = {};
  const take = (name: string, key: "connectTimeoutMs" | "firstByteTimeoutMs" | "idleTimeoutMs") => {
    const v = env[name];
    if (v === undefined || v === "") return;
    const s = Number(v);
    if (!(Number.isFinite(s) && s > 0)) throw new HepflowError("CONFIG_INVALID", `${name} must be a positive number of seconds, got "${v}"`);
    out[key] = s * 1000;
  };
  take("HEPFLOW_HTTP_CONNECT_TIMEOUT", "connectTimeoutMs");
  take("HEPFLOW_HTTP_FIRST_BYTE_TIMEOUT", "firstByteTimeoutMs");
  take("HEPFLOW_HTTP_IDLE_TIMEOUT", "idleTimeoutMs");
  return out;
}
