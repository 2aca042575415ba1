import { constants as zc, deflateSync, inflateRawSync, inflateSync } from "node:zlib";
import { createRequire } from "node:module";
import { HepflowError, type ErrorPlace } from "../util/index.js";
import { unxz } from "./xz.js";

/*
 * The native codecs load on first use: a zlib file (most of them) never pays the ~250 ms that
 * importing LZ4, ZSTD, LZMA and xxHash together costs a cold process (docs/cli.md, start-up).
 */
const requireCodec = createRequire(import.meta.url);
let lz4Lib: typeof import("lz4-napi") | undefined;
let zstdLib: typeof import("zstd-napi") | undefined;
let lzmaLib: typeof import("node-liblzma") | undefined;
let xxhashLib: typeof import("@node-rs/xxhash") | undefined;
const lz4 = () => (lz4Lib ??= requireCodec("lz4-napi") as typeof import("lz4-napi"));
const zstd = () => (zstdLib ??= requireCodec("zstd-napi") as typeof import("zstd-napi"));
const lzma = () => (lzmaLib ??= requireCodec("node-liblzma") as typeof import("node-liblzma"));
/** XXH64 with seed 0, the checksum ROOT puts in front of every LZ4 block. */
const xxh64 = (body: Uint8Array) => (xxhashLib ??= requireCodec("@node-rs/xxhash") as typeof import("@node-rs/xxhash")).xxh64(asBuffer(body), 0n);

/** Compression algorithms ROOT writes, by the name users give them. */
export type Codec = "none" | "zlib" | "lzma" | "lz4" | "zstd";

/** ROOT's `fCompress` = algorithm * 100 + level; algorithm 0 means the global default (zlib). */
export const CODEC_IDS: Record<Codec, number> = { none: 0, zlib: 1, lzma: 2, lz4: 4, zstd: 5 };

export interface CompressionSetting {
  codec: Codec;
  level: number;
}

/** Parses "zlib:1", "lz4", "zstd:5", "none" into a setting, with ROOT's default levels. */
export function parseCompression(s: string): CompressionSetting {
  const [name, lvl] = s.split(":");
  const codec = name!.toLowerCase() as Codec;
  if (!(codec in CODEC_IDS)) {
    throw new HepflowError("CONFIG_INVALID", `unknown compression "${s}"; use none, zlib, lzma, lz4 or zstd, optionally with :level`);
  }
  const level = lvl === undefined ? (codec === "none" ? 0 : codec === "lz4" ? 4 : codec === "zstd" ? 5 : 1) : Number(lvl);
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new HepflowError("CONFIG_INVALID", `compression level in "${s}" must be 0..9`);
  return { codec: level === 0 ? "none" : codec, level };
}

/** Decodes ROOT's fCompress integer (e.g. 101, 404, 505). */
export function compressionFromROOT(fCompress: number): CompressionSetting {
  const alg = Math.floor(fCompress / 100);
  const level = fCompress % 100;
  // Algorithm 0 is "the global default", which ROOT has always set to ZLIB.
  const codec = alg === 0 ? "zlib" : (Object.keys(CODEC_IDS) as Codec[]).find((c) => CODEC_IDS[c] === alg) ?? "zlib";
  return { codec: level === 0 ? "none" : codec, level };
}

const HEADER = 9;
const KNOWN_TAGS = new Set(["ZL", "CS", "XZ", "ZS", "L4"]);
const MAX_BLOCK = 0xffffff;

/**
 * Decompresses one ROOT compressed object (a key payload, a basket, an RNTuple page): a chain of
 * blocks, each with a 9-byte header naming its algorithm, until `uncompressedSize` bytes are out.
 * A payload whose stored size equals `uncompressedSize` is returned as is (ROOT stores it raw).
 * An object of one block (nearly every basket) comes back as the codec's own output buffer,
 * without a second allocation or copy. With `scratch` (at least `uncompressedSize` bytes, for a
 * caller that is done with the result before the next call), a codec that can write into a
 * given buffer (ZSTD) writes there and the result is a view of it.
 */
/**
 * What this thread has decompressed so far (objects stored raw are not counted): lets benchmarks
 * and tests check that a read decompresses each basket or page once. Plain counters, never reset
 * by the library.
 */
export const decompressionTotals = { objects: 0, compressedBytes: 0, uncompressedBytes: 0 };

function count(src: Uint8Array, uncompressedSize: number): void {
  decompressionTotals.objects++;
  decompressionTotals.compressedBytes += src.length;
  decompressionTotals.uncompressedBytes += uncompressedSize;
}

export function decompress(src: Uint8Array, uncompressedSize: number, place: ErrorPlace = {}, scratch?: Uint8Array): Uint8Array {
  if (src.length === uncompressedSize) return src;
  count(src, uncompressedSize);
  const first = blockHeader(src, 0, 0, uncompressedSize, place);
  if (first.uSize === uncompressedSize) {
    if (scratch && first.tag === "ZS" && scratch.length >= uncompressedSize) {
      const view = scratch.subarray(0, uncompressedSize);
      runBlock(src, first, view, 0, place);
      return view;
    }
    return plain(runBlock(src, first, null, 0, place));
  }
  // The block headers must add up to the promised size before anything that size is allocated:
  // a corrupt length (2^40, say) is then an error naming the object, not a RangeError or an
  // out-of-memory abort.
  let declared = 0;
  for (let inPos = 0; inPos < src.length && declared < uncompressedSize;) {
    const h = blockHeader(src, inPos, declared, uncompressedSize, place);
    if (!KNOWN_TAGS.has(h.tag)) { runBlock(src, h, null, 0, place); break; } // names the unknown algorithm
    declared += h.uSize;
    inPos = h.end;
  }
  if (declared !== uncompressedSize) {
    throw new HepflowError("ROOT_DECOMPRESS", `compressed blocks hold ${declared} bytes but the object claims ${uncompressedSize}`, place);
  }
  // Uninitialised memory is safe here: every byte is written by a block, or we throw.
  const out = new Uint8Array(Buffer.allocUnsafeSlow(uncompressedSize).buffer, 0, uncompressedSize);
  blocksInto(src, out, place);
  return out;
}

/** A plain Uint8Array view of a codec's Buffer: callers may rely on `slice()` copying, as it does for Uint8Array. */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Decompresses one ROOT compressed object into `out` (exactly its uncompressed size), e.g. a
 * slot of a preallocated column or a reused scratch buffer; ZSTD writes there directly.
 */
export function decompressInto(src: Uint8Array, out: Uint8Array, place: ErrorPlace = {}): void {
  if (src.length === out.length) { out.set(src); return; }
  count(src, out.length);
  blocksInto(src, out, place);
}

function blocksInto(src: Uint8Array, out: Uint8Array, place: ErrorPlace): void {
  const uncompressedSize = out.length;
  let inPos = 0;
  let outPos = 0;
  while (outPos < uncompressedSize) {
    const h = blockHeader(src, inPos, outPos, uncompressedSize, place);
    const got = runBlock(src, h, out, outPos, place);
    if (got !== out) out.set(got, outPos);
    outPos += h.uSize;
    inPos = h.end;
  }
}

interface BlockHeader {
  tag: string;
  method: number;
  at: number;
  start: number;
  end: number;
  uSize: number;
}

function blockHeader(src: Uint8Array, inPos: number, outPos: number, uncompressedSize: number, place: ErrorPlace): BlockHeader {
  if (inPos + HEADER > src.length) {
    throw new HepflowError("ROOT_DECOMPRESS", `compressed data ends after ${outPos} of ${uncompressedSize} bytes`, place);
  }
  const cSize = src[inPos + 3]! | (src[inPos + 4]! << 8) | (src[inPos + 5]! << 16);
  const uSize = src[inPos + 6]! | (src[inPos + 7]! << 8) | (src[inPos + 8]! << 16);
  const start = inPos + HEADER;
  const end = start + cSize;
  if (end > src.length || outPos + uSize > uncompressedSize) {
    throw new HepflowError("ROOT_DECOMPRESS", `compressed block at ${inPos} claims ${cSize}→${uSize} bytes, beyond the object (${src.length}→${uncompressedSize})`, place);
  }
  return { tag: String.fromCharCode(src[inPos]!, src[inPos + 1]!), method: src[inPos + 2]!, at: inPos, start, end, uSize };
}

/** Decodes one block; returns `out` itself when the codec wrote into `out[outPos..]`, else its own buffer. */
function runBlock(src: Uint8Array, h: BlockHeader, out: Uint8Array | null, outPos: number, place: ErrorPlace): Uint8Array {
  let got: Uint8Array;
  try {
    got = decodeBlock(h.tag, h.method, src.subarray(h.start, h.end), h.uSize, out, outPos, place);
  } catch (e) {
    if (e instanceof HepflowError) throw e;
    throw new HepflowError("ROOT_DECOMPRESS", `${h.tag} block at ${h.at} is corrupt: ${(e as Error).message}`, place, { cause: e });
  }
  if (got !== out && got.length !== h.uSize) {
    throw new HepflowError("ROOT_DECOMPRESS", `${h.tag} block at ${h.at} gave ${got.length} bytes, header says ${h.uSize}`, place);
  }
  return got;
}

/** One ZSTD context for the thread: the one-shot API would re-parse frame sizes and allocate per call. */
let dctx: { decompress(dst: Uint8Array, src: Uint8Array): number } | undefined;
const zstdDecoder = () => (dctx ??= new (requireCodec("zstd-napi/binding.js") as { DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number } }).DCtx());
/** Reused buffer for LZ4's size prefix (lz4-napi wants size-prepended blocks). */
let lz4Frame = Buffer.allocUnsafe(1 << 16);

function decodeBlock(tag: string, method: number, block: Uint8Array, uSize: number, out: Uint8Array | null, outPos: number, place: ErrorPlace): Uint8Array {
  switch (tag) {
    case "ZL":
      // One output chunk of the known size: no concatenation of 16 kB pieces.
      return inflateSync(block, { maxOutputLength: Math.max(uSize, 1), chunkSize: Math.max(uSize, 64) });
    case "CS":
      // ROOT's pre-zlib framing: a raw deflate stream straight after the 9-byte header.
      return inflateRawSync(block, { maxOutputLength: Math.max(uSize, 1), chunkSize: Math.max(uSize, 64) });
    case "XZ": {
      const dst = out ? out.subarray(outPos, outPos + uSize) : undefined;
      const got = unxz(asBuffer(block), uSize, dst);
      return got === dst ? out! : got;
    }
    case "ZS": {
      const dst = out ? out.subarray(outPos, outPos + uSize) : Buffer.allocUnsafeSlow(uSize);
      const n = zstdDecoder().decompress(dst, block);
      if (n !== uSize) throw new HepflowError("ROOT_DECOMPRESS", `ZSTD block gave ${n} bytes, header says ${uSize}`, place);
      return out ?? dst;
    }
    case "L4": {
      if (block.length < 8) throw new HepflowError("ROOT_DECOMPRESS", "LZ4 block shorter than its checksum", place);
      const body = block.subarray(8);
      const stored = new DataView(block.buffer, block.byteOffset, 8).getBigUint64(0, false);
      const actual = xxh64(body);
      if (stored !== actual) throw new HepflowError("ROOT_DECOMPRESS", `LZ4 checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`, place);
      // lz4-napi decodes size-prepended blocks; ROOT keeps the size in its own header.
      if (lz4Frame.length < body.length + 4) lz4Frame = Buffer.allocUnsafe(Math.max(body.length + 4, 2 * lz4Frame.length));
      lz4Frame.writeUInt32LE(uSize, 0);
      lz4Frame.set(body, 4);
      return lz4().uncompressSync(lz4Frame.subarray(0, body.length + 4));
    }
    default:
      throw new HepflowError("ROOT_UNSUPPORTED", `unknown compression algorithm "${tag}" (method ${method})`, place);
  }
}

/**
 * Compresses `src` into ROOT's block framing. Returns `src` itself when compression does not
 * shrink it (ROOT stores such objects raw and readers detect it by equal sizes).
 */
export function compress(src: Uint8Array, setting: CompressionSetting): Uint8Array {
  if (setting.codec === "none" || setting.level === 0 || src.length === 0) return src;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let pos = 0; pos < src.length; pos += MAX_BLOCK) {
    const chunk = src.subarray(pos, Math.min(src.length, pos + MAX_BLOCK));
    const { tag, method, body } = encodeBlock(chunk, setting);
    if (body.length > MAX_BLOCK) return src;
    const header = new Uint8Array(HEADER);
    header[0] = tag.charCodeAt(0);
    header[1] = tag.charCodeAt(1);
    header[2] = method;
    header[3] = body.length & 0xff; header[4] = (body.length >> 8) & 0xff; header[5] = (body.length >> 16) & 0xff;
    header[6] = chunk.length & 0xff; header[7] = (chunk.length >> 8) & 0xff; header[8] = (chunk.length >> 16) & 0xff;
    parts.push(header, body);
    total += HEADER + body.length;
  }
  if (total >= src.length) return src;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function encodeBlock(chunk: Uint8Array, s: CompressionSetting): { tag: string; method: number; body: Uint8Array } {
  switch (s.codec) {
    case "zlib":
      return { tag: "ZL", method: 8, body: deflateSync(chunk, { level: s.level, strategy: zc.Z_DEFAULT_STRATEGY }) };
    case "lzma":
      // CRC32 as ROOT writes it, so readers can tell a damaged block from a good one
      return { tag: "XZ", method: 0, body: lzma().xzSync(asBuffer(chunk), { preset: s.level, check: lzma().check.CRC32 }) };
    case "zstd":
      return { tag: "ZS", method: 1, body: zstd().compress(chunk, { compressionLevel: s.level }) };
    case "lz4": {
      const framed = lz4().compressSync(asBuffer(chunk));
      const body = framed.subarray(4);
      const out = new Uint8Array(body.length + 8);
      new DataView(out.buffer).setBigUint64(0, xxh64(body), false);
      out.set(body, 8);
      // ROOT's method byte for LZ4 carries the library's major version.
      return { tag: "L4", method: 1, body: out };
    }
    default:
      throw new HepflowError("CONFIG_INVALID", `cannot compress with ${s.codec}`);
  }
}

/** A Buffer view of the same bytes (no copy), for native codecs that insist on Buffer. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
