import { describe, expect, it } from "vitest";
import { decodePage, type SwitchElements } from "../../src/root/rntuple/decode.js";

// Encoders written from the specification's wording, independent of the decoder, for column types
// the corpus files do not contain (or contain only at a few widths).

/** Split encoding: byte b of element i goes to b*n + i. */
function split(elements: Uint8Array, size: number): Uint8Array {
  const n = elements.length / size;
  const out = new Uint8Array(elements.length);
  for (let i = 0; i < n; i++) for (let b = 0; b < size; b++) out[b * n + i] = elements[i * size + b]!;
  return out;
}

/** Packs unsigned integers of `bits` bits, least significant bit first. */
function pack(values: number[], bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  let pos = 0;
  for (const v of values) {
    for (let k = 0; k < bits; k++, pos++) if (Math.floor(v / 2 ** k) % 2) out[pos >> 3]! |= 1 << (pos & 7);
  }
  return out;
}

const le32 = (v: number[]) => new Uint8Array(Uint32Array.from(v).buffer);

describe("RNTuple page decoding of every column encoding", () => {
  it("a page handed over as a Node Buffer at an offset of a larger allocation decodes its own bytes", () => {
    // Buffer.slice() is a view: a decoder that takes .buffer of it would read the start of the pool instead.
    const pool = Buffer.alloc(64, 0xff);
    pool.writeDoubleLE(1.5, 16);
    pool.writeDoubleLE(-2.25, 24);
    const page = pool.subarray(16, 32);
    expect(Array.from(decodePage(page, { type: 0x0d, bits: 64 }, 2, {}) as Float64Array)).toEqual([1.5, -2.25]);
  });
  it("Index32 and SplitIndex32 (split + delta)", () => {
    const ends = [3, 3, 7, 12];
    expect(Array.from(decodePage(le32(ends), { type: 0x0e, bits: 32 }, 4, {}) as Float64Array)).toEqual(ends);
    const deltas = [3, 0, 4, 5];
    expect(Array.from(decodePage(split(le32(deltas), 4), { type: 0x1a, bits: 32 }, 4, {}) as Float64Array)).toEqual(ends);
  });

  it("SplitUInt16, SplitInt16 (zigzag) and SplitReal64", () => {
    const u = Uint16Array.from([1, 258, 65535]);
    expect(Array.from(decodePage(split(new Uint8Array(u.buffer), 2), { type: 0x12, bits: 16 }, 3, {}) as Uint16Array)).toEqual([1, 258, 65535]);
    // zigzag: 0→0, -1→1, 1→2, -32768→65535
    const z = Uint16Array.from([0, 1, 2, 65535]);
    expect(Array.from(decodePage(split(new Uint8Array(z.buffer), 2), { type: 0x11, bits: 16 }, 4, {}) as Int16Array)).toEqual([0, -1, 1, -32768]);
    const d = Float64Array.from([Math.PI, -1e300, 0]);
    expect(Array.from(decodePage(split(new Uint8Array(d.buffer), 8), { type: 0x19, bits: 64 }, 3, {}) as Float64Array)).toEqual([Math.PI, -1e300, 0]);
  });

  it("Real16 half floats: normal, subnormal, infinity", () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (smallest subnormal), 0x7c00 = +inf, 0x3555 ≈ 0.333251953125
    const h = Uint16Array.from([0x3c00, 0xc000, 0x0001, 0x7c00, 0x3555]);
    const out = decodePage(new Uint8Array(h.buffer), { type: 0x0b, bits: 16 }, 5, {}) as Float32Array;
    expect(Array.from(out)).toEqual([1, -2, 2 ** -24, Infinity, 0.333251953125]);
  });

  it("Bit columns across byte boundaries", () => {
    const bits = [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1];
    expect(Array.from(decodePage(pack(bits, 1), { type: 0x00, bits: 1 }, bits.length, {}) as Uint8Array)).toEqual(bits);
  });

  it("Real32Trunc at a width that straddles bytes (13 bits)", () => {
    const values = Float32Array.from([1.5, -3.25, 1e-3, 65504]);
    const top = Array.from(new Uint32Array(values.buffer), (u) => u >>> 19);
    const out = decodePage(pack(top, 13), { type: 0x1c, bits: 13 }, 4, {}) as Float32Array;
    const want = new Float32Array(Uint32Array.from(top, (t) => (t << 19) >>> 0).buffer);
    expect(Array.from(out)).toEqual(Array.from(want));
    expect(out[0]).toBe(1.5); // exactly representable in 13 bits
  });

  it("Real32Quant maps integers linearly onto [min, max]", () => {
    const q = [0, 1023, 512, 7];
    const out = decodePage(pack(q, 10), { type: 0x1d, bits: 10, min: -5, max: 5 }, 4, {}) as Float64Array;
    expect(Array.from(out)).toEqual(q.map((v) => -5 + (v * 10) / 1023));
  });

  it("Switch elements: 64-bit index and 32-bit tag", () => {
    const bytes = new Uint8Array(24);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, 5n, true);
    view.setUint32(8, 2, true);
    view.setBigUint64(12, 0n, true);
    view.setUint32(20, 0, true);
    const sw = decodePage(bytes, { type: 0x10, bits: 96 }, 2, {}) as SwitchElements;
    expect(Array.from(sw.index)).toEqual([5, 0]);
    expect(Array.from(sw.tag)).toEqual([2, 0]);
  });

  it("rejects a column type newer than format 1.0", () => {
    expect(() => decodePage(new Uint8Array(4), { type: 0x7f, bits: 32 }, 1, { file: "x.root" })).toThrow(/column type/);
  });
});
