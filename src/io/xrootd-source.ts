/**
 * A file on an XRootD server as a ByteSource: opened once (kXR_open with kXR_retstat gives the
 * size in the same round trip), read with kXR_read for single ranges and kXR_readv for the
 * reader's batches, many requests in flight on one connection. A dropped connection re-opens
 * the file (through the redirector again) and re-issues what was lost, a bounded number of times.
 */
import { HepflowError } from "../util/index.js";
import type { ByteRange, ByteSource } from "./source.js";
import { InFlightLimit, coalesce, lastStartingAtOrBefore } from "./spans.js";
import { isTransient, okBody, type XrdConnection } from "./xrootd-connection.js";
import { OpenOpt, Req, parseStat, writeOffset } from "./xrootd-protocol.js";
import { backoff, discard, parseXrdUrl, pathWithCgi, readvLimits, release, sendFollowing, type XrdOptions, type XrdUrl } from "./xrootd-session.js";

export interface XrdSourceOptions extends XrdOptions {
  /** Largest single kXR_read; bigger reads are split and sent in parallel (default 8 MiB). */
  maxReadBytes?: number;
  /** Most bytes asked in one kXR_readv (default 16 MiB). */
  maxReadvBytes?: number;
  /** Requests in flight at once per file (default 16). */
  maxInFlight?: number;
  /**
   * Read windows (4 MiB) a streaming reader keeps in flight ahead of its decompression
   * (ByteSource.readAhead; default 4). On loopback 2 suffice; over a WAN round trip of tens of
   * milliseconds, 2 windows would cap a stream near 8 MiB per round trip, below decompression speed.
   */
  readAhead?: number;
  /**
   * Connections to the server, each with its own login and open, that the large reads
   * (≥ 256 KiB) take turns on (default 3). On loopback, where the kernel's TCP receive work is
   * most of what a read costs beyond a local one, three connections cost the client less CPU
   * than one, and let the server answer in parallel; see docs/remote-data.md.
   */
  connections?: number;
}

interface OpenFile {
  conn: XrdConnection;
  handle: Buffer;
  size: number;
  at: XrdUrl;
}

/** Statistics a test or benchmark can read. */
export interface XrdStats {
  reads: number;
  readvs: number;
  bytes: number;
  retries: number;
  opens: number;
}

export class XRootDSource implements ByteSource {
  readonly name: string;
  readonly stats: XrdStats = { reads: 0, readvs: 0, bytes: 0, retries: 0, opens: 0 };
  /** host:port of the server that holds the open file (after redirects). */
  endpoint = "";
  /** Whether the connection to that server is encrypted (TLS). */
  encrypted = false;
  readonly readAhead: number;
  private readonly url: XrdUrl;
  /** The file open on each connection ("lane"); lane 0 serves everything, the others large reads. */
  private files: Array<Promise<OpenFile> | undefined> = [];
  private nextLane = 0;
  private closed = false;
  private readonly limit: InFlightLimit;
  private readonly opt: XrdSourceOptions;
  /** Small readInto ranges of the current tick, sent together (see readInto). */
  private gathered?: Array<{ offset: number; dst: Uint8Array; resolve(): void; reject(e: unknown): void }>;

  constructor(url: string, options: XrdSourceOptions = {}) {
    this.name = url;
    this.url = parseXrdUrl(url);
    this.opt = options;
    this.limit = new InFlightLimit(options.maxInFlight ?? 16);
    this.readAhead = options.readAhead ?? 4;
  }

  async size(): Promise<number> {
    return (await this.attempt((f) => Promise.resolve(f))).size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const size = await this.size();
    this.checkRange(offset, length, size);
    const out = uninitialised(length);
    if (length > 0) await this.readSplit(offset, out);
    return out;
  }

  /**
   * Reads into the reader's buffer. A large range is one kXR_read whose data the socket writes
   * straight into `dst`; small ranges asked in the same tick (a window of a many-branch tree)
   * are gathered into kXR_readv requests and copied into place, so they cost one round trip
   * together rather than one each beyond the in-flight limit.
   */
  readInto(offset: number, dst: Uint8Array): Promise<void> {
    if (dst.length >= DIRECT_READ_BYTES)
      return this.size().then((size) => {
        this.checkRange(offset, dst.length, size);
        return this.readSplit(offset, dst);
      });
    return new Promise((resolve, reject) => {
      if (!this.gathered) {
        this.gathered = [];
        process.nextTick(() => this.readGathered());
      }
      this.gathered.push({ offset, dst, resolve, reject });
    });
  }

  private readGathered(): void {
    const batch = this.gathered!;
    this.gathered = undefined;
    this.readMany(batch.map((b) => ({ offset: b.offset, length: b.dst.length }))).then(
      (got) =>
        batch.forEach((b, i) => {
          b.dst.set(got[i]!);
          b.resolve();
        }),
      (e: unknown) => {
        for (const b of batch) b.reject(e);
      },
    );
  }

  /** Ranges longer than maxReadBytes go out as several kXR_read in flight at once, each landing in its part of `dst`. */
  private async readSplit(offset: number, dst: Uint8Array): Promise<void> {
    const max = this.opt.maxReadBytes ?? 8 * 1024 * 1024;
    if (dst.length <= max) return this.readOne(offset, dst);
    const pieces: Promise<void>[] = [];
    for (let o = 0; o < dst.length; o += max) pieces.push(this.readOne(offset + o, dst.subarray(o, Math.min(dst.length, o + max))));
    await Promise.all(pieces);
  }

  async readMany(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const size = await this.size();
    for (const r of ranges) this.checkRange(r.offset, r.length, size);
    const wanted = ranges.filter((r) => r.length > 0);
    if (wanted.length <= 1) return Promise.all(ranges.map((r) => (r.length ? this.read(r.offset, r.length) : new Uint8Array(0))));
    const f = await this.attempt((x) => Promise.resolve(x));
    const { iorMax, iovMax } = await readvLimits(f.conn);
    // Overlapping and touching ranges are fetched once; long spans are cut to the server's element limit.
    const spans = coalesce(wanted, 0);
    const elements: Array<{ offset: number; length: number }> = [];
    for (const s of spans) for (let o = s.start; o < s.end; o += iorMax) elements.push({ offset: o, length: Math.min(iorMax, s.end - o) });
    const maxBytes = this.opt.maxReadvBytes ?? 16 * 1024 * 1024;
    const batches: Array<typeof elements> = [];
    let cur: typeof elements = [],
      bytes = 0;
    for (const e of elements) {
      if (cur.length && (cur.length >= iovMax || bytes + e.length > maxBytes)) {
        batches.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(e);
      bytes += e.length;
    }
    if (cur.length) batches.push(cur);
    // A span read as one element is used where it landed; only spans cut at iorMax are joined.
    const spanData: Uint8Array[] = new Array(spans.length);
    await Promise.all(
      batches.map(async (batch) => {
        const got = await this.readv(batch);
        batch.forEach((e, i) => {
          const si = lastStartingAtOrBefore(spans, e.offset);
          const span = spans[si]!;
          if (e.offset === span.start && e.length === span.end - span.start) spanData[si] = got[i]!;
          else (spanData[si] ??= uninitialised(span.end - span.start)).set(got[i]!, e.offset - span.start);
        });
      }),
    );
    return ranges.map((r) => {
      if (r.length === 0) return new Uint8Array(0);
      const si = lastStartingAtOrBefore(spans, r.offset);
      const s = spans[si]!;
      return spanData[si]!.subarray(r.offset - s.start, r.offset - s.start + r.length);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = this.files;
    this.files = [];
    await Promise.all(all.map((p) => this.closeOne(p)));
  }

  private async closeOne(p: Promise<OpenFile> | undefined): Promise<void> {
    if (!p) return;
    let f: OpenFile;
    try {
      f = await p;
    } catch {
      return;
    }
    try {
      await f.conn.send(Req.close, (b) => f.handle.copy(b, 0), undefined, "close");
    } catch {
      /* the connection is going away anyway */
    }
    release(f.conn);
  }

  private checkRange(offset: number, length: number, size: number): void {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new HepflowError("IO_TRUNCATED", `file ends at byte ${size} but ${length} bytes were needed from byte ${offset}`, { file: this.name, offset });
    }
  }

  private readOne(offset: number, into: Uint8Array): Promise<void> {
    const length = into.length;
    // Large reads take turns over the connections; metadata and small reads keep to the first.
    const lanes = Math.max(1, Math.floor(this.opt.connections ?? DEFAULT_CONNECTIONS));
    const lane = length >= DIRECT_READ_BYTES ? this.nextLane++ % lanes : 0;
    return this.limit.run(() =>
      this.attempt(async (f) => {
        this.stats.reads++;
        // The data land in `into` straight from the socket: one copy in all.
        const reply = await f.conn.send(
          Req.read,
          (b) => {
            f.handle.copy(b, 0);
            writeOffset(b, 4, offset);
            b.writeInt32BE(length, 12);
          },
          undefined,
          "read",
          into,
        );
        const body = this.dataOf(reply, f);
        if (body.length !== length) {
          throw new HepflowError("IO_TRUNCATED", `asked the server for ${length} bytes at byte ${offset}, got ${body.length}`, { file: this.name, offset });
        }
        if (body.buffer !== into.buffer) into.set(body);
        this.stats.bytes += length;
      }, lane),
    );
  }

  private readv(elements: Array<{ offset: number; length: number }>): Promise<Uint8Array[]> {
    return this.limit.run(() =>
      this.attempt(async (f) => {
        this.stats.readvs++;
        const list = Buffer.alloc(16 * elements.length);
        elements.forEach((e, i) => {
          f.handle.copy(list, 16 * i);
          list.writeInt32BE(e.length, 16 * i + 4);
          writeOffset(list, 16 * i + 8, e.offset);
        });
        const total = elements.reduce((n, e) => n + 16 + e.length, 0);
        const reply = await f.conn.send(Req.readv, undefined, list, "readv", uninitialised(total));
        const body = this.dataOf(reply, f);
        // The answer repeats each element's (handle, length, offset) before its bytes.
        const out: Uint8Array[] = [];
        let pos = 0;
        for (const e of elements) {
          if (pos + 16 > body.length) break;
          const len = body.readInt32BE(pos + 4);
          const off = Number(body.readBigInt64BE(pos + 8));
          if (off !== e.offset || len !== e.length || pos + 16 + len > body.length) {
            throw new HepflowError("IO_XROOTD_PROTOCOL", `readv answer holds ${len} bytes at ${off} where ${e.length} at ${e.offset} were asked`, { file: this.name, offset: e.offset });
          }
          out.push(new Uint8Array(body.buffer, body.byteOffset + pos + 16, len));
          pos += 16 + len;
        }
        if (out.length !== elements.length) {
          throw new HepflowError("IO_XROOTD_PROTOCOL", `readv answer holds ${out.length} of ${elements.length} ranges`, { file: this.name });
        }
        this.stats.bytes += pos;
        return out;
      }),
    );
  }

  /** The data of a read answer; a redirect while reading means "re-open over there". */
  private dataOf(reply: Awaited<ReturnType<XrdConnection["send"]>>, f: OpenFile): Buffer {
    if (reply.kind === "redirect") {
      this.dropFile(f);
      throw new HepflowError("IO_XROOTD_CONN", `server redirected a read to ${reply.host}:${reply.port}`, { file: this.name });
    }
    return okBody(reply, this.name, "read");
  }

  /** Runs `fn` on the open file; after a dropped connection re-opens and tries again. */
  private async attempt<T>(fn: (f: OpenFile) => Promise<T>, lane = 0): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new HepflowError("IO_CLOSED", "read after close", { file: this.name });
      let p = this.files[lane];
      if (!p) this.files[lane] = p = this.open(lane);
      let f: OpenFile | undefined;
      try {
        f = await p;
        return await fn(f);
      } catch (e) {
        if (!isTransient(e) || attempt >= (this.opt.maxRetries ?? 3)) throw e;
        if (this.files[lane] === p) {
          this.files[lane] = undefined;
          if (f) discard(f.conn);
        }
        this.stats.retries++;
        await backoff(this.opt, attempt + 1);
      }
    }
  }

  private dropFile(f: OpenFile): void {
    this.files.forEach((p, i) => {
      void p?.then(
        (cur) => {
          if (cur === f && this.files[i] === p) this.files[i] = undefined;
        },
        () => {},
      );
    });
  }

  private async open(lane = 0): Promise<OpenFile> {
    this.stats.opens++;
    const landed = await sendFollowing(this.url, { ...this.opt, lane }, this.name, "open", (c, at) =>
      c.send(
        Req.open,
        (b) => {
          b.writeUInt16BE(0, 0);
          b.writeUInt16BE(OpenOpt.read | OpenOpt.retstat, 2);
        },
        pathWithCgi(at),
        "open",
      ),
    );
    const body = landed.body;
    if (body.length < 4) {
      release(landed.conn);
      throw new HepflowError("IO_XROOTD_PROTOCOL", "open answer without a file handle", { file: this.name });
    }
    const handle = Buffer.from(body.subarray(0, 4));
    let size: number;
    if (body.length > 12) {
      size = parseStat(body.subarray(12).toString("latin1"), this.name).size;
    } else {
      const st = await landed.conn.send(Req.stat, (b) => handle.copy(b, 12), undefined, "stat");
      size = parseStat(okBody(st, this.name, "stat").toString("latin1"), this.name).size;
    }
    this.endpoint = `${landed.at.host}:${landed.at.port}`;
    this.encrypted = landed.conn.encrypted;
    return { conn: landed.conn, handle, size, at: landed.at };
  }
}

/** Connections a source spreads its large reads over (XrdSourceOptions.connections). */
const DEFAULT_CONNECTIONS = 3;

/** readInto ranges at least this long go out as kXR_read straight into the destination; shorter ones share kXR_readv. */
const DIRECT_READ_BYTES = 256 * 1024;

/**
 * A plain Uint8Array (not a Buffer: Buffer#slice does not copy, and readers rely on slice()
 * copying) over memory that is not zeroed first; every byte is written by the answer, whose
 * length is checked, before anyone sees it.
 */
function uninitialised(n: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
}
