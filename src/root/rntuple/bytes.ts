import { HepflowError, type ErrorPlace } from "../../util/index.js";

/**
 * Little-endian, bounds-checked reader for RNTuple envelopes (RNTuple metadata is
 * little-endian, unlike the rest of a ROOT file). Also understands RNTuple frames.
 */
export class LEReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly place: ErrorPlace,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Throws a truncation error unless `n` more bytes are available. */
  need(n: number, what = "data"): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new HepflowError("RNTUPLE_TRUNCATED", `${what} needs ${n} bytes at envelope byte ${this.pos}, only ${Math.max(0, this.end - this.pos)} left; the RNTuple metadata is truncated or corrupt`, this.place);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  u64big(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64big(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A signed 64-bit integer that must fit a double exactly (offsets, counts, sizes). */
  i64(what = "integer"): number {
    const v = this.i64big();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new HepflowError("RNTUPLE_CORRUPT", `${what} ${v} at envelope byte ${this.pos - 8} is beyond 2^53; the metadata is corrupt`, this.place);
    }
    return Number(v);
  }

  /** An unsigned 64-bit integer that must fit a double exactly. */
  u64(what = "integer"): number {
    const v = this.u64big();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new HepflowError("RNTUPLE_CORRUPT", `${what} ${v} at envelope byte ${this.pos - 8} is beyond 2^53; the metadata is corrupt`, this.place);
    }
    return Number(v);
  }

  /** An RNTuple string: u32 byte length, then UTF-8. */
  str(): string {
    const n = this.u32();
    this.need(n, "string");
    const s = utf8.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  /** Reads a record frame and runs `body` inside it; then skips to the frame's end (frames may grow in later versions). */
  record<T>(what: string, body: (end: number) => T): T {
    const start = this.pos;
    const size = this.i64(`${what} frame size`);
    if (size < 0) throw new HepflowError("RNTUPLE_CORRUPT", `expected a record frame for ${what} at envelope byte ${start}, found a list frame`, this.place);
    const end = this.frameEnd(start, size, what);
    const value = body(end);
    if (this.pos > end) throw new HepflowError("RNTUPLE_CORRUPT", `${what} at envelope byte ${start} reads past its frame (${this.pos} > ${end})`, this.place);
    this.pos = end;
    return value;
  }

  /** Reads a list frame, calling `item` once per element; then skips to the frame's end. */
  list<T>(what: string, item: (i: number, end: number) => T): T[] {
    const start = this.pos;
    const size = this.i64(`${what} frame size`);
    if (size >= 0) throw new HepflowError("RNTUPLE_CORRUPT", `expected a list frame for ${what} at envelope byte ${start}, found a record frame`, this.place);
    const end = this.frameEnd(start, -size, what);
    const n = this.u32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(i, end));
    if (this.pos > end) throw new HepflowError("RNTUPLE_CORRUPT", `${what} at envelope byte ${start} reads past its frame (${this.pos} > ${end})`, this.place);
    this.pos = end;
    return out;
  }

  private frameEnd(start: number, size: number, what: string): number {
    const end = start + size;
    if (size < 8 || end > this.end) {
      throw new HepflowError("RNTUPLE_CORRUPT", `${what} frame at envelope byte ${start} claims ${size} bytes, beyond the envelope (${this.end} bytes)`, this.place);
    }
    return end;
  }
}

const utf8 = new TextDecoder("utf-8");
