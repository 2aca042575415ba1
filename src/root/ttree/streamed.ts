import { HepflowError, Jagged, type Column, type NumericArray } from "../../util/index.js";
import { Cursor } from "../cursor.js";
import { T, basicTypeCode, readDouble32, readFloat16, type StreamerElement, type StreamerRegistry } from "../streamers/index.js";
import type { BasketData } from "./baskets.js";
import { allocate, type Dtype } from "./decode.js";

/**
 * The shape of a value ROOT writes through its STL/string streamers: numbers, strings, sequences
 * (vector, set, list, deque, RVec), maps and bitsets, nested to any depth. Parsed once from the
 * C++ type name; the reader walks it per entry and appends straight into columnar builders.
 */
export type TypeNode =
  | { t: "num"; dtype: Dtype }
  /** std::string, or TString (`tstring`): the same bytes, but only std::string blocks carry STL headers. */
  | { t: "string"; tstring?: boolean }
  | { t: "seq"; item: TypeNode }
  | { t: "map"; key: TypeNode; value: TypeNode }
  | { t: "bitset" }
  /** A counted pointer member (`short* x; //[n]`): a one-byte "present" flag, then as many values as member `count` says. */
  | { t: "ptrarray"; item: TypeNode; count: string }
  /** A `char*` member: a 32-bit length, then the characters. */
  | { t: "charstar" }
  /** Double32_t / Float16_t with the packing of its streamer element. */
  | { t: "packed"; code: number; el: Pick<StreamerElement, "factor" | "xmin" | "nbits"> }
  /** A fixed-size C array member (`float x[3]`): `n` items, no size written. */
  | { t: "array"; n: number; item: TypeNode }
  /** An STL member of a class: a header (byte count, version) in front of the container. */
  | { t: "stl"; inner: TypeNode }
  /**
   * An object of a class read through its streamer (objectwise: a version header, then the
   * members). Base classes are fields with `base` set: their members appear as the derived
   * class's own (as uproot shows them). `tobject`: TObject's hand-written layout.
   */
  | { t: "record"; className: string; fields: Field[]; tobject?: boolean; version?: number };

/** One member of a record. */
export interface Field {
  name: string;
  node: TypeNode;
  base?: boolean;
}

const NUM_DTYPES: Partial<Record<number, Dtype>> = {
  [T.Char]: "i8",
  [T.UChar]: "u8",
  [T.Bool]: "bool",
  [T.Short]: "i16",
  [T.UShort]: "u16",
  [T.Int]: "i32",
  [T.UInt]: "u32",
  [T.Long]: "i64",
  [T.Long64]: "i64",
  [T.ULong]: "u64",
  [T.ULong64]: "u64",
  [T.Float]: "f32",
  [T.Double]: "f64",
};

const SEQUENCES = /^(?:vector|set|multiset|unordered_set|unordered_multiset|list|deque|ROOT::VecOps::RVec)$/;
const MAPS = /^(?:map|multimap|unordered_map|unordered_multimap)$/;

/** Splits "a,b<c,d>,e" at the top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0,
    from = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "<") depth++;
    else if (ch === ">") depth--;
    else if (ch === "," && depth === 0) {
      out.push(s.slice(from, i).trim());
      from = i + 1;
    }
  }
  out.push(s.slice(from).trim());
  return out;
}

/**
 * The TypeNode of a C++ type name, or undefined when some part is not a number, string, STL
 * container or (given the file's streamers) a class made of those.
 */
export function parseTypeName(raw: string, streamers?: StreamerRegistry, depth = 0): TypeNode | undefined {
  const name = raw
    .replace(/^const\s+/, "")
    .replace(/std::/g, "")
    .trim();
  if (depth > 12) return undefined;
  if (name === "string") return { t: "string" };
  if (name === "TString") return { t: "string", tstring: true };
  const code = basicTypeCode(name);
  if (code !== undefined) {
    const dtype = NUM_DTYPES[code];
    return dtype ? { t: "num", dtype } : undefined;
  }
  const m = /^([A-Za-z_:]+)\s*<(.*)>$/.exec(name);
  if (!m || !(SEQUENCES.test(m[1]!) || MAPS.test(m[1]!) || m[1] === "bitset")) return streamers ? recordOf(name, streamers, depth + 1) : undefined;
  const args = splitArgs(m[2]!);
  if (m[1] === "bitset") return { t: "bitset" };
  if (SEQUENCES.test(m[1]!)) {
    // A second argument is an allocator (RDataFrame's RAdoptAllocator) or a comparator: the element type is the first.
    const item = parseTypeName(args[0]!, streamers, depth + 1);
    return item ? { t: "seq", item } : undefined;
  }
  if (MAPS.test(m[1]!) && args.length >= 2) {
    const key = parseTypeName(args[0]!, streamers, depth + 1),
      value = parseTypeName(args[1]!, streamers, depth + 1);
    return key && value ? { t: "map", key, value } : undefined;
  }
  return undefined;
}

const TOBJECT: TypeNode = {
  t: "record",
  className: "TObject",
  tobject: true,
  fields: [
    { name: "fUniqueID", node: { t: "num", dtype: "u32" } },
    { name: "fBits", node: { t: "num", dtype: "u32" } },
  ],
};

/** A class as a record of its streamer's members, or undefined if some member is of a kind not handled here. */
export function recordOf(className: string, streamers: StreamerRegistry, depth = 0): TypeNode | undefined {
  if (className === "TObject") return TOBJECT;
  const versions = streamers.get(className);
  if (!versions || versions.length === 0 || depth > 12) return undefined;
  const info = versions[versions.length - 1]!;
  const fields: Field[] = [];
  for (const el of info.elements) {
    const node = elementNode(el, streamers, depth);
    if (!node) return undefined;
    fields.push(el.kind === "TStreamerBase" ? { name: el.name, node, base: true } : { name: el.name, node });
  }
  return { t: "record", className, fields, version: info.classVersion };
}

function elementNode(el: StreamerElement, streamers: StreamerRegistry, depth: number): TypeNode | undefined {
  const type = el.type;
  if (el.kind === "TStreamerBase") return el.name === "TObject" ? TOBJECT : recordOf(el.name, streamers, depth + 1);
  const basic = (code: number): TypeNode | undefined => {
    if (code === T.Double32 || code === T.Float16) return { t: "packed", code, el };
    const dtype = NUM_DTYPES[code === T.Counter ? T.Int : code === T.Bits ? T.UInt : code === T.LegacyChar ? T.Char : code];
    return dtype ? { t: "num", dtype } : undefined;
  };
  if (type > 0 && type < T.OffsetL) return basic(type);
  if (type > T.OffsetL && type < T.OffsetP) {
    const item = basic(type - T.OffsetL);
    return item ? { t: "array", n: Math.max(1, el.arrayLength), item } : undefined;
  }
  if (type > T.OffsetP && type < T.OffsetP + 20 && el.countName) {
    const item = basic(type - T.OffsetP);
    return item ? { t: "ptrarray", item, count: el.countName } : undefined;
  }
  if (type === T.CharStar) return { t: "charstar" };
  if (type === T.Object || type === T.Any) {
    const rec = parseTypeName(el.typeName, streamers, depth + 1);
    return rec?.t === "record" ? (el.arrayLength > 1 ? { t: "array", n: el.arrayLength, item: rec } : rec) : undefined;
  }
  if (type === T.TString) return { t: "string", tstring: true };
  if (type === T.TObject) return TOBJECT;
  if (type === T.STLstring) return { t: "stl", inner: { t: "string" } };
  if (type === T.STL || type === T.Streamer) {
    const inner = parseTypeName(el.typeName, streamers, depth + 1);
    return inner && inner.t !== "record" ? { t: "stl", inner } : undefined;
  }
  return undefined;
}

/**
 * The column paths under a node: one per number/string leaf, through record fields (by name,
 * bases flattened) and map halves ("first"/"second"); containers add no path segment.
 */
export function leafPaths(node: TypeNode): string[][] {
  switch (node.t) {
    case "seq":
    case "array":
    case "ptrarray":
      return leafPaths(node.item);
    case "stl":
      return leafPaths(node.inner);
    case "map":
      return [...leafPaths(node.key).map((p) => ["first", ...p]), ...leafPaths(node.value).map((p) => ["second", ...p])];
    case "record": {
      const out: string[][] = [];
      for (const f of node.fields) for (const p of leafPaths(f.node)) out.push(f.base ? p : [f.name, ...p]);
      return out;
    }
    default:
      return [[]];
  }
}

// ---- builders: growable columnar outputs, one tree of them mirroring the TypeNode ----

class NumBuilder {
  private data: NumericArray;
  private n = 0;
  constructor(private readonly dtype: Dtype) {
    this.data = allocate(dtype, 16);
  }
  push(v: number | bigint): void {
    if (this.n === this.data.length) {
      const next = allocate(this.dtype, this.data.length * 2);
      (next as Uint8Array).set(this.data as Uint8Array);
      this.data = next;
    }
    (this.data as unknown as (number | bigint)[])[this.n++] = v;
  }
  build(): Column {
    return this.data.subarray(0, this.n) as NumericArray;
  }
  /** The value pushed last (a count that a later pointer member refers to). */
  get last(): number {
    return this.n === 0 ? 0 : Number(this.data[this.n - 1]);
  }
}

class StrBuilder {
  readonly data: string[] = [];
  build(): Column {
    return this.data;
  }
}

class OffsetsBuilder {
  private data = new Int32Array(17);
  private n = 1;
  /** Closes one list of `count` items. */
  close(count: number): void {
    if (this.n === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n] = this.data[this.n - 1]! + count;
    this.n++;
  }
  private built?: Int32Array;
  /** The offsets (one array for every column cut from this level, so they share it). */
  build(): Int32Array {
    return (this.built ??= this.data.slice(0, this.n));
  }
}

class SeqBuilder {
  readonly offsets = new OffsetsBuilder();
  constructor(readonly item: Builder) {}
}

class MapBuilder {
  readonly offsets = new OffsetsBuilder();
  constructor(
    readonly key: Builder,
    readonly value: Builder,
  ) {}
}

class RecordBuilder {
  constructor(readonly fields: Builder[]) {}
}

type Builder = NumBuilder | StrBuilder | SeqBuilder | MapBuilder | RecordBuilder;

function builderFor(node: TypeNode): Builder {
  switch (node.t) {
    case "num":
      return new NumBuilder(node.dtype);
    case "packed":
      return new NumBuilder(node.code === T.Float16 ? "f32" : "f64");
    case "string":
    case "charstar":
      return new StrBuilder();
    case "seq":
    case "array":
    case "ptrarray":
      return new SeqBuilder(builderFor(node.item));
    case "stl":
      return builderFor(node.inner);
    case "bitset":
      return new SeqBuilder(new NumBuilder("bool"));
    case "map":
      return new MapBuilder(builderFor(node.key), builderFor(node.value));
    case "record":
      return new RecordBuilder(node.fields.map((f) => builderFor(f.node)));
  }
}

/** The column at `path` (see leafPaths) of a filled builder tree. */
function extract(node: TypeNode, b: Builder, path: readonly string[]): Column {
  switch (node.t) {
    case "seq":
    case "array":
    case "ptrarray":
    case "bitset": {
      const s = b as SeqBuilder;
      return new Jagged(s.offsets.build(), node.t === "bitset" ? (s.item as NumBuilder).build() : extract(node.item, s.item, path));
    }
    case "stl":
      return extract(node.inner, b, path);
    case "map": {
      const m = b as MapBuilder;
      const first = path[0] === "first";
      return new Jagged(m.offsets.build(), extract(first ? node.key : node.value, first ? m.key : m.value, path.slice(1)));
    }
    case "record": {
      const r = b as RecordBuilder;
      for (let i = 0; i < node.fields.length; i++) {
        const f = node.fields[i]!;
        if (f.base) {
          if (leafPaths(f.node).some((p) => p.join(".") === path.join("."))) return extract(f.node, r.fields[i]!, path);
        } else if (f.name === path[0]) return extract(f.node, r.fields[i]!, path.slice(1));
      }
      throw new HepflowError("ROOT_NOT_FOUND", `no member ${path.join(".")} in class ${node.className}`);
    }
    default:
      return (b as NumBuilder | StrBuilder).build();
  }
}

// ---- the reader ----

const kByteCountMask = 0x40000000;
const kStreamedMemberWise = 0x4000;
const kIsReferenced = 1 << 4;

/** A version (u16), preceded by a byte count when one was written: then also the object's end. */
function versionHeader(c: Cursor): { end?: number; version: number } {
  const start = c.pos;
  const first = c.u32();
  if (!(first & kByteCountMask)) {
    c.pos = start;
    return { version: c.u16() };
  }
  const end = start + 4 + ((first & ~kByteCountMask) >>> 0);
  if (end > c.buf.length || first & 0x80000000) throw c.error("ROOT_CORRUPT", `byte count ${(first & ~kByteCountMask) >>> 0} runs past the end of the entry`);
  return { end, version: c.u16() };
}

/**
 * Reads a version header (with its byte count if written); returns the end of the object when a
 * byte count was written and whether an STL container was written member-wise.
 */
function header(c: Cursor): { end?: number; memberwise: boolean } {
  const { end, version } = versionHeader(c);
  if (end === undefined) return { memberwise: false };
  const memberwise = (version & kStreamedMemberWise) !== 0;
  if (memberwise) {
    // The element class's version follows, and its checksum when the version is not positive.
    if (c.i16() <= 0) c.u32();
  }
  return { end, memberwise };
}

function size(c: Cursor, what: string, min: number): number {
  const n = c.i32();
  if (n < 0 || n * min > c.remaining) throw c.error("ROOT_CORRUPT", `${what} claims ${n} items but only ${c.remaining} bytes remain`);
  return n;
}

function readNum(c: Cursor, d: Dtype): number | bigint {
  switch (d) {
    case "i8":
      return c.i8();
    case "u8":
      return c.u8();
    case "bool":
      return c.u8() !== 0 ? 1 : 0;
    case "i16":
      return c.i16();
    case "u16":
      return c.u16();
    case "i32":
      return c.i32();
    case "u32":
      return c.u32();
    case "i64":
      return c.i64big();
    case "u64":
      return c.u64big();
    case "f32":
      return c.f32();
    case "f64":
      return c.f64();
    default:
      throw c.error("ROOT_UNSUPPORTED", `${d} values are not supported here`);
  }
}

/** Reads one value of `node` into `b`. Nested containers and strings are written bare (no header). */
function readInto(c: Cursor, node: TypeNode, b: Builder, memberwise = false): void {
  switch (node.t) {
    case "num":
      (b as NumBuilder).push(readNum(c, node.dtype));
      return;
    case "packed":
      (b as NumBuilder).push(node.code === T.Float16 ? readFloat16(c, node.el) : readDouble32(c, node.el));
      return;
    case "string":
      (b as StrBuilder).data.push(c.tstring());
      return;
    case "charstar": {
      const n = c.i32();
      if (n < 0) throw c.error("ROOT_CORRUPT", `char* of negative length ${n}`);
      (b as StrBuilder).data.push(n === 0 ? "" : new TextDecoder().decode(c.bytes(n)).replace(/\0+$/, ""));
      return;
    }
    case "bitset": {
      const s = b as SeqBuilder;
      const n = size(c, "bitset", 1);
      for (let i = 0; i < n; i++) (s.item as NumBuilder).push(c.u8() !== 0 ? 1 : 0);
      s.offsets.close(n);
      return;
    }
    case "array": {
      const s = b as SeqBuilder;
      for (let i = 0; i < node.n; i++) readInto(c, node.item, s.item);
      s.offsets.close(node.n);
      return;
    }
    case "seq": {
      const s = b as SeqBuilder;
      const n = size(c, "container", 1);
      if (memberwise && node.item.t === "record" && !node.item.tobject) {
        // Member-wise: all n values of the first member, then of the second, ... (like a map's keys, then values).
        for (const [fnode, fb] of memberwiseFields(node.item, s.item as RecordBuilder)) block(c, fnode, fb, n);
      } else {
        for (let i = 0; i < n; i++) readInto(c, node.item, s.item);
      }
      s.offsets.close(n);
      return;
    }
    case "stl": {
      const h = header(c);
      readInto(c, node.inner, b, h.memberwise);
      if (h.end !== undefined) c.pos = h.end;
      return;
    }
    case "map": {
      const m = b as MapBuilder;
      const n = size(c, "map", 1);
      if (memberwise) {
        block(c, node.key, m.key, n);
        block(c, node.value, m.value, n);
      } else {
        for (let i = 0; i < n; i++) {
          readInto(c, node.key, m.key);
          readInto(c, node.value, m.value);
        }
      }
      m.offsets.close(n);
      return;
    }
    case "record": {
      const r = b as RecordBuilder;
      if (node.tobject) {
        c.u16(); // class version
        const id = c.u32(),
          bits = c.u32();
        if (bits & kIsReferenced) c.u16();
        (r.fields[0] as NumBuilder).push(id);
        (r.fields[1] as NumBuilder).push(bits);
        return;
      }
      const end = objectHeader(c);
      readFields(c, node, r);
      // Trust the byte count over our reading of the members.
      if (end !== undefined) c.pos = end;
      return;
    }
  }
}

/** An object's version header: byte count and version, and a checksum after a version 0 (a class without dictionary version). */
function objectHeader(c: Cursor): number | undefined {
  const { end, version } = versionHeader(c);
  if (end !== undefined && version === 0) c.u32();
  return end;
}

function readFields(c: Cursor, node: Extract<TypeNode, { t: "record" }>, r: RecordBuilder): void {
  for (let i = 0; i < node.fields.length; i++) {
    const f = node.fields[i]!;
    if (f.node.t !== "ptrarray") {
      readInto(c, f.node, r.fields[i]!);
      continue;
    }
    // The count is a member read before this one in the same object.
    const k = node.fields.findIndex((g) => g.name === (f.node as { count: string }).count);
    const n = k >= 0 && k < i && r.fields[k] instanceof NumBuilder ? (r.fields[k] as NumBuilder).last : -1;
    if (n < 0) throw c.error("ROOT_UNSUPPORTED", `pointer member ${f.name} counted by ${f.node.count}, which is not a number read before it`);
    const s = r.fields[i] as SeqBuilder;
    const present = c.u8() !== 0;
    const count = present ? n : 0;
    if (count > c.remaining) throw c.error("ROOT_CORRUPT", `pointer member ${f.name} claims ${count} values`);
    for (let j = 0; j < count; j++) readInto(c, f.node.item, s.item);
    s.offsets.close(count);
  }
}

/** The members of a record in member-wise order: a base class's members in place of the base (no header of their own). */
function memberwiseFields(rec: Extract<TypeNode, { t: "record" }>, rb: RecordBuilder, out: [TypeNode, Builder][] = []): [TypeNode, Builder][] {
  rec.fields.forEach((f, i) => {
    if (f.base && f.node.t === "record" && !f.node.tobject) memberwiseFields(f.node, rb.fields[i] as RecordBuilder, out);
    else out.push([f.node, rb.fields[i]!]);
  });
  return out;
}

/**
 * `n` items of a member-wise written map's keys or values: an STL type (std::string, a container)
 * gets one header in front of the block; numbers and TStrings are written bare.
 */
function block(c: Cursor, node: TypeNode, b: Builder, n: number): void {
  // An empty map writes no blocks at all.
  if (n === 0) return;
  // Objects in a member-wise map are written one by one, each with its own header.
  // A class's STL member: the block's header stands for each value's own.
  const inner = node.t === "stl" ? node.inner : node;
  const stl = inner.t === "seq" || inner.t === "map" || inner.t === "bitset" || (inner.t === "string" && !inner.tstring);
  const h = stl ? header(c) : undefined;
  const end = h?.end;
  for (let i = 0; i < n; i++) readInto(c, inner, b, h?.memberwise);
  if (end !== undefined) c.pos = end;
}

/** How a streamed column is laid out in its baskets. */
export interface StreamedLayout {
  node: TypeNode;
  /** Whether each entry's value starts with an STL header (byte count and version). */
  header: boolean;
  /** Which leaf of the node this column holds (see leafPaths); empty for the node itself. */
  path: string[];
  /** In a split collection: each entry holds one value per collection item, counted by this branch. */
  counter?: string;
}

/**
 * Decodes [start, stop) of a branch whose entries are STL containers, strings or objects, straight
 * into columns: numbers into typed arrays, strings into string arrays, each container level as a
 * Jagged. `counts` (offsets of the collection counter) is given for members of split collections.
 */
export function readStreamed(place: { file: string; object: string }, it: StreamedLayout, baskets: readonly BasketData[], start: number, stop: number, counts?: Int32Array): Column {
  const root = builderFor(it.node);
  // In a split collection the entry is a list (one value per item): an extra Jagged level.
  const outer = counts ? new SeqBuilder(root) : undefined;
  let expected = start;
  for (const bk of baskets) {
    const lo = Math.max(start, bk.first),
      hi = Math.min(stop, bk.first + bk.n);
    if (hi <= lo) continue;
    if (lo !== expected) throw new HepflowError("ROOT_CORRUPT", `baskets do not cover entry ${expected}`, place);
    expected = hi;
    const c = new Cursor(bk.data, 0, place);
    try {
      if (!bk.hasOffsets && lo > bk.first) {
        // Without entry offsets the entries before the range are read (into scratch builders) to find where it starts.
        if (counts) throw new HepflowError("ROOT_UNSUPPORTED", "collection member basket without entry offsets that starts before the range", place);
        const scratch = builderFor(it.node);
        for (let e = bk.first; e < lo; e++) readEntry(c, it, scratch, undefined, -1);
      }
      for (let e = lo; e < hi; e++) {
        if (bk.hasOffsets) c.pos = entryStart(bk, e, place);
        readEntry(c, it, root, outer, counts ? counts[e - start + 1]! - counts[e - start]! : -1, bk.hasOffsets ? entryStart(bk, e + 1, place) : -1);
        // Each entry must be consumed exactly: a layout misread here would otherwise go unnoticed.
        if (bk.hasOffsets && c.pos !== entryStart(bk, e + 1, place)) {
          throw new HepflowError("ROOT_CORRUPT", `entry ${e}: read ${c.pos - entryStart(bk, e, place)} bytes but the entry has ${entryStart(bk, e + 1, place) - entryStart(bk, e, place)}`, place);
        }
      }
    } catch (err) {
      if (err instanceof HepflowError) throw err;
      throw new HepflowError("ROOT_CORRUPT", `could not decode (${err instanceof Error ? err.message : String(err)})`, place, { cause: err });
    }
  }
  if (expected !== stop) throw new HepflowError("ROOT_CORRUPT", `no basket holds entry ${expected}`, place);
  if (outer) return new Jagged(outer.offsets.build(), extract(it.node, root, it.path));
  return extract(it.node, root, it.path);
}

function entryStart(bk: BasketData, e: number, place: { file: string; object: string }): number {
  const p = bk.offsetAt(e - bk.first);
  if (!(p >= 0 && p <= bk.data.length)) throw new HepflowError("ROOT_CORRUPT", `entry ${e} starts at ${p}, outside its basket (${bk.data.length} bytes)`, place);
  return p;
}

/**
 * Whether the bytes at the cursor are the object's own version header. An object stored whole as a
 * branch's value may be written without it, and then its first member (a base class, an STL
 * container) starts with a byte count too: the object's own header is the one whose byte count
 * spans the whole entry (when entry bounds are known), else the one carrying the class version.
 */
function startsWithOwnHeader(c: Cursor, node: Extract<TypeNode, { t: "record" }>, entryEnd: number): boolean {
  if (c.remaining < 6) return false;
  const first = c.view.getUint32(c.pos);
  if (!(first & kByteCountMask)) return false;
  if (entryEnd >= 0) return c.pos + 4 + ((first & ~kByteCountMask) >>> 0) === entryEnd;
  return node.version === undefined || c.view.getUint16(c.pos + 4) === node.version;
}

function readEntry(c: Cursor, it: StreamedLayout, root: Builder, outer: SeqBuilder | undefined, count: number, entryEnd = -1): void {
  if (outer) {
    // A split collection member: one header for the entry (left out by some writers when the collection is empty), then one value per item.
    let end: number | undefined,
      memberwise = false;
    if (it.header && (count > 0 || entryEnd > c.pos)) ({ end, memberwise } = header(c));
    for (let k = 0; k < count; k++) readInto(c, it.node, root, memberwise);
    if (end !== undefined) c.pos = end;
    outer.offsets.close(Math.max(0, count));
    return;
  }
  if (!it.header) {
    const node = it.node;
    if (node.t === "record" && !node.tobject && !startsWithOwnHeader(c, node, entryEnd)) {
      // An object stored whole as a branch's value may be written without its version header (its members only).
      readFields(c, node, root as RecordBuilder);
      return;
    }
    readInto(c, node, root);
    return;
  }
  const h = header(c);
  readInto(c, it.node, root, h.memberwise);
  if (h.end !== undefined) c.pos = h.end;
}
