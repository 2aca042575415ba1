// The engine in the browser: the AGC branch subset of a generated NanoAOD file (`hepflow generate
// agc`, small, cached in $TMPDIR) read by the static in-browser reader (web/reader, built by Vite)
// in Debian's Chromium over HTTP Range requests from a static server on 127.0.0.1, next to the
// same read in Node (hepflow's dist/ build, local file and HTTP), and JSROOT in the same page.
// Each time is the best of repeated calls (open the file + read the branches), the readers
// interleaved per round so the ratios hold on a shared machine. One JSON line per case and reader.
// Usage: node bench/browser.bench.mjs [--quick]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { chromium } from "playwright-core";
import { openFile } from "../dist/root/index.js";
import { HttpSource } from "../dist/io/index.js";
import { RootFile } from "../dist/root/index.js";
import { startStaticServer } from "./lib/static-server.mjs";
import { AGC_DATA_BRANCHES } from "./lib/agc-branches.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const quick = process.argv.includes("--quick");
const MIN_SECONDS = quick ? 1 : 4;
const EVENTS = 20000;

const AGC = AGC_DATA_BRANCHES;

/** The nominal ttbar file of a generated AGC dataset, generated once per codec. */
function generated(codec) {
  const dir = path.join(tmpdir(), `hepflow-bench-browser-${EVENTS}-${codec.replace(":", "")}`);
  if (!existsSync(path.join(dir, "dataset.json"))) {
    const r = spawnSync(process.execPath, [path.join(repo, "bin/hepflow.js"), "generate", "agc", "--events", String(EVENTS), "--files-per-sample", "1", "--compression", codec, "--out", dir, "--force"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`hepflow generate agc failed: ${r.stderr}`);
  }
  const file =
    readdirSync(dir, { recursive: true })
      .map(String)
      .find((f) => /ttbar/.test(f) && /nominal/.test(f) && f.endsWith(".root")) ??
    readdirSync(dir, { recursive: true })
      .map(String)
      .find((f) => /ttbar/.test(f) && f.endsWith(".root"));
  if (!file) throw new Error(`no ttbar file in ${dir}`);
  return { dir, file };
}

/** Best seconds per call of each function, called in alternation after one warm-up call each. */
async function timeTogether(fns) {
  for (const fn of fns) await fn();
  const best = fns.map(() => Infinity);
  const t0 = performance.now();
  for (let round = 0; round < 200 && (round < 3 || (performance.now() - t0) / 1000 < MIN_SECONDS); round++) {
    for (let i = 0; i < fns.length; i++) best[i] = Math.min(best[i], await fns[i]());
  }
  return best;
}

const round = (x) => Number(x.toPrecision(4));
const site = mkdtempSync(path.join(tmpdir(), "hepflow-bench-reader-"));
await build({ configFile: path.join(repo, "vite.reader.config.ts"), build: { outDir: site, emptyOutDir: true }, logLevel: "error" });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
try {
  // "none" is the floor: HTTP and decoding without any codec.
  for (const codec of ["zlib:1", "zstd:1", "lz4", "none"]) {
    const { dir, file } = generated(codec);
    const server = await startStaticServer({ "/": site, "/data/": dir });
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    await page.waitForSelector("body[data-ready=true]");
    const url = `/data/${file.split(path.sep).join("/")}`;
    const local = path.join(dir, file);
    const nodeLocal = async () => {
      const t = performance.now();
      const f = await openFile(local);
      await (await f.tree("Events")).arrays(AGC);
      await f.close();
      return (performance.now() - t) / 1000;
    };
    const nodeHttp = async () => {
      const t = performance.now();
      const f = await RootFile.open(new HttpSource(server.url + url, { multiRange: false }));
      await (await f.tree("Events")).arrays(AGC);
      await f.close();
      return (performance.now() - t) / 1000;
    };
    let traffic = {};
    const inPage = async () => {
      const r = await page.evaluate(([u, b]) => window.hepflowReader.time(u, "Events", b), [url, AGC]);
      traffic = { requests: r.requests, mb_fetched: round(r.bytes / 1e6) };
      return r.ms / 1000;
    };
    let jsEntries = 0;
    let jsError = null;
    const jsroot = async () => {
      try {
        const r = await page.evaluate(([u, b]) => window.hepflowReader.jsroot(u, "Events", b), [url, AGC]);
        jsEntries = r.entries;
        return r.ms / 1000;
      } catch (e) {
        jsError = String(e.message ?? e).split("\n")[0];
        return NaN;
      }
    };
    const [nl, nh, pg, js] = await timeTogether([nodeLocal, nodeHttp, inPage, jsroot]);
    const entries = await page.evaluate(([u]) => window.hepflowReader.list(u).then((l) => l.find((k) => k.path === "Events")?.entries), [url]);
    const line = (impl, s, extra = {}) => console.log(JSON.stringify({ case: `agc-branches-${codec.replace(":", "")}`, impl, branches: AGC.length, entries, seconds: round(s), events_per_s: round(entries / s), ...extra }));
    line("hepflow-chromium", pg, { vs_node_local: round(pg / nl), vs_node_http: round(pg / nh), vs_jsroot: round(js / pg), ...traffic, page_errors: errors.length });
    line("hepflow-node-local", nl);
    line("hepflow-node-http", nh);
    line("jsroot-chromium", js, jsError ? { error: jsError } : { entries_read: jsEntries });
    await page.close();
    await server.close();
  }
} finally {
  await browser.close();
  rmSync(site, { recursive: true, force: true });
}
