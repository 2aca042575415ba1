/**
 * A ROOT file being written: header, directories, keys, StreamerInfo and free-segment records.
 * Objects are appended; directory key lists, StreamerInfo and the free list are written at
 * close. The file is written under a temporary name and renamed only after a clean close, so an
 * interrupted or failed write never leaves a file that looks valid.
 */
import { fsSync as fs, path as nodePath } from "#util/fs";
import { HepflowError, trackTemporary } from "../../util/index.js";
import { compress, parseCompression, CODEC_IDS, type CompressionSetting } from "../compression.js";
import type { RootHistogram } from "../histogram.js";
import { WBuffer } from "./wbuffer.js";
import { appendStreamerInfos, streamerClosure, streamerInfoList } from "./streamerinfo.js";
import { histogramClasses, validateHistogram, writeHistogram } from "./histogram.js";
import { TreeWriter, type TreeSchema, type TreeWriterOptions } from "./tree.js";
import { RNTupleWriter, type RNTupleWriterOptions } from "./rntuple/index.js";
import { loadExisting, type ExistingFile } from "./update.js";
import { datimeNow, keyHeaderLength, writeKeyHeader, type KeyRecord } from "./keys.js";

export type { KeyRecord } from "./keys.js";

const BEGIN = 100;
const DIR_RECORD = 60;
const ROOT_VERSION = 63006;
const BIG = 2 ** 31 - 1;
/** Size of the buffer that gathers consecutive small writes (RootWriter.pwrite). */
const GATHER_BYTES = 1 << 20;

/** A directory being written. `seekDir` is where its record's key starts. */
export interface DirState {
  path: string;
  name: string;
  title: string;
  seekDir: number;
  seekParent: number;
  recordAt: number;
  nbytesName: number;
  keys: KeyRecord[];
  className: string;
}

export interface CreateOptions {
  /** "zlib:1", "lz4", "zstd:5", "none" or a parsed setting; default zlib:1. */
  compression?: string | CompressionSetting;
  /** File title stored in the top directory. */
  title?: string;
}

/** A ROOT file open for writing. Create with `createFile` or `updateFile`. */
export class RootWriter {
  readonly compression: CompressionSetting;
  private fd: number;
  /** Next free byte: objects are appended here. */
  end: number;
  private readonly dirs = new Map<string, DirState>();
  private readonly classes = new Set<string>();
  private readonly openTrees = new Set<{ close(): void }>();
  private closed = false;
  private readonly oldInfo: ExistingFile["streamerInfo"];
  /** Removes the temporary file if the process is interrupted before close(). */
  private readonly temporary: { release(): void };
  /** Bytes written by pwrite but not yet to the file (see pwrite), for file offset pendingAt. */
  private gather: Uint8Array | undefined;
  private pendingAt = 0;
  private pendingLength = 0;

  /** @internal use createFile/updateFile. */
  constructor(
    readonly path: string,
    private readonly tmpPath: string,
    compression: CompressionSetting,
    private readonly title: string,
    existing?: ExistingFile,
  ) {
    this.compression = compression;
    this.oldInfo = existing?.streamerInfo ?? null;
    this.temporary = trackTemporary(tmpPath);
    try {
      this.fd = fs.openSync(tmpPath, existing ? "r+" : "w");
    } catch (e) {
      throw ioError(e, tmpPath, "create the output file");
    }
    if (existing) {
      this.end = existing.end;
      for (const d of existing.dirs) this.dirs.set(d.path, d);
      for (const c of existing.classes) this.classes.add(c);
    } else {
      this.end = BEGIN;
      this.writeTopDirectory();
    }
  }

  private get fileName(): string {
    return nodePath.basename(this.path);
  }

  /**
   * Writes `data` at file offset `at`. Small writes that follow each other (a key header, then its
   * payload, then the next key) are gathered and written together: a file of many small histograms
   * otherwise costs two system calls per object. Any other write flushes what is gathered first,
   * so the file's bytes land in the order they were written.
   */
  pwrite(data: Uint8Array, at: number): void {
    const pending = this.pendingLength;
    if (data.length >= GATHER_BYTES / 4) {
      this.flush();
      this.writeAt(data, at);
      return;
    }
    if (pending === 0 || at !== this.pendingAt + pending || pending + data.length > GATHER_BYTES) {
      this.flush();
      this.pendingAt = at;
    }
    this.gather ??= new Uint8Array(GATHER_BYTES);
    this.gather.set(data, this.pendingLength);
    this.pendingLength += data.length;
  }

  /** Writes out the gathered bytes. */
  private flush(): void {
    if (this.pendingLength === 0) return;
    const n = this.pendingLength;
    this.pendingLength = 0;
    this.writeAt(this.gather!.subarray(0, n), this.pendingAt);
  }

  private writeAt(data: Uint8Array, at: number): void {
    try {
      let done = 0;
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, at + done);
    } catch (e) {
      throw ioError(e, this.path, `write ${data.length} bytes at offset ${at}`);
    }
  }

  private writeTopDirectory(): void {
    const name = this.fileName;
    const keyLen = keyHeaderLength("TFile", name, this.title, false);
    const nameBuf = new WBuffer();
    nameBuf.tstring(name);
    nameBuf.tstring(this.title);
    const nbytesName = keyLen + nameBuf.pos;
    const top: DirState = { path: "", name, title: this.title, seekDir: BEGIN, seekParent: 0, recordAt: BEGIN + nbytesName, nbytesName, keys: [], className: "TFile" };
    this.dirs.set("", top);
    const objLen = nameBuf.pos + DIR_RECORD;
    const b = new WBuffer();
    writeKeyHeader(b, { nbytes: keyLen + objLen, objLen, datime: datimeNow(), keyLen, cycle: 1, seekKey: BEGIN, seekPdir: 0, className: "TFile", name, title: this.title });
    b.raw(nameBuf.bytes());
    this.pwrite(b.bytes(), BEGIN);
    this.end = BEGIN + keyLen + objLen;
    this.writeDirRecord(top, 0, 0);
  }

  private writeDirRecord(d: DirState, seekKeys: number, nbytesKeys: number): void {
    const b = new WBuffer();
    const now = datimeNow();
    // Always the 64-bit form (version + 1000): the same 60 bytes, valid at any file size.
    b.i16(1005);
    b.u32(now);
    b.u32(now);
    b.i32(nbytesKeys);
    b.i32(d.nbytesName);
    b.i64(d.seekDir);
    b.i64(d.seekParent);
    b.i64(seekKeys);
    b.u16(1);
    for (let i = 0; i < 16; i++) b.u8(0);
    this.pwrite(b.bytes(), d.recordAt);
  }

  private dir(path: string): DirState {
    const clean = normalise(path);
    const d = this.dirs.get(clean);
    if (!d) throw new HepflowError("ROOT_WRITE", `directory "${clean}" does not exist; create it with mkdir first`, { file: this.path });
    return d;
  }

  private ensureOpen(): void {
    if (this.closed) throw new HepflowError("ROOT_WRITE", "the file is already closed", { file: this.path });
  }

  /** Creates directory `path` (and missing parents); returns its normalised path. */
  mkdir(path: string): string {
    this.ensureOpen();
    const parts = normalise(path).split("/").filter(Boolean);
    let cur = "";
    for (const part of parts) {
      const next = cur ? `${cur}/${part}` : part;
      if (!this.dirs.has(next)) {
        const parent = this.dirs.get(cur)!;
        const recordBytes = new Uint8Array(DIR_RECORD);
        const key = this.writeKey(parent, "TDirectory", part, part, recordBytes, false);
        const d: DirState = { path: next, name: part, title: part, seekDir: key.seekKey, seekParent: parent.seekDir, recordAt: key.seekKey + key.keyLen, nbytesName: key.keyLen, keys: [], className: "TDirectory" };
        this.dirs.set(next, d);
        this.writeDirRecord(d, 0, 0);
      }
      cur = next;
    }
    return cur;
  }

  /**
   * Appends one keyed object to directory `d`: `payload` is the uncompressed object, or a
   * function of the key length (ROOT's in-object references count from the key start).
   * Replaces an earlier object of the same name in that directory.
   */
  writeKey(d: DirState, className: string, name: string, title: string, payload: Uint8Array | ((keyLen: number) => Uint8Array), compressIt = true): KeyRecord {
    const seekKey = this.end;
    const big = seekKey > BIG || d.seekDir > BIG;
    const keyLen = keyHeaderLength(className, name, title, big);
    const raw = typeof payload === "function" ? payload(keyLen) : payload;
    const stored = compressIt ? compress(raw, this.compression) : raw;
    const previous = d.keys.filter((k) => k.name === name);
    const cycle = previous.length ? Math.max(...previous.map((k) => k.cycle)) + 1 : 1;
    d.keys = d.keys.filter((k) => k.name !== name);
    const key: KeyRecord = { nbytes: keyLen + stored.length, objLen: raw.length, datime: datimeNow(), keyLen, cycle, seekKey, seekPdir: d.seekDir, className, name, title };
    const b = new WBuffer(0, keyLen);
    writeKeyHeader(b, key);
    this.pwrite(b.bytes(), seekKey);
    this.pwrite(stored, seekKey + keyLen);
    this.end = seekKey + key.nbytes;
    d.keys.push(key);
    return key;
  }

  /** Records that objects of `className` are stored, so close() writes their streamer infos. */
  useClass(...names: string[]): void {
    for (const n of names) this.classes.add(n);
  }

  /** Stores a histogram at `path` ("dir/sub/name"); parent directories must exist (see mkdir). */
  putHistogram(path: string, h: RootHistogram): void {
    this.ensureOpen();
    const { dir, name } = this.split(path);
    const stored = { ...h, name };
    validateHistogram(stored, path);
    const d = this.dir(dir);
    this.writeKey(d, h.className, name, h.title, (keyLen) => {
      const b = new WBuffer(keyLen, 64 + h.contents.length * 16);
      writeHistogram(b, stored);
      return b.bytes().slice();
    });
    this.useClass(...histogramClasses(h));
  }

  /** Starts a TTree at `path`; returns a streaming writer (write column chunks, then close). */
  writeTree(path: string, schema: TreeSchema, options: TreeWriterOptions = {}): TreeWriter {
    this.ensureOpen();
    const { dir, name } = this.split(path);
    const d = this.dir(dir);
    const tree = new TreeWriter(this, d, name, schema, options, () => this.openTrees.delete(tree));
    this.openTrees.add(tree);
    return tree;
  }

  /** Starts an RNTuple at `path` (same schema and chunks as writeTree); returns a streaming writer. */
  writeRNTuple(path: string, schema: TreeSchema, options: RNTupleWriterOptions = {}): RNTupleWriter {
    this.ensureOpen();
    const { dir, name } = this.split(path);
    const d = this.dir(dir);
    const nt = new RNTupleWriter(this, d, name, schema, options, () => this.openTrees.delete(nt));
    this.openTrees.add(nt);
    return nt;
  }

  private split(path: string): { dir: string; name: string } {
    const clean = normalise(path);
    const i = clean.lastIndexOf("/");
    const name = i < 0 ? clean : clean.slice(i + 1);
    if (!name) throw new HepflowError("ROOT_WRITE", `"${path}" does not name an object`, { file: this.path });
    return { dir: i < 0 ? "" : clean.slice(0, i), name };
  }

  /** Finishes the file: open trees, StreamerInfo, key lists, free list, header; then renames it into place. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      for (const t of [...this.openTrees]) t.close();
      this.finish();
      this.flush();
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.closed = true;
      fs.renameSync(this.tmpPath, this.path);
      this.temporary.release();
    } catch (e) {
      this.abort();
      throw e instanceof HepflowError ? e : ioError(e, this.path, "finish the file");
    }
  }

  /** Abandons the file: closes and deletes the temporary output. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    try {
      fs.unlinkSync(this.tmpPath);
    } catch {
      /* nothing to remove */
    }
    this.temporary.release();
  }

  private finish(): void {
    const top = this.dirs.get("")!;
    const classes = streamerClosure(this.classes);
    const info = this.writeKey({ ...top, keys: [] }, "TList", "StreamerInfo", "Doubly linked list", (keyLen) => {
      // Keep the classes an updated file already described; their tags stay valid when the key length is unchanged.
      const old = this.oldInfo;
      return old && old.keyLen === keyLen ? appendStreamerInfos(old.payload, classes, keyLen) : streamerInfoList(classes, keyLen);
    });
    // Key lists, deepest directories first so parents see their children's final keys.
    for (const d of [...this.dirs.values()].sort((a, b) => b.path.length - a.path.length)) {
      const seekKeys = this.end;
      const big = seekKeys > BIG;
      const keyLen = keyHeaderLength(d.className, d.name, d.title, big);
      const body = new WBuffer(0, 4 + d.keys.length * 64);
      body.i32(d.keys.length);
      for (const k of d.keys) writeKeyHeader(body, k);
      const rec: KeyRecord = { nbytes: keyLen + body.pos, objLen: body.pos, datime: datimeNow(), keyLen, cycle: 1, seekKey: seekKeys, seekPdir: d.seekDir, className: d.className, name: d.name, title: d.title };
      const b = new WBuffer(0, rec.nbytes);
      writeKeyHeader(b, rec);
      b.raw(body.bytes());
      this.pwrite(b.bytes(), seekKeys);
      this.end += rec.nbytes;
      this.writeDirRecord(d, seekKeys, rec.nbytes);
    }
    // Free-segment list: one segment from the end of the file on.
    const seekFree = this.end;
    const bigFree = seekFree > BIG;
    const freeLen = bigFree ? 18 : 10;
    const fkeyLen = keyHeaderLength("TFile", top.name, top.title, bigFree);
    const fileEnd = seekFree + fkeyLen + freeLen;
    const fb = new WBuffer();
    writeKeyHeader(fb, { nbytes: fkeyLen + freeLen, objLen: freeLen, datime: datimeNow(), keyLen: fkeyLen, cycle: 1, seekKey: seekFree, seekPdir: BEGIN, className: "TFile", name: top.name, title: top.title });
    if (bigFree) {
      fb.i16(1001);
      fb.i64(fileEnd);
      fb.i64(2n ** 62n);
    } else {
      fb.i16(1);
      fb.i32(fileEnd);
      fb.i32(2000000000);
    }
    this.pwrite(fb.bytes(), seekFree);
    this.end = fileEnd;
    this.writeHeader(fileEnd, seekFree, fkeyLen + freeLen, info.seekKey, info.nbytes, top.nbytesName);
  }

  private writeHeader(fileEnd: number, seekFree: number, nbytesFree: number, seekInfo: number, nbytesInfo: number, nbytesName: number): void {
    const big = fileEnd > BIG;
    const b = new WBuffer(0, BEGIN);
    b.raw(Buffer.from("root"));
    b.i32(big ? ROOT_VERSION + 1000000 : ROOT_VERSION);
    b.i32(BEGIN);
    const seek = (v: number): void => (big ? b.i64(v) : b.i32(v));
    seek(fileEnd);
    seek(seekFree);
    b.i32(nbytesFree);
    b.i32(1); // number of free segments
    b.i32(nbytesName);
    b.u8(big ? 8 : 4);
    const c = this.compression;
    b.i32(c.codec === "none" ? 0 : CODEC_IDS[c.codec] * 100 + c.level);
    seek(seekInfo);
    b.i32(nbytesInfo);
    b.u16(1);
    for (let i = 0; i < 16; i++) b.u8(0);
    while (b.pos < BEGIN) b.u8(0);
    this.pwrite(b.bytes(), 0);
  }
}

function normalise(path: string): string {
  return path
    .split("/")
    .filter((p) => p && p !== ".")
    .join("/");
}

function ioError(e: unknown, file: string, what: string): HepflowError {
  const code = (e as NodeJS.ErrnoException).code;
  const hint = code === "ENOSPC" ? " (disk full)" : code === "EACCES" ? " (permission denied)" : "";
  return new HepflowError("ROOT_WRITE_IO", `could not ${what}${hint}: ${(e as Error).message}; no output file was left behind`, { file }, { cause: e });
}

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

function settingOf(c: CreateOptions["compression"]): CompressionSetting {
  if (c === undefined) return { codec: "zlib", level: 1 };
  return typeof c === "string" ? parseCompression(c) : c;
}

/** Creates (or overwrites at close) the ROOT file at `path`. */
export async function createFile(path: string, options: CreateOptions = {}): Promise<RootWriter> {
  return new RootWriter(path, tempName(path), settingOf(options.compression), options.title ?? "");
}

/**
 * Opens an existing ROOT file written by hepflow or ROOT to add or replace objects; the others
 * are kept. Works on a copy that replaces the original only at close.
 */
export async function updateFile(path: string, options: CreateOptions = {}): Promise<RootWriter> {
  const tmp = tempName(path);
  const existing = await loadExisting(path);
  try {
    fs.copyFileSync(path, tmp);
  } catch (e) {
    throw ioError(e, path, "copy the file for updating");
  }
  const setting = options.compression !== undefined ? settingOf(options.compression) : existing.compression;
  return new RootWriter(path, tmp, setting, existing.title, existing);
}
