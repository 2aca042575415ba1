import { HepflowError } from "../../util/index.js";
import { decompress, decompressAsync, syncCodecs } from "../compression.js";
import { allocUnsafe } from "#root/codecs";
import { poolFor } from "#root/parallel";
import type { InflateReply, Placement } from "./parallel.js";
import type { RootFile } from "../file.js";
import { decodeInto } from "./decode.js";
import type { BasketRef, BranchModel } from "./model.js";

/**
 * A basket's decompressed bytes: entries [first, first+n), and the byte offset of each entry
 * (n+1 values, parsed on first use) when ROOT stored them.
 */
export interface BasketData {
  readonly first: number;
  readonly n: number;
  readonly data: Uint8Array;
  readonly offsets: Int32Array | null;
  /** Whether entry offsets were stored (without parsing them). */
  readonly hasOffsets: boolean;
  /** Byte offset of entry `i` (0..n) in `data`; only when `hasOffsets`. */
  offsetAt(i: number): number;
  /**
   * Bytes after `data` in its buffer that belong to this basket alone (the entry offsets), or -1
   * when `data` is shared (embedded in the tree, a reused buffer, a slice of a read): only an
   * owned basket may be converted in place and handed out as a column.
   */
  readonly ownedTail: number;
  /**
   * A pool thread already wrote this basket's values where the job's `target` said (after the
   * checks the consumer would make): `data` is then empty and the consumer has nothing to do.
   */
  readonly placed: boolean;
}

/** Entry offsets live after the data in ROOT's basket buffer, as big-endian ints counted from the key start. */
class Basket implements BasketData {
  private parsed: Int32Array | null | undefined;

  constructor(
    readonly first: number,
    readonly n: number,
    readonly data: Uint8Array,
    parsed: Int32Array | null | undefined,
    private readonly payload: Uint8Array | null = null,
    private readonly keyLen = 0,
    readonly ownedTail = -1,
    readonly placed = false,
  ) {
    this.parsed = parsed;
  }

  get hasOffsets(): boolean {
    return this.parsed !== null;
  }

  get offsets(): Int32Array | null {
    if (this.parsed === undefined) {
      // Bulk conversion of the n stored offsets; the last one (end of data) is implied.
      const o = new Int32Array(this.n + 1);
      decodeInto("i32", this.payload!, this.data.length + 4, this.n, o, 0);
      for (let i = 0; i < this.n; i++) o[i]! -= this.keyLen;
      o[this.n] = this.data.length;
      this.parsed = o;
    }
    return this.parsed;
  }

  offsetAt(i: number): number {
    if (this.parsed) return this.parsed[i]!;
    if (i === this.n) return this.data.length;
    const p = this.payload!,
      at = this.data.length + 4 + 4 * i;
    return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) - this.keyLen;
  }
}

const EMPTY = new Uint8Array(0);

/** Baskets of `branch` overlapping [start, stop). */
export function basketsInRange(branch: BranchModel, start: number, stop: number): BasketRef[] {
  return branch.baskets.filter((b) => b.stop > start && b.first < stop && b.stop > b.first);
}

/** One basket wanted by one column: `consume` receives it decompressed, then it is dropped. */
export interface BasketJob {
  ref: BasketRef;
  branch: BranchModel;
  consume(basket: BasketData): void;
  /** The consumer is done with the basket when `consume` returns: its bytes may live in a reused buffer. */
  transient?: boolean;
  /**
   * False when the consumer is done with the basket's bytes when `consume` returns, though it may
   * adopt a buffer the basket owns (a lone basket becoming the column): then a basket stored raw
   * is handed over as a view of the read, not copied first. Default: the consumer keeps it.
   */
  keeps?: boolean;
  /** Where a pool thread may write this basket's values itself (see parallel.ts Placement); asked once, when it is sent off. */
  target?(ref: BasketRef): Placement | undefined;
}

/** Largest gap between two baskets that is still read through rather than split into two requests. */
const COALESCE_GAP = 64 * 1024;
/**
 * Compressed bytes per read window. At most READAHEAD windows are held at once (one being
 * decompressed, the next one being read), so reading a large range never holds all its
 * compressed baskets.
 */
export const WINDOW = 4 * 1024 * 1024;
const READAHEAD = 2;

/**
 * Streams the baskets of many columns: embedded ones first, then on-disk ones in file order,
 * neighbouring baskets of all columns merged into few reads, read one window ahead of the
 * decompression. Each basket is decompressed and handed to its job synchronously, so at most one
 * decompressed basket is alive at a time.
 */
export function streamBaskets(file: RootFile, jobs: readonly BasketJob[], prefetched?: ReadonlyMap<BasketRef, Uint8Array>): Promise<void> | undefined {
  const onDisk: BasketJob[] = [];
  for (const j of jobs) {
    if (j.ref.embedded) j.consume(embeddedBasket(j.ref));
    else onDisk.push(j);
  }
  // Baskets embedded in the tree need no I/O: a read of those alone finishes synchronously.
  return onDisk.length > 0 ? streamFromDisk(file, onDisk, prefetched) : undefined;
}

async function streamFromDisk(file: RootFile, jobs: readonly BasketJob[], prefetched?: ReadonlyMap<BasketRef, Uint8Array>): Promise<void> {
  const size = await file.source.size();
  const disk: BasketJob[] = [];
  const ready: BasketJob[] = [];
  for (const j of jobs) {
    const r = j.ref;
    if (!inFile(r, size)) throw outside(file, j.branch, r, size);
    (prefetched?.has(r) ? ready : disk).push(j);
  }
  if (!syncCodecs) {
    // The page's codecs are asynchronous: decompress each group's baskets concurrently, then
    // hand them over in file order as the synchronous path does.
    for (const j of await Promise.all(ready.map((j) => parseBasketAsync(file, j.branch, j.ref, prefetched!.get(j.ref)!, j.keeps).then((b) => () => j.consume(b))))) j();
  }
  // the page never has decompression threads (poolFor is null there)
  const threads = syncCodecs ? await poolFor(diskBytes(jobs.map((j) => j.ref))) : null;
  if (syncCodecs) {
    if (threads)
      await consumeAll(
        file,
        dispatch(
          file,
          ready.map((j) => ({ j, raw: prefetched!.get(j.ref)! })),
          threads,
        ),
      );
    else for (const j of ready) j.consume(parseBasket(file, j.branch, j.ref, prefetched!.get(j.ref)!, j.transient, j.keeps));
  }
  if (disk.length === 0) return;
  disk.sort((a, b) => a.ref.seek! - b.ref.seek!);
  const windows = plan(disk);
  const inflight: Promise<Uint8Array[]>[] = [];
  // Sources that read into a given buffer get READAHEAD buffers reused across windows: the read
  // windows of a long range then stop piling up as garbage until the next collection.
  const source = file.source;
  const ahead = Math.max(1, source.readAhead ?? READAHEAD);
  const pool: Uint8Array[] = [];
  // With threads, the window before the one being read is still being consumed (its baskets are
  // decompressed while the next window's are sent off): one more buffer, so neither is overwritten.
  const slots = threads ? ahead + 1 : ahead;
  let largest = 0;
  if (source.readInto) for (const w of windows) largest = Math.max(largest, windowBytes(w));
  let next = 0;
  const issue = (): void => {
    const k = next++;
    const w = windows[k]!;
    let p: Promise<Uint8Array[]>;
    if (source.readInto) {
      // with threads the windows are shared memory, which the threads read without a copy
      const buf = (pool[k % slots] ??= threads && typeof SharedArrayBuffer === "function" ? new Uint8Array(new SharedArrayBuffer(largest)) : allocUnsafe(largest));
      let at = 0;
      const views = w.map((g) => buf.subarray(at, (at += g.end - g.offset)));
      p = Promise.all(views.map((v, i) => source.readInto!(w[i]!.offset, v))).then(() => views);
    } else {
      p = source.readMany(w.map((g) => ({ offset: g.offset, length: g.end - g.offset })));
    }
    p.catch(() => undefined); // awaited below; a failure after an earlier error must not go unhandled
    inflight.push(p);
  };
  // the window whose baskets are being handed over while the next one's are decompressed
  let consuming: Promise<void> | null = null;
  for (let i = 0; i < windows.length; i++) {
    while (inflight.length < ahead && next < windows.length) issue();
    let bufs: Uint8Array[];
    try {
      bufs = await inflight.shift()!;
    } catch (e) {
      // the serial read would have met the earlier window's errors first
      if (consuming) await consuming;
      throw e;
    }
    if (!syncCodecs) {
      const parsed = await Promise.all(
        windows[i]!.flatMap((g, k) => g.members.map((j) => parseBasketAsync(file, j.branch, j.ref, bufs[k]!.subarray(j.ref.seek! - g.offset, j.ref.seek! - g.offset + j.ref.bytes!), j.keeps).then((b) => () => j.consume(b)))),
      );
      for (const hand of parsed) hand();
      continue;
    }
    if (threads) {
      const work = inflateWindow(file, windows[i]!, bufs, threads);
      if (consuming) await consuming;
      consuming = consumeAll(file, work);
      consuming.catch(() => undefined); // awaited next; a failure must not go unhandled meanwhile
      continue;
    }
    windows[i]!.forEach((g, k) => {
      const buf = bufs[k]!;
      for (const j of g.members) j.consume(parseBasket(file, j.branch, j.ref, buf.subarray(j.ref.seek! - g.offset, j.ref.seek! - g.offset + j.ref.bytes!), j.transient, j.keeps));
    });
  }
  if (consuming) await consuming;
}

/**
 * One read window on the decompression threads: every compressed basket is sent off at once (and
 * copied out of the window, which may then be reused); `consumeAll` then hands each to its job in
 * file order as its bytes come back — the same baskets in the same order as the serial loop, so
 * the same columns. A basket a thread could not decompress is decompressed here, which raises the
 * serial read's error.
 */
function inflateWindow(file: RootFile, window: Group<BasketJob>[], bufs: Uint8Array[], threads: Threads): Dispatched[] {
  const baskets: { j: BasketJob; raw: Uint8Array }[] = [];
  window.forEach((g, k) => {
    for (const j of g.members) baskets.push({ j, raw: bufs[k]!.subarray(j.ref.seek! - g.offset, j.ref.seek! - g.offset + j.ref.bytes!) });
  });
  return dispatch(file, baskets, threads);
}

type Threads = NonNullable<Awaited<ReturnType<typeof poolFor>>>;
type Dispatched = { j: BasketJob; raw: Uint8Array; out: Promise<InflateReply> | null };

/** Sends the baskets (raw key + body, in file order) that are worth it to the threads. */
function dispatch(file: RootFile, baskets: { j: BasketJob; raw: Uint8Array }[], threads: Threads): Dispatched[] {
  const work: Dispatched[] = [];
  const sent: Parameters<Threads["inflateMany"]>[0][number][] = [];
  const at: number[] = [];
  for (const { j, raw } of baskets) {
    work.push({ j, raw, out: null });
    let key: BasketKey;
    try {
      key = basketKey(file, j.branch, j.ref, raw);
    } catch {
      continue; // parseBasket raises it again, in file order
    }
    const { body, keyLen, objLen } = key;
    if (objLen === 0 || objLen > 1 << 30 || body.length < 2) continue;
    // LZMA ("XZ") and zlib ("ZL", "CS") baskets always go to the pool. ZSTD ("ZS") inflates at
    // ~1 GB/s, faster than a hand-off, so it goes only with its values' conversion (a thread writing
    // them into place); so does a basket stored raw, where the conversion is all there is to do.
    // LZ4 stays here (not measured on the pool).
    const a = body[0],
      b = body[1];
    const stored = body.length === objLen;
    const slow = !stored && ((a === 0x58 && b === 0x5a) || (a === 0x5a && b === 0x4c) || (a === 0x43 && b === 0x53));
    const placeable = stored || (a === 0x5a && b === 0x53);
    if (!slow && !placeable) continue;
    const place = j.target?.(j.ref);
    if (!slow && !place) continue;
    at.push(work.length - 1);
    sent.push({ body, objLen, border: key.last - keyLen, entries: key.nevBuf, keyLen, place });
  }
  const replies = threads.inflateMany(sent);
  at.forEach((w, i) => (work[w]!.out = replies[i]!));
  return work;
}

/** Hands dispatched baskets to their jobs in order, as their bytes come back. */
async function consumeAll(file: RootFile, work: Dispatched[]): Promise<void> {
  for (const w of work) {
    const r = w.out ? await w.out : null;
    if (r?.placed) {
      w.j.consume(new Basket(w.j.ref.first, w.j.ref.stop - w.j.ref.first, EMPTY, null, null, 0, -1, true));
      continue;
    }
    const payload = r?.out ? new Uint8Array(r.out) : undefined;
    w.j.consume(parseBasket(file, w.j.branch, w.j.ref, w.raw, w.j.transient, w.j.keeps, payload));
  }
}

function windowBytes(w: Group<unknown>[]): number {
  let n = 0;
  for (const g of w) n += g.end - g.offset;
  return n;
}

interface Group<J> {
  offset: number;
  end: number;
  members: J[];
}

/** Coalesced reads (gaps up to COALESCE_GAP), cut into windows of about WINDOW bytes. */
function plan<J extends { ref: BasketRef }>(sorted: readonly J[]): Group<J>[][] {
  const groups: Group<J>[] = [];
  for (const j of sorted) {
    const s = j.ref.seek!,
      e = s + j.ref.bytes!;
    const g = groups[groups.length - 1];
    if (g && s - g.end <= COALESCE_GAP && Math.max(g.end, e) - g.offset <= WINDOW) {
      g.end = Math.max(g.end, e);
      g.members.push(j);
    } else {
      groups.push({ offset: s, end: e, members: [j] });
    }
  }
  const windows: Group<J>[][] = [];
  let bytes = Infinity;
  for (const g of groups) {
    if (bytes + (g.end - g.offset) > WINDOW) {
      windows.push([]);
      bytes = 0;
    }
    windows[windows.length - 1]!.push(g);
    bytes += g.end - g.offset;
  }
  return windows;
}

/** Total compressed bytes of the on-disk baskets among `refs`. */
export function diskBytes(refs: Iterable<BasketRef>): number {
  let n = 0;
  for (const r of refs) if (!r.embedded) n += r.bytes ?? 0;
  return n;
}

/**
 * Reads the raw bytes of a few baskets (at most one window's worth) in one coalesced request, so
 * a small read of several passes (counters, then collections) costs one round trip.
 */
export async function prefetch(file: RootFile, refs: readonly BasketRef[]): Promise<Map<BasketRef, Uint8Array>> {
  const size = await file.source.size();
  const disk = [...new Set(refs)].filter((r) => !r.embedded && inFile(r, size)).sort((a, b) => a.seek! - b.seek!);
  const groups = plan(disk.map((ref) => ({ ref }))).flat();
  const bufs = await file.source.readMany(groups.map((g) => ({ offset: g.offset, length: g.end - g.offset })));
  const out = new Map<BasketRef, Uint8Array>();
  groups.forEach((g, i) => {
    for (const j of g.members) out.set(j.ref, bufs[i]!.subarray(j.ref.seek! - g.offset, j.ref.seek! - g.offset + j.ref.bytes!));
  });
  return out;
}

/** Decompresses the given baskets of one branch (in one readMany batch), all held at once. */
export async function loadBaskets(file: RootFile, branch: BranchModel, refs: readonly BasketRef[], prefetched?: ReadonlyMap<BasketRef, Uint8Array>): Promise<BasketData[]> {
  const out = new Map<BasketRef, BasketData>();
  await streamBaskets(
    file,
    refs.map((ref) => ({ ref, branch, consume: (bk: BasketData) => void out.set(ref, bk) })),
    prefetched,
  );
  return refs.map((r) => out.get(r)!);
}

function inFile(r: BasketRef, size: number): boolean {
  return r.seek! > 0 && r.bytes! > 0 && r.seek! + r.bytes! <= size;
}

function outside(file: RootFile, branch: BranchModel, r: BasketRef, size: number): HepflowError {
  return new HepflowError("ROOT_CORRUPT", `basket at ${r.seek}+${r.bytes} lies outside the file (${size} bytes)`, { file: file.name, object: branch.name, offset: r.seek });
}

function embeddedBasket(r: BasketRef): BasketData {
  const e = r.embedded!;
  return new Basket(r.first, e.nevBuf, e.data, e.entryOffsets);
}

function i32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

function i16(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16)) >> 16;
}

/** Baskets above this size get their own buffer, so the scratch buffer kept per thread stays bounded. */
const SCRATCH_MAX = 16 * 1024 * 1024;

/** One decompression buffer per thread for baskets consumed on the spot; grows to the largest basket. */
let scratch = new Uint8Array(0);

function scratchFor(n: number): Uint8Array {
  if (scratch.length < n) scratch = allocUnsafe(Math.max(n, 2 * scratch.length));
  return scratch;
}

interface BasketKey {
  place: { file: string; object: string; offset: number | undefined };
  body: Uint8Array;
  objLen: number;
  keyLen: number;
  nevBuf: number;
  last: number;
}

/** `inflated`: the basket's decompressed bytes when a pool thread made them (they are then its own memory). */
function parseBasket(file: RootFile, branch: BranchModel, ref: BasketRef, raw: Uint8Array, transient = false, keeps = true, inflated?: Uint8Array): BasketData {
  const key = basketKey(file, branch, ref, raw);
  const pooled = inflated !== undefined && inflated.length === key.objLen;
  const into = !pooled && transient && key.objLen <= SCRATCH_MAX ? scratchFor(key.objLen) : undefined;
  const payload = pooled ? inflated : decompress(key.body, key.objLen, key.place, into);
  return basketFrom(ref, key, payload, into, transient, keeps);
}

/** parseBasket() for builds whose codecs are asynchronous (a page): no shared scratch, several baskets may be in flight. */
async function parseBasketAsync(file: RootFile, branch: BranchModel, ref: BasketRef, raw: Uint8Array, keeps = true): Promise<BasketData> {
  const key = basketKey(file, branch, ref, raw);
  return basketFrom(ref, key, await decompressAsync(key.body, key.objLen, key.place), undefined, false, keeps);
}

/** The key header of an on-disk basket, read field by field, checked against the branch's index. */
function basketKey(file: RootFile, branch: BranchModel, ref: BasketRef, raw: Uint8Array): BasketKey {
  const place = { file: file.name, object: branch.name, offset: ref.seek };
  // The key header, read field by field: names and titles are skipped, not decoded (this runs per basket).
  const need = (n: number): void => {
    if (n > raw.length) throw new HepflowError("ROOT_CORRUPT", `basket header runs past the basket's ${raw.length} bytes`, place);
  };
  need(18);
  const nbytes = i32(raw, 0);
  const keyVersion = i16(raw, 4);
  const objLen = i32(raw, 6);
  const keyLen = i16(raw, 14);
  let pos = 18 + (keyVersion > 1000 ? 16 : 8); // cycle, seekKey, seekPdir
  for (let i = 0; i < 3; i++) {
    need(pos + 1);
    const n = raw[pos++]!;
    if (n === 255) {
      need(pos + 4);
      const len = i32(raw, pos);
      if (len < 0) throw new HepflowError("ROOT_CORRUPT", `basket key has a string of ${len} bytes`, place);
      pos += 4 + len;
    } else pos += n;
  }
  pos += 2 + 4; // basket version, buffer size
  need(pos + 13);
  if (i32(raw, pos) < 0) pos++; // a negative entry-buffer size announces one byte of IO bits
  pos += 4;
  need(pos + 8);
  const nevBuf = i32(raw, pos);
  const last = i32(raw, pos + 4);
  if (nbytes > raw.length || keyLen < 0 || keyLen > nbytes || objLen < 0 || nevBuf < 0 || last < keyLen || last - keyLen > objLen) {
    throw new HepflowError("ROOT_CORRUPT", `basket header is inconsistent (nbytes ${nbytes}, keylen ${keyLen}, objlen ${objLen}, last ${last}, entries ${nevBuf})`, place);
  }
  if (nevBuf !== ref.stop - ref.first) {
    throw new HepflowError("ROOT_CORRUPT", `basket holds ${nevBuf} entries but the branch index says ${ref.stop - ref.first}`, place);
  }
  return { place, body: raw.subarray(keyLen, nbytes), objLen, keyLen, nevBuf, last };
}

function basketFrom(ref: BasketRef, key: BasketKey, decompressed: Uint8Array, into: Uint8Array | undefined, transient: boolean, keeps: boolean): BasketData {
  const { body, keyLen, nevBuf, last } = key;
  let payload = decompressed;
  // A basket stored uncompressed is a view of the read buffer, which is reused: a consumer that
  // keeps the basket gets its own copy.
  if (payload === body && !transient && keeps) payload = body.slice();
  // Stored raw (a view of the read) or written into the shared scratch: not this basket's own memory.
  const owned = payload !== body && payload.buffer !== into?.buffer && payload.byteOffset === 0 && payload.buffer.byteLength === payload.length;
  const border = last - keyLen;
  const data = payload.subarray(0, border);
  let parsed: Int32Array | null | undefined = null;
  if (payload.length >= border + 4 && nevBuf > 0) {
    const n = i32(payload, border);
    if (n >= nevBuf && border + 4 + nevBuf * 4 <= payload.length) parsed = undefined;
  }
  return new Basket(ref.first, nevBuf, data, parsed, payload, keyLen, owned ? payload.length - border : -1);
}
