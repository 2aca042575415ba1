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

/** Parsed streamer lists by their key's payload bytes (the key header, with its date, excluded); each file gets its own copy of the registry, the StreamerInfo records are shared and never modified. */
const parsedLists = new Map<string, StreamerRegistry>();
const MAX_CACHED_LISTS = 16;
// windows-1252 as WHATWG defines it maps every byte to one distinct code point: a faithful string key
const latin1 = new TextDecoder("latin1");

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
  // Files of one dataset carry byte-identical streamer lists: parse each distinct one once per thread.
  const cacheKey = `${key.keyLen}:${latin1.decode(head.subarray(key.keyLen))}`;
  const cached = parsedLists.get(cacheKey);
  if (cached) return new Map([...cached].map(([name, versions]) => [name, [...versions]]));
  const list = (await readKeyObject(file, key, registry, "TList")) as RootList;
  for (const item of list.items) {
    if (typeof item !== "object" || item === null || !("elements" in item)) continue; // schema-evolution rules (TList of TObjString)
    const info = item as StreamerInfo;
    const versions = registry.get(info.name) ?? [];
    versions.push(info);
    registry.set(info.name, versions);
  }
  const oldest = parsedLists.keys().next();
  if (parsedLists.size >= MAX_CACHED_LISTS && !oldest.done) parsedLists.delete(oldest.value);
  parsedLists.set(cacheKey, new Map([...registry].map(([name, versions]) => [name, [...versions]])));
  return registry;
}

/** Reads the object stored under a key through the given streamers (class from the key unless given). */
export async function readKeyObject(file: RootFile, key: Key, streamers: StreamerRegistry, className = key.className): Promise<unknown> {
  const payload = await file.readKeyPayload(key);
  const c = new Cursor(payload, 0, { file: file.name, object: key.name });
  return new ObjectReader(c, streamers, key.keyLen).read(className);
}
