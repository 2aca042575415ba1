import { createServer, type Server } from "node:http";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import type { AddressInfo } from "node:net";

/** How the test server misbehaves. */
export interface ServerMode {
  /** Answer every request with 200 and the whole file. */
  ignoreRange?: boolean;
  /** Answer multi-range requests with only the first range (as some servers do). */
  singleRangeOnly?: boolean;
  /** Destroy the connection for the first N requests. */
  dropFirst?: number;
  /** Answer 503 to the first N requests. */
  fail503First?: number;
  /** Send every body `bytes` at a time, one piece every `everyMs` (a slow but live server). */
  trickle?: { bytes: number; everyMs: number };
  /** Send the status line and headers, then nothing more (a stalled server). */
  stallBody?: boolean;
  /** Accept the connection but never answer. */
  neverAnswer?: boolean;
}

/** A static file server on 127.0.0.1 with Range and multi-range support, for the HTTP source tests. */
export async function startFileServer(root: string, mode: ServerMode = {}): Promise<{ url: string; server: Server; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer(async (req, res) => {
    count++;
    if (mode.dropFirst && count <= mode.dropFirst) {
      req.socket.destroy();
      return;
    }
    if (mode.fail503First && count <= mode.fail503First) {
      res.writeHead(503).end();
      return;
    }
    if (mode.neverAnswer) return;
    const file = path.join(root, decodeURIComponent(new URL(req.url!, "http://x").pathname));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      res.writeHead(404).end("not found");
      return;
    }
    const fh = await open(file, "r");
    // Body writer: all at once, trickled, or stalled after the headers.
    const send = (body: Buffer): void => {
      if (mode.stallBody) {
        res.flushHeaders();
        return;
      }
      if (!mode.trickle) {
        res.end(body);
        return;
      }
      const { bytes, everyMs } = mode.trickle;
      let at = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (at >= body.length) {
          res.end();
          return;
        }
        res.write(body.subarray(at, at + bytes));
        at += bytes;
        setTimeout(tick, everyMs);
      };
      tick();
    };
    try {
      const slice = async (a: number, b: number) => {
        const buf = Buffer.alloc(b - a + 1);
        await fh.read(buf, 0, buf.length, a);
        return buf;
      };
      const rangeHeader = req.headers.range;
      if (!rangeHeader || mode.ignoreRange) {
        res.writeHead(200, { "content-length": size });
        send(await slice(0, size - 1));
        return;
      }
      let ranges = rangeHeader
        .replace(/^bytes=/, "")
        .split(",")
        .map((r) => r.split("-").map(Number) as [number, number]);
      if (mode.singleRangeOnly) ranges = ranges.slice(0, 1);
      if (ranges.some(([a, b]) => a > b || b >= size)) {
        res.writeHead(416, { "content-range": `bytes */${size}` }).end();
        return;
      }
      if (ranges.length === 1) {
        const [a, b] = ranges[0]!;
        res.writeHead(206, { "content-range": `bytes ${a}-${b}/${size}`, "content-length": b - a + 1 });
        send(await slice(a, b));
        return;
      }
      const boundary = "hepflowtestboundary";
      const chunks: Buffer[] = [];
      for (const [a, b] of ranges) {
        chunks.push(Buffer.from(`\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${a}-${b}/${size}\r\n\r\n`), await slice(a, b));
      }
      chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
      const body = Buffer.concat(chunks);
      res.writeHead(206, { "content-type": `multipart/byteranges; boundary=${boundary}`, "content-length": body.length });
      send(body);
    } finally {
      await fh.close();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests: () => count,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
