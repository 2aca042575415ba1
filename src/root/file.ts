import { HepflowError, didYouMean } from "../util/index.js";
import { openSource, type ByteSource, type HttpOptions } from "../io/read.js";
import { Cursor } from "./cursor.js";
import { codecsReady, decompressAny, compressionFromROOT, type CompressionSetting } from "./compression.js";
import { Directory, isDirectoryClass } from "./directory.js";
import { isCompressed, type Key } from "./key.js";
import type { TreeLike } from "./treelike.js";
import { readObject } from "./objects.js";
import { readTTree } from "./ttree/index.js";
// RNTuple's reader is loaded with the first RNTuple opened: most runs read TTrees only.
import { isRNTupleClass } from "./rntuple/classes.js";
import { loadStreamerInfos, type StreamerRegistry } from "./streamers/index.js";

/** The fixed part at the start of every ROOT file. */
export interface FileHeader {
  version: number;
  begin: number;
  end: number;
  seekFree: number;
  nbytesFree: number;
  nfree: number;
  nbytesName: number;
  units: number;
  compression: CompressionSetting;
  seekInfo: number;
  nbytesInfo: number;
}

/** A key as listed by `keys()`: its full path inside the file. */
export interface KeyEntry {
  path: string;
  className: string;
  cycle: number;
  title: string;
  key: Key;
}

/** An open ROOT file: header, directories and keys; objects and trees are read on demand. */
export class RootFile {
  private constructor(
    readonly source: ByteSource,
    readonly header: FileHeader,
    readonly root: Directory | null,
  ) {}

  get name(): string {
    return this.source.name;
  }

  private streamerCache?: Promise<StreamerRegistry>;

  /** The file's streamer infos (class layouts) by class name, read once. */
  streamerInfos(): Promise<StreamerRegistry> {
    this.streamerCache ??= loadStreamerInfos(this);
    return this.streamerCache;
  }

  /** Opens a ROOT file from a path, URL or ByteSource; reads only the header and top directory. */
  static async open(from: string | ByteSource, options: OpenOptions = {}): Promise<RootFile> {
    const source = typeof from === "string" ? await openSource(from, options) : from;
    try {
      // A page's build compiles its WASM codecs and checksums once, here (Node has nothing to wait for).
      const codecs = codecsReady();
      if (codecs) await codecs;
      const size = await source.size();
      const head = await source.read(0, Math.min(size, 128));
      const header = parseHeader(head, source.name, size);
      const file = new RootFile(source, header, null);
      const root = await Directory.read(file, header.begin + header.nbytesName, "");
      return new RootFile(source, header, root);
    } catch (e) {
      await source.close();
      throw e;
    }
  }

  private get top(): Directory {
    return this.root!;
  }

  /**
   * Every key in the file, subdirectories included (recursive by default), highest cycles only
   * unless `allCycles`. A subdirectory that cannot be read throws, unless `onError` takes it
   * (a listing that goes on and reports what it could not read).
   */
  async keys(options: { recursive?: boolean; allCycles?: boolean; onError?: (path: string, error: unknown) => void } = {}): Promise<KeyEntry[]> {
    const { recursive = true, allCycles = false, onError } = options;
    const out: KeyEntry[] = [];
    const walk = async (dir: Directory): Promise<void> => {
      for (const key of dir.keys) {
        if (!allCycles && dir.key(key.name) !== key) continue;
        const path = dir.path ? `${dir.path}/${key.name}` : key.name;
        out.push({ path, className: key.className, cycle: key.cycle, title: key.title, key });
        if (!recursive || !isDirectoryClass(key.className)) continue;
        let sub: Directory;
        try {
          sub = await dir.subdirectory(key);
        } catch (e) {
          if (!onError) throw e;
          onError(path, e);
          continue;
        }
        await walk(sub);
      }
    };
    await walk(this.top);
    return out;
  }

  /** The key at a path like "dir/sub/name" or "name;2". */
  async key(path: string): Promise<Key> {
    const parts = path.split("/").filter((p) => p.length > 0);
    if (parts.length === 0) throw new HepflowError("ROOT_NOT_FOUND", "empty object path", { file: this.name });
    let dir = this.top;
    for (const [i, part] of parts.entries()) {
      const key = dir.key(part);
      if (!key) {
        const here = dir.path || "/";
        const names = [...new Set(dir.keys.map((k) => k.name))].slice(0, 20).join(", ");
        throw new HepflowError(
          "ROOT_NOT_FOUND",
          `no object "${part}" in ${here}${didYouMean(
            part,
            dir.keys.map((k) => k.name),
          )} (has: ${names || "nothing"})`,
          { file: this.name, object: path },
        );
      }
      if (i === parts.length - 1) return key;
      if (!isDirectoryClass(key.className)) {
        throw new HepflowError("ROOT_NOT_FOUND", `"${parts.slice(0, i + 1).join("/")}" is a ${key.className}, not a directory`, { file: this.name, object: path });
      }
      dir = await dir.subdirectory(key);
    }
    throw new Error("unreachable");
  }

  /** The decompressed bytes of a key's object. */
  async readKeyPayload(key: Key): Promise<Uint8Array> {
    const size = await this.source.size();
    if (key.seekKey < 0 || key.seekKey + key.nbytes > size) {
      throw new HepflowError("ROOT_TRUNCATED", `object "${key.name}" lies at ${key.seekKey}+${key.nbytes}, past the end of the file (${size} bytes)`, { file: this.name, object: key.name, offset: key.seekKey });
    }
    const raw = await this.source.read(key.seekKey + key.keyLen, key.nbytes - key.keyLen);
    if (!isCompressed(key)) return raw;
    return decompressAny(raw, key.objLen, { file: this.name, object: key.name, offset: key.seekKey });
  }

  /** Reads an object by path through its class's streamer (histograms, TObjString, TTree metadata...). */
  async get(path: string): Promise<unknown> {
    const key = await this.key(path);
    if (isDirectoryClass(key.className)) return Directory.read(this, key.seekKey + key.keyLen, path);
    return readObject(this, key);
  }

  /** A TTree or RNTuple by path, behind the common TreeLike interface. */
  async tree(path: string): Promise<TreeLike> {
    const key = await this.key(path);
    if (key.className === "TTree" || key.className === "TNtuple" || key.className === "TNtupleD") return readTTree(this, key);
    if (isRNTupleClass(key.className)) return (await import("./rntuple/index.js")).readRNTuple(this, key);
    throw new HepflowError("ROOT_NOT_A_TREE", `"${path}" is a ${key.className}, not a TTree or RNTuple`, { file: this.name, object: path });
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

function parseHeader(head: Uint8Array, name: string, size: number): FileHeader {
  const c = new Cursor(head, 0, { file: name, object: "file header", base: 0 });
  if (head.length < 4 || String.fromCharCode(head[0]!, head[1]!, head[2]!, head[3]!) !== "root") {
    throw new HepflowError("ROOT_NOT_ROOT", "not a ROOT file (no 'root' magic at byte 0)", { file: name, offset: 0 });
  }
  c.skip(4);
  const version = c.i32();
  const begin = c.i32();
  const big = version >= 1000000;
  const end = big ? c.i64() : c.i32();
  const seekFree = big ? c.i64() : c.i32();
  const nbytesFree = c.i32();
  const nfree = c.i32();
  const nbytesName = c.i32();
  const units = c.u8();
  const fCompress = c.i32();
  const seekInfo = big ? c.i64() : c.i32();
  const nbytesInfo = c.i32();
  if (begin < 0 || begin > size || nbytesName < 0 || begin + nbytesName > size) {
    throw new HepflowError("ROOT_CORRUPT", `header points the top directory to ${begin}+${nbytesName}, outside the file (${size} bytes)`, { file: name, offset: 0 });
  }
  if (end > size) {
    throw new HepflowError("ROOT_TRUNCATED", `header says the file ends at byte ${end} but it has ${size} bytes (truncated download or unfinished write?)`, { file: name, offset: 0 });
  }
  return { version, begin, end, seekFree, nbytesFree, nfree, nbytesName, units, compression: compressionFromROOT(fCompress), seekInfo, nbytesInfo };
}

/** How to open a file: `http` for remote ones (timeouts, cache size, retries). */
export interface OpenOptions {
  http?: HttpOptions;
}

/** Opens a ROOT file (path, file:// or http(s):// URL, or a ByteSource); `options.http` tunes HTTP reads. */
export function openFile(from: string | ByteSource, options: OpenOptions = {}): Promise<RootFile> {
  return RootFile.open(from, options);
}
