import { rangeTransport, type RangeAnswer, type RangeTransport } from "#io/http";
import { HepflowError } from "../util/index.js";
import type { ByteRange, ByteSource } from "./source.js";
import { InFlightLimit, coalesce, type Span } from "./spans.js";

export interface HttpOptions {
  /** Requests in flight at once; more wait their turn. */
  maxInFlight?: number;
  /** Retries after a 5xx, 429, dropped connection or timeout (not after other 4xx). */
  maxRetries?: number;
  /** First backoff; doubles each retry, with jitter. */
  retryBaseMs?: number;
  /** Ranges closer than this are fetched as one (fewer round trips beat a few wasted bytes). */
  coalesceGap?: number;
  /** Most ranges asked in one multi-range request. */
  maxRangesPerRequest?: number;
  /** Try multi-range requests; turned off by itself if the server answers them with one range. */
  multiRange?: boolean;
  /** Longest wait for the TCP (and TLS) connection. */
  connectTimeoutMs?: number;
  /** Longest wait from sending a request to the response's status line. */
  firstByteTimeoutMs?: number;
  /** Longest silence while a body streams in: a slow but live server is fine, a stalled one is not. */
  idleTimeoutMs?: number;
  /** The file is read in aligned blocks of this size, each fetched once and kept in a bounded cache. */
  blockSize?: number;
  /** Bytes of blocks kept per open file (least recently used go first). */
  cacheBytes?: number;
  headers?: Record<string, string>;
}

const DEFAULTS: Required<Omit<HttpOptions, "headers">> = {
  maxInFlight: 6,
  maxRetries: 4,
  retryBaseMs: 100,
  coalesceGap: 64 * 1024,
  maxRangesPerRequest: 32,
  multiRange: true,
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 30_000,
  idleTimeoutMs: 20_000,
  blockSize: 64 * 1024,
  cacheBytes: 64 * 1024 * 1024,
};

/** Statistics a caller (or a test) can read to see what the source did. */
export interface HttpStats {
  requests: number;
  retries: number;
  /** Body bytes received. */
  bytes: number;
  /** Blocks served from the cache or from a fetch another read had started. */
  cacheHits: number;
}

type Answer = RangeAnswer;

/**
 * A file on an HTTP(S) server read with Range requests: the file is cut in aligned blocks, each
 * fetched once (concurrent readers of the same bytes share one fetch) and kept in a bounded LRU
 * cache; missing blocks close together are fetched as one range, several ranges go in one
 * multi-range request where the server supports it, requests in flight are bounded, transient
 * failures are retried with backoff, and connect / first-byte / idle timeouts are separate.
 */
export class HttpSource implements ByteSource {
  readonly name: string;
  readonly stats: HttpStats = { requests: 0, retries: 0, bytes: 0, cacheHits: 0 };
  private readonly opt: Required<Omit<HttpOptions, "headers">> & { headers: Record<string, string> };
  private sizePromise?: Promise<number>;
  private multiRangeOk: boolean;
  private readonly limit: InFlightLimit;
  private readonly transport: RangeTransport;
  /** Block index → its bytes (insertion order = recency, for LRU eviction). */
  private readonly cache = new Map<number, Uint8Array>();
  private cached = 0;
  /** Blocks being fetched: a second reader waits for the same fetch instead of starting one. */
  private readonly pending = new Map<number, Promise<Uint8Array>>();

  constructor(
    readonly url: string,
    options: HttpOptions = {},
  ) {
    this.name = url;
    this.opt = { ...DEFAULTS, ...options, headers: options.headers ?? {} };
    for (const k of ["connectTimeoutMs", "firstByteTimeoutMs", "idleTimeoutMs", "blockSize"] as const) {
      if (!(Number.isFinite(this.opt[k]) && this.opt[k] > 0)) throw new HepflowError("CONFIG_INVALID", `HTTP option ${k} must be a positive number, got ${this.opt[k]}`, { file: url });
    }
    this.multiRangeOk = this.opt.multiRange;
    this.limit = new InFlightLimit(this.opt.maxInFlight);
    this.transport = rangeTransport(url, this.opt.maxInFlight, this.opt);
  }

  size(): Promise<number> {
    // One-byte range request: learns the size and checks Range support in the same round trip.
    this.sizePromise ??= this.request("bytes=0-0").then(({ status, header }) => {
      const total = parseContentRange(header("content-range"))?.total;
      if (status !== 206 || total === undefined) throw this.noRangeError(status);
      return total;
    });
    return this.sizePromise;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return (await this.readMany([{ offset, length }]))[0]!;
  }

  async readMany(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const size = await this.size();
    for (const r of ranges) {
      if (r.offset < 0 || r.length < 0 || r.offset + r.length > size) {
        throw new HepflowError("IO_TRUNCATED", `file ends at byte ${size} but ${r.length} bytes were needed from byte ${r.offset}`, { file: this.name, offset: r.offset });
      }
    }
    const B = this.opt.blockSize;
    const wanted = new Set<number>();
    for (const r of ranges) if (r.length > 0) for (let b = Math.floor(r.offset / B); b * B < r.offset + r.length; b++) wanted.add(b);
    const blocks = new Map<number, Promise<Uint8Array>>();
    const missing: number[] = [];
    for (const b of wanted) {
      const hit = this.cache.get(b);
      if (hit) {
        this.cache.delete(b);
        this.cache.set(b, hit); // most recently used
        blocks.set(b, Promise.resolve(hit));
        this.stats.cacheHits++;
      } else if (this.pending.has(b)) {
        blocks.set(b, this.pending.get(b)!);
        this.stats.cacheHits++;
      } else missing.push(b);
    }
    if (missing.length) this.fetchBlocks(missing, size).forEach((p, b) => blocks.set(b, p));
    const got = new Map<number, Uint8Array>();
    await Promise.all(
      [...blocks].map(async ([b, p]) => {
        got.set(b, await p);
      }),
    );
    return ranges.map((r) => {
      if (r.length === 0) return new Uint8Array(0);
      const first = Math.floor(r.offset / B);
      const last = Math.floor((r.offset + r.length - 1) / B);
      if (first === last) return got.get(first)!.subarray(r.offset - first * B, r.offset - first * B + r.length);
      const out = new Uint8Array(r.length);
      for (let b = first; b <= last; b++) {
        const block = got.get(b)!;
        const from = Math.max(r.offset, b * B),
          to = Math.min(r.offset + r.length, b * B + block.length);
        out.set(block.subarray(from - b * B, to - b * B), from - r.offset);
      }
      return out;
    });
  }

  async close(): Promise<void> {
    this.transport.close();
    this.cache.clear();
    this.cached = 0;
  }

  /** Starts the fetch of `missing` blocks (nearby ones as one range); returns a promise per block. */
  private fetchBlocks(missing: number[], size: number): Map<number, Promise<Uint8Array>> {
    const B = this.opt.blockSize;
    const out = new Map<number, Promise<Uint8Array>>();
    const settle = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }>();
    for (const b of missing) {
      const p = new Promise<Uint8Array>((resolve, reject) => settle.set(b, { resolve, reject }));
      p.catch(() => undefined); // rejections are seen by the readers that await it
      this.pending.set(b, p);
      out.set(b, p);
    }
    const spans = coalesce(
      missing.map((b) => ({ offset: b * B, length: Math.min(B, size - b * B) })),
      this.opt.coalesceGap,
    );
    const per = this.multiRangeOk ? this.opt.maxRangesPerRequest : 1;
    const batches: Span[][] = [];
    for (let i = 0; i < spans.length; i += per) batches.push(spans.slice(i, i + per));
    const need = new Set(missing);
    for (const batch of batches) {
      this.fetchSpans(batch).then(
        (data) => {
          batch.forEach((s, i) => {
            for (let b = s.start / B; b * B < s.end; b++) {
              if (!need.has(b)) continue; // a block inside a coalescing gap: not asked for, not kept
              const block = data[i]!.slice(b * B - s.start, Math.min(s.end, (b + 1) * B) - s.start);
              this.pending.delete(b);
              this.remember(b, block);
              settle.get(b)!.resolve(block);
            }
          });
        },
        (e: unknown) => {
          for (const s of batch)
            for (let b = s.start / B; b * B < s.end; b++) {
              if (!need.has(b)) continue;
              this.pending.delete(b);
              settle.get(b)!.reject(e);
            }
        },
      );
    }
    return out;
  }

  private remember(b: number, block: Uint8Array): void {
    if (block.length > this.opt.cacheBytes) return;
    this.cache.set(b, block);
    this.cached += block.length;
    for (const [old, bytes] of this.cache) {
      if (this.cached <= this.opt.cacheBytes) break;
      this.cache.delete(old);
      this.cached -= bytes.length;
    }
  }

  private async fetchSpans(batch: Span[]): Promise<Uint8Array[]> {
    if (batch.length === 1) return [await this.fetchOne(batch[0]!)];
    const range = "bytes=" + batch.map((s) => `${s.start}-${s.end - 1}`).join(",");
    const { status, header, body } = await this.request(range);
    const type = header("content-type") ?? "";
    if (status === 206 && type.startsWith("multipart/byteranges")) {
      const parts = parseMultipart(body, type, this.name);
      return batch.map((s) => {
        const part = parts.find((p) => p.start <= s.start && s.end <= p.start + p.data.length);
        if (!part) throw new HepflowError("IO_HTTP", `multi-range answer lacks bytes ${s.start}-${s.end - 1}`, { file: this.name });
        return part.data.subarray(s.start - part.start, s.end - part.start);
      });
    }
    if (status === 206 || status === 200) {
      // The server answered a multi-range request with one range (or would have sent the whole
      // file, whose body request() did not read): stop asking for several ranges at once.
      this.multiRangeOk = false;
      return Promise.all(batch.map((s) => this.fetchOne(s)));
    }
    throw this.statusError(status);
  }

  private async fetchOne(s: Span): Promise<Uint8Array> {
    const { status, header, body } = await this.request(`bytes=${s.start}-${s.end - 1}`);
    if (status !== 206) throw status === 200 ? this.noRangeError(status) : this.statusError(status);
    const cr = parseContentRange(header("content-range"));
    if (!cr || cr.start !== s.start || body.length !== s.end - s.start) {
      throw new HepflowError("IO_HTTP", `asked for bytes ${s.start}-${s.end - 1}, got ${header("content-range")} with ${body.length} bytes`, { file: this.name, offset: s.start });
    }
    return body;
  }

  /** One GET with a Range header, through the in-flight limit, retried on transient failures. */
  private async request(range: string): Promise<Answer> {
    return this.limit.run(async () => {
      for (let attempt = 0; ; attempt++) {
        let status = 0;
        let failure: unknown;
        try {
          this.stats.requests++;
          const answer = await this.once(range);
          status = answer.status;
          if (status === 404 || status === 410) throw new HepflowError("IO_NOT_FOUND", `HTTP ${status}: no such file on the server`, { file: this.name });
          if (status < 500 && status !== 429) return answer;
        } catch (e) {
          if (e instanceof HepflowError) throw e;
          failure = e;
        }
        if (attempt >= this.opt.maxRetries) {
          const why = failure ? `${(failure as Error).message}${(failure as { cause?: Error }).cause ? ` (${(failure as { cause: Error }).cause.message})` : ""}` : `HTTP ${status}`;
          throw new HepflowError("IO_HTTP", `request for ${range} failed after ${attempt + 1} attempts: ${why}`, { file: this.name }, { cause: failure });
        }
        this.stats.retries++;
        const delay = this.opt.retryBaseMs * 2 ** attempt * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, delay));
      }
    });
  }

  /** One attempt, through the platform's transport (node:http, or fetch() in a browser). */
  private async once(range: string): Promise<Answer> {
    const answer = await this.transport.get(range, this.opt.headers);
    this.stats.bytes += answer.body.length;
    return answer;
  }

  private noRangeError(status: number): HepflowError {
    return new HepflowError(
      "IO_NO_RANGE",
      `the server ignores HTTP Range requests (answered ${status} instead of 206; the body was not downloaded); hepflow reads only the bytes it needs and cannot use this server — download the file or use a server with Range support`,
      { file: this.name },
    );
  }

  private statusError(status: number): HepflowError {
    return new HepflowError("IO_HTTP", `unexpected HTTP status ${status}`, { file: this.name });
  }
}

function parseContentRange(v: string | null): { start: number; end: number; total?: number } | undefined {
  const m = v ? /bytes\s+(\d+)-(\d+)\/(\d+|\*)/i.exec(v) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === "*" ? undefined : Number(m[3]) };
}

/** Splits a multipart/byteranges body into its parts, located by their Content-Range headers. */
function parseMultipart(body: Uint8Array, contentType: string, file: string): Array<{ start: number; data: Uint8Array }> {
  const b = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!b) throw new HepflowError("IO_HTTP", "multipart answer without a boundary", { file });
  const text = body;
  const delimiter = latin1Bytes(`--${b}`);
  const parts: Array<{ start: number; data: Uint8Array }> = [];
  let pos = indexOfBytes(text, delimiter, 0);
  while (pos >= 0) {
    const headStart = pos + delimiter.length;
    if (text[headStart] === 0x2d && text[headStart + 1] === 0x2d) break; // closing "--boundary--"
    const headEnd = indexOfBytes(text, CRLFCRLF, headStart);
    if (headEnd < 0) break;
    const cr = parseContentRange(/content-range:\s*([^\r\n]+)/i.exec(String.fromCharCode(...text.subarray(headStart, headEnd)))?.[1] ?? null);
    if (!cr) throw new HepflowError("IO_HTTP", "multipart part without Content-Range", { file });
    const dataStart = headEnd + 4;
    const len = cr.end - cr.start + 1;
    if (dataStart + len > body.length) throw new HepflowError("IO_HTTP", "multipart answer is cut short", { file });
    parts.push({ start: cr.start, data: body.subarray(dataStart, dataStart + len) });
    pos = indexOfBytes(text, delimiter, dataStart + len);
  }
  return parts;
}

const CRLFCRLF = latin1Bytes("\r\n\r\n");

function latin1Bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Where `needle` first occurs in `hay` at or after `from`, or -1 (Buffer.indexOf without Buffer, for the browser build). */
function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}
