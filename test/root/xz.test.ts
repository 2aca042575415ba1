import { describe, expect, it } from "vitest";
import { check, xzSync } from "node-liblzma";
import { compress, decompress } from "../../src/root/compression.js";
import { unxz, xzPersistent } from "../../src/root/xz.js";
import { HepflowError } from "../../src/util/index.js";

/** Compressible bytes unlike from one seed to the next (a few repeated runs of pseudo-random values). */
function data(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    if (i % 7 === 0) x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = (x >>> 24) ^ (i & 3);
  }
  return out;
}

// CRC32, as ROOT writes its LZMA blocks
const xz = (u: Uint8Array) => xzSync(Buffer.from(u.buffer, u.byteOffset, u.length), { check: check.CRC32 });

describe("XZ blocks through one persistent liblzma decoder", () => {
  it("uses node-liblzma's native decoder (else LZMA reading silently falls back to the slower path)", () => {
    expect(xzPersistent()).toBe(true);
  });

  it("decodes many streams in turn, into a given buffer or a new one", () => {
    for (let k = 0; k < 20; k++) {
      const raw = data(k, 1000 + 997 * k);
      const got = k % 2 ? unxz(xz(raw), raw.length) : unxz(xz(raw), raw.length, new Uint8Array(raw.length));
      expect(Buffer.compare(got, raw), `stream ${k}`).toBe(0);
    }
  });

  it("a corrupt or cut stream fails, and the next good stream still decodes (the decoder is replaced)", () => {
    const good = data(1, 50_000),
      next = data(2, 30_000);
    const flipped = Buffer.from(xz(good));
    flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
    expect(() => unxz(flipped, good.length)).toThrow();
    expect(Buffer.compare(unxz(xz(next), next.length), next)).toBe(0);
    // Cut inside the compressed data: as a ROOT block (header sizes adjusted to the cut) it must
    // fail with a HepflowError, never come back short or padded.
    const block = compress(good, { codec: "lzma", level: 1 });
    const cSize = Math.floor((block.length - 9) / 2);
    const cut = block.slice(0, 9 + cSize);
    cut[3] = cSize & 0xff;
    cut[4] = (cSize >> 8) & 0xff;
    cut[5] = (cSize >> 16) & 0xff;
    expect(() => decompress(cut, good.length, { file: "cut.root" })).toThrow(HepflowError);
    expect(Buffer.compare(unxz(xz(next), next.length), next)).toBe(0);
    // Only the stream footer missing: the data and its CRC32 came before it, so the bytes are whole.
    const noFooter = Buffer.from(xz(good).subarray(0, xz(good).length - 7));
    expect(Buffer.compare(unxz(noFooter, good.length), good)).toBe(0);
    expect(Buffer.compare(unxz(xz(next), next.length), next)).toBe(0);
  });

  it("a ROOT block whose header understates or overstates the size is a HepflowError, not a short or padded basket", () => {
    const raw = data(3, 40_000);
    const block = compress(raw, { codec: "lzma", level: 1 });
    expect(Buffer.compare(decompress(block, raw.length), raw)).toBe(0);
    for (const size of [raw.length - 10, raw.length + 10]) {
      const lying = block.slice();
      lying[6] = size & 0xff;
      lying[7] = (size >> 8) & 0xff;
      lying[8] = (size >> 16) & 0xff;
      let err: unknown;
      try {
        decompress(lying, size, { file: "lying.root", object: "b" });
      } catch (e) {
        err = e;
      }
      expect(err, `claimed ${size}`).toBeInstanceOf(HepflowError);
      expect((err as Error).message).toContain("lying.root");
    }
    expect(Buffer.compare(decompress(block, raw.length), raw)).toBe(0);
  });
});
