/**
 * Big-endian → little-endian conversion of large runs. First choice is the native addon's
 * `swapCopy` (native/inflate.c, through `#root/codecs`): one vectorised pass from source to
 * destination. Without it (a page, or no addon built), WebAssembly SIMD: one 16-byte shuffle
 * per instruction, about twice as fast as Node's native `Buffer.swap32` (a scalar loop) even
 * counting the copies in and out of the module's memory. The module is assembled here from its
 * few bytes (no build step, no dependency); where WebAssembly SIMD is unavailable too, callers
 * fall back to Node's swap.
 */
import { swapCopy } from "#root/codecs";

/** Bytes converted per call into the module (its memory is this plus one page of slack). */
const CHUNK = 1 << 20;
const PAGE = 1 << 16;

/**
 * Body of `swap(p, n)`: for each 16-byte block from p while p < p0 + n, store the block with its
 * bytes permuted by `lanes`. A last partial block is permuted whole; the group boundaries stay
 * aligned, so its valid bytes are right and the rest lies in the slack.
 */
function body(lanes: number[]): number[] {
  return [
    0x01,
    0x01,
    0x7f, // one extra i32 local: end
    0x20,
    0x00,
    0x20,
    0x01,
    0x6a,
    0x21,
    0x02, // end = p + n
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    0x20,
    0x00,
    0x20,
    0x02,
    0x4f,
    0x0d,
    0x01, // if p >= end: break
    0x20,
    0x00, // store address
    0x20,
    0x00,
    0xfd,
    0x00,
    0x00,
    0x00, // v128.load p
    0x20,
    0x00,
    0xfd,
    0x00,
    0x00,
    0x00, // v128.load p (second shuffle operand, unused lanes)
    0xfd,
    0x0d,
    ...lanes, // i8x16.shuffle
    0xfd,
    0x0b,
    0x00,
    0x00, // v128.store
    0x20,
    0x00,
    0x41,
    0x10,
    0x6a,
    0x21,
    0x00, // p += 16
    0x0c,
    0x00,
    0x0b,
    0x0b,
    0x0b, // continue; end loop, block, function
  ];
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
const lanes = (size: number): number[] => Array.from({ length: 16 }, (_, i) => i - (i % size) + size - 1 - (i % size));

function assemble(): Uint8Array {
  const bodies = [2, 4, 8].map((s) => body(lanes(s)));
  const pages = CHUNK / PAGE + 1;
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00]), // type (i32, i32) -> ()
    ...section(3, [0x03, 0x00, 0x00, 0x00]), // three functions of that type
    ...section(5, [0x01, 0x00, ...leb(pages)]), // memory
    ...section(7, [0x04, ...name("mem"), 0x02, 0x00, ...name("s2"), 0x00, 0x00, ...name("s4"), 0x00, 0x01, ...name("s8"), 0x00, 0x02]),
    ...section(10, [0x03, ...bodies.flatMap((b) => [...leb(b.length), ...b])]),
  ]);
}

interface Swapper {
  bytes: Uint8Array;
  fns: Record<number, (p: number, n: number) => void>;
}

/** The part of the WebAssembly global used here (the project's TypeScript lib has no DOM types). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

function instantiate(): Swapper | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
    const e = new wasm.Instance(new wasm.Module(assemble())).exports as { mem: { buffer: ArrayBuffer }; s2: Swapper["fns"][2]; s4: Swapper["fns"][4]; s8: Swapper["fns"][8] };
    return { bytes: new Uint8Array(e.mem.buffer), fns: { 2: e.s2, 4: e.s4, 8: e.s8 } };
  } catch {
    return null; // no WebAssembly SIMD here: callers use Node's Buffer swap
  }
}

const swapper = instantiate();

/** Whether the WebAssembly SIMD path is available. */
export const simdSwap = swapper !== null;

/**
 * Writes `src` into `dst` (same length, a multiple of `size`) with the bytes of every `size`-byte
 * group reversed. `src` and `dst` are the same memory or disjoint. Returns false, writing nothing,
 * when neither the native swap nor WebAssembly SIMD is available.
 */
export function copySwapped(size: 2 | 4 | 8, src: Uint8Array, dst: Uint8Array): boolean {
  return swapCopy(size, src, dst) || wasmCopySwapped(size, src, dst);
}

/** `copySwapped` through the WebAssembly module only (exported for tests that compare the paths). */
export function wasmCopySwapped(size: 2 | 4 | 8, src: Uint8Array, dst: Uint8Array): boolean {
  if (!swapper) return false;
  const { bytes, fns } = swapper;
  const fn = fns[size]!;
  for (let off = 0; off < src.length; off += CHUNK) {
    const k = Math.min(CHUNK, src.length - off);
    bytes.set(src.subarray(off, off + k));
    fn(0, k);
    dst.set(bytes.subarray(0, k), off);
  }
  return true;
}
