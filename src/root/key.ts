import type { Cursor } from "./cursor.js";

/** A TKey: the header in front of every object ROOT stores, saying where it is and how big. */
export interface Key {
  /** Bytes on disk: key header + (compressed) object. */
  nbytes: number;
  version: number;
  /** Uncompressed object length. */
  objLen: number;
  datime: number;
  keyLen: number;
  cycle: number;
  /** File offset of this key (its header). */
  seekKey: number;
  seekPdir: number;
  className: string;
  name: string;
  title: string;
}

/** Parses a TKey header at the cursor. Versions > 1000 use 64-bit seeks. */
export function readKey(c: Cursor): Key {
  const nbytes = c.i32();
  const version = c.i16();
  const objLen = c.i32();
  const datime = c.u32();
  const keyLen = c.i16();
  const cycle = c.i16();
  const big = version > 1000;
  const seekKey = big ? c.i64() : c.i32();
  const seekPdir = big ? c.i64() : c.i32();
  const className = c.tstring();
  const name = c.tstring();
  const title = c.tstring();
  if (nbytes < keyLen || keyLen < 0 || objLen < 0) {
    throw c.error("ROOT_CORRUPT", `key "${name}" has inconsistent sizes (nbytes ${nbytes}, keylen ${keyLen}, objlen ${objLen})`);
  }
  return { nbytes, version, objLen, datime, keyLen, cycle, seekKey, seekPdir, className, name, title };
}

/** True when the key's object is stored compressed. */
export function isCompressed(k: Key): boolean {
  return k.objLen !== k.nbytes - k.keyLen;
}
