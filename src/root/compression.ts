import { HepflowError, type ErrorPlace } from "../util/index.js";
import * as codecs from "#root/codecs";

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
  const codec = alg === 0 ? "zlib" : ((Object.keys(CODEC_IDS) as Codec[]).find((c) => CODEC_IDS[c] === alg) ?? "zlib");
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
    if (scratch && (first.tag === "ZS" || first.tag === "ZL" || first.tag === "CS") && scratch.length >= uncompressedSize) {
      const view = scratch.subarray(0, uncompressedSize);
      const got = runBlock(src, first, view, 0, place);
      return got === view ? view : plain(got);
    }
    return plain(runBlock(src, first, null, 0, place));
  }
  // The block headers must add up to the promised size before anything that size is allocated:
  // a corrupt length (2^40, say) is then an error naming the object, not a RangeError or an
  // out-of-memory abort.
  let declared = 0;
  for (let inPos = 0; inPos < src.length && declared < uncompressedSize; ) {
    const h = blockHeader(src, inPos, declared, uncompressedSize, place);
    if (!KNOWN_TAGS.has(h.tag)) {
      runBlock(src, h, null, 0, place);
      break;
    } // names the unknown algorithm
    declared += h.uSize;
    inPos = h.end;
  }
  if (declared !== uncompressedSize) {
    throw new HepflowError("ROOT_DECOMPRESS", `compressed blocks hold ${declared} bytes but the object claims ${uncompressedSize}`, place);
  }
  // Uninitialised memory is safe here: every byte is written by a block, or we throw.
  const out = codecs.allocUnsafe(uncompressedSize);
  blocksInto(src, out, place);
  return out;
}

/**
 * Whether every codec of this build decodes synchronously. True in Node; false in a page, where
 * zlib goes through the browser's DecompressionStream and LZMA through a streaming WASM
 * decoder, both asynchronous. Readers then take decompressAsync() at their one await after the
 * read (file keys, RNTuple envelopes and pages, TTree basket windows).
 */
export const syncCodecs: boolean = codecs.syncCodecs;

/**
 * Which zlib decoder this thread reads with: in Node "libdeflate" (hepflow's binding, built at
 * install when libdeflate-dev is present) or "node:zlib" (with the reason); in a page the
 * browser's "DecompressionStream".
 */
export const inflateImplementation: () => codecs.InflateImplementation = codecs.inflateImplementation;

/** Compiles the codecs' WASM where the build has any (the page); undefined when there is nothing to wait for. */
export const codecsReady: () => Promise<void> | undefined = codecs.ready;

/** decompress() where the build allows it, else decompressAsync(): callers inside an async function return or await either. */
export function decompressAny(src: Uint8Array, uncompressedSize: number, place: ErrorPlace = {}): Uint8Array | Promise<Uint8Array> {
  return syncCodecs ? decompress(src, uncompressedSize, place) : decompressAsync(src, uncompressedSize, place);
}

/**
 * decompress() for builds with asynchronous codecs: the same framing checks and errors, the
 * blocks of one object decoded concurrently.
 */
export async function decompressAsync(src: Uint8Array, uncompressedSize: number, place: ErrorPlace = {}): Promise<Uint8Array> {
  if (src.length === uncompressedSize) return src;
  await codecs.ready();
  count(src, uncompressedSize);
  const blocks: BlockHeader[] = [];
  let declared = 0;
  for (let inPos = 0; inPos < src.length && declared < uncompressedSize; ) {
    const h = blockHeader(src, inPos, declared, uncompressedSize, place);
    if (!KNOWN_TAGS.has(h.tag)) {
      runBlock(src, h, null, 0, place);
      break;
    } // names the unknown algorithm
    blocks.push(h);
    declared += h.uSize;
    inPos = h.end;
  }
  if (declared !== uncompressedSize) {
    throw new HepflowError("ROOT_DECOMPRESS", `compressed blocks hold ${declared} bytes but the object claims ${uncompressedSize}`, place);
  }
  const parts = await Promise.all(blocks.map((h) => (codecs.asyncTags.has(h.tag) ? runBlockAsync(src, h, place) : runBlock(src, h, null, 0, place))));
  if (parts.length === 1) return plain(parts[0]!);
  const out = codecs.allocUnsafe(uncompressedSize);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function runBlockAsync(src: Uint8Array, h: BlockHeader, place: ErrorPlace): Promise<Uint8Array> {
  let got: Uint8Array;
  try {
    got = await codecs.decodeAsync(h.tag, src.subarray(h.start, h.end), h.uSize);
  } catch (e) {
    throw new HepflowError("ROOT_DECOMPRESS", `${h.tag} block at ${h.at} is corrupt: ${(e as Error).message}`, place, { cause: e });
  }
  if (got.length !== h.uSize) throw new HepflowError("ROOT_DECOMPRESS", `${h.tag} block at ${h.at} gave ${got.length} bytes, header says ${h.uSize}`, place);
  return got;
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
  if (src.length === out.length) {
    out.set(src);
    return;
  }
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

function decodeBlock(tag: string, method: number, block: Uint8Array, uSize: number, out: Uint8Array | null, outPos: number, place: ErrorPlace): Uint8Array {
  switch (tag) {
    case "ZL":
    case "CS": {
      // "CS" is ROOT's pre-zlib framing: a raw deflate stream straight after the 9-byte header.
      const dst = out ? out.subarray(outPos, outPos + uSize) : undefined;
      const got = codecs.inflate(block, uSize, tag === "CS", dst);
      return got === dst ? out! : got;
    }
    case "XZ": {
      const dst = out ? out.subarray(outPos, outPos + uSize) : undefined;
      const got = codecs.unxzBlock(block, uSize, dst);
      return got === dst ? out! : got;
    }
    case "ZS": {
      const dst = out ? out.subarray(outPos, outPos + uSize) : codecs.allocUnsafe(uSize);
      const n = codecs.unzstdInto(dst, block);
      if (n !== uSize) throw new HepflowError("ROOT_DECOMPRESS", `ZSTD block gave ${n} bytes, header says ${uSize}`, place);
      return out ?? dst;
    }
    case "L4": {
      if (block.length < 8) throw new HepflowError("ROOT_DECOMPRESS", "LZ4 block shorter than its checksum", place);
      const body = block.subarray(8);
      const stored = new DataView(block.buffer, block.byteOffset, 8).getBigUint64(0, false);
      const actual = codecs.xxh64(body);
      if (stored !== actual) throw new HepflowError("ROOT_DECOMPRESS", `LZ4 checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`, place);
      return codecs.unlz4(body, uSize);
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
    header[3] = body.length & 0xff;
    header[4] = (body.length >> 8) & 0xff;
    header[5] = (body.length >> 16) & 0xff;
    header[6] = chunk.length & 0xff;
    header[7] = (chunk.length >> 8) & 0xff;
    header[8] = (chunk.length >> 16) & 0xff;
    parts.push(header, body);
    total += HEADER + body.length;
  }
  if (total >= src.length) return src;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function encodeBlock(chunk: Uint8Array, s: CompressionSetting): { tag: string; method: number; body: Uint8Array } {
  switch (s.codec) {
    case "zlib":
      return { tag: "ZL", method: 8, body: codecs.deflate(chunk, s.level) };
    case "lzma":
      return { tag: "XZ", method: 0, body: codecs.xz(chunk, s.level) };
    case "zstd":
      return { tag: "ZS", method: 1, body: codecs.zstdCompress(chunk, s.level) };
    case "lz4": {
      const body = codecs.lz4Compress(chunk);
      const out = new Uint8Array(body.length + 8);
      new DataView(out.buffer).setBigUint64(0, codecs.xxh64(body), false);
      out.set(body, 8);
      // ROOT's method byte for LZ4 carries the library's major version.
      return { tag: "L4", method: 1, body: out };
    }
    default:
      throw new HepflowError("CONFIG_INVALID", `cannot compress with ${s.codec}`);
  }
}
