/**
 * The reading face of io/: open a path or URL as a ByteSource. The HTTP and XRootD clients (and
 * node:http, node:tls, node:net behind them) load only when a remote URL is opened, so a reader of
 * local files — an analysis worker thread above all — never pays for them.
 */
import type { HttpOptions } from "./http.js";
import { HepflowError } from "../util/index.js";
import { LocalFileSource } from "./local.js";
import type { ByteSource } from "./source.js";

export type { ByteSource, ByteRange } from "./source.js";
export type { HttpOptions } from "./http.js";
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
