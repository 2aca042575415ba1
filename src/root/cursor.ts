import { HepflowError } from "../util/index.js";

/** What a cursor reads, for error messages: the file, the object, and the file offset of byte 0 of the buffer. */
export interface CursorPlace {
  file: string;
  object?: string;
  /** File offset of buffer byte 0, or undefined when the buffer was decompressed. */
  base?: number;
}

/**
 * Big-endian reader over one buffer (a key, a decompressed object, a basket). Every read is
 * bounds-checked so a corrupt length gives a HepflowError at a named place, never garbage.
 */
export class Cursor {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly place: CursorPlace = { file: "<memory>" },
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what = "data"): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw this.error("ROOT_TRUNCATED", `${what} needs ${n} bytes at position ${this.pos} but the buffer has ${this.buf.length}`);
    }
  }

  error(code: string, message: string): HepflowError {
    const { file, object, base } = this.place;
    return new HepflowError(code, message, { file, object, offset: base !== undefined ? base + this.pos : undefined });
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  i8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }
  bool(): boolean {
    return this.u8() !== 0;
  }
  i16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  f32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }
  i64big(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }
  u64big(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A 64-bit integer used as a size or offset: must fit a double exactly. */
  i64(): number {
    const v = this.i64big();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      this.pos -= 8;
      throw this.error("ROOT_CORRUPT", `64-bit offset or size ${v} is out of range`);
    }
    return Number(v);
  }

  bytes(n: number): Uint8Array {
    this.need(n, "byte block");
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  skip(n: number): void {
    this.need(n, "skipped block");
    this.pos += n;
  }

  /** A ROOT TString: one length byte, or 255 followed by a 32-bit length. */
  tstring(): string {
    let n = this.u8();
    if (n === 255) n = this.i32();
    if (n < 0) throw this.error("ROOT_CORRUPT", `negative string length ${n}`);
    return latin1(this.bytes(n));
  }

  /** A NUL-terminated C string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw this.error("ROOT_TRUNCATED", "unterminated C string");
    const s = latin1(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
}

const decoder = new TextDecoder("utf-8");
/** ROOT strings are bytes; decode as UTF-8 (ASCII is the common case and decodes identically). */
export function latin1(b: Uint8Array): string {
  return decoder.decode(b);
}
