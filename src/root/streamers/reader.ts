import { HepflowError } from "../../util/index.js";
import type { Cursor } from "../cursor.js";
import { builtinStreamerInfo } from "./builtin.js";
import { T, parsePacking, type StreamerElement, type StreamerInfo, type Unsupported } from "./types.js";

const kByteCountMask = 0x40000000;
const kNewClassTag = 0xffffffff;
const kClassMask = 0x80000000;
const kMapOffset = 2;
const kIsReferenced = 1 << 4;

/** A generic object as read through its streamer: members by name, plus its class name. */
export type RootObject = Record<string, unknown> & { _class: string };

/** Streamer infos by class name; each class may have several versions. */
export type StreamerRegistry = ReadonlyMap<string, readonly StreamerInfo[]>;

/** A class version header: version, and where the object ends when a byte count was written. */
export interface VersionHeader {
  version: number;
  end?: number;
}

/**
 * Reads ROOT objects from one buffer (a key's payload): the reference map of that buffer
 * (objects and classes already seen, by tag) lives here. `origin` is the key length, because
 * ROOT's tags count from the start of the key, not of the object.
 */
export class ObjectReader {
  private readonly refs = new Map<number, unknown>();

  constructor(
    readonly c: Cursor,
    private readonly streamers: StreamerRegistry,
    private readonly origin: number,
  ) {}

  /** Reads a class version header (with its byte count when present). */
  version(): VersionHeader {
    const c = this.c;
    const start = c.pos;
    const first = c.u32();
    if (first & kByteCountMask) {
      const bcnt = (first & ~kByteCountMask) >>> 0;
      const end = start + 4 + bcnt;
      if (end > c.buf.length) throw c.error("ROOT_CORRUPT", `byte count ${bcnt} runs past the end of the buffer (${c.buf.length})`);
      const version = c.u16();
      // Version 0 marks a class without a dictionary version (foreign): its checksum follows.
      if (version === 0) c.u32();
      return { version, end };
    }
    c.pos = start;
    return { version: c.u16() };
  }

  /**
   * Ends an object at its byte count. Reading its members must have used exactly that many
   * bytes (ROOT's TBufferFile::CheckByteCount): a mismatch means the object or the streamer
   * info describing it is corrupt, and trusting either would give members silently wrong values.
   */
  finish(h: VersionHeader, className = "object"): void {
    if (h.end === undefined) return;
    if (this.c.pos !== h.end) {
      throw this.c.error("ROOT_CORRUPT", `${className} read ${this.c.pos > h.end ? "past" : "short of"} its byte count (its members end at buffer byte ${this.c.pos}, the byte count at ${h.end}); the object or its streamer info is corrupt`);
    }
  }

  /** A pointer (`T*` member, TObjArray slot): a new object, a reference to one already read, or null. */
  objectAny(): unknown {
    const c = this.c;
    const beg = c.pos;
    const first = c.u32();
    let tag: number;
    let end: number | undefined;
    let start = 0;
    if (!(first & kByteCountMask) || first === kNewClassTag) {
      tag = first;
    } else {
      start = c.pos;
      tag = c.u32();
      end = beg + 4 + (first & ~kByteCountMask);
      if (end > c.buf.length) throw c.error("ROOT_CORRUPT", `object byte count runs past the end of the buffer`);
    }
    if (!(tag & kClassMask) && tag !== kNewClassTag) {
      if (tag === 0) return null;
      const obj = this.refs.get(tag);
      if (end !== undefined) c.pos = end;
      return obj ?? null;
    }
    let className: string;
    if (tag === kNewClassTag) {
      className = c.cstring();
      this.refs.set(end !== undefined ? start + this.origin + kMapOffset : this.refs.size + 1, className);
    } else {
      const ref = this.refs.get((tag & ~kClassMask) >>> 0);
      if (typeof ref !== "string") throw c.error("ROOT_CORRUPT", `reference to an unknown class tag ${(tag & ~kClassMask) >>> 0}`);
      className = ref;
    }
    const key = end !== undefined ? beg + this.origin + kMapOffset : this.refs.size + 1;
    try {
      return this.read(className, (obj) => this.refs.set(key, obj));
    } catch (e) {
      // An object of a class we cannot read, inside a pointer with a byte count: skip it.
      if (end !== undefined && e instanceof HepflowError && e.code === "ROOT_UNSUPPORTED") {
        c.pos = end;
        const u: Unsupported = { _unsupported: `${className}: ${e.message}` };
        this.refs.set(key, u);
        return u;
      }
      throw e;
    }
  }

  /** Reads one object of `className` with its version header; `register` sees it before its members are read. */
  read(className: string, register?: (obj: unknown) => void): unknown {
    const hand = HANDCODED[className];
    if (hand) {
      const v = hand(this);
      register?.(v);
      return v;
    }
    const obj = { _class: className } as RootObject;
    register?.(obj);
    this.members(className, obj);
    return obj;
  }

  /** Reads the members of `className` (version header included) into `obj`; bases merge into it. */
  members(className: string, obj: Record<string, unknown>): void {
    const base = BASE_HANDCODED[className];
    if (base) return base(this, obj);
    const h = this.version();
    const info = this.info(className, h.version);
    for (const el of info.elements) {
      const v = this.member(el, obj);
      if (el.kind !== "TStreamerBase") obj[el.name] = v;
    }
    // A class ROOT streams with hand-written code (a TList as a base class) is not described
    // by its streamer info, so only its byte count can end it.
    if (HANDCODED[className]) {
      if (h.end !== undefined) this.c.pos = h.end;
    } else this.finish(h, className);
  }

  /** The streamer of `className`, preferring the given version. */
  info(className: string, version: number): StreamerInfo {
    const list = this.streamers.get(className);
    const latest = list?.at(-1);
    if (!list || latest === undefined) {
      const builtin = builtinStreamerInfo(className);
      if (builtin) return builtin;
      throw new HepflowError("ROOT_UNSUPPORTED", `no streamer for class ${className} in the file, so its objects cannot be read`, this.place());
    }
    return list.find((i) => i.classVersion === version) ?? latest;
  }

  private place() {
    return { file: this.c.place.file, object: this.c.place.object };
  }

  private member(el: StreamerElement, obj: Record<string, unknown>): unknown {
    const c = this.c;
    const type = el.type;
    if (el.kind === "TStreamerBase") {
      if (el.name === "TObject") {
        readTObjectInto(this, obj);
        return undefined;
      }
      this.members(el.name, obj);
      return undefined;
    }
    if (type > 0 && type < T.OffsetL) return this.basic(type, el);
    if (type > T.OffsetL && type < T.OffsetP) {
      const n = Math.max(1, el.arrayLength);
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = this.basic(type - T.OffsetL, el);
      return a;
    }
    if (type > T.OffsetP && type < T.OffsetP + 20) {
      const isArray = c.u8();
      if (!isArray) return null;
      const n = Number(obj[el.countName ?? ""] ?? 0);
      if (!Number.isInteger(n) || n < 0 || n > c.remaining) throw c.error("ROOT_CORRUPT", `array ${el.name} has a bad count ${n} (from ${el.countName})`);
      const a = new Array<number | bigint>(n);
      for (let i = 0; i < n; i++) a[i] = this.basic(type - T.OffsetP, el) as number;
      return a;
    }
    switch (type) {
      case T.Object:
      case T.Any:
      case T.Object + T.OffsetL:
      case T.Any + T.OffsetL: {
        if (el.arrayLength > 1) {
          const a: unknown[] = [];
          for (let i = 0; i < el.arrayLength; i++) a.push(this.read(el.typeName));
          return a;
        }
        return this.read(el.typeName);
      }
      case T.Objectp:
      case T.ObjectP:
      case T.Anyp:
      case T.AnyP:
      case T.Objectp + T.OffsetL:
      case T.ObjectP + T.OffsetL: {
        if (el.arrayLength > 1) {
          const a: unknown[] = [];
          for (let i = 0; i < el.arrayLength; i++) a.push(this.objectAny());
          return a;
        }
        return this.objectAny();
      }
      case T.TString:
        return c.tstring();
      case T.TObject: {
        const o = {} as Record<string, unknown>;
        readTObjectInto(this, o);
        return o;
      }
      case T.TNamed: {
        const o = {} as Record<string, unknown>;
        BASE_HANDCODED.TNamed!(this, o);
        return o;
      }
      case T.STL:
      case T.STLstring:
      case T.Streamer:
        return this.stl(el);
      default:
        throw new HepflowError("ROOT_UNSUPPORTED", `member ${el.name} (${el.typeName}) has streamer type ${type}, which is not supported`, this.place());
    }
  }

  /** std::string, std::vector of numbers or strings; other STL members are skipped by their byte count. */
  private stl(el: StreamerElement): unknown {
    const c = this.c;
    if (el.type === T.STLstring || el.typeName === "string" || el.typeName === "std::string") {
      const h = this.version();
      const s = c.tstring();
      this.finish(h, "std::string");
      return s;
    }
    const h = this.version();
    const inner = /^(?:std::)?vector<\s*(.+?)\s*>$/.exec(el.typeName)?.[1];
    const code = inner ? BASIC_BY_NAME[inner] : undefined;
    if (code !== undefined && h.end !== undefined) {
      const n = c.i32();
      if (n < 0 || n > c.remaining) throw c.error("ROOT_CORRUPT", `vector ${el.name} has a bad size ${n}`);
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = this.basic(code, el);
      this.finish(h, el.typeName);
      return a;
    }
    if (inner && /^(?:std::)?string$/.test(inner) && h.end !== undefined) {
      const n = c.i32();
      if (n < 0 || n > c.remaining) throw c.error("ROOT_CORRUPT", `vector ${el.name} has a bad size ${n}`);
      const a: string[] = [];
      for (let i = 0; i < n; i++) a.push(c.tstring());
      this.finish(h, el.typeName);
      return a;
    }
    if (h.end === undefined) {
      throw new HepflowError("ROOT_UNSUPPORTED", `member ${el.name} of type ${el.typeName} has no byte count and cannot be skipped`, this.place());
    }
    this.c.pos = h.end; // skipped unread: nothing to check
    return { _unsupported: `member ${el.name} of type ${el.typeName}` } satisfies Unsupported;
  }

  /** One value of a basic type code (1..19). */
  basic(type: number, el?: StreamerElement): number | bigint | boolean {
    const c = this.c;
    switch (type) {
      case T.Char:
      case T.LegacyChar:
        return c.i8();
      case T.UChar:
        return c.u8();
      case T.Short:
        return c.i16();
      case T.UShort:
        return c.u16();
      case T.Int:
      case T.Counter:
        return c.i32();
      case T.UInt:
      case T.Bits:
        return c.u32();
      case T.Long:
      case T.Long64:
        return toNumberIfSafe(c.i64big());
      case T.ULong:
      case T.ULong64:
        return toNumberIfSafe(c.u64big());
      case T.Float:
        return c.f32();
      case T.Double:
        return c.f64();
      case T.Bool:
        return c.u8() !== 0;
      case T.Double32:
        return readDouble32(c, el);
      case T.Float16:
        return readFloat16(c, el);
      case T.CharStar: {
        const n = c.i32();
        return n > 0 ? (new TextDecoder().decode(c.bytes(n)) as unknown as number) : 0;
      }
      default:
        throw new HepflowError("ROOT_UNSUPPORTED", `basic type code ${type} is not supported`, this.place());
    }
  }
}

function toNumberIfSafe(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Double32_t: a float, a scaled integer (with a range) or a truncated float (nbits), as the element says. */
export function readDouble32(c: Cursor, el?: Pick<StreamerElement, "factor" | "xmin" | "nbits">): number {
  if (el && el.factor !== 0) return c.u32() / el.factor + el.xmin;
  if (el?.nbits) return readTruncated(c, el.nbits);
  return c.f32();
}

/** Float16_t: a scaled integer with a range, else a truncated float of nbits (default 12). */
export function readFloat16(c: Cursor, el?: Pick<StreamerElement, "factor" | "xmin" | "nbits">): number {
  if (el && el.factor !== 0) return Math.fround(c.u32() / el.factor + el.xmin);
  return readTruncated(c, el?.nbits || 12);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function readTruncated(c: Cursor, nbits: number): number {
  const exp = c.u8();
  const man = c.u16();
  u32[0] = ((exp << 23) | ((man & ((1 << (nbits + 1)) - 1)) << (23 - nbits))) >>> 0;
  return (1 << (nbits + 1)) & man ? -f32[0]! : f32[0]!;
}

const BASIC_BY_NAME: Record<string, number> = {
  char: T.Char,
  "unsigned char": T.UChar,
  short: T.Short,
  "unsigned short": T.UShort,
  int: T.Int,
  "unsigned int": T.UInt,
  long: T.Long64,
  "unsigned long": T.ULong64,
  "long long": T.Long64,
  "unsigned long long": T.ULong64,
  float: T.Float,
  double: T.Double,
  bool: T.Bool,
  Char_t: T.Char,
  UChar_t: T.UChar,
  Short_t: T.Short,
  UShort_t: T.UShort,
  Int_t: T.Int,
  UInt_t: T.UInt,
  Long64_t: T.Long64,
  ULong64_t: T.ULong64,
  Long_t: T.Long64,
  ULong_t: T.ULong64,
  Float_t: T.Float,
  Double_t: T.Double,
  Bool_t: T.Bool,
  int8_t: T.Char,
  uint8_t: T.UChar,
  int16_t: T.Short,
  uint16_t: T.UShort,
  int32_t: T.Int,
  uint32_t: T.UInt,
  int64_t: T.Long64,
  uint64_t: T.ULong64,
  Double32_t: T.Double32,
  Float16_t: T.Float16,
};

/** Basic type code for a C++ type name, or undefined. */
export function basicTypeCode(name: string): number | undefined {
  return BASIC_BY_NAME[name.trim()];
}

// ---- hand-written streamers of the classes ROOT streams with custom code ----

function readTObjectInto(r: ObjectReader, obj: Record<string, unknown>): void {
  const c = r.c;
  const h = r.version();
  obj.fUniqueID = c.u32();
  const bits = c.u32();
  obj.fBits = bits;
  if (bits & kIsReferenced) c.u16();
  r.finish(h, "TObject");
}

function readTNamedInto(r: ObjectReader, obj: Record<string, unknown>): void {
  const h = r.version();
  readTObjectInto(r, obj);
  obj.fName = r.c.tstring();
  obj.fTitle = r.c.tstring();
  r.finish(h, "TNamed");
}

/** A TList / TObjArray as read: its items, and the name the collection was given. */
export interface RootList {
  _class: string;
  name: string;
  items: unknown[];
}

function readTList(r: ObjectReader, cls: string): RootList {
  const c = r.c;
  const h = r.version();
  const o: Record<string, unknown> = {};
  readTObjectInto(r, o);
  const name = c.tstring();
  const n = c.i32();
  if (n < 0 || n > c.remaining) throw c.error("ROOT_CORRUPT", `${cls} claims ${n} objects`);
  const items: unknown[] = [];
  for (let i = 0; i < n; i++) {
    items.push(r.objectAny());
    c.tstring(); // the option string stored with each entry
  }
  r.finish(h, cls);
  return { _class: cls, name, items };
}

function readTObjArray(r: ObjectReader): RootList {
  const c = r.c;
  const h = r.version();
  const o: Record<string, unknown> = {};
  if (h.version > 2) readTObjectInto(r, o);
  const name = h.version > 1 ? c.tstring() : "";
  const n = c.i32();
  c.i32(); // lower bound
  if (n < 0 || n > c.remaining) throw c.error("ROOT_CORRUPT", `TObjArray claims ${n} objects`);
  const items: unknown[] = [];
  for (let i = 0; i < n; i++) items.push(r.objectAny());
  r.finish(h, "TObjArray");
  return { _class: "TObjArray", name, items };
}

function readTArray(r: ObjectReader, kind: "i8" | "i16" | "i32" | "i64" | "f32" | "f64"): Float64Array | BigInt64Array {
  const c = r.c;
  const n = c.i32();
  const size = kind === "i8" ? 1 : kind === "i16" ? 2 : kind === "i32" || kind === "f32" ? 4 : 8;
  if (n < 0 || n * size > c.remaining) throw c.error("ROOT_CORRUPT", `array claims ${n} values`);
  if (kind === "i64") {
    const a = new BigInt64Array(n);
    for (let i = 0; i < n; i++) a[i] = c.i64big();
    return a;
  }
  const a = new Float64Array(n);
  const v = c.view;
  let p = c.pos;
  for (let i = 0; i < n; i++, p += size) {
    a[i] = kind === "f64" ? v.getFloat64(p) : kind === "f32" ? v.getFloat32(p) : kind === "i32" ? v.getInt32(p) : kind === "i16" ? v.getInt16(p) : v.getInt8(p);
  }
  c.pos = p;
  return a;
}

const TARRAYS: Record<string, "i8" | "i16" | "i32" | "i64" | "f32" | "f64"> = {
  TArrayC: "i8",
  TArrayS: "i16",
  TArrayI: "i32",
  TArrayL: "i64",
  TArrayL64: "i64",
  TArrayF: "f32",
  TArrayD: "f64",
};

function readStreamerElementInto(r: ObjectReader, o: Partial<StreamerElement>): void {
  const c = r.c;
  const h = r.version();
  const named: Record<string, unknown> = {};
  readTNamedInto(r, named);
  o.name = named.fName as string;
  o.title = named.fTitle as string;
  o.type = c.i32();
  o.size = c.i32();
  o.arrayLength = c.i32();
  o.arrayDim = c.i32();
  const nmax = h.version === 1 ? c.i32() : 5;
  if (nmax < 0 || nmax > 5) throw c.error("ROOT_CORRUPT", `streamer element ${o.name} has ${nmax} dimensions`);
  o.maxIndex = [];
  for (let i = 0; i < nmax; i++) o.maxIndex.push(c.i32());
  o.typeName = c.tstring();
  if (o.type === T.UChar && (o.typeName === "Bool_t" || o.typeName === "bool")) o.type = T.Bool;
  o.xmin = 0;
  o.xmax = 0;
  o.factor = 0;
  o.nbits = 0;
  if (h.version === 3) {
    o.xmin = c.f64();
    o.xmax = c.f64();
    o.factor = c.f64();
  }
  const basic = o.type % 20;
  if (h.version > 3 && (o.type === T.Double32 || o.type === T.Float16 || (o.type > T.OffsetL && o.type < T.Objectp && (basic === T.Double32 || basic === T.Float16)))) {
    Object.assign(o, parsePacking(o.title, basic));
  }
  r.finish(h, "TStreamerElement");
}

function streamerElement(kind: string, extra?: (r: ObjectReader, o: Partial<StreamerElement>, version: number) => void) {
  return (r: ObjectReader): StreamerElement => {
    const h = r.version();
    const o: Partial<StreamerElement> = { kind };
    readStreamerElementInto(r, o);
    extra?.(r, o, h.version);
    r.finish(h, o.kind ?? "TStreamerElement");
    return o as StreamerElement;
  };
}

function readStreamerInfo(r: ObjectReader): StreamerInfo {
  const c = r.c;
  const h = r.version();
  const named: Record<string, unknown> = {};
  readTNamedInto(r, named);
  const checksum = c.u32();
  const classVersion = c.i32();
  const elements = r.objectAny() as RootList | null;
  r.finish(h, "TStreamerInfo");
  return {
    name: named.fName as string,
    title: named.fTitle as string,
    classVersion,
    checksum,
    elements: (elements?.items ?? []).filter((e): e is StreamerElement => typeof e === "object" && e !== null && "kind" in e),
  };
}

/** A basket kept inside its TTree's key (never written out on its own): entries, data and entry offsets. */
export interface EmbeddedBasket {
  _class: "TBasket";
  nevBuf: number;
  keyLen: number;
  /** The basket's data without its key header. */
  data: Uint8Array;
  /** Byte offset of each entry within `data` (without the key length), when stored. */
  entryOffsets: Int32Array | null;
}

function readTBasket(r: ObjectReader): EmbeddedBasket {
  const c = r.c;
  // TKey part.
  c.i32(); // nbytes
  const keyVersion = c.i16();
  c.i32(); // objlen
  c.u32(); // datime
  const keyLen = c.i16();
  c.i16(); // cycle
  if (keyVersion > 1000) {
    c.i64big();
    c.i64big();
  } else {
    c.i32();
    c.i32();
  }
  c.tstring();
  c.tstring();
  c.tstring();
  const h = r.version();
  c.i32(); // buffer size
  const nevBufSize = c.i32();
  if (nevBufSize < 0) c.u8(); // IO bits
  const nevBuf = c.i32();
  const last = c.i32();
  const flag = c.u8();
  let entryOffsets: Int32Array | null = null;
  if (flag !== 0 && flag % 10 !== 2 && nevBuf > 0) {
    const n = c.i32();
    if (n < 0 || n * 4 > c.remaining) throw c.error("ROOT_CORRUPT", `embedded basket claims ${n} entry offsets`);
    entryOffsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) entryOffsets[i] = (flag > 20 && flag < 40 ? c.i32() & ~0xff000000 : c.i32()) - keyLen;
    if (flag > 40) {
      const nd = c.i32();
      c.skip(nd * 4);
    }
  }
  let data: Uint8Array = new Uint8Array(0);
  if (flag === 1 || flag > 10) {
    const sz = h.version <= 1 ? c.i32() : last;
    const all = c.bytes(sz);
    data = all.subarray(Math.min(keyLen, sz));
  }
  if (entryOffsets) entryOffsets[entryOffsets.length - 1] = data.length;
  return { _class: "TBasket", nevBuf, keyLen, data, entryOffsets };
}

/** Classes whose objects ROOT writes with hand-written streamers (or which we need before streamer infos exist). */
const HANDCODED: Record<string, (r: ObjectReader) => unknown> = {
  TObject: (r) => {
    const o = { _class: "TObject" };
    readTObjectInto(r, o);
    return o;
  },
  TNamed: (r) => {
    const o = { _class: "TNamed" };
    readTNamedInto(r, o);
    return o;
  },
  TList: (r) => readTList(r, "TList"),
  THashList: (r) => readTList(r, "THashList"),
  TMap: () => {
    throw new HepflowError("ROOT_UNSUPPORTED", "TMap objects are not supported");
  },
  TObjArray: readTObjArray,
  TRefArray: () => {
    throw new HepflowError("ROOT_UNSUPPORTED", "TRefArray objects are not supported");
  },
  TClonesArray: () => {
    throw new HepflowError("ROOT_UNSUPPORTED", "TClonesArray objects are not supported");
  },
  TObjString: (r) => {
    const h = r.version();
    const o: Record<string, unknown> = {};
    readTObjectInto(r, o);
    const s = r.c.tstring();
    r.finish(h, "TObjString");
    // Kept as an object: the unique ID carries meaning (axis labels store their bin number there).
    return { _class: "TObjString", fString: s, fUniqueID: o.fUniqueID };
  },
  TStreamerInfo: readStreamerInfo,
  // A top-level std::string is written bare: its length and characters.
  string: (r) => (r.c.remaining === 0 ? "" : r.c.tstring()),
  TBasket: readTBasket,
  TStreamerBase: streamerElement("TStreamerBase", (r, o, v) => {
    if (v > 2) o.baseVersion = r.c.i32();
  }),
  TStreamerBasicType: streamerElement("TStreamerBasicType"),
  TStreamerBasicPointer: streamerElement("TStreamerBasicPointer", (r, o) => {
    o.countVersion = r.c.i32();
    o.countName = r.c.tstring();
    o.countClass = r.c.tstring();
  }),
  TStreamerLoop: streamerElement("TStreamerLoop", (r, o) => {
    o.countVersion = r.c.i32();
    o.countName = r.c.tstring();
    o.countClass = r.c.tstring();
  }),
  TStreamerObject: streamerElement("TStreamerObject"),
  TStreamerObjectPointer: streamerElement("TStreamerObjectPointer"),
  TStreamerObjectAny: streamerElement("TStreamerObjectAny"),
  TStreamerObjectAnyPointer: streamerElement("TStreamerObjectAnyPointer"),
  TStreamerString: streamerElement("TStreamerString"),
  TStreamerSTL: streamerElement("TStreamerSTL", (r, o) => {
    o.stlType = r.c.i32();
    o.ctype = r.c.i32();
  }),
  TStreamerSTLstring: (r) => {
    const h = r.version();
    const el = HANDCODED.TStreamerSTL!(r) as StreamerElement;
    el.kind = "TStreamerSTLstring";
    r.finish(h, "TStreamerSTLstring");
    return el;
  },
  TStreamerArtificial: streamerElement("TStreamerArtificial"),
};
for (const [name, kind] of Object.entries(TARRAYS)) HANDCODED[name] = (r) => readTArray(r, kind);

/** Hand-written base-class readers that merge members into the derived object. */
const BASE_HANDCODED: Record<string, (r: ObjectReader, obj: Record<string, unknown>) => void> = {
  TObject: readTObjectInto,
  TNamed: readTNamedInto,
};
for (const [name, kind] of Object.entries(TARRAYS)) {
  BASE_HANDCODED[name] = (r, obj) => {
    obj.fArray = readTArray(r, kind);
    obj.fN = (obj.fArray as Float64Array).length;
  };
}
