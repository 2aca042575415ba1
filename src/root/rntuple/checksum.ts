import { xxh3 } from "@node-rs/xxhash";

/** XXH3-64 of `bytes`, the checksum RNTuple puts after its anchor, envelopes and pages. */
export function xxh3_64(bytes: Uint8Array): bigint {
  // The native binding wants a Buffer; wrapping the same memory avoids a copy.
  return xxh3.xxh64(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
