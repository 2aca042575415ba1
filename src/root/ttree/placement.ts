/**
 * A pool thread's interpretation of one decompressed basket (inflate-worker.ts): its values written
 * straight into their place in the shared output column, when the basket has the plain layout the
 * reading thread's sink would copy. Kept apart from the worker so tests can check it beside the sinks.
 */
import { swapInPlace } from "#root/codecs";
import { copySwapped } from "./byteswap.js";
import type { InflateTask, Placement } from "./parallel.js";

function i32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

/**
 * Writes the basket's values to `p` when its layout is the plain one the sink would copy (the
 * checks mirror fixedSink's and countedSink's); false, writing nothing, otherwise.
 */
export function place(payload: Uint8Array, t: Pick<InflateTask, "border" | "entries" | "keyLen">, p: Placement): boolean {
  const border = t.border,
    n = t.entries;
  if (border < 0 || border > payload.length) return false;
  // ROOT's entry offsets after the values: a count, then one big-endian offset per entry from the key start
  const hasOffsets = payload.length >= border + 4 && n > 0 && i32(payload, border) >= n && border + 4 + n * 4 <= payload.length;
  const offsetAt = (i: number): number => (i === n ? border : i32(payload, border + 4 + 4 * i) - t.keyLen);
  let from: number, len: number;
  if (p.perEntry !== undefined) {
    if (border < n * p.perEntry || (hasOffsets && border !== n * p.perEntry)) return false;
    from = p.lo * p.perEntry;
    len = (p.hi - p.lo) * p.perEntry;
  } else {
    len = p.values! * p.size;
    if (!hasOffsets) {
      if (p.lo > 0 || len > border) return false;
      from = 0;
    } else {
      const b0 = offsetAt(p.lo),
        b1 = offsetAt(p.hi);
      if (b0 < 0 || b1 > border || b1 < b0 || b1 - b0 !== len) return false;
      from = b0;
    }
  }
  if (p.at < 0 || p.at + len > p.buf.byteLength) return false;
  const src = payload.subarray(from, from + len),
    dst = new Uint8Array(p.buf, p.at, len);
  if (p.size === 1) {
    dst.set(src);
    if (p.bool) for (let i = 0; i < len; i++) if (dst[i]! > 1) dst[i] = 1;
  } else if (!copySwapped(p.size, src, dst)) {
    dst.set(src);
    swapInPlace(dst, p.size);
  }
  return true;
}
