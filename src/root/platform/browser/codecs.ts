/**
 * ROOT's codecs in a page, with nothing fetched from the network: zlib through the browser's own
 * DecompressionStream ("deflate" for ROOT's "ZL" blocks, "deflate-raw" for the old "CS" ones),
 * LZMA through xz-decompress (WASM, streaming), ZSTD through zstddec (WASM), LZ4 through lz4js,
 * and the xxHash checksums (XXH64 of LZ4 blocks, XXH3 of RNTuple pages) through hash-wasm. The
 * WASM binaries are inlined in those packages' JavaScript, so the bundle carries them.
 *
 * DecompressionStream and the XZ stream are asynchronous: syncCodecs is false, and the readers
 * decompress through compression.ts's decompressAsync(). ZSTD, LZ4 and the hashes are
 * synchronous once ready() has compiled their WASM. Writing ROOT files is Node-only.
 */
import { ZSTDDecoder } from "zstddec";
// @ts-expect-error lz4js ships no type declarations
import * as lz4js from "lz4js";
import { XzReadableStream } from "xz-decompress";
import { createXXHash3, createXXHash64, type IHasher } from "hash-wasm";
import type * as Node from "../node/codecs.js";

export const syncCodecs: typeof Node.syncCodecs = false as true;

let zstdDecoder: ZSTDDecoder | undefined;
let hash64: IHasher | undefined;
let hash3: IHasher | undefined;
let starting: Promise<void> | undefined;

export const ready: typeof Node.ready = () => {
  if (zstdDecoder && hash64 && hash3) return undefined;
  starting ??= (async () => {
    const z = new ZSTDDecoder();
    const [h64, h3] = await Promise.all([createXXHash64(0, 0), createXXHash3(0, 0), z.init()]);
    hash64 = h64;
    hash3 = h3;
    zstdDecoder = z;
  })();
  return starting;
};

function notReady(what: string): never {
  throw new Error(`${what} used before the codecs were compiled (await codecsReady() first)`);
}

export const allocUnsafe: typeof Node.allocUnsafe = (n) => new Uint8Array(n);

export const inflate: typeof Node.inflate = () => {
  throw new Error("zlib in the browser is asynchronous: read through decompressAsync()");
};

export const inflateImplementation: typeof Node.inflateImplementation = () => ({ name: "DecompressionStream" });

export const unxzBlock: typeof Node.unxzBlock = () => {
  throw new Error("LZMA in the browser is asynchronous: read through decompressAsync()");
};

export const unzstdInto: typeof Node.unzstdInto = (dst, block) => {
  const got = (zstdDecoder ?? notReady("ZSTD")).decode(block, dst.length);
  if (got.length !== dst.length) return got.length;
  dst.set(got);
  return got.length;
};

export const unlz4: typeof Node.unlz4 = (body, uSize) => {
  const out = new Uint8Array(uSize);
  const end = (lz4js as { decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number }).decompressBlock(body, out, 0, body.length, 0);
  return end === uSize ? out : out.subarray(0, end);
};

function bigEndian64(d: Uint8Array): bigint {
  return new DataView(d.buffer, d.byteOffset, 8).getBigUint64(0, false);
}

export const xxh64: typeof Node.xxh64 = (body) => bigEndian64((hash64 ?? notReady("XXH64")).init().update(body).digest("binary"));
export const xxh3_64: typeof Node.xxh3_64 = (bytes) => bigEndian64((hash3 ?? notReady("XXH3")).init().update(bytes).digest("binary"));

function writingIsNodeOnly(): never {
  throw new Error("writing ROOT files is not available in the browser build");
}
export const deflate: typeof Node.deflate = writingIsNodeOnly;
export const xz: typeof Node.xz = writingIsNodeOnly;
export const zstdCompress: typeof Node.zstdCompress = writingIsNodeOnly;
export const lz4Compress: typeof Node.lz4Compress = writingIsNodeOnly;

export const asyncTags: typeof Node.asyncTags = new Set(["ZL", "CS", "XZ"]);

/** The whole output of a byte stream transformed by `through`. */
async function drain(stream: ReadableStream<Uint8Array>, uSize: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const out = new Uint8Array(uSize);
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > uSize) throw new Error(`decodes to more than the ${uSize} bytes its header says`);
    out.set(value, at);
    at += value.length;
  }
  return at === uSize ? out : out.subarray(0, at);
}

/** The platform's inflater, typed as bytes in and out (the DOM and Node typings disagree on its input type). */
function inflater(format: "deflate" | "deflate-raw"): TransformStream<Uint8Array, Uint8Array> {
  return new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>;
}

function streamOf(block: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(block);
      c.close();
    },
  });
}

export const decodeAsync: typeof Node.decodeAsync = (tag, block, uSize) => {
  switch (tag) {
    case "ZL":
      return drain(streamOf(block).pipeThrough(inflater("deflate")), uSize);
    case "CS":
      return drain(streamOf(block).pipeThrough(inflater("deflate-raw")), uSize);
    case "XZ":
      return drain(new XzReadableStream(streamOf(block)), uSize);
    default:
      return Promise.reject(new Error(`no asynchronous decoder for ${tag}`));
  }
};

/** No native byte swap in a page: the caller's typed-array loop does it. */
export const swapInPlace: typeof Node.swapInPlace = () => false;

/** No native addon in a page: byteswap.ts swaps with WebAssembly SIMD. */
export const swapCopy: typeof Node.swapCopy = () => false;
