import { xxh3_64 as hash } from "#root/codecs";

/** XXH3-64 of `bytes`, the checksum RNTuple puts after its anchor, envelopes and pages (native in Node, WASM in a page). */
export function xxh3_64(bytes: Uint8Array): bigint {
  return hash(bytes);
}
