/**
 * Streaming RNTuple writer: takes column chunks like the TTree writer, buffers one cluster,
 * then cuts each column into pages, encodes (split/zigzag/delta/bits), compresses, checksums and
 * writes the cluster's pages as one blob. At close: page list, footer and the `ROOT::RNTuple`
 * anchor key. Memory holds at most one cluster plus its compressed pages.
 */
import { HepflowError, Jagged, type Column, type Columns, type NumericArray } from "../../../util/index.js";
import { compress, CODEC_IDS, parseCompression, type CompressionSetting } from "../../compression.js";
import { xxh3_64 } from "../../rntuple/checksum.js";
import { allocate, copyInto, storageBits, type ArrayKind } from "../../rntuple/columntypes.js";
import type { DirState, RootWriter } from "../file.js";
import { datimeNow, keyHeaderLength, writeKeyHeader } from "../keys.js";
import type { BranchSpec, TreeSchema } from "../tree.js";
import { WBuffer } from "../wbuffer.js";
import { encodePage } from "./encode.js";
import { anchorPayload, footerEnvelope, headerEnvelope, pageListEnvelope, type ClusterRecord, type Locator } from "./metadata.js";
import { buildSchema, type WriterSchema } from "./schema.js";

export interface RNTupleWriterOptions {
  description?: string;
  /** Entries per cluster; by default a cluster is closed once `clusterBytes` are buffered. */
  entriesPerCluster?: number;
  /** Uncompressed bytes buffered before a cluster is written (default 32 MiB). */
  clusterBytes?: number;
  /** Target uncompressed bytes per page (default 64 KiB). */
  pageBytes?: number;
  /** Page and envelope compression ("zstd:5", "lz4", "none", …); default: the file's setting. */
  compression?: string | CompressionSetting;
}

/** ROOT's default for RNTuple limits one key to 1 GiB. */
const MAX_KEY_SIZE = 1 << 30;
const utf8 = new TextEncoder();

/** An RNTuple being written; obtain one from `RootWriter.writeRNTuple`. */
export class RNTupleWriter {
  private readonly schema: WriterSchema;
  private readonly setting: CompressionSetting;
  private readonly headerChecksum: bigint;
  private readonly header: { offset: number; stored: number; length: number };
  /** Buffered parts per physical column for the open cluster, and their element counts. */
  private parts: NumericArray[][];
  private counts: number[];
  private bufferedBytes = 0;
  private clusterEntries = 0;
  private entries = 0;
  /** Elements written per column before the open cluster. */
  private readonly written: number[];
  private readonly clusters: ClusterRecord[] = [];
  private closed = false;

  /** @internal */
  constructor(
    private readonly file: RootWriter,
    private readonly dir: DirState,
    readonly name: string,
    specs: TreeSchema,
    private readonly options: RNTupleWriterOptions,
    private readonly onClose: () => void,
  ) {
    this.schema = buildSchema(specs, { file: file.path, object: name });
    const c = options.compression;
    this.setting = c === undefined ? file.compression : typeof c === "string" ? parseCompression(c) : c;
    const n = this.schema.columns.length;
    this.parts = Array.from({ length: n }, () => []);
    this.counts = new Array<number>(n).fill(0);
    this.written = new Array<number>(n).fill(0);
    const h = headerEnvelope(name, options.description ?? "", this.schema.fields, this.schema.columns);
    this.headerChecksum = h.checksum;
    const stored = compress(h.bytes, this.setting);
    this.header = { offset: this.blob([stored]), stored: stored.length, length: h.bytes.length };
    file.useClass("ROOT::RNTuple");
  }

  private fail(msg: string): never {
    throw new HepflowError("ROOT_WRITE", msg, { file: this.file.path, object: this.name });
  }

  /** Entries written so far, including the open cluster. */
  get length(): number {
    return this.entries + this.clusterEntries;
  }

  /**
   * Appends a chunk: one column per field, all of one length. Collection columns are `Jagged`;
   * a NanoAOD counter column (`nJet`) may be omitted when a collection counted by it is present.
   */
  write(columns: Columns): void {
    if (this.closed) this.fail("the RNTuple writer is already closed");
    let n = -1;
    const cols: Column[] = this.schema.feeds.map((f) => {
      const col = columns[f.spec.name] ?? this.deriveCounter(f.spec, columns);
      if (col === undefined) this.fail(`chunk has no column for field ${f.spec.name}`);
      if (f.kind === "collection" && !(col instanceof Jagged)) this.fail(`field ${f.spec.name} is a collection but its column is not jagged`);
      if (f.kind === "string" && !Array.isArray(col)) this.fail(`field ${f.spec.name} holds strings but its column is not a string array`);
      if (f.kind === "scalar" && (col instanceof Jagged || Array.isArray(col))) this.fail(`field ${f.spec.name} holds numbers but its column is ${col instanceof Jagged ? "jagged" : "strings"}`);
      const len = col instanceof Jagged ? col.length : col.length;
      if (n >= 0 && len !== n) this.fail(`column ${f.spec.name} has ${len} entries, others ${n}`);
      n = len;
      return col;
    });
    if (n <= 0) return;
    const per = this.options.entriesPerCluster;
    let at = 0;
    while (at < n) {
      const room = per ? per - this.clusterEntries : n - at;
      const take = Math.min(room, n - at);
      this.append(cols, at, at + take);
      at += take;
      if ((per && this.clusterEntries >= per) || (!per && this.bufferedBytes >= (this.options.clusterBytes ?? 32 << 20))) this.flushCluster();
    }
  }

  private deriveCounter(spec: BranchSpec, columns: Columns): Column | undefined {
    const user = this.schema.feeds.find((f) => f.spec.counter === spec.name && columns[f.spec.name] instanceof Jagged);
    if (!user) return undefined;
    const j = columns[user.spec.name] as Jagged;
    const out = spec.type === "u32" ? new Uint32Array(j.length) : new Int32Array(j.length);
    for (let i = 0; i < j.length; i++) out[i] = j.offsets[i + 1]! - j.offsets[i]!;
    return out;
  }

  private push(column: number, values: NumericArray): void {
    this.parts[column]!.push(values);
    this.counts[column]! += values.length;
    this.bufferedBytes += values.byteLength;
  }

  /** Buffers entries [from, to) of every column into the open cluster. */
  private append(cols: Column[], from: number, to: number): void {
    this.schema.feeds.forEach((f, k) => {
      const col = cols[k]!;
      if (f.kind === "scalar") this.push(f.columns[0]!, convert(col as NumericArray, from, to, f.spec));
      else if (f.kind === "string") {
        const strings = col as string[];
        const off = new Float64Array(to - from);
        const bytes: Uint8Array[] = [];
        let total = this.counts[f.columns[1]!]!;
        let size = 0;
        for (let i = from; i < to; i++) {
          const b = utf8.encode(strings[i]!);
          bytes.push(b);
          total += b.length;
          size += b.length;
          off[i - from] = total;
        }
        const chars = new Uint8Array(size);
        let o = 0;
        for (const b of bytes) {
          chars.set(b, o);
          o += b.length;
        }
        this.push(f.columns[0]!, off);
        this.push(f.columns[1]!, chars);
      } else {
        const j = col as Jagged;
        if (j.content instanceof Jagged || Array.isArray(j.content)) this.fail(`field ${f.spec.name}: only collections of numbers are written`);
        const base = this.counts[f.columns[1]!]!;
        const first = j.offsets[from]!;
        const off = new Float64Array(to - from);
        for (let i = from; i < to; i++) off[i - from] = base + j.offsets[i + 1]! - first;
        this.push(f.columns[0]!, off);
        this.push(f.columns[1]!, convert(j.content as NumericArray, first, j.offsets[to]!, f.spec));
      }
    });
    this.clusterEntries += to - from;
  }

  /** Writes the open cluster's pages as one blob and records their locations. */
  private flushCluster(): void {
    if (this.clusterEntries === 0) return;
    const compression = this.setting.codec === "none" ? 0 : CODEC_IDS[this.setting.codec] * 100 + this.setting.level;
    const pageBytes = this.options.pageBytes ?? 64 * 1024;
    const stored: Uint8Array[] = [];
    const pending: { column: number; numElements: number; at: number; size: number }[] = [];
    let at = 0;
    this.schema.columns.forEach((c, id) => {
      const values = concat(this.parts[id]!, this.counts[id]!);
      const width = Math.max(1, storageBits(c.type, c.bits) / 8);
      // Whole bytes for bit columns: a page of booleans holds a multiple of 8 elements.
      const perPage = Math.max(8, Math.floor(pageBytes / width) & ~7);
      for (let p = 0; p < values.length; p += perPage) {
        const page = values.subarray(p, Math.min(values.length, p + perPage));
        const body = compress(encodePage(page, c.type), this.setting);
        const sum = new Uint8Array(8);
        new DataView(sum.buffer).setBigUint64(0, xxh3_64(body), true);
        stored.push(body, sum);
        pending.push({ column: id, numElements: page.length, at, size: body.length });
        at += body.length + 8;
      }
    });
    const offset = this.blob(stored);
    const columns = this.schema.columns.map((_, id) => ({ pages: [] as { numElements: number; locator: Locator }[], firstElement: this.written[id]!, compression }));
    for (const p of pending) columns[p.column]!.pages.push({ numElements: p.numElements, locator: { offset: offset + p.at, size: p.size } });
    this.clusters.push({ firstEntry: this.entries, numEntries: this.clusterEntries, columns });
    this.schema.columns.forEach((_, id) => {
      this.written[id]! += this.counts[id]!;
    });
    this.entries += this.clusterEntries;
    this.clusterEntries = 0;
    this.bufferedBytes = 0;
    this.parts = this.parts.map(() => []);
    this.counts.fill(0);
  }

  /** Appends `parts` as one RBlob key (not listed in any directory, as ROOT does); returns the payload offset. */
  private blob(parts: Uint8Array[]): number {
    const length = parts.reduce((s, p) => s + p.length, 0);
    const seekKey = this.file.end;
    const big = seekKey > 2 ** 31 - 1;
    const keyLen = keyHeaderLength("RBlob", "", "", big);
    const b = new WBuffer(0, keyLen);
    writeKeyHeader(b, { nbytes: keyLen + length, objLen: length, datime: datimeNow(), keyLen, cycle: 1, seekKey, seekPdir: this.dir.seekDir, className: "RBlob", name: "", title: "" });
    this.file.pwrite(b.bytes(), seekKey);
    let at = seekKey + keyLen;
    for (const p of parts) {
      this.file.pwrite(p, at);
      at += p.length;
    }
    this.file.end = at;
    return seekKey + keyLen;
  }

  /** Writes the last cluster, the page list, the footer and the anchor key. */
  close(): void {
    if (this.closed) return;
    this.flushCluster();
    this.closed = true;
    const pageList = pageListEnvelope(this.headerChecksum, this.clusters);
    const pl = compress(pageList, this.setting);
    const plOffset = this.blob([pl]);
    const footer = footerEnvelope(this.headerChecksum, { numEntries: this.entries, numClusters: this.clusters.length, pageListLength: pageList.length, pageList: { offset: plOffset, size: pl.length } });
    const ft = compress(footer, this.setting);
    const ftOffset = this.blob([ft]);
    const anchor = anchorPayload(
      {
        seekHeader: this.header.offset,
        nbytesHeader: this.header.stored,
        lenHeader: this.header.length,
        seekFooter: ftOffset,
        nbytesFooter: ft.length,
        lenFooter: footer.length,
      },
      MAX_KEY_SIZE,
    );
    this.file.writeKey(this.dir, "ROOT::RNTuple", this.name, "", anchor, false);
    this.onClose();
  }
}

const KIND: Record<string, ArrayKind> = { bool: "u8" };

/** Entries [from, to) of `src` in the field's value type (a C-style cast, like the TTree writer). */
function convert(src: NumericArray, from: number, to: number, spec: BranchSpec): NumericArray {
  const kind = KIND[spec.type] ?? (spec.type as ArrayKind);
  const part = src.subarray(from, to);
  if (spec.type === "bool") {
    const out = new Uint8Array(part.length);
    for (let i = 0; i < part.length; i++) out[i] = part[i] ? 1 : 0;
    return out;
  }
  const out = allocate(kind, part.length);
  if (out.constructor === part.constructor) return part.slice();
  copyInto(out, part, 0);
  return out;
}

function concat(parts: NumericArray[], n: number): NumericArray {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return new Uint8Array(0);
  const out = new (parts[0]!.constructor as new (n: number) => NumericArray)(n);
  let at = 0;
  for (const p of parts) {
    (out as Float64Array).set(p as Float64Array, at);
    at += p.length;
  }
  return out;
}
