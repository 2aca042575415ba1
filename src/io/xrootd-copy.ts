/**
 * Copying whole files between local disk, root:// and http(s):// (source only), as `xrdcp` does:
 * chunks read and written in parallel, Adler-32 computed on the way and checked against the
 * server's own checksum (kXR_query) on every XRootD side, or against a re-read of a local copy.
 */
import { existsSync, statSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import path from "node:path";
import { HepflowError, type ProgressListener } from "../util/index.js";
import type { ByteSource } from "./source.js";
import { LocalFileSource } from "./local.js";
import { adler32, adler32Combine, adler32Hex } from "./xrootd-checksum.js";
import { isXrootdUrl, parseXrdUrl, remoteChecksum, statUrl, type XrdOptions } from "./xrootd-session.js";
import { XRootDWriter, removeUrl } from "./xrootd-writer.js";

export interface CopyOptions extends XrdOptions {
  /** Replace an existing destination. */
  force?: boolean;
  /** Chunks in flight at once (default 4). */
  parallel?: number;
  /** Bytes per chunk (default 8 MiB). */
  chunkBytes?: number;
  /** Skip computing and comparing the checksum (the result's adler32 is then ""). */
  noVerify?: boolean;
  onProgress?: ProgressListener;
}

export interface CopyResult {
  source: string;
  destination: string;
  bytes: number;
  seconds: number;
  adler32: string;
  /** Where the checksum was compared and what that side reported. */
  verified: Array<{ against: string; value: string }>;
  /** Checks that could not be made (server without checksum support, say). */
  warnings: string[];
}

/** Copies `src` (path, root://, http(s)://) to `dst` (path or root://; a directory takes the source's name). */
export async function copyFile(src: string, dst: string, opt: CopyOptions = {}): Promise<CopyResult> {
  const { openSource } = await import("./index.js");
  const t0 = performance.now();
  const dest = destinationPath(src, dst);
  if (/^https?:\/\//i.test(dest)) throw new HepflowError("IO_UNSUPPORTED", "cannot write to http(s)://; copy to a local path or root://", { file: dest });
  const source: ByteSource = await openSource(src);
  const warnings: string[] = [];
  // The server checksums the source while we copy (it does not depend on the copy).
  const sourceSum =
    !opt.noVerify && isXrootdUrl(src)
      ? remoteChecksum(src, "adler32", opt).then(
          (r) => r,
          (e: Error) => e,
        )
      : undefined;
  try {
    const size = await source.size();
    const chunk = opt.chunkBytes ?? 8 * 1024 * 1024;
    const n = Math.max(1, Math.ceil(size / chunk));
    const sums = new Array<number>(n);
    const sink = await openSink(dest, opt);
    let done = 0,
      next = 0;
    try {
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= n) return;
          const offset = i * chunk;
          const len = Math.min(chunk, size - offset);
          const data = len > 0 ? await source.read(offset, len) : new Uint8Array(0);
          if (!opt.noVerify) sums[i] = adler32(data);
          await sink.write(offset, data);
          done += len;
          opt.onProgress?.({ unit: "MB", done: Math.round(done / 1e5) / 10, total: Math.round(size / 1e5) / 10, rate: done / 1e6 / ((performance.now() - t0) / 1000), label: path.basename(dest) });
        }
      };
      await Promise.all(Array.from({ length: Math.min(n, opt.parallel ?? 4) }, worker));
      await sink.close();
    } catch (e) {
      await sink.abort();
      throw e;
    }
    let sum = sums[0] ?? 1;
    for (let i = 1; i < n && !opt.noVerify; i++) sum = adler32Combine(sum, sums[i]!, Math.min(chunk, size - i * chunk));
    const hex = opt.noVerify ? "" : adler32Hex(sum);
    const verified: CopyResult["verified"] = [];
    if (!opt.noVerify) {
      const sides = [src, dest].filter(isXrootdUrl);
      for (const side of sides) {
        const r =
          side === src && sourceSum
            ? await sourceSum
            : await remoteChecksum(side, "adler32", opt).then(
                (x) => x,
                (e: Error) => e,
              );
        if (r instanceof Error) {
          warnings.push(`${side}: server checksum unavailable (${r.message})`);
          continue;
        }
        if (r.value.padStart(8, "0") !== hex) {
          throw new HepflowError("IO_CHECKSUM", `adler32 mismatch: copied bytes give ${hex}, the server reports ${r.value} for ${side === src ? "the source" : "the copy"}`, { file: dest });
        }
        verified.push({ against: side, value: r.value });
      }
      if (!isXrootdUrl(dest) && verified.length === 0) {
        // A local copy of a source no server vouches for: read it back, so a short or damaged write cannot pass unnoticed.
        const back = new LocalFileSource(dest);
        let s = 1;
        try {
          for (let o = 0; o < size; o += chunk) s = adler32(await back.read(o, Math.min(chunk, size - o)), s);
        } finally {
          await back.close();
        }
        if (adler32Hex(s) !== hex) throw new HepflowError("IO_CHECKSUM", `adler32 mismatch: source ${hex}, local copy ${adler32Hex(s)}`, { file: dest });
        verified.push({ against: dest, value: adler32Hex(s) });
      }
    }
    return { source: src, destination: dest, bytes: size, seconds: (performance.now() - t0) / 1000, adler32: hex, verified, warnings };
  } finally {
    await source.close();
  }
}

/** A destination that is a directory (existing, or a URL ending in "/") gets the source's file name. */
function destinationPath(src: string, dst: string): string {
  const base = isXrootdUrl(src) ? path.posix.basename(parseXrdUrl(src).path) : /^https?:/i.test(src) ? path.posix.basename(new URL(src).pathname) : path.basename(src);
  if (isXrootdUrl(dst)) {
    const u = parseXrdUrl(dst);
    return u.path.endsWith("/") ? dst.replace(/(\?|$)/, `${base}$1`) : dst;
  }
  if (dst.endsWith("/") || (existsSync(dst) && statSync(dst).isDirectory())) return path.join(dst, base);
  return dst;
}

interface Sink {
  write(offset: number, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

async function openSink(dest: string, opt: CopyOptions): Promise<Sink> {
  if (isXrootdUrl(dest)) {
    if (!opt.force) {
      const exists = await statUrl(dest, opt).then(
        () => true,
        (e) => {
          if (e instanceof HepflowError && e.code === "IO_NOT_FOUND") return false;
          throw e;
        },
      );
      if (exists) throw new HepflowError("IO_EXISTS", "the destination exists; pass --force to overwrite it", { file: dest });
    }
    const w = await XRootDWriter.create(dest, { ...opt, overwrite: opt.force });
    return {
      write: (o, d) => w.write(o, d),
      close: () => w.close(),
      abort: async () => {
        w.abort();
        await removeUrl(dest, opt).catch(() => {});
      },
    };
  }
  let fh;
  try {
    fh = await open(dest, opt.force ? "w" : "wx");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new HepflowError("IO_EXISTS", "the destination exists; pass --force to overwrite it", { file: dest });
    throw new HepflowError("IO_WRITE", `cannot create: ${(e as Error).message}`, { file: dest }, { cause: e });
  }
  const handle = fh;
  return {
    write: async (o, d) => {
      let w = 0;
      while (w < d.length) w += (await handle.write(d, w, d.length - w, o + w)).bytesWritten;
    },
    close: () => handle.close(),
    abort: async () => {
      await handle.close().catch(() => {});
      await rm(dest, { force: true });
    },
  };
}
