import { open, readSync, type FileHandle } from "#util/fs";
import { HepflowError } from "../util/index.js";
import type { ByteRange, ByteSource } from "./source.js";

/** Reads up to this size are done synchronously (see `read`). */
const SYNC_MAX = 1024 * 1024;

/** A file on local disk read by positional reads (never loaded whole). */
export class LocalFileSource implements ByteSource {
  readonly name: string;
  private handle: Promise<FileHandle>;
  private sizeCache?: number;

  constructor(path: string) {
    this.name = path;
    try {
      this.handle = open(path, "r").catch((e: NodeJS.ErrnoException) => {
        throw new HepflowError(e.code === "ENOENT" ? "IO_NOT_FOUND" : "IO_OPEN", `cannot open: ${e.message}`, { file: path }, { cause: e });
      });
    } catch (e) {
      // The browser build's open() throws at once: a page has no file system.
      throw new HepflowError("IO_OPEN", `cannot open: ${(e as Error).message}`, { file: path }, { cause: e });
    }
    // Unhandled-rejection guard: the error surfaces on first use instead.
    this.handle.catch(() => undefined);
  }

  async size(): Promise<number> {
    if (this.sizeCache === undefined) this.sizeCache = (await (await this.handle).stat()).size;
    return this.sizeCache;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.check(offset, length);
    // Uninitialised memory (no zero-fill of what the read overwrites); a plain Uint8Array view of its own buffer.
    const buf = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
    await this.fill(offset, length, buf);
    return buf;
  }

  async readInto(offset: number, dst: Uint8Array): Promise<void> {
    this.check(offset, dst.length);
    await this.fill(offset, dst.length, dst);
  }

  private check(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new HepflowError("IO_RANGE", `invalid byte range ${offset}+${length}`, { file: this.name, offset });
    }
  }

  private async fill(offset: number, length: number, buf: Uint8Array): Promise<void> {
    const fh = await this.handle;
    let got = 0;
    while (got < length) {
      // Small reads run inline: a thread-pool round trip costs more than copying a few hundred kB
      // from the page cache, and the reader awaits them at once anyway. Large reads stay
      // asynchronous so they overlap with decompression.
      const bytesRead = length - got <= SYNC_MAX ? readSync(fh.fd, buf, got, length - got, offset + got) : (await fh.read(buf, got, length - got, offset + got)).bytesRead;
      if (bytesRead === 0) {
        throw new HepflowError("IO_TRUNCATED", `file ends at byte ${offset + got} but ${length} bytes were needed from byte ${offset} (truncated file?)`, { file: this.name, offset });
      }
      got += bytesRead;
    }
  }

  readMany(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return Promise.all(ranges.map((r) => this.read(r.offset, r.length)));
  }

  async close(): Promise<void> {
    try {
      await (await this.handle).close();
    } catch {
      /* opening failed: nothing to close */
    }
  }
}

/** Bytes already in memory, e.g. a file produced by the writer in a test. */
export class MemorySource implements ByteSource {
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = "<memory>",
  ) {}
  async size(): Promise<number> {
    return this.bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) {
      throw new HepflowError("IO_TRUNCATED", `file ends at byte ${this.bytes.length} but ${length} bytes were needed from byte ${offset} (truncated file?)`, { file: this.name, offset });
    }
    return this.bytes.subarray(offset, offset + length);
  }
  readMany(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    return Promise.all(ranges.map((r) => this.read(r.offset, r.length)));
  }
  async close(): Promise<void> {}
}
