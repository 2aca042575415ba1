// Client side of the XRootD integration tests. Runs inside the private network namespace made
// by `inNamespace()` (xrootd-servers.mjs), starts real servers there, exercises the compiled
// hepflow client (dist/) against them and prints one JSON line with what it saw; the vitest
// file compares that with what it reads from disk itself.
import { copyFileSync, existsSync, readFileSync, writeFileSync, chmodSync, statSync } from "node:fs";
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
  try {
    await p;
    return { ok: true };
  } catch (e) {
    return { code: e.code, message: e.message, name: e.name };
  }
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
      try {
        result.digests[name] = await digestFile(file);
      } finally {
        await file.close();
      }
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
    // Large reads (256 KiB and more) take turns over three connections, each with its own open.
    const piece = 256 * 1024;
    const wide = new io.XRootDSource(`root://127.0.0.1:1094//${path.basename(big[0])}`, { connections: 3 });
    const pieces = Array.from({ length: Math.floor(bytes.length / piece) }, (_, i) => new Uint8Array(piece + (i % 3)));
    await Promise.all(pieces.map((dst, i) => wide.readInto(Math.min(i * piece, bytes.length - dst.length), dst)));
    result.lanes = {
      pieces: pieces.length,
      mismatches: pieces.filter((dst, i) => {
        const at = Math.min(i * piece, bytes.length - dst.length);
        return Buffer.compare(Buffer.from(dst), bytes.subarray(at, at + dst.length)) !== 0;
      }).length,
      opens: wide.stats.opens,
      reads: wide.stats.reads,
    };
    await wide.close();
    // Through the redirector: same digests, and the open really went elsewhere.
    const first = path.basename(input.redirectFile);
    const viaRedirect = new io.XRootDSource(`root://127.0.0.1:2094//${first}`);
    const rf = await root.openFile(viaRedirect);
    try {
      result.redirect = { digests: await digestFile(rf), opens: viaRedirect.stats.opens, endpoint: viaRedirect.endpoint };
    } finally {
      await rf.close();
    }
    // Listing and globbing (kXR_dirlist), also through the redirector.
    result.listing = await io.listDirectory("root://127.0.0.1:1094//");
    result.glob = await io.expandGlob("root://127.0.0.1:2094//uproot-HZZ*.root");
    result.globNone = await errorOf(io.expandGlob("root://127.0.0.1:1094//nothing-*.root"));
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

/** Writing: the writer directly, and `hepflow cp` local → root:// → local and http → root://. */
async function write() {
  const dir = scratch();
  const server = await startServer(dir, "data", 1094);
  const result = {};
  const { spawn } = await import("node:child_process");
  const { createHash, randomBytes } = await import("node:crypto");
  const http = await import("node:http");
  // Asynchronous: the HTTP server of step 4 lives in this process and must keep answering.
  const hepflow = (...args) =>
    new Promise((resolve) => {
      const c = spawn(process.execPath, [path.resolve(HERE, "../../bin/hepflow.js"), ...args], { timeout: 60_000 });
      let stdout = "",
        stderr = "";
      c.stdout.on("data", (d) => {
        stdout += d;
      });
      c.stderr.on("data", (d) => {
        stderr += d;
      });
      c.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  const sha = (b) => createHash("sha256").update(b).digest("hex");
  try {
    // 1. Pipelined kXR_write of 37 uneven pieces, all in flight together, read back over root://.
    const data = randomBytes(3_000_000);
    const w = await io.XRootDWriter.create("root://127.0.0.1:1094//w/sub/pieces.bin", { maxInFlight: 16 });
    const cuts = [0];
    while (cuts[cuts.length - 1] < data.length) cuts.push(Math.min(data.length, cuts[cuts.length - 1] + 1000 + Math.floor(Math.random() * 150_000)));
    await Promise.all(cuts.slice(0, -1).map((c, i) => w.write(c, data.subarray(c, cuts[i + 1]))));
    await w.close();
    const back = new io.XRootDSource("root://127.0.0.1:1094//w/sub/pieces.bin");
    result.writer = { pieces: cuts.length - 1, same: sha(Buffer.from(await back.read(0, data.length))) === sha(data), size: await back.size() };
    await back.close();
    const onDisk = readFileSync(path.join(dir, "data", "w", "sub", "pieces.bin"));
    result.writer.onDiskSame = sha(onDisk) === sha(data);
    // 2. hepflow cp local → root:// (small chunks, so several go in parallel), then root:// → local.
    const local = path.join(dir, "src.bin");
    const payload = randomBytes(5_500_000);
    writeFileSync(local, payload);
    const up = await hepflow("cp", local, "root://127.0.0.1:1094//cp/", "--chunk-size", "1", "--parallel", "4", "--json");
    result.up = { status: up.status, stderr: up.stderr, json: up.status === 0 ? JSON.parse(up.stdout) : undefined };
    const xrd = xrdTool("xrdcp", ["-f", "--cksum", "adler32:print", "root://127.0.0.1:1094//cp/src.bin", path.join(dir, "by-xrdcp.bin")]);
    result.xrdcp = { status: xrd.status, out: xrd.stdout + xrd.stderr };
    result.xrdcpSame = sha(readFileSync(path.join(dir, "by-xrdcp.bin"))) === sha(payload);
    const down = await hepflow("cp", "root://127.0.0.1:1094//cp/src.bin", path.join(dir, "down.bin"), "--json");
    result.down = { status: down.status, stderr: down.stderr, json: down.status === 0 ? JSON.parse(down.stdout) : undefined };
    result.downSame = sha(readFileSync(path.join(dir, "down.bin"))) === sha(payload);
    // 3. Not overwritten without --force, on either side; replaced with it.
    const again = await hepflow("cp", local, "root://127.0.0.1:1094//cp/src.bin");
    result.refuseRemote = { status: again.status, stderr: again.stderr };
    const againLocal = await hepflow("cp", "root://127.0.0.1:1094//cp/src.bin", path.join(dir, "down.bin"));
    result.refuseLocal = { status: againLocal.status, stderr: againLocal.stderr };
    writeFileSync(local, payload.subarray(0, 1_000_000));
    const forced = await hepflow("cp", local, "root://127.0.0.1:1094//cp/src.bin", "--force", "--json");
    result.forced = { status: forced.status, json: forced.status === 0 ? JSON.parse(forced.stdout) : undefined, stderr: forced.stderr };
    result.forcedSize = statSync(path.join(dir, "data", "cp", "src.bin")).size;
    // 4. http(s):// source → root://.
    const srv = http.createServer((req, res) => {
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
      if (!m) {
        res.writeHead(200, { "content-length": payload.length });
        return res.end(payload);
      }
      const a = Number(m[1]),
        b = Math.min(Number(m[2]), payload.length - 1);
      res.writeHead(206, { "content-range": `bytes ${a}-${b}/${payload.length}`, "content-length": b - a + 1 });
      res.end(payload.subarray(a, b + 1));
    });
    await new Promise((r) => srv.listen(8080, "127.0.0.1", r));
    const fromHttp = await hepflow("cp", "http://127.0.0.1:8080/web.bin", "root://127.0.0.1:1094//cp/", "--json");
    srv.close();
    result.http = { status: fromHttp.status, stderr: fromHttp.stderr, json: fromHttp.status === 0 ? JSON.parse(fromHttp.stdout) : undefined };
    result.httpSame = existsSync(path.join(dir, "data", "cp", "web.bin")) && sha(readFileSync(path.join(dir, "data", "cp", "web.bin"))) === sha(payload);
    result.payloadAdler = io.adler32Hex(io.adler32(payload));
  } finally {
    await server.stop();
    removeScratch(dir);
  }
  return result;
}

/** The acceptance test: `hepflow run examples/agc-ttbar` over root:// URLs (one sample by glob) and locally. */
async function agc() {
  const { spawn } = await import("node:child_process");
  const { mkdirSync } = await import("node:fs");
  const dir = scratch();
  const server = await startServer(dir, "data", 1094);
  const run = (dataset, out, extra = []) =>
    new Promise((resolve) => {
      const c = spawn(process.execPath, [path.resolve(HERE, "../../bin/hepflow.js"), "run", path.resolve(HERE, "../../examples/agc-ttbar"), "--dataset", dataset, "--out", out, "--workers", "2", ...extra], {
        timeout: 120_000,
        cwd: path.resolve(HERE, "../.."),
      });
      let stdout = "",
        stderr = "";
      c.stdout.on("data", (d) => {
        stdout += d;
      });
      c.stderr.on("data", (d) => {
        stderr += d;
      });
      c.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  try {
    const catalogue = JSON.parse(readFileSync(path.join(input.genDir, "dataset.json"), "utf8"));
    let urls = 0,
      globs = 0;
    for (const [proc, variations] of Object.entries(catalogue)) {
      for (const [variation, entry] of Object.entries(variations)) {
        const rels = entry.files.map((f) => path.relative(input.genDir, f.path));
        entry.files = entry.files.map((f, i) => {
          const rel = rels[i];
          const dst = path.join(dir, "data", "gen", rel);
          mkdirSync(path.dirname(dst), { recursive: true });
          copyFileSync(f.path, dst);
          urls++;
          return { ...f, path: `root://127.0.0.1:1094//gen/${rel}` };
        });
        // One sample named by a wildcard, expanded with kXR_dirlist.
        if (proc === "wjets" && variation === "nominal") {
          entry.files = [`root://127.0.0.1:1094//gen/${path.dirname(rels[0])}/*.root`];
          globs++;
        }
      }
    }
    // The xrootd user serves the data directory: hand it the copied tree.
    if (xrdTool("chown", ["-R", "xrootd:xrootd", path.join(dir, "data")]).status !== 0) throw new Error("chown -R xrootd failed");
    const remote = path.join(dir, "remote.json");
    writeFileSync(remote, JSON.stringify(catalogue, null, 1));
    const r = await run(remote, path.join(dir, "out-remote"));
    const l = await run(path.join(input.genDir, "dataset.json"), path.join(dir, "out-local"));
    const read = (o, f) => {
      try {
        return JSON.parse(readFileSync(path.join(dir, o, f), "utf8"));
      } catch {
        return undefined;
      }
    };
    const result = {
      urls,
      globs,
      remoteDataset: catalogue.wjets?.nominal?.files,
      remote: { status: r.status, stderr: r.stderr.slice(-2000), histograms: read("out-remote", "histograms.json"), cutflow: read("out-remote", "cutflow.json") },
      local: { status: l.status, stderr: l.stderr.slice(-2000), histograms: read("out-local", "histograms.json"), cutflow: read("out-local", "cutflow.json") },
    };
    Object.assign(result, await everywhere(dir, catalogue, remote, run, hepflowIn(dir)));
    return result;
  } finally {
    await server.stop();
    removeScratch(dir);
  }
}

/** `hepflow ARGS` (compiled) in `cwd`; resolves with status and output. */
function hepflowIn(cwd) {
  return async (...args) => {
    const { spawn } = await import("node:child_process");
    return new Promise((resolve) => {
      const c = spawn(process.execPath, [path.resolve(HERE, "../../bin/hepflow.js"), ...args], { cwd, timeout: 120_000 });
      let stdout = "",
        stderr = "";
      c.stdout.on("data", (d) => {
        stdout += d;
      });
      c.stderr.on("data", (d) => {
        stderr += d;
      });
      c.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  };
}

/**
 * Issue 17 item 5 on the same server as the acceptance run: `ls` and `dump` of a root:// file,
 * the AGC run in remote (Redis) workers reading root:// and writing `--out root://`, and the demo
 * with `--input root://` and `--out root://` (outputs read back from the server's disk).
 */
async function everywhere(dir, catalogue, remoteDataset, run, hepflow) {
  const { spawn } = await import("node:child_process");
  const out = {};
  const rel = path.relative(input.genDir, catalogue.ttbar.nominal.files[0].path.replace("root://127.0.0.1:1094//gen/", path.join(input.genDir, "/")));
  const url = `root://127.0.0.1:1094//gen/${rel}`,
    file = path.join(input.genDir, rel);
  const sameBut = (a, b) => a.status === 0 && b.status === 0 && a.stdout.split(url).join("F") === b.stdout.split(file).join("F");
  const [lsR, lsL] = [await hepflow("ls", url), await hepflow("ls", file)];
  out.ls = { same: sameBut(lsR, lsL), stderr: lsR.stderr, lines: lsR.stdout.split("\n").length };
  const dumpArgs = ["-b", "Jet_pt", "nMuon", "event", "-n", "40", "-s", "5", "--json"];
  const [dR, dL] = [await hepflow("dump", `${url}:Events`, ...dumpArgs), await hepflow("dump", `${file}:Events`, ...dumpArgs)];
  out.dump = { same: sameBut(dR, dL), stderr: dR.stderr, bytes: dR.stdout.length };
  // Remote workers: a redis-server and one `hepflow worker` in this namespace; histograms uploaded to root://.
  const redis = spawn("redis-server", ["--port", "6390", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  let worker;
  try {
    for (let i = 0; ; i++) {
      if (xrdTool("redis-cli", ["-p", "6390", "ping"]).stdout.includes("PONG")) break;
      if (i > 100 || redis.exitCode !== null) throw new Error("redis-server did not start (Debian package redis-server)");
      await new Promise((r) => setTimeout(r, 50));
    }
    worker = spawn(process.execPath, [path.resolve(HERE, "../../bin/hepflow.js"), "worker", "--redis", "redis://127.0.0.1:6390", "--root", path.resolve(HERE, "../..")], {
      stdio: ["ignore", "ignore", "pipe"],
      cwd: path.resolve(HERE, "../.."),
    });
    let wlog = "";
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`worker did not start: ${wlog}`)), 20_000);
      worker.stderr.on("data", (d) => {
        wlog += d;
        if (/ready on/.test(wlog)) {
          clearTimeout(t);
          resolve();
        }
      });
      worker.once("exit", (c) => {
        clearTimeout(t);
        reject(new Error(`worker exited ${c}: ${wlog}`));
      });
    });
    const rr = await run(remoteDataset, "root://127.0.0.1:1094//results/agc-redis", ["--executor", "redis://127.0.0.1:6390"]);
    const onServer = (f) => {
      try {
        return JSON.parse(readFileSync(path.join(dir, "data", "results", "agc-redis", f), "utf8"));
      } catch {
        return undefined;
      }
    };
    out.redis = { status: rr.status, stderr: rr.stderr.slice(-2000), histograms: onServer("histograms.json"), cutflow: onServer("cutflow.json") };
    // The no-overwrite rule holds on the server: a second run into the same (non-empty) folder is refused.
    const again = await run(remoteDataset, "root://127.0.0.1:1094//results/agc-redis", ["--executor", "redis://127.0.0.1:6390"]);
    out.redisAgain = { status: again.status, stderr: again.stderr.slice(-500) };
  } finally {
    worker?.kill("SIGTERM");
    redis.kill("SIGKILL");
  }
  // The demo on one root:// file, its whole output folder uploaded (the selection step's histograms under
  // run/selection/out, as the workflow lays them out); and the same demo locally.
  const demo = (inp, o) => hepflow("demo", "--input", inp, "--out", o, "--workers", "1", "--no-track");
  const dr = await demo(url, "root://127.0.0.1:1094//results/demo");
  const dl = await demo(file, path.join(dir, "demo-local"));
  const readJson = (p) => {
    try {
      return JSON.parse(readFileSync(p, "utf8"));
    } catch {
      return undefined;
    }
  };
  out.demo = {
    status: dr.status,
    stderr: dr.stderr.slice(-2000),
    localStatus: dl.status,
    histograms: readJson(path.join(dir, "data", "results", "demo", "run", "selection", "out", "histograms.json")),
    localHistograms: readJson(path.join(dir, "demo-local", "run", "selection", "out", "histograms.json")),
    report: existsSync(path.join(dir, "data", "results", "demo", "report.html")),
  };
  // A single-file output: refused when it exists, replaced with --force.
  const drawArgs = [`${url}:Events`, "Jet_pt", "--bins", "20", "--range", "0", "200", "-o", "root://127.0.0.1:1094//results/jet_pt.json"];
  const d1 = await hepflow("draw", ...drawArgs),
    d2 = await hepflow("draw", ...drawArgs),
    d3 = await hepflow("draw", ...drawArgs, "--force");
  const dLocal = await hepflow("draw", `${file}:Events`, "Jet_pt", "--bins", "20", "--range", "0", "200", "-o", path.join(dir, "jet_pt.json"));
  out.draw = {
    statuses: [d1.status, d2.status, d3.status, dLocal.status],
    refused: d2.stderr,
    same: readFileSync(path.join(dir, "data", "results", "jet_pt.json"), "utf8") === readFileSync(path.join(dir, "jet_pt.json"), "utf8"),
  };
  // A snapshot (skim) written to the server equals the one written locally, as `ls` and `dump` see them;
  // an output that is one of the inputs is refused even with --force.
  const skimArgs = (o) => [`${url}:Events`, "--where", "nJet >= 4", "--branches", "nJet", "Jet_pt", "event", "-o", o];
  const sR = await hepflow("skim", ...skimArgs("root://127.0.0.1:1094//results/skim.root"));
  const sL = await hepflow("skim", ...skimArgs(path.join(dir, "skim.root")));
  const skimUrl = "root://127.0.0.1:1094//results/skim.root",
    skimFile = path.join(dir, "skim.root");
  const lsS = [await hepflow("ls", skimUrl), await hepflow("ls", skimFile)];
  const dumpS = [await hepflow("dump", `${skimUrl}:Events`, "-n", "2000", "--json"), await hepflow("dump", `${skimFile}:Events`, "-n", "2000", "--json")];
  out.skim = {
    statuses: [sR.status, sL.status],
    stderr: sR.stderr,
    ls: lsS[0].stdout.split(skimUrl).join("F") === lsS[1].stdout.split(skimFile).join("F"),
    dump: dumpS[0].status === 0 && dumpS[0].stdout === dumpS[1].stdout,
    dumpBytes: dumpS[0].stdout.length,
  };
  const self = await hepflow("skim", `${skimUrl}:Events`, "--where", "nJet >= 5", "-o", skimUrl, "--force");
  out.selfInput = { status: self.status, stderr: self.stderr };
  return out;
}

/** unix authentication and TLS (a server that requires it, and roots://) against real servers. */
async function auth() {
  const dir = scratch();
  const servers = [];
  const result = {};
  try {
    const dst = path.join(dir, "data", "f.root");
    copyFileSync(input.file, dst);
    giveToXrootd(dst);
    const key = path.join(dir, "key.pem"),
      cert = path.join(dir, "cert.pem");
    const gen = xrdTool("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]);
    if (gen.status !== 0) throw new Error(`openssl failed: ${gen.stderr}`);
    giveToXrootd(key);
    giveToXrootd(cert);
    chmodSync(key, 0o600);
    const tls = [`xrd.tls ${cert} ${key}`, "xrd.tlsca noverify"];
    servers.push(await startServer(dir, "unix", 1095, ["xrootd.seclib libXrdSec.so", "sec.protocol unix", "sec.protbind * only unix"]));
    servers.push(await startServer(dir, "tls", 1096, [...tls, "xrootd.tls all"]));
    const bytes = readFileSync(input.file);
    const check = async (url, opt = {}) => {
      const s = new io.XRootDSource(url, { maxRetries: 0, ...opt });
      try {
        const b = await s.read(0, bytes.length);
        return { same: Buffer.compare(Buffer.from(b), bytes) === 0, encrypted: s.encrypted };
      } catch (e) {
        return { code: e.code, message: e.message };
      } finally {
        await s.close();
      }
    };
    const ca = { tlsOptions: { ca: readFileSync(cert, "utf8") } };
    result.unix = await check("root://127.0.0.1:1095//f.root");
    result.tlsRequired = await check("root://127.0.0.1:1096//f.root", ca);
    result.roots = await check("roots://127.0.0.1:1096//f.root", ca);
    result.rootsUntrusted = await check("roots://127.0.0.1:1096//f.root");
    result.rootsNoTls = await check("roots://127.0.0.1:1095//f.root");
  } finally {
    for (const s of servers) await s.stop();
    removeScratch(dir);
  }
  return result;
}

const scenarios = { read, kill, write, agc, auth };
const fn = scenarios[scenario];
if (!fn) throw new Error(`unknown scenario ${scenario}`);
const out = await fn();
// Exit only once the (large) line is out: a pipe takes it in pieces.
process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0));
