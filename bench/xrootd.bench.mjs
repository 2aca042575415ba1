// root:// throughput on loopback, next to the local file and to xrdcp (the reference client).
// Cases: the AGC branch subset of a large generated file (the same file as read-large, written
// once and cached in $TMPDIR) read with tree.arrays() from disk and over root://; the whole file
// copied with `xrdcp` and with `hepflow cp`, each with and without its adler32 check. One JSON
// line per case. The xrootd server runs in a private network namespace: this script re-runs
// itself under `unshare -n` (root needed, as in the tests).
// Usage: node bench/xrootd.bench.mjs   (HEPFLOW_BENCH_LARGE_EVENTS, default 1,600,000)
import { existsSync, linkSync, copyFileSync, renameSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const EVENTS = Number(process.env.HEPFLOW_BENCH_LARGE_EVENTS ?? 1_600_000);
const CODEC = "zstd:1";
// Same name as bench/read-large.bench.mjs, so the two share the cached file.
const FILE = path.join(tmpdir(), `hepflow-bench-read-large-${EVENTS}-${CODEC.replace(":", "")}.root`);
const AGC = [
  "nJet", "Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btagCSVV2", "Jet_jetId",
  "nElectron", "Electron_pt", "Electron_eta", "Electron_cutBased", "Electron_sip3d",
  "nMuon", "Muon_pt", "Muon_eta", "Muon_tightId", "Muon_sip3d", "Muon_pfRelIso04_all",
  "run", "luminosityBlock", "event", "genWeight",
];
const REPEATS = 3;
const self = fileURLToPath(import.meta.url);
const here = path.dirname(self);
const round = (x) => Number(x.toPrecision(4));
const line = (o) => console.log(JSON.stringify(o));

async function ensureFile() {
  if (existsSync(FILE)) return;
  const { createFile } = await import("../dist/root/index.js");
  const { generateChunk, MODELS, Rng, EVENT_SCHEMA } = await import("../dist/generate/index.js");
  const rng = new Rng("read-large");
  const chunks = [];
  for (let done = 0; done < Math.min(EVENTS, 200_000); done += 50_000) chunks.push(generateChunk(rng, MODELS.ttbar__nominal, 50_000, done));
  const tmp = `${FILE}.part-${process.pid}`;
  const w = await createFile(tmp, { compression: CODEC });
  const t = w.writeTree("Events", EVENT_SCHEMA, { entriesPerBasket: 100_000 });
  for (let done = 0; done < EVENTS; done += 50_000) t.write(chunks[(done / 50_000) % chunks.length]);
  await w.close();
  renameSync(tmp, FILE);
}

if (!process.env.HEPFLOW_BENCH_XRD_NS) {
  // Outside: make the file, then run the measurements inside a fresh network namespace.
  await ensureFile();
  const r = spawnSync("unshare", ["-n", "--kill-child", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', process.execPath, "--expose-gc", self], {
    stdio: "inherit", env: { ...process.env, HEPFLOW_BENCH_XRD_NS: "1" },
  });
  if (r.error) throw new Error(`unshare failed: ${r.error.message}`);
  process.exit(r.status ?? 1);
}

const { openFile } = await import("../dist/root/index.js");
const io = await import("../dist/io/index.js");
const { scratch, startServer, removeScratch, xrdTool } = await import(path.join(here, "../test/io/xrootd-servers.mjs"));

const dir = scratch();
const served = path.join(dir, "data", "large.root");
try { linkSync(FILE, served); } catch { copyFileSync(FILE, served); }
const server = await startServer(dir, "bench", 1094);
const URL = "root://127.0.0.1:1094//large.root";
const size = statSync(FILE).size;
try {
  // Compressed bytes of the subset: what either source has to move.
  const probe = await openFile(FILE);
  const tree = await probe.tree("Events");
  const subsetBytes = tree.branches.filter((b) => AGC.includes(b.name)).reduce((s, b) => s + b.compressedBytes, 0);
  await probe.close();

  const readSubset = async (from) => {
    let best = Infinity, stats;
    for (let i = 0; i < REPEATS; i++) {
      globalThis.gc?.();
      const src = typeof from === "string" && from.startsWith("root:") ? new io.XRootDSource(from) : from;
      const t0 = performance.now();
      const f = await openFile(src);
      const t = await f.tree("Events");
      await t.arrays(AGC);
      const s = (performance.now() - t0) / 1000;
      if (s < best) { best = s; stats = src.stats; }
      await f.close();
    }
    return { seconds: best, stats };
  };
  const local = await readSubset(FILE);
  line({ bench: "xrootd", case: "agc-subset-local", events: EVENTS, file_mb: round(size / 1e6), subset_mb: round(subsetBytes / 1e6), seconds: round(local.seconds), mb_per_s: round(subsetBytes / 1e6 / local.seconds), events_per_s: round(EVENTS / local.seconds) });
  const remote = await readSubset(URL);
  line({ bench: "xrootd", case: "agc-subset-root", events: EVENTS, subset_mb: round(subsetBytes / 1e6), seconds: round(remote.seconds), mb_per_s: round(subsetBytes / 1e6 / remote.seconds), events_per_s: round(EVENTS / remote.seconds), ratio_to_local: round(local.seconds / remote.seconds), reads: remote.stats.reads, readvs: remote.stats.readvs, bytes_mb: round(remote.stats.bytes / 1e6) });

  // Whole-file copies to local disk: xrdcp and hepflow cp, each best of REPEATS.
  const dst = path.join(dir, "copy.root");
  const timeIt = (fn) => {
    let best = Infinity;
    for (let i = 0; i < REPEATS; i++) {
      rmSync(dst, { force: true });
      const t0 = performance.now();
      fn();
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return best;
  };
  const must = (r, what) => { if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`); return r; };
  const hepflow = (...args) => must(spawnSync(process.execPath, ["--single-threaded-gc", path.join(here, "../bin/hepflow.js"), ...args], { encoding: "utf8" }), "hepflow cp");
  const cases = [
    ["copy-xrdcp", () => must(xrdTool("xrdcp", ["-f", "-s", URL, dst]), "xrdcp")],
    ["copy-hepflow-cp", () => hepflow("cp", URL, dst, "--force", "--no-verify", "--json")],
    ["copy-xrdcp-adler32", () => must(xrdTool("xrdcp", ["-f", "-s", "--cksum", "adler32", URL, dst]), "xrdcp --cksum")],
    ["copy-hepflow-cp-adler32", () => hepflow("cp", URL, dst, "--force", "--json")],
  ];
  const times = {};
  for (const [name, fn] of cases) {
    const s = timeIt(fn);
    times[name] = s;
    const peer = name.replace("hepflow-cp", "xrdcp");
    line({ bench: "xrootd", case: name, file_mb: round(size / 1e6), seconds: round(s), mb_per_s: round(size / 1e6 / s), ...(peer !== name && times[peer] ? { speed_vs_xrdcp: round(times[peer] / s) } : {}) });
  }
} finally {
  await server.stop();
  removeScratch(dir);
}
process.exit(0);
