/**
 * Writing a file on an XRootD server: kXR_open (new, or delete-and-create when overwriting,
 * creating missing directories), kXR_write requests pipelined many at a time on one connection,
 * kXR_sync, kXR_close. Writes are not retried: after a dropped connection the file on the
 * server is incomplete and the caller must start again.
 */
import { HepflowError } from "../util/index.js";
import type { XrdConnection } from "./xrootd-connection.js";
import { OpenOpt, Req, writeOffset } from "./xrootd-protocol.js";
import { InFlightLimit } from "./spans.js";
import { parseXrdUrl, pathWithCgi, release, sendFollowing, type XrdOptions } from "./xrootd-session.js";

export interface XrdWriterOptions extends XrdOptions {
  /** Replace an existing file (kXR_delete); without it an existing file is an IO_EXISTS error. */
  overwrite?: boolean;
  /** Largest single kXR_write (default 8 MiB); bigger writes are split. */
  maxWriteBytes?: number;
  /** Writes in flight at once (default 8). */
  maxInFlight?: number;
}

/** rw-r--r-- in XRootD's mode bits (kXR_ur | kXR_uw | kXR_gr | kXR_or). */
const MODE_644 = 0x100 | 0x080 | 0x020 | 0x004;

export class XRootDWriter {
  readonly name: string;
  bytesWritten = 0;
  private readonly limit: InFlightLimit;
  private closed = false;

  private constructor(
    url: string,
    private readonly conn: XrdConnection,
    private readonly handle: Buffer,
    private readonly opt: XrdWriterOptions,
  ) {
    this.name = url;
    this.limit = new InFlightLimit(opt.maxInFlight ?? 8);
  }

  /** Creates (or with `overwrite`, replaces) the file at `url`, following redirects. */
  static async create(url: string, opt: XrdWriterOptions = {}): Promise<XRootDWriter> {
    const u = parseXrdUrl(url);
    // Replace by remove + create rather than kXR_delete (truncate): a truncated file keeps its inode,
    // and the server's checksum cache (an extended attribute checked against the mtime, which has
    // one-second resolution) could then report the old file's adler32 for the new bytes.
    if (opt.overwrite) {
      try {
        await removeUrl(url, opt);
      } catch (e) {
        if (!(e instanceof HepflowError && e.code === "IO_NOT_FOUND")) throw e;
      }
    }
    const options = (opt.overwrite ? OpenOpt.delete : OpenOpt.new) | OpenOpt.mkpath;
    let landed;
    try {
      landed = await sendFollowing(u, opt, url, "open for writing", (c, at) =>
        c.send(
          Req.open,
          (b) => {
            b.writeUInt16BE(MODE_644, 0);
            b.writeUInt16BE(options, 2);
          },
          pathWithCgi(at),
          "open for writing",
        ),
      );
    } catch (e) {
      if (e instanceof HepflowError && e.code === "IO_EXISTS") {
        throw new HepflowError("IO_EXISTS", "the file exists on the server; pass --force (overwrite) to replace it", { file: url }, { cause: e });
      }
      throw e;
    }
    if (landed.body.length < 4) {
      release(landed.conn);
      throw new HepflowError("IO_XROOTD_PROTOCOL", "open answer without a file handle", { file: url });
    }
    return new XRootDWriter(url, landed.conn, Buffer.from(landed.body.subarray(0, 4)), opt);
  }

  /** Writes `data` at `offset`; many calls may be in flight at once. */
  async write(offset: number, data: Uint8Array): Promise<void> {
    if (this.closed) throw new HepflowError("IO_CLOSED", "write after close", { file: this.name });
    const max = this.opt.maxWriteBytes ?? 8 * 1024 * 1024;
    const pieces: Promise<void>[] = [];
    for (let o = 0; o < data.length || (o === 0 && data.length === 0); o += max) {
      const piece = data.subarray(o, Math.min(data.length, o + max));
      pieces.push(
        this.limit.run(async () => {
          await this.conn.send(
            Req.write,
            (b) => {
              this.handle.copy(b, 0);
              writeOffset(b, 4, offset + o);
            },
            piece,
            "write",
          );
          this.bytesWritten += piece.length;
        }),
      );
      if (data.length === 0) break;
    }
    await Promise.all(pieces);
  }

  /** Asks the server to put what was written on stable storage. */
  async sync(): Promise<void> {
    await this.conn.send(Req.sync, (b) => this.handle.copy(b, 0), undefined, "sync");
  }

  /** Syncs and closes; the file is complete on the server when this resolves. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.sync();
      await this.conn.send(Req.close, (b) => this.handle.copy(b, 0), undefined, "close");
    } finally {
      release(this.conn);
    }
  }

  /** Closes without syncing after a failure (the partial file stays; the caller may remove it). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    void this.conn
      .send(Req.close, (b) => this.handle.copy(b, 0), undefined, "close")
      .catch(() => {})
      .finally(() => release(this.conn));
  }
}

/** Removes a file on the server (kXR_rm). */
export async function removeUrl(url: string, opt: XrdOptions = {}): Promise<void> {
  const landed = await sendFollowing(parseXrdUrl(url), opt, url, "remove", (c, at) => c.send(Req.rm, undefined, pathWithCgi(at), "remove"));
  release(landed.conn);
}
