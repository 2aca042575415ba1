import { HepflowError } from "../util/index.js";
import { LocalFileSource } from "./local.js";
import type { ByteSource } from "./source.js";

export type { ByteSource, ByteRange } from "./source.js";
export { LocalFileSource, MemorySource } from "./local.js";

/** Opens a path or URL as a ByteSource: local path, file://, http(s)://. */
export async function openSource(location: string): Promise<ByteSource> {
  if (/^https?:\/\//i.test(location)) {
    const { HttpSource } = await import("./http.js");
    return new HttpSource(location);
  }
  if (/^root:\/\//i.test(location)) {
    throw new HepflowError("IO_UNSUPPORTED", "root:// (XRootD) sources are not supported yet; copy the file locally or serve it over HTTP", { file: location });
  }
  if (/^file:\/\//i.test(location)) return new LocalFileSource(new URL(location).pathname);
  return new LocalFileSource(location);
}
export { HttpSource, coalesce } from "./http.js";
export type { HttpOptions, HttpStats } from "./http.js";
