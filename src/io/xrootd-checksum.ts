/**
 * Adler-32, the checksum XRootD sites keep for every file (`xrdcp --cksum adler32`), computed
 * locally so a copy can be checked against what the server reports. Chunks copied out of order
 * are checksummed separately and joined with `adler32Combine`.
 */
const BASE = 65521;
/** Largest run of bytes before the sums must be reduced to stay below 2^32 (as zlib's NMAX). */
const NMAX = 5552;

/** Adler-32 of `data`, continuing from `adler` (1 for a fresh start). */
export function adler32(data: Uint8Array, adler = 1): number {
  let a = adler & 0xffff, b = (adler >>> 16) & 0xffff;
  let i = 0;
  const n = data.length;
  while (i < n) {
    const end = Math.min(n, i + NMAX);
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
