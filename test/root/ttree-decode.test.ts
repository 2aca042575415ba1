import { describe, expect, it } from "vitest";
import { copySwapped, simdSwap, wasmCopySwapped } from "../../src/root/ttree/byteswap.js";
import { swapCopy } from "../../src/root/platform/node/codecs.js";
import { allocate, decodeInto, type Dtype } from "../../src/root/ttree/decode.js";
import type { TTree } from "../../src/root/index.js";

/** Deterministic pseudo-random bytes (so a failure reproduces). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const READ: Record<string, [number, (v: DataView, at: number) => number | bigint]> = {
  i16: [2, (v, a) => v.getInt16(a)],
  u16: [2, (v, a) => v.getUint16(a)],
  i32: [4, (v, a) => v.getInt32(a)],
  u32: [4, (v, a) => v.getUint32(a)],
  f32: [4, (v, a) => v.getFloat32(a)],
  i64: [8, (v, a) => v.getBigInt64(a)],
  u64: [8, (v, a) => v.getBigUint64(a)],
  f64: [8, (v, a) => v.getFloat64(a)],
};

describe("big-endian decoding", () => {
  it("the WebAssembly SIMD swap is available on Node 20", () => {
    expect(simdSwap).toBe(true);
  });

  it("copySwapped and its WebAssembly path reverse every group, across the module's chunk boundaries, into another buffer or in place", () => {
    for (const swap of [copySwapped, wasmCopySwapped]) {
      for (const size of [2, 4, 8] as const) {
        // 2.5 MB: more than two 1 MB chunks, and a length that is not a multiple of 16.
        const n = 2_500_000 - (size === 8 ? 8 : size === 4 ? 12 : 6);
        const src = bytes(n, size);
        const dst = new Uint8Array(n);
        expect(swap(size, src, dst)).toBe(true);
        const inPlace = src.slice();
        swap(size, inPlace, inPlace);
        let bad = 0;
        for (let i = 0; i < n; i++) {
          const want = src[i - (i % size) + size - 1 - (i % size)];
          if (dst[i] !== want || inPlace[i] !== want) bad++;
        }
        expect(bad, `${swap.name} size ${size}`).toBe(0);
      }
    }
  });

  it("the addon's swapCopy is loaded (npm run build:native) and equals DataView reads and the WebAssembly path: every width, odd lengths and offsets, in place", () => {
    const probe = new Uint8Array([1, 2, 3, 4]);
    expect(swapCopy(4, probe, probe), "native/build holds no swapCopy: rebuild the addon").toBe(true);
    expect([...probe]).toEqual([4, 3, 2, 1]);
    // the basket pool's threads write into SharedArrayBuffer columns
    const shared = new Uint8Array(new SharedArrayBuffer(12), 2, 8);
    expect(swapCopy(8, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), shared)).toBe(true);
    expect([...shared]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const readers = { 2: (v: DataView, a: number) => v.getUint16(a), 4: (v: DataView, a: number) => v.getUint32(a), 8: (v: DataView, a: number) => v.getBigUint64(a) };
    for (const size of [2, 4, 8] as const) {
      // element counts around the vector widths (8, 16, 32 bytes) and their tails; sources at every byte offset
      for (const n of [1, 2, 3, 7, 15, 16, 17, 33, 1001]) {
        for (const off of [0, 1, 3, 5, 7]) {
          const buf = bytes(off + n * size + 9, n * 31 + off);
          const src = buf.subarray(off, off + n * size);
          const native = new Uint8Array(n * size + 6).subarray(3, 3 + n * size); // unaligned destination
          const wasm = new Uint8Array(n * size);
          expect(swapCopy(size, src, native)).toBe(true);
          wasmCopySwapped(size, src, wasm);
          const inPlace = src.slice(); // aliasing: src === dst
          swapCopy(size, inPlace, inPlace);
          const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
          const le = (a: Uint8Array) => new DataView(a.buffer, a.byteOffset, a.byteLength);
          let bad = 0;
          for (let i = 0; i < n; i++) {
            const want = readers[size](v, i * size);
            const got = size === 2 ? le(native).getUint16(i * 2, true) : size === 4 ? le(native).getUint32(i * 4, true) : le(native).getBigUint64(i * 8, true);
            const got2 = size === 2 ? le(inPlace).getUint16(i * 2, true) : size === 4 ? le(inPlace).getUint32(i * 4, true) : le(inPlace).getBigUint64(i * 8, true);
            if (got !== want || got2 !== want) bad++;
          }
          expect(bad, `size ${size} n ${n} offset ${off}`).toBe(0);
          expect([...native], `size ${size} n ${n}: native vs WebAssembly`).toEqual([...wasm]);
        }
      }
    }
  });

  it("swapCopy refuses partly overlapping memory, unequal lengths and other sizes instead of writing wrong bytes", () => {
    const b = bytes(64, 1);
    expect(() => swapCopy(4, b.subarray(0, 32), b.subarray(4, 36))).toThrow(/overlap/);
    expect(() => swapCopy(4, b.subarray(0, 32), b.subarray(32, 60))).toThrow(/same byte length/);
    expect(() => swapCopy(4, b.subarray(0, 30), b.subarray(32, 62))).toThrow(/multiple of size/);
    expect(() => swapCopy(3 as 4, b.subarray(0, 30), b.subarray(32, 62))).toThrow(/2, 4 or 8/);
  });

  it("decodeInto equals DataView big-endian reads for every width, short and long runs, odd source offsets", () => {
    for (const [d, [size, read]] of Object.entries(READ)) {
      for (const n of [1, 3, 100, 300, 5_000, 70_000]) {
        const pos = 3; // unaligned source
        const src = bytes(pos + n * size + 5, n + size);
        const out = allocate(d as Dtype, n + 2);
        decodeInto(d as Dtype, src, pos, n, out, 1);
        const view = new DataView(src.buffer);
        let bad = 0;
        for (let i = 0; i < n; i++) {
          const want = read(view, pos + i * size);
          const got = out[i + 1]!;
          // NaN payloads survive a byte swap bit for bit, but NaN !== NaN: compare those by Object.is.
          if (!(got === want || Object.is(got, want))) bad++;
        }
        expect(bad, `${d} n=${n}`).toBe(0);
        expect(out[0], "slot before untouched").toBe(d.endsWith("64") && d !== "f64" ? 0n : 0);
        expect(out[n + 1], "slot after untouched").toBe(d.endsWith("64") && d !== "f64" ? 0n : 0);
      }
    }
  });
});

describe("counters that cannot be counts", () => {
  it("a negative count or a total past 2^31 is a HepflowError naming the branch, not a wrong offsets array", async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { createFile, openFile } = await import("../../src/root/index.js");
    const { Jagged, HepflowError } = await import("../../src/util/index.js");
    const file = join(mkdtempSync(join(tmpdir(), "hepflow-counter-")), "counts.root");
    const N = 1000,
      count = (i: number) => i % 4;
    const offsets = new Int32Array(N + 1);
    for (let i = 0; i < N; i++) offsets[i + 1] = offsets[i]! + count(i);
    const w = await createFile(file, { compression: "none" });
    w.writeTree("T", [
      { name: "n", type: "i32" },
      { name: "v", type: "f32", counter: "n" },
    ]).write({
      n: Int32Array.from({ length: N }, (_, i) => count(i)),
      v: new Jagged(
        offsets,
        Float32Array.from({ length: offsets[N]! }, (_, k) => k),
      ),
    });
    await w.close();
    // Where entry 500's count sits: the uncompressed basket's data starts after its key.
    const f0 = await openFile(file);
    const ref = ((await f0.tree("T")) as TTree).branch("n").baskets[0]!;
    await f0.close();
    const bytes = readFileSync(file);
    const at = ref.seek! + bytes.readInt16BE(ref.seek! + 14) + 4 * 500;
    expect(bytes.readInt32BE(at)).toBe(count(500));
    for (const [bad, codes] of [
      [-1, ["ROOT_CORRUPT"]],
      [0x7fffffff, ["ROOT_TOO_LARGE", "ROOT_CORRUPT"]],
    ] as const) {
      const patched = Buffer.from(bytes);
      patched.writeInt32BE(bad, at);
      writeFileSync(file, patched);
      const f = await openFile(file);
      const err = await (await f.tree("T")).arrays(["v"]).catch((e: unknown) => e);
      await f.close();
      expect(err, `count ${bad}`).toBeInstanceOf(HepflowError);
      expect(codes, `count ${bad}: ${(err as Error).message}`).toContain((err as InstanceType<typeof HepflowError>).code);
      expect((err as Error).message).toMatch(/counts\.root.*\bv\b|counts\.root.*\bn\b/);
    }
  });
});
