import { describe, expect, it } from "vitest";
import { deflateSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { adler32, adler32Combine, adler32Hex } from "../../src/io/xrootd-checksum.js";

/** zlib's own Adler-32: a zlib stream ends with the checksum of the uncompressed data (RFC 1950). */
const zlibAdler = (b: Uint8Array) => {
  const z = deflateSync(b, { level: 0 });
  return z.readUInt32BE(z.length - 4);
};

describe("adler32", () => {
  it("equals zlib's for empty, short, long and 0xff-filled data (the worst case for overflow)", () => {
    for (const b of [new Uint8Array(0), Buffer.from("Wikipedia"), randomBytes(1_000_003), new Uint8Array(200_000).fill(255)]) {
      expect(adler32(b)).toBe(zlibAdler(b));
    }
    expect(adler32Hex(adler32(Buffer.from("Wikipedia")))).toBe("11e60398"); // the textbook example
  });

  it("continues from an earlier sum across lengths that end mid eight-byte step and mid block", () => {
    const data = randomBytes(10_000);
    for (const cut of [1, 7, 8, 9, 2047, 2048, 2049, 4099]) {
      expect(adler32(data.subarray(cut), adler32(data.subarray(0, cut))), `cut ${cut}`).toBe(zlibAdler(data));
    }
  });

  it("combines chunk checksums into the checksum of the whole", () => {
    const data = randomBytes(700_001);
    const cuts = [0, 1, 65_521, 65_522, 300_000, 700_001];
    let sum = adler32(data.subarray(0, 1));
    for (let i = 1; i < cuts.length - 1; i++) sum = adler32Combine(sum, adler32(data.subarray(cuts[i], cuts[i + 1])), cuts[i + 1]! - cuts[i]!);
    expect(sum).toBe(zlibAdler(data));
  });
});
