/**
 * Little-endian growable buffer for RNTuple envelopes, with the record and list frames the
 * format wraps every structure in (the writing twin of rntuple/bytes.ts).
 */
const utf8 = new TextEncoder();

export class LEWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u16(v: number): void {
    this.grow(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number): void {
    this.grow(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }
  i32(v: number): void {
    this.grow(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }
  i64(v: number | bigint): void {
    this.grow(8);
    this.view.setBigInt64(this.pos, BigInt(v), true);
    this.pos += 8;
  }
  u64(v: number | bigint): void {
    this.grow(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, BigInt(v)), true);
    this.pos += 8;
  }
  f64(v: number): void {
    this.grow(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  raw(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** An RNTuple string: u32 byte length, then UTF-8. */
  str(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.raw(b);
  }

  /** A record frame: positive i64 size (including itself), then the body. */
  record(body: () => void): void {
    const start = this.pos;
    this.i64(0);
    body();
    this.view.setBigInt64(start, BigInt(this.pos - start), true);
  }

  /** A list frame: negative i64 size, u32 item count, the items, then `tail` (extra data inside the frame). */
  list<T>(items: readonly T[], item: (x: T, i: number) => void, tail?: () => void): void {
    const start = this.pos;
    this.i64(0);
    this.u32(items.length);
    items.forEach(item);
    tail?.();
    this.view.setBigInt64(start, -BigInt(this.pos - start), true);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
