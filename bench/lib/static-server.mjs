// A static file server on 127.0.0.1 for the in-browser reader: URL prefixes mapped to folders,
// a content type by extension (module scripts need one), and single Range requests, as plain
// static servers do. No compute: the page does all the reading. Used by test/browser and
// bench/browser.bench.mjs.
import { createServer } from "node:http";
import { open, stat } from "node:fs/promises";
import path from "node:path";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml" };

/** Serves `mounts` ({ "/": dir, "/data/": dir }); resolves to { url, close() }. */
export async function startStaticServer(mounts) {
  const table = Object.entries(mounts).map(([prefix, dir]) => [prefix, path.resolve(dir)]).sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    try {
      let pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (pathname.endsWith("/")) pathname += "index.html";
      const mount = table.find(([prefix]) => pathname.startsWith(prefix));
      if (!mount) { res.writeHead(404).end(); return; }
      const file = path.join(mount[1], pathname.slice(mount[0].length));
      if (!file.startsWith(mount[1] + path.sep)) { res.writeHead(403).end(); return; }
      let size;
      try { size = (await stat(file)).size; } catch { res.writeHead(404).end("not found"); return; }
      const type = TYPES[path.extname(file)] ?? "application/octet-stream";
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
      let start = 0, end = size - 1, status = 200;
      if (req.headers.range && !range) { res.writeHead(416, { "content-range": `bytes */${size}` }).end(); return; }
      if (range) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (start > end) { res.writeHead(416, { "content-range": `bytes */${size}` }).end(); return; }
        status = 206;
      }
      const fh = await open(file, "r");
      try {
        const body = Buffer.alloc(end - start + 1);
        if (body.length) await fh.read(body, 0, body.length, start);
        const headers = { "content-type": type, "content-length": body.length, "accept-ranges": "bytes", "cache-control": "no-store" };
        if (status === 206) headers["content-range"] = `bytes ${start}-${end}/${size}`;
        res.writeHead(status, headers).end(body);
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
