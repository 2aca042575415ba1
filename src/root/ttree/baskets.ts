import { HepflowError } from "../../util/index.js";
import { Cursor } from "../cursor.js";
import { decompress } from "../compression.js";
import type { RootFile } from "../file.js";
import type { BasketRef, BranchModel } from "./model.js";

/** A basket's decompressed bytes: entries [first, first+n), and the byte offset of each entry (n+1 values) when ROOT stored them. */
export interface BasketData {
  first: number;
  n: number;
  data: Uint8Array;
  offsets: Int32Array | null;
}

/** Baskets of `branch` overlapping [start, stop). */
export function basketsInRange(branch: BranchModel, start: number, stop: number): BasketRef[] {
  return branch.baskets.filter((b) => b.stop > start && b.first < stop && b.stop > b.first);
}

/** Largest gap between two baskets that is still read through rather than split into two requests. */
const COALESCE_GAP = 64 * 1024;
/** Largest single read when merging neighbouring baskets. */
const MAX_MERGED = 32 * 1024 * 1024;

/**
 * Reads the raw (compressed) bytes of many baskets at once: neighbouring baskets of all branches
 * are merged into few large reads, which is what makes a local file or an HTTP server fast.
 */
export async function prefetchBaskets(file: RootFile, refs: readonly BasketRef[]): Promise<Map<BasketRef, Uint8Array>> {
  const size = await file.source.size();
  const disk = refs.filter((r) => !r.embedded && r.seek! > 0 && r.bytes! > 0 && r.seek! + r.bytes! <= size).sort((a, b) => a.seek! - b.seek!);
  const groups: { offset: number; end: number; members: BasketRef[] }[] = [];
  for (const r of disk) {
    const g = groups[groups.length - 1];
    if (g && r.seek! - g.end <= COALESCE_GAP && Math.max(g.end, r.seek! + r.bytes!) - g.offset <= MAX_MERGED) {
      g.end = Math.max(g.end, r.seek! + r.bytes!);
      g.members.push(r);
    } else {
      groups.push({ offset: r.seek!, end: r.seek! + r.bytes!, members: [r] });
    }
  }
  const bufs = await file.source.readMany(groups.map((g) => ({ offset: g.offset, length: g.end - g.offset })));
  const out = new Map<BasketRef, Uint8Array>();
  groups.forEach((g, i) => {
    for (const r of g.members) out.set(r, bufs[i]!.subarray(r.seek! - g.offset, r.seek! - g.offset + r.bytes!));
  });
  return out;
}

/** Decompresses the given baskets, reading those not already fetched (in one readMany batch). */
export async function loadBaskets(file: RootFile, branch: BranchModel, refs: readonly BasketRef[], fetched?: Map<BasketRef, Uint8Array>): Promise<BasketData[]> {
  const size = await file.source.size();
  const missing = refs.filter((r) => !r.embedded && !fetched?.has(r) && inFile(r, size));
  const got = await file.source.readMany(missing.map((r) => ({ offset: r.seek!, length: r.bytes! })));
  const all = new Map(fetched);
  missing.forEach((r, i) => all.set(r, got[i]!));
  return decodeBaskets(file, branch, refs, all, size);
}

function inFile(r: BasketRef, size: number): boolean {
  return r.seek! > 0 && r.bytes! > 0 && r.seek! + r.bytes! <= size;
}

/**
 * Decompresses baskets whose raw bytes are at hand, synchronously, so each branch's decompressed
 * baskets become garbage as soon as that branch is decoded.
 */
export function decodeBaskets(file: RootFile, branch: BranchModel, refs: readonly BasketRef[], raw: Map<BasketRef, Uint8Array>, size: number): BasketData[] {
  const out: BasketData[] = [];
  for (const r of refs) {
    if (r.embedded) {
      const e = r.embedded;
      out.push({ first: r.first, n: e.nevBuf, data: e.data, offsets: e.entryOffsets });
      continue;
    }
    const bytes = raw.get(r);
    if (!bytes || !inFile(r, size)) {
      throw new HepflowError("ROOT_CORRUPT", `basket at ${r.seek}+${r.bytes} lies outside the file (${size} bytes)`, { file: file.name, object: branch.name, offset: r.seek });
    }
    out.push(parseBasket(file, branch, r, bytes));
  }
  return out;
}

/** Whether every on-disk basket of `refs` is already fetched. */
export function allFetched(refs: readonly BasketRef[], fetched: Map<BasketRef, Uint8Array> | undefined): boolean {
  return refs.every((r) => r.embedded || fetched?.has(r));
}

function parseBasket(file: RootFile, branch: BranchModel, ref: BasketRef, raw: Uint8Array): BasketData {
  const c = new Cursor(raw, 0, { file: file.name, object: branch.name, base: ref.seek });
  // The key header, read field by field: names and titles are skipped, not decoded (this runs per basket).
  const nbytes = c.i32();
  const keyVersion = c.i16();
  const objLen = c.i32();
  c.skip(4); // datime
  const keyLen = c.i16();
  c.skip(2 + (keyVersion > 1000 ? 16 : 8)); // cycle, seekKey, seekPdir
  for (let i = 0; i < 3; i++) {
    const n = c.u8();
    c.skip(n === 255 ? c.i32() : n);
  }
  c.skip(2 + 4); // basket version, buffer size
  if (c.i32() < 0) c.u8(); // a negative entry-buffer size announces one byte of IO bits
  const nevBuf = c.i32();
  const last = c.i32();
  if (nbytes > raw.length || keyLen < 0 || keyLen > nbytes || objLen < 0 || nevBuf < 0 || last < keyLen || last - keyLen > objLen) {
    throw new HepflowError("ROOT_CORRUPT", `basket header is inconsistent (nbytes ${nbytes}, keylen ${keyLen}, objlen ${objLen}, last ${last}, entries ${nevBuf})`, { file: file.name, object: branch.name, offset: ref.seek });
  }
  if (nevBuf !== ref.stop - ref.first) {
    throw new HepflowError("ROOT_CORRUPT", `basket holds ${nevBuf} entries but the branch index says ${ref.stop - ref.first}`, { file: file.name, object: branch.name, offset: ref.seek });
  }
  const payload = decompress(raw.subarray(keyLen, nbytes), objLen, { file: file.name, object: branch.name, offset: ref.seek });
  const border = last - keyLen;
  const data = payload.subarray(0, border);
  let offsets: Int32Array | null = null;
  if (payload.length >= border + 4 && nevBuf > 0) {
    const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const n = v.getInt32(border);
    if (n >= nevBuf && border + 4 + nevBuf * 4 <= payload.length) {
      offsets = new Int32Array(nevBuf + 1);
      for (let i = 0; i < nevBuf; i++) offsets[i] = v.getInt32(border + 4 + 4 * i) - keyLen;
      offsets[nevBuf] = border;
    }
  }
  return { first: ref.first, n: nevBuf, data, offsets };
}
