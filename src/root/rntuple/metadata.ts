import { HepflowError, type ErrorPlace } from "../../util/index.js";
import { LEReader } from "./bytes.js";
import { xxh3_64 } from "./checksum.js";

/** Where a block lives in the file: byte offset and stored (compressed) size. */
export interface Locator {
  offset: number;
  size: number;
}

/** A locator plus the uncompressed size of the envelope it points to. */
export interface EnvelopeLink {
  length: number;
  locator: Locator;
}

/** The `ROOT::RNTuple` anchor: format version and where header and footer are. */
export interface Anchor {
  version: [number, number, number, number];
  seekHeader: number;
  nbytesHeader: number;
  lenHeader: number;
  seekFooter: number;
  nbytesFooter: number;
  lenFooter: number;
  maxKeySize: number;
}

/** One field record of the schema. */
export interface FieldDescriptor {
  id: number;
  fieldVersion: number;
  typeVersion: number;
  parentId: number;
  /** 0 leaf, 1 collection, 2 record, 3 variant, 4 streamer. */
  role: number;
  flags: number;
  name: string;
  typeName: string;
  typeAlias: string;
  description: string;
  /** Set for repetitive (fixed-size array) fields. */
  arraySize?: number;
  /** Set for projected fields: the field whose columns this one aliases. */
  sourceId?: number;
}

/** One physical column record of the schema. */
export interface ColumnDescriptor {
  /** Physical column id: index in header+extension serialization order. */
  id: number;
  type: number;
  bits: number;
  fieldId: number;
  flags: number;
  representation: number;
  /** Deferred columns: index of the first stored element (0 otherwise); negative means deferred and suppressed. */
  firstElement: number;
  min?: number;
  max?: number;
}

/** An alias column: a projected field's view of a physical column. */
export interface AliasColumn {
  physicalId: number;
  fieldId: number;
}

/** Fields, columns and alias columns of a header or schema extension. */
export interface SchemaDescription {
  fields: FieldDescriptor[];
  columns: ColumnDescriptor[];
  aliases: AliasColumn[];
}

export interface Header extends SchemaDescription {
  featureFlags: bigint[];
  name: string;
  description: string;
  writer: string;
  checksum: bigint;
}

export interface ClusterGroup {
  minEntry: number;
  entrySpan: number;
  numClusters: number;
  pageList: EnvelopeLink;
}

export interface Footer {
  featureFlags: bigint[];
  headerChecksum: bigint;
  extension: SchemaDescription;
  clusterGroups: ClusterGroup[];
}

/** One page of one column in one cluster. */
export interface PageInfo {
  numElements: number;
  hasChecksum: boolean;
  locator: Locator;
}

/** The pages of one column in one cluster; `suppressed` columns belong to an inactive representation. */
export interface ColumnRange {
  pages: PageInfo[];
  /** Index of the column's first element in this cluster, counted over the whole RNTuple. */
  firstElement: number;
  numElements: number;
  suppressed: boolean;
  compression: number;
}

export interface ClusterInfo {
  firstEntry: number;
  numEntries: number;
  /** Indexed by physical column id; columns added later may be missing (undefined). */
  columns: (ColumnRange | undefined)[];
}

const ENVELOPE_HEADER = 1,
  ENVELOPE_FOOTER = 2,
  ENVELOPE_PAGELIST = 3;

/** Parses the anchor object's payload (big-endian, after the streamer's byte count and version) and checks its XXH3. */
export function parseAnchor(payload: Uint8Array, place: ErrorPlace): Anchor {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  // Streamed with a ROOT byte count (flag 0x40000000) and a class version in front.
  let start = 0;
  if (payload.length >= 6 && (view.getUint32(0, false) & 0x40000000) !== 0) start = 6;
  const fieldsLen = 8 + 7 * 8;
  if (payload.length < start + fieldsLen + 8) {
    throw new HepflowError("RNTUPLE_TRUNCATED", `RNTuple anchor has ${payload.length} bytes, needs ${start + fieldsLen + 8}`, place);
  }
  const u16 = (o: number) => view.getUint16(start + o, false);
  const u64 = (o: number) => Number(view.getBigUint64(start + o, false));
  const anchor: Anchor = {
    version: [u16(0), u16(2), u16(4), u16(6)],
    seekHeader: u64(8),
    nbytesHeader: u64(16),
    lenHeader: u64(24),
    seekFooter: u64(32),
    nbytesFooter: u64(40),
    lenFooter: u64(48),
    maxKeySize: u64(56),
  };
  const stored = view.getBigUint64(start + fieldsLen, false);
  const actual = xxh3_64(payload.subarray(start, start + fieldsLen));
  if (stored !== actual) {
    throw new HepflowError("RNTUPLE_CHECKSUM", `RNTuple anchor checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}); the file is corrupt`, place);
  }
  if (anchor.version[0] !== 1) {
    throw new HepflowError("ROOT_UNSUPPORTED", `RNTuple format epoch ${anchor.version[0]} (version ${anchor.version.join(".")}) is not supported; hepflow reads epoch 1 (ROOT >= 6.34)`, place);
  }
  return anchor;
}

/** Checks an envelope's type, length and trailing XXH3; returns a reader positioned after the preamble. */
export function openEnvelope(bytes: Uint8Array, expectedType: number, what: string, place: ErrorPlace): { reader: LEReader; checksum: bigint } {
  const p = { ...place, object: `${place.object ?? "RNTuple"} ${what}` };
  if (bytes.length < 16) throw new HepflowError("RNTUPLE_TRUNCATED", `${what} envelope has only ${bytes.length} bytes`, p);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const typeAndLength = view.getBigUint64(0, true);
  const type = Number(typeAndLength & 0xffffn);
  const length = Number(typeAndLength >> 16n);
  if (type !== expectedType) throw new HepflowError("RNTUPLE_CORRUPT", `${what} envelope has type ${type}, expected ${expectedType}`, p);
  if (length !== bytes.length) throw new HepflowError("RNTUPLE_TRUNCATED", `${what} envelope says ${length} bytes, ${bytes.length} were read`, p);
  const stored = view.getBigUint64(length - 8, true);
  const actual = xxh3_64(bytes.subarray(0, length - 8));
  if (stored !== actual) {
    throw new HepflowError("RNTUPLE_CHECKSUM", `${what} envelope checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}); the file is corrupt`, p);
  }
  return { reader: new LEReader(bytes, p, 8, length - 8), checksum: stored };
}

function featureFlags(r: LEReader): bigint[] {
  const flags: bigint[] = [];
  for (;;) {
    const f = r.i64big();
    flags.push(f);
    if (f >= 0n) break;
  }
  // No feature flag is defined in format 1.0: any set bit is a feature this reader does not know.
  if (flags.some((f) => f !== 0n)) {
    throw new HepflowError("ROOT_UNSUPPORTED", `RNTuple uses unknown format features (flags ${flags.map(hex).join(",")}); a newer reader is needed`, r.place);
  }
  return flags;
}

function readLocator(r: LEReader): Locator {
  const start = r.pos;
  const head = r.i32();
  if (head >= 0) return { size: head, offset: r.u64("locator offset") };
  const raw = head >>> 0;
  const size = raw & 0xffff;
  const type = (raw >>> 24) & 0x7f;
  if (type !== 1) throw new HepflowError("ROOT_UNSUPPORTED", `locator of type ${type} at envelope byte ${start} is not supported (only file locators)`, r.place);
  const locator = { size: r.u64("large locator size"), offset: r.u64("large locator offset") };
  r.pos = start + size;
  return locator;
}

function readEnvelopeLink(r: LEReader): EnvelopeLink {
  const length = r.u64("envelope length");
  return { length, locator: readLocator(r) };
}

function readSchema(r: LEReader, fieldBase: number, columnBase: number, end: number): SchemaDescription {
  const fields = r.list("field list", (i) =>
    r.record("field", () => {
      const f: FieldDescriptor = {
        id: fieldBase + i,
        fieldVersion: r.u32(),
        typeVersion: r.u32(),
        parentId: r.u32(),
        role: r.u16(),
        flags: r.u16(),
        name: r.str(),
        typeName: r.str(),
        typeAlias: r.str(),
        description: r.str(),
      };
      if (f.flags & 0x01) f.arraySize = r.u64("array size");
      if (f.flags & 0x02) f.sourceId = r.u32();
      if (f.flags & 0x04) r.u32();
      return f;
    }),
  );
  if (r.pos >= end) return { fields, columns: [], aliases: [] };
  const columns = r.list("column list", (i) =>
    r.record("column", () => {
      const c: ColumnDescriptor = {
        id: columnBase + i,
        type: r.u16(),
        bits: r.u16(),
        fieldId: r.u32(),
        flags: r.u16(),
        representation: r.u16(),
        firstElement: 0,
      };
      if (c.flags & 0x01) c.firstElement = r.i64("first element index");
      if (c.flags & 0x02) {
        c.min = r.f64();
        c.max = r.f64();
      }
      return c;
    }),
  );
  if (r.pos >= end) return { fields, columns, aliases: [] };
  const aliases = r.list("alias column list", () => r.record("alias column", () => ({ physicalId: r.u32(), fieldId: r.u32() })));
  // Extra type information (streamer infos for streamer fields) is not needed to read columns.
  if (r.pos < end) r.list("extra type info list", () => r.record("extra type info", () => undefined));
  return { fields, columns, aliases };
}

/** Parses the (decompressed) header envelope. */
export function parseHeader(bytes: Uint8Array, place: ErrorPlace): Header {
  const { reader: r, checksum } = openEnvelope(bytes, ENVELOPE_HEADER, "header", place);
  const flags = featureFlags(r);
  const name = r.str();
  const description = r.str();
  const writer = r.str();
  const schema = readSchema(r, 0, 0, r.end);
  return { featureFlags: flags, name, description, writer, checksum, ...schema };
}

/** Parses the footer envelope; `header` gives the id bases for the schema extension. */
export function parseFooter(bytes: Uint8Array, header: Header, place: ErrorPlace): Footer {
  const { reader: r } = openEnvelope(bytes, ENVELOPE_FOOTER, "footer", place);
  const flags = featureFlags(r);
  const headerChecksum = r.u64big();
  if (headerChecksum !== header.checksum) {
    throw new HepflowError("RNTUPLE_CHECKSUM", `footer belongs to a different header (header checksum ${hex(headerChecksum)} vs ${hex(header.checksum)})`, r.place);
  }
  const extension = r.record("schema extension", (end) => (r.pos >= end ? { fields: [], columns: [], aliases: [] } : readSchema(r, header.fields.length, header.columns.length, end)));
  const clusterGroups = r.list("cluster group list", () =>
    r.record("cluster group", () => ({
      minEntry: r.u64("cluster group first entry"),
      entrySpan: r.u64("cluster group entry span"),
      numClusters: r.u32(),
      pageList: readEnvelopeLink(r),
    })),
  );
  return { featureFlags: flags, headerChecksum, extension, clusterGroups };
}

/** Parses one page list envelope into its clusters. */
export function parsePageList(bytes: Uint8Array, header: Header, place: ErrorPlace): ClusterInfo[] {
  const { reader: r } = openEnvelope(bytes, ENVELOPE_PAGELIST, "page list", place);
  const headerChecksum = r.u64big();
  if (headerChecksum !== header.checksum) {
    throw new HepflowError("RNTUPLE_CHECKSUM", `page list belongs to a different header (header checksum ${hex(headerChecksum)} vs ${hex(header.checksum)})`, r.place);
  }
  const summaries = r.list("cluster summary list", () =>
    r.record("cluster summary", () => {
      const firstEntry = r.u64("cluster first entry");
      const word = r.u64big();
      const clusterFlags = Number(word >> 56n);
      if (clusterFlags & 0x01) throw new HepflowError("ROOT_UNSUPPORTED", "sharded clusters (cluster flag 0x01) are not supported", r.place);
      return { firstEntry, numEntries: Number(word & 0xffffffffffffffn) };
    }),
  );
  const columnsPerCluster = r.list("cluster page locations", () =>
    r.list("column page list", () => {
      const start = r.pos;
      const size = -r.i64("page list frame size");
      if (size < 12 || start + size > r.end) throw new HepflowError("RNTUPLE_CORRUPT", `page list frame at envelope byte ${start} is malformed`, r.place);
      const n = r.u32();
      const pages: PageInfo[] = [];
      let numElements = 0;
      for (let i = 0; i < n; i++) {
        const e = r.i32();
        const page = { numElements: Math.abs(e), hasChecksum: e < 0, locator: readLocator(r) };
        numElements += page.numElements;
        pages.push(page);
      }
      const offset = r.i64big();
      const suppressed = offset < 0n;
      const compression = suppressed ? 0 : r.u32();
      r.pos = start + size;
      const firstElement = suppressed ? -1 : Number(offset);
      return { pages, firstElement, numElements, suppressed, compression } as ColumnRange;
    }),
  );
  if (columnsPerCluster.length !== summaries.length) {
    throw new HepflowError("RNTUPLE_CORRUPT", `page list has ${summaries.length} cluster summaries but ${columnsPerCluster.length} page location lists`, r.place);
  }
  return summaries.map((s, i) => ({ ...s, columns: columnsPerCluster[i]! }));
}

function hex(v: bigint): string {
  return "0x" + BigInt.asUintN(64, v).toString(16);
}
