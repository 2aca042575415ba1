// Client side of the XRootD integration tests. Runs inside the private network namespace made
// by `inNamespace()` (xrootd-servers.mjs), starts real servers there, exercises the compiled
// hepflow client (dist/) against them and prints one JSON line with what it saw; the vitest
// file compares that with what it reads from disk itself.
import { copyFileSync, readFileSync, writeFileSync, chmodSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { giveToXrootd, removeScratch, scratch, startServer, xrdTool } from "./xrootd-servers.mjs";
import { digestFile } from "./xrootd-digest.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(HERE, "../../dist");
const io = await import(path.join(DIST, "io/index.js"));
const root = await import(path.join(DIST, "root/index.js"));

const input = JSON.parse(readFileSync(0, "utf8") || "{}");
const scenario = process.argv[2];

const errorOf = async (p) => {
  try { await p; return { ok: true }; } catch (e) { return { code: e.code, message: e.message, name: e.name }; }
};

async function read() {
  const dir = scratch();
  const data = await startServer(dir, "data", 1094);
  const redir = await startServer(dir, "redir", 2094, ["xrootd.redirect 127.0.0.1:1094 /"]);
  const result = { digests: {}, readvs: 0 };
  try {
    for (const f of input.files) {
      const dst = path.join(dir, "data", path.basename(f));
      copyFileSync(f, dst);
      giveToXrootd(dst);
    }
    // Every file, read over root://: digests of every branch's values.
    const t0 = Date.now();
    for (const f of input.files) {
      const name = path.basename(f);
      const src = new io.XRootDSource(`root://127.0.0.1:1094//${name}`);
      const file = await root.openFile(src);
      try { result.digests[name] = await digestFile(file); } finally { await file.close(); }
      result.readvs += src.stats.readvs;
    }
    result.corpusMs = Date.now() - t0;
    // readv: many scattered ranges in one call, compared byte for byte with the file.
    const big = input.files.map((f) => [f, statSync(f).size]).sort((a, b) => b[1] - a[1])[0];
    const bytes = readFileSync(big[0]);
    const ranges = [];
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 3000; i++) {
      const length = 1 + Math.floor(rnd() * 3000);
      ranges.push({ offset: Math.floor(rnd() * (bytes.length - length)), length });
    }
    const src = new io.XRootDSource(`root://127.0.0.1:1094//${path.basename(big[0])}`);
    const got = await src.readMany(ranges);
    result.readv = {
      ranges: ranges.length,
      mismatches: ranges.filter((r, i) => Buffer.compare(Buffer.from(got[i]), bytes.subarray(r.offset, r.offset + r.length)) !== 0).length,
      readvRequests: src.stats.readvs,
      size: await src.size(),
      localSize: bytes.length,
    };
    await src.close();
    // Through the redirector: same digests, and the open really went elsewhere.
    const first = path.basename(input.redirectFile);
    const viaRedirect = new io.XRootDSource(`root://127.0.0.1:2094//${first}`);
    const rf = await root.openFile(viaRedirect);
    try { result.redirect = { digests: await digestFile(rf), opens: viaRedirect.stats.opens, endpoint: viaRedirect.endpoint }; } finally { await rf.close(); }
    // Errors: a missing file, a file the server may not read, a past-the-end read.
    result.notFound = await errorOf(new io.XRootDSource("root://127.0.0.1:1094//no/such/file.root").size());
    const locked = path.join(dir, "data", "locked.root");
    writeFileSync(locked, "secret");
    chmodSync(locked, 0o000); // owned by root, mode 000: the xrootd user cannot open it
    result.denied = await errorOf(new io.XRootDSource("root://127.0.0.1:1094//locked.root").size());
    result.refused = await errorOf(new io.XRootDSource("root://127.0.0.1:3999//x.root", { maxRetries: 1, retryBaseMs: 10 }).size());
    result.pastEnd = await errorOf(new io.XRootDSource(`root://127.0.0.1:1094//${first}`).read(bytes.length * 10, 10));
  } finally {
    await data.stop();
    await redir.stop();
    removeScratch(dir);
  }
  return result;
}

/** The server dies while reads are in flight: with a restart the client retries; without, a clean error. */
async function kill() {
  const dir = scratch();
  const result = {};
  try {
    const dst = path.join(dir, "data", "f.root");
    copyFileSync(input.file, dst);
    giveToXrootd(dst);
    const bytes = readFileSync(input.file);
    let server = await startServer(dir, "data", 1094);
    // 1. Killed and restarted: outstanding reads come back right after re-opening.
    const src = new io.XRootDSource("root://127.0.0.1:1094//f.root", { maxRetries: 6, retryBaseMs: 200 });
    await src.size();
    const chunks = [];
    for (let o = 0; o + 4096 <= bytes.length; o += 4096) chunks.push(o);
    const reads = chunks.map((o) => src.read(o, 4096));
    await server.stop();
    server = await startServer(dir, "data", 1094);
    const got = await Promise.all(reads);
    result.restarted = {
      reads: got.length,
      mismatches: got.filter((b, i) => Buffer.compare(Buffer.from(b), bytes.subarray(chunks[i], chunks[i] + 4096)) !== 0).length,
      retries: src.stats.retries,
      opens: src.stats.opens,
    };
    await src.close();
    // 2. Killed for good: every pending read fails with a HepflowError, nothing hangs.
    const src2 = new io.XRootDSource("root://127.0.0.1:1094//f.root", { maxRetries: 2, retryBaseMs: 50 });
    await src2.size();
    const t0 = Date.now();
    const pending = chunks.slice(0, 50).map((o) => errorOf(src2.read(o, 4096)));
    await server.stop();
    const errs = await Promise.all(pending);
    result.dead = { errors: errs.filter((e) => !e.ok).map((e) => e.code), ok: errs.filter((e) => e.ok).length, ms: Date.now() - t0, message: errs.find((e) => !e.ok)?.message };
  } finally {
    removeScratch(dir);
  }
  return result;
}

const scenarios = { read, kill };
const fn = scenarios[scenario];
if (!fn) throw new Error(`unknown scenario ${scenario}`);
const out = await fn();
// Exit only once the (large) line is out: a pipe takes it in pieces.
process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0));
