/**
 * A growable big-endian output buffer with ROOT's object-serialisation bookkeeping: byte counts,
 * class tags written once and referenced after, and object references (for objects such as a
 * counter leaf that appear twice in one record). Offsets in tags and references count from the
 * start of the key, so `origin` is the key-header length of the record being written.
 */
const K_BYTE_COUNT = 0x40000000;
const K_NEW_CLASS = 0xffffffff;
const K_CLASS_MASK = 0x80000000;
const K_MAP_OFFSET = 2;

export class WBuffer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;
  private readonly classTags = new Map<string, number>();
  private readonly objectTags = new Map<object, number>();

  constructor(
    readonly origin = 0,
    capacity = 1024,
  ) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }
  i8(v: number): void {
    this.ensure(1);
    this.view.setInt8(this.pos, v);
    this.pos += 1;
  }
  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }
  i64(v: number | bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
  }
  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }
  bool(v: boolean): void {
    this.u8(v ? 1 : 0);
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A TString: one length byte, or 255 and a 32-bit length for long strings. */
  tstring(s: string): void {
    const b = Buffer.from(s, "utf8");
    if (b.length < 255) this.u8(b.length);
    else {
      this.u8(255);
      this.i32(b.length);
    }
    this.raw(b);
  }

  /** A NUL-terminated C string (class names in new-class tags). */
  cstring(s: string): void {
    this.raw(Buffer.from(s, "utf8"));
    this.u8(0);
  }

  /** Starts a byte-counted, versioned record; finish it with `endVersion(handle)`. */
  startVersion(version: number): number {
    const at = this.pos;
    this.u32(0);
    this.i16(version);
    return at;
  }

  /** Patches the byte count of a record started with `startVersion`. */
  endVersion(at: number): void {
    this.view.setUint32(at, (this.pos - at - 4) | K_BYTE_COUNT);
  }

  /** Writes a TObject header (version 1, unique id 0, the usual "on heap" bits). */
  tobject(bits = 0x03000000, uniqueId = 0): void {
    this.i16(1);
    this.u32(uniqueId);
    this.u32(bits);
  }

  /**
   * Writes a pointer to an object the way TBuffer::WriteObjectAny does: null, a reference to an
   * object already written in this record, or a byte count + class tag + the object itself.
   */
  objectAny(className: string | null, obj: object | null, body: () => void): void {
    if (obj === null || className === null) {
      this.u32(0);
      return;
    }
    const ref = this.objectTags.get(obj);
    if (ref !== undefined) {
      this.u32(ref);
      return;
    }
    const at = this.pos;
    this.u32(0);
    const tagAt = this.pos;
    const known = this.classTags.get(className);
    if (known !== undefined) this.u32(known | K_CLASS_MASK);
    else {
      this.u32(K_NEW_CLASS);
      this.cstring(className);
      this.classTags.set(className, this.origin + tagAt + K_MAP_OFFSET);
    }
    this.objectTags.set(obj, this.origin + at + K_MAP_OFFSET);
    body();
    this.view.setUint32(at, (this.pos - at - 4) | K_BYTE_COUNT);
  }
}
