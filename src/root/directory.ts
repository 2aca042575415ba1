import { HepflowError } from "../util/index.js";
import { Cursor } from "./cursor.js";
import { readKey, type Key } from "./key.js";
import type { RootFile } from "./file.js";

const DIRECTORY_CLASSES = new Set(["TDirectory", "TDirectoryFile"]);

export function isDirectoryClass(className: string): boolean {
  return DIRECTORY_CLASSES.has(className);
}

/** A TDirectory: its keys (read once) and the way to its subdirectories. */
export class Directory {
  private constructor(
    readonly file: RootFile,
    readonly path: string,
    readonly keys: readonly Key[],
    /** Record and key-list offsets of this directory and every parent: a corrupt file can point a subdirectory back at one of them. */
    private readonly lineage: ReadonlySet<number>,
  ) {}

  /**
   * Reads the directory record at `offset` (the TDirectory streamer) and then its key list.
   * `lineage` holds the record and key-list offsets of the enclosing directories; meeting one
   * again is a cycle, which would otherwise recurse until memory runs out.
   */
  static async read(file: RootFile, offset: number, path: string, lineage: ReadonlySet<number> = new Set()): Promise<Directory> {
    const where = { file: file.name, object: path || "/", offset };
    if (lineage.has(offset)) throw new HepflowError("ROOT_DIRECTORY_CYCLE", "directory record points back at an enclosing directory (cycle in the directory tree); the file is corrupt", where);
    const head = await file.source.read(offset, Math.min(42, Math.max(0, (await file.source.size()) - offset)));
    const c = new Cursor(head, 0, { file: file.name, object: path || "/", base: offset });
    const version = c.i16();
    c.u32(); // ctime
    c.u32(); // mtime
    const nbytesKeys = c.i32();
    c.i32(); // nbytesName
    const big = version > 1000;
    big ? c.i64() : c.i32(); // seekDir
    big ? c.i64() : c.i32(); // seekParent
    const seekKeys = big ? c.i64() : c.i32();
    const seen = new Set(lineage).add(offset);
    // No key list at all is an empty directory; half of one (a size without a place, or the
    // reverse) is a damaged record that would otherwise read as empty.
    if (seekKeys === 0 && nbytesKeys === 0) return new Directory(file, path, [], seen);
    if (seekKeys === 0 || nbytesKeys === 0) {
      throw new HepflowError("ROOT_CORRUPT", `directory record gives its key list ${nbytesKeys} bytes at byte ${seekKeys}; the record is corrupt`, where);
    }
    if (lineage.has(seekKeys)) throw new HepflowError("ROOT_DIRECTORY_CYCLE", `key list at ${seekKeys} belongs to an enclosing directory (cycle in the directory tree); the file is corrupt`, where);
    seen.add(seekKeys);
    const fileSize = await file.source.size();
    if (seekKeys < 0 || nbytesKeys < 0 || seekKeys + nbytesKeys > fileSize) {
      throw new HepflowError("ROOT_CORRUPT", `directory key list at ${seekKeys}+${nbytesKeys} lies outside the file (size ${fileSize})`, { file: file.name, object: path || "/", offset });
    }
    const buf = await file.source.read(seekKeys, nbytesKeys);
    const kc = new Cursor(buf, 0, { file: file.name, object: `${path || "/"} (key list)`, base: seekKeys });
    // The key list starts with its own key: a zeroed or overwritten list would otherwise read as
    // "no keys", an empty file that is not empty. (Some writers leave its seek 0, so only its
    // sizes are checked.)
    const own = readKey(kc);
    if (own.keyLen <= 0 || own.nbytes <= 0 || own.nbytes > nbytesKeys) {
      throw new HepflowError("ROOT_CORRUPT", `directory key list at ${seekKeys} does not start with a valid key (${own.nbytes} bytes, key length ${own.keyLen}; the list has ${nbytesKeys}); the key list is corrupt`, {
        ...where,
        offset: seekKeys,
      });
    }
    const n = kc.i32();
    if (n < 0 || n > nbytesKeys / 18) throw kc.error("ROOT_CORRUPT", `directory claims ${n} keys in ${nbytesKeys} bytes`);
    // An empty list is its key header and the count: a list with room for keys that holds
    // none has had its count damaged (ROOT sizes the list to its keys).
    if (n === 0 && nbytesKeys > own.keyLen + 4) {
      throw new HepflowError("ROOT_CORRUPT", `directory key list at ${seekKeys} has ${nbytesKeys} bytes but claims no keys; the key list is corrupt`, { ...where, offset: seekKeys });
    }
    const keys: Key[] = [];
    for (let i = 0; i < n; i++) {
      const at = kc.pos;
      const k = readKey(kc);
      // Every entry copies a key header written elsewhere in the file: it names a class and
      // points inside the file. A damaged entry would otherwise become a nameless object or
      // shift every entry after it.
      if (k.className === "" || k.seekKey <= 0 || k.seekKey + k.nbytes > fileSize) {
        throw new HepflowError("ROOT_CORRUPT", `key ${i} of the directory ("${k.name}", class "${k.className}", ${k.nbytes} bytes at ${k.seekKey}) is not a valid key; the key list is corrupt`, { ...where, offset: seekKeys + at });
      }
      keys.push(k);
    }
    return new Directory(file, path, keys, seen);
  }

  /** The key named `name` (highest cycle unless `cycle` is given, or "name;cycle"). */
  key(name: string, cycle?: number): Key | undefined {
    const m = /^(.*);(\d+)$/.exec(name);
    if (m?.[1] !== undefined) {
      name = m[1];
      cycle = Number(m[2]);
    }
    let best: Key | undefined;
    for (const k of this.keys) {
      if (k.name !== name) continue;
      if (cycle !== undefined) {
        if (k.cycle === cycle) return k;
        continue;
      }
      if (!best || k.cycle > best.cycle) best = k;
    }
    return best;
  }

  /** A subdirectory by its key. */
  async subdirectory(key: Key): Promise<Directory> {
    // A directory's record is stored uncompressed right after its key header.
    return Directory.read(this.file, key.seekKey + key.keyLen, this.path ? `${this.path}/${key.name}` : key.name, this.lineage);
  }
}
