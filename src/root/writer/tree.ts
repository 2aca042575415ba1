/**
 * Streaming TTree writer: takes column chunks, cuts them into baskets of a fixed number of
 * entries (one cluster = one basket per branch) and writes each basket as soon as it is full,
 * so memory holds at most one cluster. The TTree record (branches, leaves, basket index) is
 * written at close. Branches: flat numbers of every type, NanoAOD-style collections (a counter
 * branch `nJet` and `Jet_pt[nJet]` leaves sharing it) and strings.
 */
import { HepflowError, Jagged, type Column, type Columns, type NumericArray } from "../../util/index.js";
import { compress, CODEC_IDS } from "../compression.js";
import { WBuffer } from "./wbuffer.js";
import type { DirState, RootWriter } from "./file.js";
import { datimeNow, keyHeaderLength, writeKeyHeader } from "./keys.js";
import { toBigEndian, TYPE_INFO, type LeafType } from "./leaftypes.js";
import { STREAMER_DEFS } from "./streamerdefs.js";

export type { LeafType } from "./leaftypes.js";

/** One branch: a number per entry, a collection element (with `counter`), or a string. */
export interface BranchSpec {
  name: string;
  type: LeafType | "string";
  /** Name of the counter branch for collection branches (`Jet_pt` → "nJet"). */
  counter?: string;
  /** Store a Jagged column as `std::vector<type>` (one TBranchElement) instead of a counted leaf. */
  vector?: boolean;
  title?: string;
}

export type TreeSchema = BranchSpec[];

export interface TreeWriterOptions {
  title?: string;
  /** Target uncompressed bytes of the widest branch's basket (default 256 000). */
  basketSize?: number;
  /** Entries per basket (= per cluster); overrides basketSize. */
  entriesPerBasket?: number;
}

interface LeafState {
  spec: BranchSpec;
  className: string;
  counterLeaf: LeafState | null;
  isCounter: boolean;
  maximum: number;
  obj: object;
}

interface BranchState {
  leaf: LeafState;
  basketBytes: number[];
  basketEntry: number[];
  basketSeek: number[];
  totBytes: number;
  zipBytes: number;
}

/** A TTree being written; obtain one from `RootWriter.writeTree`. */
export class TreeWriter {
  private readonly branches: BranchState[] = [];
  private readonly byName = new Map<string, BranchState>();
  private pending: Columns[] = [];
  /** Pending chunks whose memory the writer owns (copies), as opposed to the caller's arrays. */
  private readonly owned = new WeakSet<Columns>();
  private pendingEntries = 0;
  private entries = 0;
  private perBasket: number;
  private closed = false;
  private totBytes = 0;
  private zipBytes = 0;

  /** @internal */
  constructor(
    private readonly file: RootWriter,
    private readonly dir: DirState,
    readonly name: string,
    readonly schema: TreeSchema,
    private readonly options: TreeWriterOptions,
    private readonly onClose: () => void,
  ) {
    this.perBasket = options.entriesPerBasket ?? 0;
    const counters = new Set(schema.filter((s) => s.counter).map((s) => s.counter!));
    for (const spec of schema) {
      if (this.byName.has(spec.name)) this.fail(`branch ${spec.name} appears twice in the schema`);
      if (spec.type !== "string" && !TYPE_INFO[spec.type]) this.fail(`branch ${spec.name} has unknown type ${String(spec.type)}`);
      if (spec.vector && (spec.type === "string" || spec.counter)) this.fail(`vector branch ${spec.name} must be numeric and have no counter`);
      const className = spec.vector ? "TLeafElement" : spec.type === "string" ? "TLeafC" : TYPE_INFO[spec.type].leafClass;
      const leaf: LeafState = { spec, className, counterLeaf: null, isCounter: counters.has(spec.name), maximum: 0, obj: {} };
      const b: BranchState = { leaf, basketBytes: [], basketEntry: [], basketSeek: [], totBytes: 0, zipBytes: 0 };
      this.branches.push(b);
      this.byName.set(spec.name, b);
    }
    for (const b of this.branches) {
      const spec = b.leaf.spec;
      if (!spec.counter) continue;
      const c = this.byName.get(spec.counter);
      if (!c) this.fail(`branch ${spec.name} counts with ${spec.counter}, which is not in the schema`);
      if (c.leaf.spec.type !== "i32" && c.leaf.spec.type !== "u32") this.fail(`counter branch ${spec.counter} must be i32 or u32`);
      if (spec.type === "string") this.fail(`collection branch ${spec.name} cannot hold strings`);
      b.leaf.counterLeaf = c.leaf;
    }
    file.useClass("TTree", "TBranch", ...new Set(this.branches.map((b) => b.leaf.className)));
    for (const b of this.branches) if (b.leaf.spec.vector) file.useClass("TBranchElement", vectorClass(b.leaf.spec.type as LeafType));
  }

  private fail(msg: string): never {
    throw new HepflowError("ROOT_WRITE", msg, { file: this.file.path, object: this.name });
  }

  /** Number of entries written so far (including those still buffered). */
  get length(): number {
    return this.entries + this.pendingEntries;
  }

  /**
   * Appends a chunk: one column per schema branch, all of the same length. Collection columns
   * are `Jagged`; their counter column may be omitted (it is derived from the offsets).
   */
  write(columns: Columns): void {
    if (this.closed) this.fail("the tree writer is already closed");
    let n = -1;
    const chunk: Columns = {};
    for (const b of this.branches) {
      const spec = b.leaf.spec;
      let col: Column | undefined = columns[spec.name];
      if (col === undefined && b.leaf.isCounter) col = this.deriveCounter(spec.name, columns);
      if (col === undefined) this.fail(`chunk has no column for branch ${spec.name}`);
      const len = col instanceof Jagged ? col.length : col.length;
      if (n < 0) n = len;
      else if (len !== n) this.fail(`column ${spec.name} has ${len} entries, others have ${n}`);
      if ((spec.counter || spec.vector) && !(col instanceof Jagged)) this.fail(`collection branch ${spec.name} needs a Jagged column`);
      if (!spec.counter && !spec.vector && col instanceof Jagged) this.fail(`branch ${spec.name} is not a collection but got a Jagged column`);
      chunk[spec.name] = col;
    }
    if (n <= 0) return;
    this.checkCounts(chunk, n);
    if (this.perBasket === 0) this.perBasket = this.chooseBasketEntries(chunk, n);
    this.pending.push(chunk);
    this.pendingEntries += n;
    while (this.pendingEntries >= this.perBasket) this.flush(this.perBasket);
    // What stays buffered (less than one basket) is copied, so callers may reuse their arrays.
    this.pending = this.pending.map((c) => (this.owned.has(c) ? c : this.own(copyColumns(c))));
  }

  /** A counted collection must have exactly as many elements per entry as its counter says. */
  private checkCounts(chunk: Columns, n: number): void {
    const verified = new Set<Int32Array>();
    for (const b of this.branches) {
      const spec = b.leaf.spec;
      if (!spec.counter) continue;
      const j = chunk[spec.name] as Jagged;
      if (verified.has(j.offsets)) continue;
      const counts = chunk[spec.counter] as ArrayLike<number>;
      for (let i = 0; i < n; i++) {
        if (j.offsets[i + 1]! - j.offsets[i]! !== Number(counts[i])) {
          this.fail(`entry ${i} of the chunk: ${spec.name} has ${j.offsets[i + 1]! - j.offsets[i]!} elements but ${spec.counter} says ${Number(counts[i])}`);
        }
      }
      verified.add(j.offsets);
    }
  }

  private own(c: Columns): Columns {
    this.owned.add(c);
    return c;
  }

  private deriveCounter(name: string, columns: Columns): Column | undefined {
    for (const b of this.branches) {
      const col = columns[b.leaf.spec.name];
      if (b.leaf.spec.counter === name && col instanceof Jagged) {
        const out = new Int32Array(col.length);
        for (let i = 0; i < out.length; i++) out[i] = col.offsets[i + 1]! - col.offsets[i]!;
        return this.byName.get(name)!.leaf.spec.type === "u32" ? new Uint32Array(out.buffer) : out;
      }
    }
    return undefined;
  }

  private chooseBasketEntries(chunk: Columns, n: number): number {
    const target = this.options.basketSize ?? 256_000;
    let widest = 1;
    for (const b of this.branches) {
      const col = chunk[b.leaf.spec.name]!;
      let bytes: number;
      if (col instanceof Jagged) bytes = ((col.offsets[n]! - col.offsets[0]!) * TYPE_INFO[b.leaf.spec.type as LeafType].size) / n + (b.leaf.spec.vector ? 14 : 4);
      else if (Array.isArray(col)) bytes = col.reduce((s, x) => s + Buffer.byteLength(x) + 5, 0) / n;
      else bytes = TYPE_INFO[b.leaf.spec.type as LeafType].size;
      widest = Math.max(widest, bytes);
    }
    return Math.max(1, Math.floor(target / widest));
  }

  /** Writes one basket per branch holding the first `n` pending entries. */
  private flush(n: number): void {
    const take: Columns[] = [];
    let need = n;
    while (need > 0) {
      const c = this.pending[0]!;
      const len = lengthOf(c);
      if (len <= need) {
        take.push(c);
        this.pending.shift();
        need -= len;
      } else {
        take.push(sliceColumns(c, 0, need));
        const rest = sliceColumns(c, need, len);
        this.pending[0] = this.owned.has(c) ? this.own(rest) : rest;
        need = 0;
      }
    }
    this.pendingEntries -= n;
    for (const b of this.branches)
      this.writeBasket(
        b,
        take.map((c) => c[b.leaf.spec.name]!),
        n,
      );
    this.entries += n;
  }

  private writeBasket(b: BranchState, parts: Column[], n: number): void {
    const spec = b.leaf.spec;
    const seekKey = this.file.end;
    const big = seekKey > 2 ** 31 - 1;
    // The basket header (version, buffer size, entry size, entries, last, flag) is part of the key.
    const keyLen = keyHeaderLength("TBasket", spec.name, this.name, big) + 19;
    let data: Uint8Array;
    let offsets: Int32Array | null = null;
    if (spec.type === "string") {
      const strs = (parts as string[][]).flat();
      const bufs = strs.map((s) => Buffer.from(s, "utf8"));
      const size = bufs.reduce((s, x) => s + x.length + (x.length < 255 ? 1 : 5), 0);
      data = new Uint8Array(size);
      offsets = new Int32Array(n + 1);
      const w = new WBuffer(0, size);
      bufs.forEach((_x, i) => {
        offsets![i] = keyLen + w.pos;
        w.tstring(strs[i]!);
      });
      data.set(w.bytes());
    } else if (spec.vector) {
      ({ data, offsets } = vectorBasket(parts as Jagged[], spec.type, n, keyLen));
    } else if (spec.counter) {
      const size = TYPE_INFO[spec.type].size;
      const contents = (parts as Jagged[]).map((j) => (j.content as NumericArray).subarray(j.offsets[0]!, j.offsets[j.length]!) as NumericArray);
      data = toBigEndian(contents, spec.type);
      offsets = new Int32Array(n + 1);
      let e = 0;
      let base = 0;
      for (const j of parts as Jagged[]) {
        const o0 = j.offsets[0]!;
        for (let i = 0; i < j.length; i++) offsets[e++] = keyLen + (base + j.offsets[i]! - o0) * size;
        base += j.offsets[j.length]! - o0;
      }
    } else {
      data = toBigEndian(parts as NumericArray[], spec.type);
      if (b.leaf.isCounter) for (const p of parts as NumericArray[]) for (let i = 0; i < p.length; i++) b.leaf.maximum = Math.max(b.leaf.maximum, Number(p[i]));
    }
    let payload = data;
    if (offsets) {
      // Entry offsets follow the data: their count, then one per entry plus a trailing 0.
      payload = new Uint8Array(data.length + 4 + 4 * (n + 1));
      payload.set(data);
      const dv = new DataView(payload.buffer);
      dv.setInt32(data.length, n + 1);
      for (let i = 0; i < n; i++) dv.setInt32(data.length + 4 + 4 * i, offsets[i]!);
      dv.setInt32(data.length + 4 + 4 * n, 0);
    }
    const stored = compress(payload, this.file.compression);
    const nbytes = keyLen + stored.length;
    const h = new WBuffer(0, keyLen);
    writeKeyHeader(h, { nbytes, objLen: payload.length, datime: datimeNow(), keyLen, cycle: 1, seekKey, seekPdir: this.dir.seekDir, className: "TBasket", name: spec.name, title: this.name });
    h.i16(3); // TBasket version
    h.i32(keyLen + payload.length); // fBufferSize
    h.i32(offsets ? 1000 : TYPE_INFO[spec.type as LeafType].size); // fNevBufSize
    h.i32(n); // fNevBuf
    h.i32(keyLen + data.length); // fLast
    h.i8(0); // flag: header only, the data follow as the key's payload
    this.file.pwrite(h.bytes(), seekKey);
    this.file.pwrite(stored, seekKey + keyLen);
    this.file.end = seekKey + nbytes;
    b.basketBytes.push(nbytes);
    b.basketEntry.push(this.entries);
    b.basketSeek.push(seekKey);
    b.totBytes += keyLen + payload.length;
    b.zipBytes += nbytes;
    this.totBytes += keyLen + payload.length;
    this.zipBytes += nbytes;
  }

  /** Flushes the last partial basket and writes the TTree record. */
  close(): void {
    if (this.closed) return;
    if (this.pendingEntries > 0) this.flush(this.pendingEntries);
    this.closed = true;
    this.onClose();
    this.file.writeKey(this.dir, "TTree", this.name, this.options.title ?? this.name, (keyLen) => this.serialise(keyLen));
  }

  private serialise(keyLen: number): Uint8Array {
    const b = new WBuffer(keyLen, 4096 + this.branches.length * 512);
    const tree = b.startVersion(20);
    const named = b.startVersion(1);
    b.tobject();
    b.tstring(this.name);
    b.tstring(this.options.title ?? this.name);
    b.endVersion(named);
    attLine(b);
    attFill(b);
    attMarker(b);
    b.i64(this.entries);
    b.i64(this.totBytes);
    b.i64(this.zipBytes);
    b.i64(this.zipBytes); // fSavedBytes
    b.i64(this.zipBytes); // fFlushedBytes
    b.f64(1); // fWeight
    b.i32(0); // fTimerInterval
    b.i32(25); // fScanField
    b.i32(0); // fUpdate
    b.i32(1000); // fDefaultEntryOffsetLen
    b.i32(0); // fNClusterRange: every cluster has fAutoFlush entries
    b.i64(1_000_000_000_000); // fMaxEntries
    b.i64(1_000_000_000_000); // fMaxEntryLoop
    b.i64(0); // fMaxVirtualSize
    b.i64(-300_000_000); // fAutoSave
    b.i64(Math.max(1, this.perBasket)); // fAutoFlush: entries per cluster
    b.i64(1_000_000); // fEstimate
    b.u8(0); // fClusterRangeEnd: none
    b.u8(0); // fClusterSize: none
    ioFeatures(b);
    objArray(b, this.branches, (br) => b.objectAny(br.leaf.spec.vector ? "TBranchElement" : "TBranch", br, () => (br.leaf.spec.vector ? this.writeBranchElement(b, br) : this.writeBranch(b, br))));
    objArray(b, this.branches, (br) => b.objectAny(br.leaf.className, br.leaf.obj, () => this.writeLeaf(b, br.leaf)));
    b.u32(0); // fAliases
    b.i32(0); // fIndexValues
    b.i32(0); // fIndex
    b.u32(0); // fTreeIndex
    b.u32(0); // fFriends
    b.u32(0); // fUserInfo
    b.u32(0); // fBranchRef
    b.endVersion(tree);
    return b.bytes().slice();
  }

  /** A top-level std::vector<T> branch: TBranchElement around a TBranch, as ROOT writes `tree->Branch("v", &vec)`. */
  private writeBranchElement(b: WBuffer, br: BranchState): void {
    const cls = vectorClass(br.leaf.spec.type as LeafType);
    const def = STREAMER_DEFS[cls]!;
    const at = b.startVersion(10);
    this.writeBranch(b, br);
    b.tstring(cls); // fClassName
    b.tstring(""); // fParentName
    b.tstring(""); // fClonesName
    b.u32(def.checksum);
    b.i16(def.version);
    b.i32(-1); // fID: the whole object
    b.i32(0); // fType: top-level branch
    b.i32(-1); // fStreamerType
    b.i32(0); // fMaximum
    b.u32(0); // fBranchCount
    b.u32(0); // fBranchCount2
    b.endVersion(at);
  }

  private writeBranch(b: WBuffer, br: BranchState): void {
    const spec = br.leaf.spec;
    const at = b.startVersion(13);
    const named = b.startVersion(1);
    b.tobject();
    b.tstring(spec.name);
    b.tstring(branchTitle(spec));
    b.endVersion(named);
    attFill(b);
    const c = this.file.compression;
    b.i32(c.codec === "none" ? 0 : CODEC_IDS[c.codec] * 100 + c.level);
    b.i32(this.options.basketSize ?? 32000);
    b.i32(spec.counter || spec.vector || spec.type === "string" ? 1000 : 0); // fEntryOffsetLen
    const nb = br.basketSeek.length;
    b.i32(nb); // fWriteBasket
    b.i64(this.entries); // fEntryNumber
    ioFeatures(b);
    b.i32(0); // fOffset
    const maxBaskets = nb + 1;
    b.i32(maxBaskets);
    b.i32(spec.vector ? 99 : 0); // fSplitLevel
    b.i64(this.entries);
    b.i64(0); // fFirstEntry
    b.i64(br.totBytes);
    b.i64(br.zipBytes);
    objArray(b, [], () => undefined); // fBranches
    objArray(b, [br.leaf], (leaf) => b.objectAny(leaf.className, leaf.obj, () => this.writeLeaf(b, leaf)));
    objArray(b, [], () => undefined); // fBaskets: all on disk
    b.u8(1);
    for (let i = 0; i < maxBaskets; i++) b.i32(br.basketBytes[i] ?? 0);
    b.u8(1);
    for (let i = 0; i < maxBaskets; i++) b.i64(i < nb ? br.basketEntry[i]! : i === nb ? this.entries : 0);
    b.u8(1);
    for (let i = 0; i < maxBaskets; i++) b.i64(br.basketSeek[i] ?? 0);
    b.tstring(""); // fFileName
    b.endVersion(at);
  }

  private writeLeaf(b: WBuffer, leaf: LeafState): void {
    const spec = leaf.spec;
    const at = b.startVersion(1);
    const tl = b.startVersion(2);
    const named = b.startVersion(1);
    b.tobject();
    b.tstring(spec.name);
    b.tstring(spec.counter ? `${spec.name}[${spec.counter}]` : spec.name);
    b.endVersion(named);
    const info = spec.type === "string" ? null : TYPE_INFO[spec.type];
    b.i32(1); // fLen
    b.i32(spec.vector ? 0 : info ? info.size : 1); // fLenType
    b.i32(0); // fOffset
    b.bool(false); // fIsRange
    b.bool(info ? info.unsigned : false);
    if (leaf.counterLeaf) b.objectAny(leaf.counterLeaf.className, leaf.counterLeaf.obj, () => this.writeLeaf(b, leaf.counterLeaf!));
    else b.u32(0);
    b.endVersion(tl);
    // fMinimum, fMaximum in the leaf's own type; ROOT keeps the maximum for counters (buffer sizing).
    const max = leaf.isCounter ? leaf.maximum : 0;
    switch (leaf.className) {
      case "TLeafB":
      case "TLeafO":
        b.i8(0);
        b.i8(max);
        break;
      case "TLeafS":
        b.i16(0);
        b.i16(max);
        break;
      case "TLeafI":
      case "TLeafC":
        b.i32(0);
        b.i32(max);
        break;
      case "TLeafL":
        b.i64(0);
        b.i64(max);
        break;
      case "TLeafF":
        b.f32(0);
        b.f32(max);
        break;
      case "TLeafD":
        b.f64(0);
        b.f64(max);
        break;
      case "TLeafElement":
        b.i32(-1);
        b.i32(-1);
        break; // fID, fType
    }
    b.endVersion(at);
  }
}

/** ROOT's name of the std::vector class for a leaf type. */
function vectorClass(t: LeafType): string {
  const names: Record<LeafType, string> = {
    bool: "bool",
    i8: "char",
    u8: "unsigned char",
    i16: "short",
    u16: "unsigned short",
    i32: "int",
    u32: "unsigned int",
    i64: "Long64_t",
    u64: "ULong64_t",
    f32: "float",
    f64: "double",
  };
  return `vector<${names[t]}>`;
}

/** Serialises std::vector entries: per entry a byte count, the class version, the size and the values. */
function vectorBasket(parts: Jagged[], type: LeafType, n: number, keyLen: number): { data: Uint8Array; offsets: Int32Array } {
  const size = TYPE_INFO[type].size;
  const version = STREAMER_DEFS[vectorClass(type)]!.version;
  const values = toBigEndian(
    parts.map((j) => (j.content as NumericArray).subarray(j.offsets[0]!, j.offsets[j.length]!)),
    type,
  );
  const data = new Uint8Array(values.length + 10 * n);
  const dv = new DataView(data.buffer);
  const offsets = new Int32Array(n + 1);
  let pos = 0,
    src = 0,
    e = 0;
  for (const j of parts) {
    for (let i = 0; i < j.length; i++) {
      const count = j.offsets[i + 1]! - j.offsets[i]!;
      offsets[e++] = keyLen + pos;
      dv.setUint32(pos, (6 + count * size) | 0x40000000);
      dv.setUint16(pos + 4, version);
      dv.setInt32(pos + 6, count);
      data.set(values.subarray(src, src + count * size), pos + 10);
      pos += 10 + count * size;
      src += count * size;
    }
  }
  return { data, offsets };
}

function branchTitle(spec: BranchSpec): string {
  if (spec.title) return spec.title;
  if (spec.vector) return spec.name;
  const code = spec.type === "string" ? "C" : TYPE_INFO[spec.type].code;
  return spec.counter ? `${spec.name}[${spec.counter}]/${code}` : `${spec.name}/${code}`;
}

function attLine(b: WBuffer): void {
  const a = b.startVersion(2);
  b.i16(602);
  b.i16(1);
  b.i16(1);
  b.endVersion(a);
}
function attFill(b: WBuffer): void {
  const a = b.startVersion(2);
  b.i16(0);
  b.i16(1001);
  b.endVersion(a);
}
function attMarker(b: WBuffer): void {
  const a = b.startVersion(3);
  b.i16(1);
  b.i16(1);
  b.f32(1);
  b.endVersion(a);
}
function ioFeatures(b: WBuffer): void {
  const a = b.startVersion(1);
  b.u8(0);
  b.endVersion(a);
}

function objArray<T>(b: WBuffer, items: T[], each: (x: T) => void): void {
  const a = b.startVersion(3);
  b.tobject();
  b.tstring("");
  b.i32(items.length);
  b.i32(0); // lower bound
  for (const x of items) each(x);
  b.endVersion(a);
}

function lengthOf(c: Columns): number {
  for (const v of Object.values(c)) return v instanceof Jagged ? v.length : v.length;
  return 0;
}

function copyColumns(c: Columns): Columns {
  const out: Columns = {};
  for (const [k, v] of Object.entries(c)) {
    if (v instanceof Jagged) {
      const o0 = v.offsets[0]!;
      const offsets = v.offsets.map((x) => x - o0);
      out[k] = new Jagged(offsets, (v.content as NumericArray).slice(o0, v.offsets[v.length]!) as NumericArray);
    } else out[k] = v.slice() as Column;
  }
  return out;
}

function sliceColumns(c: Columns, start: number, end: number): Columns {
  const out: Columns = {};
  for (const [k, v] of Object.entries(c)) {
    if (v instanceof Jagged) out[k] = new Jagged(v.offsets.subarray(start, end + 1), v.content);
    else out[k] = (Array.isArray(v) ? v.slice(start, end) : (v as NumericArray).subarray(start, end)) as Column;
  }
  return out;
}
