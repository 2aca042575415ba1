/**
 * Adler-32, the checksum XRootD sites keep for every file (`xrdcp --cksum adler32`), computed
 * locally so a copy can be checked against what the server reports. Chunks copied out of order
 * are checksummed separately and joined with `adler32Combine`.
 */
const BASE = 65521;
/**
 * Bytes between reductions modulo BASE: small enough that the sums stay below 2^31 (V8 keeps
 * them as small integers; zlib's NMAX of 5552 only keeps them below 2^32).
 */
const BLOCK = 2048;

/** Adler-32 of `data`, continuing from `adler` (1 for a fresh start). */
export function adler32(data: Uint8Array, adler = 1): number {
  let a = adler & 0xffff,
    b = (adler >>> 16) & 0xffff;
  let i = 0;
  const n = data.length;
  while (i < n) {
    const end = Math.min(n, i + BLOCK);
    const end8 = i + ((end - i) & ~7);
    // Eight bytes a step: b gains 8a plus the bytes weighted 8…1, a gains their sum (about 25 %
    // faster than a byte a step).
    while (i < end8) {
      const d0 = data[i]!,
        d1 = data[i + 1]!,
        d2 = data[i + 2]!,
        d3 = data[i + 3]!;
      const d4 = data[i + 4]!,
        d5 = data[i + 5]!,
        d6 = data[i + 6]!,
        d7 = data[i + 7]!;
      b += 8 * a + 8 * d0 + 7 * d1 + 6 * d2 + 5 * d3 + 4 * d4 + 3 * d5 + 2 * d6 + d7;
      a += d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7;
      i += 8;
    }
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= BASE;
    b %= BASE;
  }
  return ((b << 16) | a) >>> 0;
}

/** The Adler-32 of A followed by B, from the checksums of A and of B (length `lenB`). */
export function adler32Combine(adlerA: number, adlerB: number, lenB: number): number {
  const rem = lenB % BASE;
  let sum1 = adlerA & 0xffff;
  let sum2 = (rem * sum1) % BASE;
  sum1 += (adlerB & 0xffff) + BASE - 1;
  sum2 += ((adlerA >>> 16) & 0xffff) + ((adlerB >>> 16) & 0xffff) + BASE - rem;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum2 >= 2 * BASE) sum2 -= 2 * BASE;
  if (sum2 >= BASE) sum2 -= BASE;
  return ((sum2 << 16) | sum1) >>> 0;
}

/** As XRootD prints it: 8 lower-case hex digits. */
export function adler32Hex(v: number): string {
  return v.toString(16).padStart(8, "0");
}
