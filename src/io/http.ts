import { HepflowError } from "../util/index.js";
import type { ByteRange, ByteSource } from "./source.js";

export interface HttpOptions {
  /** Requests in flight at once; more wait their turn. */
  maxInFlight?: number;
  /** Retries after a 5xx, 429 or dropped connection (not after other 4xx). */
  maxRetries?: number;
  /** First backoff; doubles each retry, with jitter. */
  retryBaseMs?: number;
  /** Ranges closer than this are fetched as one (fewer round trips beat a few wasted bytes). */
  coalesceGap?: number;
  /** Most ranges asked in one multi-range request. */
  maxRangesPerRequest?: number;
  /** Try multi-range requests; turned off by itself if the server answers them with one range. */
  multiRange?: boolean;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

const DEFAULTS: Required<Omit<HttpOptions, "headers">> = {
  maxInFlight: 6,
  maxRetries: 4,
  retryBaseMs: 100,
  coalesceGap: 64 * 1024,
  maxRangesPerRequest: 32,
  multiRange: true,
  timeoutMs: 30_000,
};

/** Statistics a caller (or a test) can read to see what the source did. */
export interface HttpStats {
  requests: number;
  retries: number;
  bytes: number;
}

/**
 * A file on an HTTP(S) server read with Range requests: nearby ranges are coalesced, several
 * ranges go in one multi-range request where the server supports it, requests in flight are
 * bounded, and transient failures are retried with backoff.
 */
export class HttpSource implements ByteSource {
  readonly name: string;
  readonly stats: HttpStats = { requests: 0, retries: 0, bytes: 0 };
  private readonly opt: Required<Omit<HttpOptions, "headers">> & { headers: Record<string, string> };
  private sizePromise?: Promise<number>;
  private multiRangeOk: boolean;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly url: string, options: HttpOptions = {}) {
    this.name = url;
    this.opt = { ...DEFAULTS, ...options, headers: options.headers ?? {} };
    this.multiRangeOk = this.opt.multiRange;
  }

  size(): Promise<number> {
    // One-byte range request: learns the size and checks Range support in the same round trip.
    this.sizePromise ??= this.request("bytes=0-0").then(({ status, headers }) => {
      const total = parseContentRange(headers.get("content-range"))?.total;
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
    const spans = coalesce(ranges.filter((r) => r.length > 0), this.opt.coalesceGap);
    const spanData = new Map<Span, Uint8Array>();
    const batches: Span[][] = [];
    const per = this.multiRangeOk ? this.opt.maxRangesPerRequest : 1;
    for (let i = 0; i < spans.length; i += per) batches.push(spans.slice(i, i + per));
    await Promise.all(batches.map(async (batch) => {
      const got = await this.fetchSpans(batch);
      batch.forEach((s, i) => spanData.set(s, got[i]!));
    }));
    return ranges.map((r) => {
      if (r.length === 0) return new Uint8Array(0);
      const span = spans[lastStartingAtOrBefore(spans, r.offset)]!;
      return spanData.get(span)!.subarray(r.offset - span.start, r.offset - span.start + r.length);
    });
  }

  async close(): Promise<void> {}

  private async fetchSpans(batch: Span[]): Promise<Uint8Array[]> {
    if (batch.length === 1) return [await this.fetchOne(batch[0]!)];
    const header = "bytes=" + batch.map((s) => `${s.start}-${s.end - 1}`).join(",");
    const { status, headers, body } = await this.request(header);
    const type = headers.get("content-type") ?? "";
    if (status === 206 && type.startsWith("multipart/byteranges")) {
      const parts = parseMultipart(body, type, this.name);
      return batch.map((s) => {
        const part = parts.find((p) => p.start <= s.start && s.end <= p.start + p.data.length);
        if (!part) throw new HepflowError("IO_HTTP", `multi-range answer lacks bytes ${s.start}-${s.end - 1}`, { file: this.name });
        return part.data.subarray(s.start - part.start, s.end - part.start);
      });
    }
    if (status === 206 || status === 200) {
      // The server answered a multi-range request with one range (or the whole file): stop asking.
      this.multiRangeOk = false;
      return Promise.all(batch.map((s) => this.fetchOne(s)));
    }
    throw this.statusError(status);
  }

  private async fetchOne(s: Span): Promise<Uint8Array> {
    const { status, headers, body } = await this.request(`bytes=${s.start}-${s.end - 1}`);
    if (status !== 206) throw status === 200 ? this.noRangeError(status) : this.statusError(status);
    const cr = parseContentRange(headers.get("content-range"));
    if (!cr || cr.start !== s.start || body.length !== s.end - s.start) {
      throw new HepflowError("IO_HTTP", `asked for bytes ${s.start}-${s.end - 1}, got ${headers.get("content-range")} with ${body.length} bytes`, { file: this.name, offset: s.start });
    }
    return body;
  }

  /** One GET with a Range header, through the in-flight limit, retried on transient failures. */
  private async request(range: string): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
    await this.acquire();
    try {
      for (let attempt = 0; ; attempt++) {
        let status = 0;
        let failure: unknown;
        try {
          this.stats.requests++;
          const res = await fetch(this.url, {
            headers: { ...this.opt.headers, Range: range },
            signal: AbortSignal.timeout(this.opt.timeoutMs),
          });
          status = res.status;
          if (status < 500 && status !== 429) {
            if (status === 404 || status === 410) {
              await res.body?.cancel();
              throw new HepflowError("IO_NOT_FOUND", `HTTP ${status}: no such file on the server`, { file: this.name });
            }
            const body = new Uint8Array(await res.arrayBuffer());
            this.stats.bytes += body.length;
            return { status, headers: res.headers, body };
          }
          await res.body?.cancel();
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
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.opt.maxInFlight) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.active++; resolve(); }));
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private noRangeError(status: number): HepflowError {
    return new HepflowError("IO_NO_RANGE", `the server ignores HTTP Range requests (answered ${status} with the whole file); hepflow reads only the bytes it needs and cannot use this server — download the file or use a server with Range support`, { file: this.name });
  }

  private statusError(status: number): HepflowError {
    return new HepflowError("IO_HTTP", `unexpected HTTP status ${status}`, { file: this.name });
  }
}

interface Span {
  start: number;
  end: number;
}

/** Merges ranges that overlap or lie within `gap` bytes of each other; returns sorted spans. */
export function coalesce(ranges: readonly ByteRange[], gap: number): Span[] {
  const sorted = [...ranges].sort((a, b) => a.offset - b.offset);
  const out: Span[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.end + gap) last.end = Math.max(last.end, r.offset + r.length);
    else out.push({ start: r.offset, end: r.offset + r.length });
  }
  return out;
}

/** Index of the last span starting at or before `offset` (spans are sorted and disjoint). */
function lastStartingAtOrBefore(spans: readonly Span[], offset: number): number {
  let lo = 0, hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
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
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${b}`);
  const parts: Array<{ start: number; data: Uint8Array }> = [];
  let pos = text.indexOf(delimiter);
  while (pos >= 0) {
    const headStart = pos + delimiter.length;
    if (text[headStart] === 0x2d && text[headStart + 1] === 0x2d) break; // closing "--boundary--"
    const headEnd = text.indexOf("\r\n\r\n", headStart);
    if (headEnd < 0) break;
    const cr = parseContentRange(/content-range:\s*([^\r\n]+)/i.exec(text.toString("latin1", headStart, headEnd))?.[1] ?? null);
    if (!cr) throw new HepflowError("IO_HTTP", "multipart part without Content-Range", { file });
    const dataStart = headEnd + 4;
    const len = cr.end - cr.start + 1;
    if (dataStart + len > body.length) throw new HepflowError("IO_HTTP", "multipart answer is cut short", { file });
    parts.push({ start: cr.start, data: body.subarray(dataStart, dataStart + len) });
    pos = text.indexOf(delimiter, dataStart + len);
  }
  return parts;
}
