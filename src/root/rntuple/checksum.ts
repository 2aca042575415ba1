import { createRequire } from "node:module";

/** Loaded with the first RNTuple checksum (TTree files never need it). */
let lib: typeof import("@node-rs/xxhash") | undefined;

/** XXH3-64 of `bytes`, the checksum RNTuple puts after its anchor, envelopes and pages. */
export function xxh3_64(bytes: Uint8Array): bigint {
  // The native binding wants a Buffer; wrapping the same memory avoids a copy.
  lib ??= createRequire(import.meta.url)("@node-rs/xxhash") as typeof import("@node-rs/xxhash");
  return lib.xxh3.xxh64(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
