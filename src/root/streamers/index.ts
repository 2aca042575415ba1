import { HepflowError } from "../../util/index.js";
import { Cursor } from "../cursor.js";
import { readKey, type Key } from "../key.js";
import type { RootFile } from "../file.js";
import { ObjectReader, type RootList, type StreamerRegistry } from "./reader.js";
import type { StreamerInfo } from "./types.js";

export { ObjectReader, basicTypeCode, readDouble32, readFloat16 } from "./reader.js";
export type { RootObject, RootList, StreamerRegistry, VersionHeader, EmbeddedBasket } from "./reader.js";
export { T, parsePacking, isUnsupported } from "./types.js";
export type { StreamerElement, StreamerInfo, Unsupported } from "./types.js";

/** Reads the file's TStreamerInfo list (the key at header.seekInfo), grouped by class name. */
export async function loadStreamerInfos(file: RootFile): Promise<StreamerRegistry> {
  const { seekInfo, nbytesInfo } = file.header;
  const registry = new Map<string, StreamerInfo[]>();
  if (seekInfo <= 0 || nbytesInfo <= 0) return registry;
  const size = await file.source.size();
  if (seekInfo + nbytesInfo > size) {
    throw new HepflowError("ROOT_TRUNCATED", `streamer info list at ${seekInfo}+${nbytesInfo} lies past the end of the file (${size} bytes)`, { file: file.name, object: "StreamerInfo", offset: seekInfo });
  }
  const head = await file.source.read(seekInfo, Math.min(nbytesInfo, size - seekInfo));
  const key = readKey(new Cursor(head, 0, { file: file.name, object: "StreamerInfo key", base: seekInfo }));
  const list = (await readKeyObject(file, key, registry, "TList")) as RootList;
  for (const item of list.items) {
    if (typeof item !== "object" || item === null || !("elements" in item)) continue; // schema-evolution rules (TList of TObjString)
    const info = item as StreamerInfo;
    const versions = registry.get(info.name) ?? [];
    versions.push(info);
    registry.set(info.name, versions);
  }
  return registry;
}

/** Reads the object stored under a key through the given streamers (class from the key unless given). */
export async function readKeyObject(file: RootFile, key: Key, streamers: StreamerRegistry, className = key.className): Promise<unknown> {
  const payload = await file.readKeyPayload(key);
  const c = new Cursor(payload, 0, { file: file.name, object: key.name });
  return new ObjectReader(c, streamers, key.keyLen).read(className);
}
