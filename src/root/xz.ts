import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Liblzma from "node-liblzma";

/** node-liblzma, loaded when the first LZMA block is met (it is not needed for other codecs). */
let lib: typeof Liblzma | undefined;
const liblzma = () => (lib ??= createRequire(import.meta.url)("node-liblzma") as typeof Liblzma);

/**
 * XZ (LZMA) decompression of ROOT blocks with one liblzma stream decoder kept per thread.
 *
 * node-liblzma's `unxzSync` builds a Node stream and a fresh liblzma decoder per call, and the
 * decoder allocates its dictionary each time: on the 20 kB baskets ROOT typically writes that is
 * 15 % of all LZMA time (49 vs 57 MB/s on uproot-HZZ-lzma.root). node-liblzma's native decoder
 * accepts concatenated .xz streams, so one decoder can take every basket in turn and keeps its
 * dictionary. Any trouble (corrupt data, a size mismatch, a missing binding) discards the decoder
 * and decodes the block once more with `unxzSync`, whose result or error is then authoritative.
 */

interface NativeDecoder {
  codeSync(action: number, input: Buffer, inOffset: number, inLength: number, output: Buffer, outOffset: number): [number, number, number];
}
interface Binding {
  LZMA: new (mode: number, options: object) => NativeDecoder;
  STREAM_DECODE: number;
}

/** node-liblzma's native binding (not an exported path, hence loaded by hand); null if that fails. */
function loadBinding(): Binding | null {
  try {
    const dir = dirname(dirname(fileURLToPath(import.meta.resolve("node-liblzma"))));
    const binding = createRequire(join(dir, "package.json"))("node-gyp-build")(dir) as Binding;
    return typeof binding.LZMA === "function" && typeof binding.STREAM_DECODE === "number" ? binding : null;
  } catch {
    return null;
  }
}

let binding: Binding | null | undefined;
const nativeBinding = () => (binding === undefined ? (binding = loadBinding()) : binding);
/** Whether the persistent decoder is in use (else every block goes through `unxzSync`). */
export function xzPersistent(): boolean {
  return nativeBinding() !== null;
}
/** The options node-liblzma's own Unxz passes (the decoder itself only needs the mode). */
const options = () => {
  const { check, preset, filter, mode, LZMA_RUN } = liblzma();
  return { check: check.NONE, preset: preset.DEFAULT, filters: [filter.LZMA2], mode: mode.NORMAL, threads: 1, flushFlag: LZMA_RUN };
};
let decoder: NativeDecoder | null = null;

/** The last two bytes of every .xz stream footer. */
const FOOTER_MAGIC_Y = 0x59,
  FOOTER_MAGIC_Z = 0x5a;

/**
 * Decodes one complete .xz stream of `uSize` bytes. Returns the decoded bytes, in `out` when given
 * (exactly `uSize` bytes), else in a new buffer; throws what liblzma reports for corrupt data.
 */
export function unxz(block: Buffer, uSize: number, out?: Uint8Array): Uint8Array {
  const dst = out ? Buffer.from(out.buffer, out.byteOffset, out.length) : Buffer.allocUnsafeSlow(uSize);
  if (nativeBinding() && dst.length === uSize && fast(block, dst)) return out ?? dst;
  decoder = null;
  const got = liblzma().unxzSync(block);
  if (out && got.length === out.length) {
    out.set(got);
    return out;
  }
  return got;
}

/** The persistent decoder's attempt: true when it produced exactly `dst` from the whole stream. */
function fast(src: Buffer, dst: Buffer): boolean {
  // A stream that does not end with its footer would leave the decoder waiting mid-stream.
  const n = src.length;
  if (n < 12 || src[n - 2] !== FOOTER_MAGIC_Y || src[n - 1] !== FOOTER_MAGIC_Z) return false;
  try {
    const b = nativeBinding()!;
    const { LZMA_OK, LZMA_RUN, LZMA_STREAM_END } = liblzma();
    decoder ??= new b.LZMA(b.STREAM_DECODE, options());
    let inOff = 0,
      availIn = n,
      outOff = 0;
    for (;;) {
      const [status, leftIn, leftOut] = decoder.codeSync(LZMA_RUN, src, inOff, availIn, dst, outOff);
      if (status !== LZMA_OK && status !== LZMA_STREAM_END) return false;
      const produced = dst.length - leftOut - outOff,
        consumed = availIn - leftIn;
      inOff += consumed;
      availIn = leftIn;
      outOff += produced;
      if (availIn === 0) return outOff === dst.length;
      if (consumed === 0 && produced === 0) return false; // more data in the stream than its header says
    }
  } catch {
    return false;
  }
}
