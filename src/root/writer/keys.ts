/** TKey headers as the writer emits them: the record kept per key and its serialisation. */
import type { WBuffer } from "./wbuffer.js";
import type { Key } from "../key.js";

const BIG = 2 ** 31 - 1;

/** A key as the writer keeps it, to list it in its directory at close (the version follows from the seeks). */
export type KeyRecord = Omit<Key, "version">;

/** ROOT's packed date-time (TDatime) for now. */
export function datimeNow(): number {
  const d = new Date();
  return (((d.getFullYear() - 1995) << 26) | ((d.getMonth() + 1) << 22) | (d.getDate() << 17) | (d.getHours() << 12) | (d.getMinutes() << 6) | d.getSeconds()) >>> 0;
}

/** Bytes of a TKey header with these strings; `big` = 64-bit seeks (any offset past 2 GiB). */
export function keyHeaderLength(className: string, name: string, title: string, big: boolean): number {
  const ts = (s: string): number => {
    const n = Buffer.byteLength(s);
    return n < 255 ? n + 1 : n + 5;
  };
  return 18 + (big ? 16 : 8) + ts(className) + ts(name) + ts(title);
}

/** Writes a TKey header for `k` into `b`. */
export function writeKeyHeader(b: WBuffer, k: KeyRecord): void {
  const big = k.seekKey > BIG || k.seekPdir > BIG;
  b.i32(k.nbytes);
  b.i16(big ? 1004 : 4);
  b.i32(k.objLen);
  b.u32(k.datime);
  b.i16(k.keyLen);
  b.i16(k.cycle);
  if (big) {
    b.i64(k.seekKey);
    b.i64(k.seekPdir);
  } else {
    b.i32(k.seekKey);
    b.i32(k.seekPdir);
  }
  b.tstring(k.className);
  b.tstring(k.name);
  b.tstring(k.title);
}
