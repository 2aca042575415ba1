import { constants as zc, deflateSync, inflateRawSync, inflateSync } from "node:zlib";
import * as lz4 from "lz4-napi";
import { unxzSync, xzSync } from "node-liblzma";
import * as zstd from "zstd-napi";
import xxhash from "xxhash-wasm";
import { HepflowError, type ErrorPlace } from "../util/index.js";

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
const MAX_BLOCK = 0xffffff;
const xx = await xxhash();

/**
 * Decompresses one ROOT compressed object (a key payload, a basket, an RNTuple page): a chain of
 * blocks, each with a 9-byte header naming its algorithm, until `uncompressedSize` bytes are out.
 * A payload whose stored size equals `uncompressedSize` is returned as is (ROOT stores it raw).
 */
export function decompress(src: Uint8Array, uncompressedSize: number, place: ErrorPlace = {}): Uint8Array {
  if (src.length === uncompressedSize) return src;
  const out = new Uint8Array(uncompressedSize);
  let inPos = 0;
  let outPos = 0;
  while (outPos < uncompressedSize) {
    if (inPos + HEADER > src.length) {
      throw new HepflowError("ROOT_DECOMPRESS", `compressed data ends after ${outPos} of ${uncompressedSize} bytes`, place);
    }
    const m0 = src[inPos]!, m1 = src[inPos + 1]!, method = src[inPos + 2]!;
    const cSize = src[inPos + 3]! | (src[inPos + 4]! << 8) | (src[inPos + 5]! << 16);
    const uSize = src[inPos + 6]! | (src[inPos + 7]! << 8) | (src[inPos + 8]! << 16);
    const start = inPos + HEADER;
    const end = start + cSize;
    if (end > src.length || outPos + uSize > uncompressedSize) {
      throw new HepflowError("ROOT_DECOMPRESS", `compressed block at ${inPos} claims ${cSize}→${uSize} bytes, beyond the object (${src.length}→${uncompressedSize})`, place);
    }
    const block = src.subarray(start, end);
    const tag = String.fromCharCode(m0, m1);
    let got: Uint8Array;
    try {
      got = decodeBlock(tag, method, block, uSize, place);
    } catch (e) {
      if (e instanceof HepflowError) throw e;
      throw new HepflowError("ROOT_DECOMPRESS", `${tag} block at ${inPos} is corrupt: ${(e as Error).message}`, place, { cause: e });
    }
    if (got.length !== uSize) {
      throw new HepflowError("ROOT_DECOMPRESS", `${tag} block at ${inPos} gave ${got.length} bytes, header says ${uSize}`, place);
    }
    out.set(got, outPos);
    outPos += uSize;
    inPos = end;
  }
  return out;
}

function decodeBlock(tag: string, method: number, block: Uint8Array, uSize: number, place: ErrorPlace): Uint8Array {
  switch (tag) {
    case "ZL":
      return inflateSync(block, { maxOutputLength: Math.max(uSize, 1) });
    case "CS":
      // ROOT's pre-zlib framing: a raw deflate stream straight after the 9-byte header.
      return inflateRawSync(block, { maxOutputLength: Math.max(uSize, 1) });
    case "XZ":
      return unxzSync(asBuffer(block));
    case "ZS":
      return zstd.decompress(block);
    case "L4": {
      if (block.length < 8) throw new HepflowError("ROOT_DECOMPRESS", "LZ4 block shorter than its checksum", place);
      const body = block.subarray(8);
      const stored = new DataView(block.buffer, block.byteOffset, 8).getBigUint64(0, false);
      const actual = xx.h64Raw(body, 0n);
      if (stored !== actual) throw new HepflowError("ROOT_DECOMPRESS", `LZ4 checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`, place);
      // lz4-napi decodes size-prepended blocks; ROOT keeps the size in its own header.
      const framed = new Uint8Array(body.length + 4);
      new DataView(framed.buffer).setUint32(0, uSize, true);
      framed.set(body, 4);
      return lz4.uncompressSync(framed);
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
      return { tag: "XZ", method: 0, body: xzSync(asBuffer(chunk), { preset: s.level }) };
    case "zstd":
      return { tag: "ZS", method: 1, body: zstd.compress(chunk, { compressionLevel: s.level }) };
    case "lz4": {
      const framed = lz4.compressSync(asBuffer(chunk));
      const body = framed.subarray(4);
      const out = new Uint8Array(body.length + 8);
      new DataView(out.buffer).setBigUint64(0, xx.h64Raw(body, 0n), false);
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
