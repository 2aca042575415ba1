// AGC ttbar processor benchmark: events/s (and per core) with all systematics and with the
// nominal selection only, on 1 and 2 workers, plus the breakdown read+decompress vs compute.
// Input: a generated AGC dataset (HEPFLOW_BENCH_EVENTS events per sample, default 100000),
// cached in $TMPDIR/hepflow-bench-agc-<events>. Build first: npx tsc -p .
import { existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalExecutor, loadDataset, EventChunk, withRecordViews } from "../dist/analysis/index.js";
import { openFile } from "../dist/root/index.js";
import { generateAgc } from "../dist/generate/index.js";
import * as agc from "../examples/agc-ttbar/index.mjs";

const EVENTS = Number(process.env.HEPFLOW_BENCH_EVENTS ?? 100000);
const dir = join(tmpdir(), `hepflow-bench-agc-${EVENTS}`);
const catalogue = join(dir, "dataset.json");
if (!existsSync(catalogue)) await generateAgc({ events: EVENTS, out: dir, filesPerSample: 2, dataLuminosity: 0.001, seed: 1 });
const dataset = loadDataset(catalogue);
dataset.samples = dataset.samples.filter((s) => s.metadata.process !== "data");
const files = dataset.samples.flatMap((s) => s.files.map((f) => f.path));
const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
const processor = new URL("../examples/agc-ttbar/index.mjs", import.meta.url).pathname;

const line = (o) => console.log(JSON.stringify(o));

for (const nominalOnly of [false, true]) {
  process.env.HEPFLOW_AGC_NOMINAL_ONLY = nominalOnly ? "1" : "0"; // worker threads copy process.env at start
  for (const workers of [1, 2]) {
    const r = await new LocalExecutor().run(processor, dataset, { workers, chunkSize: 100_000 });
    const s = r.wallMs / 1000;
    line({
      case: `agc_${nominalOnly ? "nominal" : "all_systematics"}_${workers}w`, impl: "hepflow", workers,
      events: r.events, seconds: +s.toFixed(3), events_per_s: Math.round(r.events / s),
      events_per_s_per_core: Math.round(r.events / s / workers), mb_per_s: +(bytes / 1e6 / s).toFixed(1),
      read_s: +(r.readMs / 1000).toFixed(3), compute_s: +(r.computeMs / 1000).toFixed(3),
    });
  }
}

// Breakdown on one thread: (a) read+decompress of the 15 branches, (b) compute on columns in memory.
let t0 = performance.now();
const chunks = [];
let nEvents = 0;
for (const s of dataset.samples) {
  for (const [fi, f] of s.files.entries()) {
    const file = await openFile(f.path);
    const tree = await file.tree(s.treeName);
    const cols = await tree.arrays(agc.columns);
    await file.close();
    chunks.push({ cols, meta: { ...s.metadata, sample: s.name, nevts: s.nevts, fileIndex: fi, entryStart: 0, entryStop: tree.numEntries, file: f.path, treeName: s.treeName } });
    nEvents += tree.numEntries;
  }
}
const readS = (performance.now() - t0) / 1000;
line({ case: "agc_read_decompress_1thread", impl: "hepflow", events: nEvents, seconds: +readS.toFixed(3), events_per_s: Math.round(nEvents / readS), mb_per_s: +(bytes / 1e6 / readS).toFixed(1) });

for (const nominalOnly of [false, true]) {
  process.env.HEPFLOW_AGC_NOMINAL_ONLY = nominalOnly ? "1" : "0";
  // a fresh module instance reads the option (module-level constant)
  const mod = await import(`../examples/agc-ttbar/index.mjs?nominal=${nominalOnly}`);
  const run = async () => {
    for (const c of chunks) {
      const ev = new EventChunk(0, c.meta.entryStop, Object.keys(c.cols), async (names) => c.cols, "memory");
      await ev.load(...mod.columns);
      mod.process(withRecordViews(ev), c.meta); // includes building the Hist accumulators
    }
  };
  await run(); // warm-up (JIT)
  // best of 5: the machine is shared, so the minimum is the least disturbed measurement
  let s = Infinity;
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    await run();
    s = Math.min(s, (performance.now() - t0) / 1000);
  }
  line({ case: `agc_compute_${nominalOnly ? "nominal" : "all_systematics"}_1thread`, impl: "hepflow", events: nEvents, seconds: +s.toFixed(3), events_per_s: Math.round(nEvents / s) });
}
