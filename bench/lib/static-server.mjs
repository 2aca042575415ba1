// A static file server on 127.0.0.1 for the in-browser reader: URL prefixes mapped to folders,
// a content type by extension (module scripts need one), and Range requests as plain static
// servers answer them (several ranges as one multipart/byteranges answer, as nginx does).
// No compute: the page does all the reading. Used by test/browser and bench/browser.bench.mjs.
import { createServer } from "node:http";
import { open, stat } from "node:fs/promises";
import path from "node:path";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml" };

/** Serves `mounts` ({ "/": dir, "/data/": dir }); resolves to { url, close() }. */
export async function startStaticServer(mounts) {
  const table = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix, path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    try {
      let pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (pathname.endsWith("/")) pathname += "index.html";
      const mount = table.find(([prefix]) => pathname.startsWith(prefix));
      if (!mount) {
        res.writeHead(404).end();
        return;
      }
      const file = path.join(mount[1], pathname.slice(mount[0].length));
      if (!file.startsWith(mount[1] + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      let size;
      try {
        size = (await stat(file)).size;
      } catch {
        res.writeHead(404).end("not found");
        return;
      }
      const type = TYPES[path.extname(file)] ?? "application/octet-stream";
      const spec = req.headers.range;
      const ranges = spec ? parseRanges(spec, size) : [[0, size - 1]];
      if (!ranges) {
        res.writeHead(416, { "content-range": `bytes */${size}` }).end();
        return;
      }
      const fh = await open(file, "r");
      try {
        const parts = [];
        for (const [a, b] of ranges) {
          const body = Buffer.alloc(b - a + 1);
          if (body.length) await fh.read(body, 0, body.length, a);
          parts.push(body);
        }
        const base = { "accept-ranges": "bytes", "cache-control": "no-store" };
        if (!spec) res.writeHead(200, { ...base, "content-type": type, "content-length": size }).end(parts[0]);
        else if (ranges.length === 1) {
          const [a, b] = ranges[0];
          res.writeHead(206, { ...base, "content-type": type, "content-length": parts[0].length, "content-range": `bytes ${a}-${b}/${size}` }).end(parts[0]);
        } else {
          // Several ranges: one multipart/byteranges answer (JSROOT asks for these; hepflow's page does not).
          const boundary = "hepflow-byteranges";
          const chunks = [];
          ranges.forEach(([a, b], i) => {
            chunks.push(Buffer.from(`--${boundary}\r\ncontent-type: ${type}\r\ncontent-range: bytes ${a}-${b}/${size}\r\n\r\n`), parts[i], Buffer.from("\r\n"));
          });
          chunks.push(Buffer.from(`--${boundary}--\r\n`));
          const body = Buffer.concat(chunks);
          res.writeHead(206, { ...base, "content-type": `multipart/byteranges; boundary=${boundary}`, "content-length": body.length }).end(body);
        }
      } finally {
        await fh.close();
      }
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** [[first, last], ...] of a Range header, or null when it is malformed or out of the file. */
function parseRanges(spec, size) {
  const m = /^bytes=(.+)$/.exec(spec);
  if (!m) return null;
  const out = [];
  for (const r of m[1].split(",")) {
    const p = /^\s*(\d+)-(\d*)\s*$/.exec(r);
    if (!p) return null;
    const a = Number(p[1]);
    const b = p[2] ? Math.min(Number(p[2]), size - 1) : size - 1;
    if (a > b) return null;
    out.push([a, b]);
  }
  return out;
}
