// TTree reading of a LARGE file (~400 MB, written once by hepflow's own generator and writer and
// cached in $TMPDIR): throughput of the AGC branch subset over all entries, next to the bare
// decompression of the same baskets and JSROOT on a slice of the entries; the peak memory of the
// read (in a child process, so nothing else colours it); and the speed-up of reading the entry
// range split across 1 vs 2 worker threads, next to the same split of a pure CPU loop (the
// scaling this shared machine allows at that moment), with Node started as bin/hepflow.js starts
// it (--single-threaded-gc) and with V8's default GC threads. One JSON line per case.
// Usage: node bench/read-large.bench.mjs   (HEPFLOW_BENCH_LARGE_EVENTS, default 1,600,000;
// HEPFLOW_BENCH_LARGE_CODEC, default zstd:1)
import { existsSync, renameSync, statSync } from "node:fs";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { openFile, createFile, decompress, decompressionWorkers } from "../dist/root/index.js";
import { AGC_MC_BRANCHES } from "./lib/agc-branches.mjs";

const EVENTS = Number(process.env.HEPFLOW_BENCH_LARGE_EVENTS ?? 1_600_000);
const DEFAULT_CODEC = "zstd:1";
const CODEC = process.env.HEPFLOW_BENCH_LARGE_CODEC ?? DEFAULT_CODEC;
const FILE = path.join(tmpdir(), `hepflow-bench-read-large-${EVENTS}-${CODEC.replace(":", "")}.root`);
const AGC = AGC_MC_BRANCHES;
const JSROOT_ENTRIES = 100_000;
const FULL_READS = 6;
const BARE_PASSES = 3;
const self = fileURLToPath(import.meta.url);
const round = (x) => Number(x.toPrecision(4));
const line = (o) => console.log(JSON.stringify(o));
// per core: the read and the bare decompressor on one thread each (the basket pool, on by default on
// the main thread, has its own bench: read-parallel.bench.mjs)
decompressionWorkers(0);

function columnBytes(col) {
  if (Array.isArray(col)) return col.reduce((s, x) => s + x.length, 0);
  if (col.offsets) return col.offsets.byteLength + columnBytes(col.content);
  return col.byteLength;
}

/** Bytes of the arrays returned: shared offsets arrays counted once. */
function returnedBytes(cols) {
  const seen = new Set();
  let n = 0;
  for (const col of Object.values(cols)) {
    if (col.offsets) {
      if (!seen.has(col.offsets)) {
        seen.add(col.offsets);
        n += col.offsets.byteLength;
      }
      n += columnBytes(col.content);
    } else n += columnBytes(col);
  }
  return n;
}

/** Writes the file once: 200k generated ttbar events repeated (event numbers continue) until EVENTS. */
async function ensureFile() {
  if (existsSync(FILE)) return false;
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
  return true;
}

/** Memory child: open, settle, read the subset once, report the peak RSS growth over the arrays' bytes. */
async function memoryChild() {
  const names = process.argv[process.argv.indexOf("--memory-child") + 1].split(",");
  const file = await openFile(FILE);
  const tree = await file.tree("Events");
  globalThis.gc?.();
  const status = () =>
    Object.fromEntries(
      readFileSync("/proc/self/status", "utf8")
        .split("\n")
        .filter((l) => l.startsWith("Vm"))
        .map((l) => {
          const [k, v] = l.split(":");
          return [k, 1024 * parseInt(v, 10)];
        }),
    );
  const before = status();
  const t0 = performance.now();
  const cols = await tree.arrays(names);
  const s = (performance.now() - t0) / 1000;
  const after = status();
  const ret = returnedBytes(cols);
  process.stdout.write(JSON.stringify({ returned: ret, rss_before: before.VmRSS, hwm_before: before.VmHWM, hwm_after: after.VmHWM, seconds: s, entries: tree.numEntries }) + "\n");
  await file.close();
}

/** Worker: on each "go", reads [start, stop) of the subset and reports its wall time; "stop" ends it. */
async function workerMain() {
  const { start, stop } = workerData;
  const file = await openFile(FILE);
  const tree = await file.tree("Events");
  // Warm-up (JIT) on a small slice, so the runs time steady-state reading.
  await tree.arrays(AGC, { entryStart: start, entryStop: Math.min(stop, start + 20_000) });
  parentPort.postMessage({ ready: true });
  for (;;) {
    const msg = await new Promise((r) => parentPort.once("message", r));
    if (msg !== "go") break;
    const t0 = performance.now();
    // Cluster-sized steps: each worker streams its range; the arrays are dropped at once (only the rate is measured).
    for await (const _chunk of tree.iterate(AGC, { entryStart: start, entryStop: stop })) {
      /* dropped */
    }
    parentPort.postMessage({ seconds: (performance.now() - t0) / 1000 });
  }
  await file.close();
}

/** Control for the scaling figure: a pure CPU loop on 1 worker vs the same loop on each of 2 (ideal: 2.0). */
async function cpuControl() {
  const run = async (n) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise((r, j) => {
            const w = new Worker(self, { workerData: { spin: 1e8 } });
            w.once("message", r);
            w.once("error", j);
          }),
      ),
    );
    return (performance.now() - t0) / 1000;
  };
  const one = await run(1),
    two = await run(2);
  return (2 * one) / two;
}

function spin(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x + i * 7) % 1000003;
  parentPort.postMessage(x);
}

/** Best wall time of reading all entries split evenly across `n` workers (file opening excluded), of `repeats` runs. */
async function splitRead(n, entries, repeats = 3) {
  const workers = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((entries * i) / n),
      stop = Math.floor((entries * (i + 1)) / n);
    workers.push(new Worker(self, { workerData: { start, stop } }));
  }
  const next = () =>
    Promise.all(
      workers.map(
        (w) =>
          new Promise((r, j) => {
            w.once("message", r);
            w.once("error", j);
          }),
      ),
    );
  await next();
  let best = Infinity;
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    const done = next();
    for (const w of workers) w.postMessage("go");
    await done;
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  for (const w of workers) w.postMessage("stop");
  await Promise.all(workers.map((w) => new Promise((r) => w.once("exit", r))));
  return best;
}

async function main() {
  const t0 = performance.now();
  const generated = await ensureFile();
  const genS = (performance.now() - t0) / 1000;
  const fileMb = statSync(FILE).size / 1e6;

  const file = await openFile(FILE);
  const tree = await file.tree("Events");
  const entries = tree.numEntries;
  const models = AGC.map((n) => tree.branch(n));
  const refs = models.flatMap((m) => m.baskets.filter((b) => !b.embedded));
  const uncompressed = { bytes: 0 };

  // Bare decompression of the same baskets, streamed a few at a time (the ceiling of the reader);
  // only decompression is timed, best of BARE_PASSES passes like the reader below.
  // Baskets that did not shrink are stored raw and cost the bare decompressor nothing, but the
  // reader still copies and converts them: their share is printed (stored_raw_fraction).
  let bare = Infinity,
    stored = 0;
  for (let pass = 0; pass < BARE_PASSES; pass++) {
    let secs = 0;
    uncompressed.bytes = 0;
    stored = 0;
    for (let i = 0; i < refs.length; i += 16) {
      const raws = await file.source.readMany(refs.slice(i, i + 16).map((b) => ({ offset: b.seek, length: b.bytes })));
      const t = performance.now();
      for (const raw of raws) {
        const v = new DataView(raw.buffer, raw.byteOffset);
        const nbytes = v.getInt32(0),
          objLen = v.getInt32(6),
          keyLen = v.getInt16(14);
        decompress(raw.subarray(keyLen, nbytes), objLen);
        uncompressed.bytes += objLen;
        if (nbytes - keyLen === objLen) stored += objLen;
      }
      secs += (performance.now() - t) / 1000;
    }
    bare = Math.min(bare, secs);
  }
  const mb = uncompressed.bytes / 1e6;

  // End to end, one thread, all entries in one arrays() call (I/O included; page cache warm from the
  // pass above). The first full reads of a process are slower (V8's heap and GC limits adapt to
  // hundreds of MB of arrays over ~5 calls), so this is the best of FULL_READS, as in any job that
  // reads chunk after chunk; the first call's time is reported too.
  await tree.arrays(AGC, { entryStop: Math.min(entries, 100_000) });
  let hf = Infinity,
    first = 0,
    returned = 0,
    t;
  for (let k = 0; k < FULL_READS; k++) {
    globalThis.gc?.();
    t = performance.now();
    let cols = await tree.arrays(AGC);
    const s = (performance.now() - t) / 1000;
    if (k === 0) first = s;
    hf = Math.min(hf, s);
    returned = returnedBytes(cols);
    cols = null;
  }
  await file.close();

  // JSROOT on the first JSROOT_ENTRIES entries (one entry at a time into objects, so a slice), scaled per event.
  let js = NaN,
    jsError;
  try {
    const { openFile: jsrootOpen } = await import("jsroot/io");
    const { TSelector, treeProcess } = await import("jsroot/tree");
    const jf = await jsrootOpen(FILE);
    const jt = await jf.readObject("Events");
    const sel = new TSelector();
    for (const n of AGC) sel.addBranch(n);
    let n = 0;
    sel.Process = () => {
      n++;
    };
    t = performance.now();
    await treeProcess(jt, sel, { numentries: JSROOT_ENTRIES, firstentry: 0 });
    js = (performance.now() - t) / 1000 / n;
    if (n !== JSROOT_ENTRIES) jsError = `JSROOT read ${n} of ${JSROOT_ENTRIES} entries`;
  } catch (e) {
    jsError = String(e);
  }

  const base = { file_mb: round(fileMb), codec: CODEC, branches: AGC.length, entries };
  const name = `large-agc-subset${CODEC === DEFAULT_CODEC ? "" : `-${CODEC.split(":")[0]}`}`;
  line({
    case: name,
    impl: "hepflow",
    ...base,
    events_per_s: round(entries / hf),
    mb_per_s: round(mb / hf),
    seconds: round(hf),
    vs_jsroot: round(js / (hf / entries)),
    vs_decompress: round(bare / hf),
    returned_mb: round(returned / 1e6),
    full_reads: FULL_READS,
    first_read_s: round(first),
    ...(generated ? { generated_s: round(genS) } : {}),
  });
  line({ case: name, impl: "jsroot", ...base, entries_read: JSROOT_ENTRIES, events_per_s: round(1 / js), mb_per_s: round(mb / entries / js), ...(jsError ? { error: jsError } : {}) });
  line({ case: name, impl: "decompress-only", ...base, events_per_s: round(entries / bare), mb_per_s: round(mb / bare), seconds: round(bare), stored_raw_fraction: round(stored / uncompressed.bytes) });
  if (CODEC !== DEFAULT_CODEC) return;

  const memory = (names) => {
    const r = spawnSync(process.execPath, ["--expose-gc", self, "--memory-child", names.join(",")], { encoding: "utf8" });
    const m = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").pop()) : null;
    const growth = m ? Math.max(m.hwm_after, m.hwm_before) - m.rss_before : NaN;
    return {
      branches: names.length,
      returned_mb: m ? round(m.returned / 1e6) : null,
      peak_rss_growth_mb: round(growth / 1e6),
      peak_over_returned: m ? round(growth / m.returned) : null,
      seconds: m ? round(m.seconds) : null,
      ...(m ? {} : { error: r.stderr.slice(-500) }),
    };
  };
  const memAgc = memory(AGC);
  // A narrow subset: two jet columns, whose baskets are a small part of each read window.
  const memJets = memory(["nJet", "Jet_pt", "Jet_eta"]);

  // Worker scaling in a child started as `hepflow run` starts Node (bin/hepflow.js:
  // --single-threaded-gc), and, for comparison, in one with V8's default parallel GC threads.
  const scaling = (flags) => {
    const r = spawnSync(process.execPath, [...flags, self, "--workers-child", String(entries)], { encoding: "utf8" });
    if (r.status !== 0) return { error: r.stderr.slice(-500) };
    const { control, w1, w2 } = JSON.parse(r.stdout.trim().split("\n").pop());
    return { workers_1_s: round(w1), workers_2_s: round(w2), events_per_s_1w: round(entries / w1), events_per_s_2w: round(entries / w2), speedup: round(w1 / w2), cpu_loop_speedup: round(control) };
  };
  const launcher = scaling(["--single-threaded-gc"]);
  const defaultGc = scaling([]);

  line({ case: "large-agc-subset-peak-memory", impl: "hepflow", ...base, ...memAgc });
  line({ case: "large-jets-subset-peak-memory", impl: "hepflow", ...base, ...memJets });
  line({ case: "large-agc-subset-workers", impl: "hepflow", ...base, node_flags: "--single-threaded-gc", ...launcher });
  line({ case: "large-agc-subset-workers-default-gc", impl: "hepflow", ...base, ...defaultGc });

  // The fastest codec, where the reader's own work (I/O, byte swap, fresh output memory) weighs
  // most against decompression: a half-size LZ4 file, throughput lines only.
  if (!process.env.HEPFLOW_BENCH_LARGE_CODEC) {
    spawnSync(process.execPath, process.execArgv.concat(self), { stdio: "inherit", env: { ...process.env, HEPFLOW_BENCH_LARGE_CODEC: "lz4:1", HEPFLOW_BENCH_LARGE_EVENTS: String(Math.round(EVENTS / 2)) } });
  }
}

async function workersChild() {
  const entries = Number(process.argv[process.argv.indexOf("--workers-child") + 1]);
  const control = await cpuControl();
  const w1 = await splitRead(1, entries);
  const w2 = await splitRead(2, entries);
  console.log(JSON.stringify({ control, w1, w2 }));
}

if (!isMainThread && workerData.spin) spin(workerData.spin);
else if (!isMainThread) await workerMain();
else if (process.argv.includes("--memory-child")) await memoryChild();
else if (process.argv.includes("--workers-child")) await workersChild();
else await main();
