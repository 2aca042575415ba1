// Shared by the robustness and fault-injection suites: where a ROOT file keeps what they mutate.
import { Cursor, type Key } from "../../src/root/index.js";

/**
 * The file header's fSeekInfo (streamer infos). Below version 1000000 the seeks are 32-bit:
 * fSeekInfo is at byte 37 and byte 41 holds fNbytesInfo; above, 64-bit at byte 45.
 */
export function seekInfoOf(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getInt32(4) >= 1000000 ? Number(view.getBigInt64(45)) : view.getInt32(37);
}

/** One record of a ROOT file: a key (header + payload) or a free gap. */
export interface FileRecord {
  start: number;
  end: number;
  /** Absent for a gap. */
  key?: Key;
}

/**
 * Every record between fBEGIN and fEND, in file order, walked independently of the reader
 * (a record's first int32 is its length; negative marks a gap).
 */
export function recordsOf(bytes: Uint8Array): FileRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const begin = view.getInt32(8);
  const end = view.getInt32(4) >= 1000000 ? Number(view.getBigInt64(12)) : view.getInt32(12);
  const out: FileRecord[] = [{ start: 0, end: begin }];
  for (let pos = begin; pos < end; ) {
    const n = view.getInt32(pos);
    if (n < 0) {
      out.push({ start: pos, end: pos - n });
      pos -= n;
      continue;
    }
    const key = readKeyAt(bytes, pos);
    out.push({ start: pos, end: pos + n, key });
    pos += n;
  }
  return out;
}

function readKeyAt(bytes: Uint8Array, pos: number): Key {
  const c = new Cursor(bytes, pos);
  const nbytes = c.i32(),
    version = c.i16(),
    objLen = c.i32(),
    datime = c.u32(),
    keyLen = c.i16(),
    cycle = c.i16();
  const big = version > 1000;
  const seekKey = big ? c.i64() : c.i32();
  const seekPdir = big ? c.i64() : c.i32();
  return { nbytes, version, objLen, datime, keyLen, cycle, seekKey, seekPdir, className: c.tstring(), name: c.tstring(), title: c.tstring() };
}

/** mulberry32: the same mutations on every run. */
export function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MUTATIONS = ["truncate", "flip-header", "flip-any", "zero-run", "flip-tail", "big-length"] as const;

/** The t-th mutation of a file: truncation, bit flips, a zeroed run, or a length-sized field made huge. */
export function mutate(orig: Uint8Array, rand: () => number, t: number): { bytes: Uint8Array; kind: string } {
  const kind = MUTATIONS[t % MUTATIONS.length]!;
  if (kind === "truncate") return { bytes: orig.subarray(0, Math.floor(rand() * orig.length)), kind };
  const b = orig.slice();
  const at = (lo: number, hi: number) => lo + Math.floor(rand() * Math.max(1, hi - lo));
  if (kind === "flip-header") {
    const i = at(0, 120);
    b[i] = b[i]! ^ (1 << Math.floor(rand() * 8));
  } else if (kind === "flip-any")
    for (let k = 0; k < 3; k++) {
      const i = at(0, b.length);
      b[i] = b[i]! ^ (1 << Math.floor(rand() * 8));
    }
  else if (kind === "zero-run") {
    const i = at(0, b.length);
    b.fill(0, i, Math.min(b.length, i + 1 + Math.floor(rand() * 64)));
  } else if (kind === "flip-tail") {
    const i = at(Math.floor(b.length * 0.8), b.length);
    b[i] = b[i]! ^ 0xff;
  } // key lists, streamer infos, footers
  else {
    const i = at(0, b.length - 4);
    b[i] = 0x7f;
    b[i + 1] = 0xff;
  } // a length-sized field turned huge
  return { bytes: b, kind };
}

/** Byte offsets where two equally long files differ. */
export function changedBytes(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** Everything a file reads to, by object path and column: plain arrays (a jagged column as [offsets, content]). */
export type ReadResult = Record<string, unknown>;

/**
 * Why a mutated file that read without error to different data is beyond any reader, or
 * undefined when it is not (a reader defect).
 *
 * The format cannot check one thing: the payload of a key stored raw (ROOT stores a basket or
 * an object uncompressed when compression does not pay, and in files written without
 * compression). TTree baskets and TH1 keys carry no checksum, so a changed value byte there reads
 * as a changed value — in ROOT as in any reader. A difference counts as undetectable only if
 * every differing output is an object or branch whose raw payload was hit, and no more of its
 * values changed than bytes were changed in that payload.
 */
export function undetectableBecause(orig: Uint8Array, mutated: Uint8Array, original: ReadResult, got: ReadResult): string | undefined {
  if (orig.length !== mutated.length) return undefined;
  const records = recordsOf(orig);
  // Changed payload bytes of raw keys, by the name of what they hold (branch or object).
  const hits = new Map<string, { bytes: number; className: string }>();
  for (const at of changedBytes(orig, mutated)) {
    const r = records.find((x) => at >= x.start && at < x.end);
    const k = r?.key;
    if (!r || !k || at - r.start < k.keyLen || k.objLen !== k.nbytes - k.keyLen) continue;
    const h = hits.get(k.name) ?? { bytes: 0, className: k.className };
    h.bytes++;
    hits.set(k.name, h);
  }
  const reasons: string[] = [];
  for (const p of new Set([...Object.keys(original), ...Object.keys(got)])) {
    const a = original[p],
      g = got[p];
    if (JSON.stringify(a) === JSON.stringify(g)) continue;
    if (!a || !g || typeof a !== "object" || typeof g !== "object") return undefined;
    if (Array.isArray(a)) {
      // A histogram's contents: its own key's payload.
      const hit = hits.get(p.split("/").pop()!);
      if (!hit || hit.className === "TBasket" || !sameShapeWithin(a, g as unknown[], hit.bytes)) return undefined;
      reasons.push(`raw ${hit.className} payload of ${p} (${hit.bytes} byte(s))`);
      continue;
    }
    const ac = a as Record<string, unknown>,
      gc = g as Record<string, unknown>;
    for (const c of new Set([...Object.keys(ac), ...Object.keys(gc)])) {
      if (JSON.stringify(ac[c]) === JSON.stringify(gc[c])) continue;
      const hit = hits.get(c);
      if (hit?.className !== "TBasket") return undefined;
      const [av, gv] = [ac[c], gc[c]] as unknown[][];
      // A jagged column: offsets come from the counter branch and must be unchanged.
      const jagged = Array.isArray(av?.[0]);
      if (jagged && JSON.stringify(av![0]) !== JSON.stringify(gv?.[0])) return undefined;
      if (!sameShapeWithin(jagged ? (av![1] as unknown[]) : av!, jagged ? (gv?.[1] as unknown[]) : gv!, hit.bytes)) return undefined;
      reasons.push(`raw TBasket payload of branch ${p}.${c} (${hit.bytes} byte(s))`);
    }
  }
  return reasons.length ? `${reasons.join(", ")}: stored uncompressed, no checksum in the format` : undefined;
}

/** Same length, and at most `n` elements differ. */
function sameShapeWithin(a: unknown[], b: unknown[] | undefined, n: number): boolean {
  if (!Array.isArray(b) || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && JSON.stringify(a[i]) !== JSON.stringify(b[i])) d++;
  return d > 0 && d <= n;
}
