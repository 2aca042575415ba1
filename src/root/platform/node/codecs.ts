/**
 * ROOT's codecs for Node: zlib through hepflow's own libdeflate binding (native/, built at install
 * when Debian's libdeflate-dev is there) or else node:zlib, and the native LZ4, ZSTD, LZMA and
 * xxHash bindings, each loaded on first use — a zlib file (most of them) never pays the ~250 ms that importing them
 * together costs a cold process (docs/cli.md, start-up). compression.ts frames the blocks; this
 * module only runs the algorithms. The browser build is ../browser/codecs.ts (WASM and the
 * page's DecompressionStream), chosen by the package's `#root/codecs` import.
 *
 * Errors thrown here are plain: compression.ts names the file, object and block.
 */
import { constants as zc, deflateSync, inflateRawSync, inflateSync } from "node:zlib";
import { createRequire } from "node:module";
import { unxz } from "../../xz.js";
import { HepflowError } from "../../../util/index.js";
import { nativeAddon } from "#util/native";

const requireCodec = createRequire(import.meta.url);
let lz4Lib: typeof import("lz4-napi") | undefined;
let zstdLib: typeof import("zstd-napi") | undefined;
let lzmaLib: typeof import("node-liblzma") | undefined;
let xxhashLib: typeof import("@node-rs/xxhash") | undefined;
const lz4 = () => (lz4Lib ??= requireCodec("lz4-napi") as typeof import("lz4-napi"));
const zstd = () => (zstdLib ??= requireCodec("zstd-napi") as typeof import("zstd-napi"));
const lzma = () => (lzmaLib ??= requireCodec("node-liblzma") as typeof import("node-liblzma"));
const xxhash = () => (xxhashLib ??= requireCodec("@node-rs/xxhash") as typeof import("@node-rs/xxhash"));

/** Every codec decodes synchronously here, so readers never take the asynchronous path. */
export const syncCodecs = true;

/** Nothing to instantiate in Node (the page's build compiles its WASM here). */
export function ready(): Promise<void> | undefined {
  return undefined;
}

/** Memory that every caller overwrites in full before reading: no zero-fill. */
export function allocUnsafe(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer as ArrayBuffer, 0, n);
}

/** native/inflate.c: each decompress call decodes one whole stream into `dst`, which it must fill exactly; returns dst.length. */
interface Addon {
  zlibDecompress(src: Uint8Array, dst: Uint8Array): number;
  deflateDecompress(src: Uint8Array, dst: Uint8Array): number;
  /** Absent from an addon built before it was added (a stale native/build). */
  swapCopy?(size: 2 | 4 | 8, src: Uint8Array, dst: Uint8Array): void;
}
/** hepflow's own addon (native/), looked for once per thread (#util/native caches it): a worker of the basket pool loads its own copy, with its own decompressor. */
const addon = () => nativeAddon<Addon>("hepflow_inflate");

/**
 * The libdeflate binding, which inflates ROOT's zlib baskets 1.5–2× faster than node:zlib
 * (docs/performance.md), or null for node:zlib. `HEPFLOW_INFLATE=node` reads with node:zlib for
 * comparisons; `HEPFLOW_INFLATE=libdeflate` makes a missing binding an error instead of a silent fallback.
 */
let libdeflate: Addon | null | undefined;
function inflater(): Addon | null {
  if (libdeflate !== undefined) return libdeflate;
  const want = process.env.HEPFLOW_INFLATE;
  if (want === "node") return (libdeflate = null);
  const { lib, why } = addon();
  if (!lib && want === "libdeflate") throw new HepflowError("CONFIG_INVALID", `HEPFLOW_INFLATE=libdeflate but the binding is not built (npm run build:native; needs libdeflate-dev): ${why}`);
  return (libdeflate = lib);
}

/** The addon's swap, fixed on first use; `HEPFLOW_SWAP=wasm` turns it off so benchmarks can compare the paths in one build. */
let nativeSwap: Addon["swapCopy"] | null | undefined;

/**
 * Writes `src` into `dst` (equal byte lengths, a multiple of `size`; the same memory or disjoint)
 * with the bytes of every `size`-byte element reversed, in one pass of native SIMD code. False,
 * and nothing written, without the addon: byteswap.ts then takes its WebAssembly path.
 */
export function swapCopy(size: 2 | 4 | 8, src: Uint8Array, dst: Uint8Array): boolean {
  if (nativeSwap === undefined) {
    const lib = addon().lib;
    nativeSwap = process.env.HEPFLOW_SWAP === "wasm" ? null : (lib?.swapCopy?.bind(lib) ?? null);
  }
  if (!nativeSwap) return false;
  nativeSwap(size, src, dst);
  return true;
}

/** Which zlib decoder a thread reads with; the page's build answers "DecompressionStream". */
export interface InflateImplementation {
  name: "libdeflate" | "node:zlib" | "DecompressionStream";
  /** Why the binding is not used, when it is not. */
  reason?: string;
}

/** "libdeflate" (the binding) or "node:zlib", for this thread. */
export function inflateImplementation(): InflateImplementation {
  if (inflater()) return { name: "libdeflate" };
  return { name: "node:zlib", reason: process.env.HEPFLOW_INFLATE === "node" ? "HEPFLOW_INFLATE=node" : `binding not loaded: ${addon().why}` };
}

/**
 * zlib ("ZL") and raw deflate ("CS", ROOT's pre-zlib framing) of a known uncompressed size: into
 * `out` (exactly uSize bytes) when given and the binding is loaded — then `out` is returned —
 * else into a buffer of its own.
 */
export function inflate(block: Uint8Array, uSize: number, raw: boolean, out?: Uint8Array): Uint8Array {
  const lib = inflater();
  if (lib) {
    const dst = out ?? allocUnsafe(uSize);
    if (raw) lib.deflateDecompress(block, dst);
    else lib.zlibDecompress(block, dst);
    return dst;
  }
  const opts = { maxOutputLength: Math.max(uSize, 1), chunkSize: Math.max(uSize, 64) };
  return raw ? inflateRawSync(block, opts) : inflateSync(block, opts);
}

/** One .xz stream ("XZ"); into `out` (exactly uSize bytes) when given. */
export function unxzBlock(block: Uint8Array, uSize: number, out?: Uint8Array): Uint8Array {
  return unxz(asBuffer(block), uSize, out);
}

/** One ZSTD context for the thread: the one-shot API would re-parse frame sizes and allocate per call. */
let dctx: { decompress(dst: Uint8Array, src: Uint8Array): number } | undefined;
const zstdDecoder = () => (dctx ??= new (requireCodec("zstd-napi/binding.js") as { DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number } }).DCtx());

/** One ZSTD frame ("ZS") into `dst`; returns the bytes written. */
export function unzstdInto(dst: Uint8Array, block: Uint8Array): number {
  return zstdDecoder().decompress(dst, block);
}

/** Reused buffer for LZ4's size prefix (lz4-napi wants size-prepended blocks). */
let lz4Frame = Buffer.allocUnsafe(1 << 16);

/** One raw LZ4 block (ROOT keeps the size in its own header), checksum already stripped. */
export function unlz4(body: Uint8Array, uSize: number): Uint8Array {
  if (lz4Frame.length < body.length + 4) lz4Frame = Buffer.allocUnsafe(Math.max(body.length + 4, 2 * lz4Frame.length));
  lz4Frame.writeUInt32LE(uSize, 0);
  lz4Frame.set(body, 4);
  return lz4().uncompressSync(lz4Frame.subarray(0, body.length + 4));
}

/** XXH64 with seed 0, the checksum ROOT puts in front of every LZ4 block. */
export function xxh64(body: Uint8Array): bigint {
  return xxhash().xxh64(asBuffer(body), 0n);
}

/** XXH3-64, the checksum RNTuple puts after its anchor, envelopes and pages. */
export function xxh3_64(bytes: Uint8Array): bigint {
  return xxhash().xxh3.xxh64(asBuffer(bytes));
}

export function deflate(chunk: Uint8Array, level: number): Uint8Array {
  return deflateSync(chunk, { level, strategy: zc.Z_DEFAULT_STRATEGY });
}

/** An .xz stream with a CRC32 check, as ROOT writes it, so readers can tell a damaged block from a good one. */
export function xz(chunk: Uint8Array, level: number): Uint8Array {
  return lzma().xzSync(asBuffer(chunk), { preset: level, check: lzma().check.CRC32 });
}

export function zstdCompress(chunk: Uint8Array, level: number): Uint8Array {
  return zstd().compress(chunk, { compressionLevel: level });
}

/** A raw LZ4 block (no size prefix). */
export function lz4Compress(chunk: Uint8Array): Uint8Array {
  return lz4().compressSync(asBuffer(chunk)).subarray(4);
}

/** Codecs that the browser build decodes asynchronously only; none here. */
export function decodeAsync(tag: string, _block: Uint8Array, _uSize: number): Promise<Uint8Array> {
  return Promise.reject(new Error(`no asynchronous decoder for ${tag} in Node`));
}
export const asyncTags: ReadonlySet<string> = new Set();

/** A Buffer view of the same bytes (no copy), for native codecs that insist on Buffer. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Reverses the byte order of each 2-, 4- or 8-byte element in place with Buffer's native swaps; false where there is none. */
export function swapInPlace(bytes: Uint8Array, size: 2 | 4 | 8): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
  else b.swap64();
  return true;
}
