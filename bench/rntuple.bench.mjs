// RNTuple read throughput: hepflow on all fields of the NanoAOD-as-RNTuple, DoubleMu and PHYSLITE files, and
// hepflow vs JSROOT on the field sets JSROOT reads correctly (per shared/reference/root/jsroot-rntuple).
// Prints one JSON line per case. Run `npx tsc -p .` first. BENCH_SECONDS sets the time per case (default 1.5).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { openFile as jsrootOpen, TSelector } from "jsroot";
import { rntupleProcess } from "jsroot/rntuple";
import { RootFile } from "../dist/root/file.js";
import { Jagged } from "../dist/util/index.js";

const SHARED = path.resolve(fileURLToPath(new URL("../../shared", import.meta.url)));
const DATA = path.join(SHARED, "data/root");
const MIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);

/** Best time of repeated runs after one warm-up, at least 3 runs and MIN_SECONDS in total. */
async function timeit(fn) {
  await fn();
  let best = Infinity,
    runs = 0,
    result;
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < MIN_SECONDS || runs < 3) {
    const s = performance.now();
    result = await fn();
    best = Math.min(best, (performance.now() - s) / 1000);
    runs++;
  }
  return { best, runs, result };
}

function countValues(c) {
  if (c instanceof Jagged) return countValues(c.content);
  return c.length;
}

/** Stored bytes of the pages of the given output columns' fields (all columns when names is undefined). */
function storedBytes(t, names) {
  if (!names) return t.clusters.flatMap((c) => c.columns).reduce((s, r) => s + (r && !r.suppressed ? r.pages.reduce((a, p) => a + p.locator.size, 0) : 0), 0);
  return t.branches.filter((b) => names.includes(b.name)).reduce((s, b) => s + b.compressedBytes, 0);
}

function report(label, impl, t, timing, values, bytes, fields) {
  console.log(
    JSON.stringify({
      case: label,
      impl,
      entries: t.numEntries,
      fields,
      runs: timing.runs,
      seconds: +timing.best.toFixed(5),
      events_per_s: Math.round(t.numEntries / timing.best),
      values_per_s: Math.round(values / timing.best),
      mb_per_s: +(bytes / 1e6 / timing.best).toFixed(2),
    }),
  );
}

async function hepflow(label, file, name, names) {
  const f = await RootFile.open(path.join(DATA, file));
  const t = await f.tree(name);
  const timing = await timeit(() => t.arrays(names));
  const values = Object.values(timing.result).reduce((n, c) => n + countValues(c), 0);
  report(label, "hepflow", t, timing, values, storedBytes(t, names), names?.length ?? t.branches.length);
  await f.close();
  return t;
}

/** JSROOT reads entry by entry through a TSelector; values counted the same way (array lengths). */
async function jsroot(label, file, name, names, t) {
  const f = await jsrootOpen(path.join(DATA, file));
  const rnt = await f.readObject(name);
  const timing = await timeit(async () => {
    const sel = new TSelector();
    for (const n of names) sel.addBranch(n);
    let values = 0;
    sel.Process = function () {
      for (const n of names) {
        const v = this.tgtobj[n];
        values += v !== null && typeof v === "object" && "length" in v && typeof v !== "string" ? v.length : 1;
      }
    };
    await rntupleProcess(rnt, sel);
    return values;
  });
  report(label, "jsroot", t, timing, timing.result, storedBytes(t, names), names.length);
}

/** Top-level fields JSROOT reads without error and not flagged suspect, that hepflow lists under the same name. */
function jsrootGood(file, t) {
  const ref = path.join(SHARED, "reference/root/jsroot-rntuple", `${file}.json`);
  if (!existsSync(ref)) return [];
  const json = JSON.parse(readFileSync(ref, "utf8"));
  const listed = new Set(t.branches.map((b) => b.name));
  return json.rntuples[0].top_fields.filter((f) => f.read_ok && !f.suspect && listed.has(f.name)).map((f) => f.name);
}

const ALL = [
  ["nanoaod", "cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root", "Events"],
  ["doublemu", "Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events"],
  ["physlite", "uproot-physlite-rntuple_v1-0-0-0.root", "EventData"],
];
const SIDE_BY_SIDE = [
  ["nanoaod-jsroot-readable", "cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root", "Events"],
  ["staff", "ntpl001_staff_rntuple_v1-0-0-0.root", "Staff"],
  ["int-5e4", "test_int_5e4_rntuple_v1-0-0-0.root", "ntuple"],
  ["split-3e4", "test_split_3e4_rntuple_v1-0-0-0.root", "ntuple"],
];

for (const [label, file, name] of ALL) {
  if (existsSync(path.join(DATA, file))) await hepflow(`rntuple-${label}-all-fields`, file, name);
}
// TTree vs RNTuple: the corpus has CMS 2015 ttbar NanoAOD in both formats with the same 947 columns but different
// events (200 in the TTree, 10 in the RNTuple), so the fair comparison is the rate per value, not per file.
{
  const ttreeFile = "nanoAOD_2015_CMS_Open_Data_ttbar.root";
  const rntFile = "cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root";
  if (existsSync(path.join(DATA, ttreeFile)) && existsSync(path.join(DATA, rntFile))) {
    const rate = async (file, label) => {
      const f = await RootFile.open(path.join(DATA, file));
      const t = await f.tree("Events");
      const timing = await timeit(() => t.arrays());
      const values = Object.values(timing.result).reduce((n, c) => n + countValues(c), 0);
      const bytes = t.kind === "RNTuple" ? storedBytes(t) : t.branches.reduce((s, b) => s + b.compressedBytes, 0);
      report(label, "hepflow", t, timing, values, bytes, t.branches.length);
      await f.close();
      return values / timing.best;
    };
    const ttreeRate = await rate(ttreeFile, "nanoaod-ttree-all-branches");
    const rntRate = await rate(rntFile, "nanoaod-rntuple-all-fields");
    console.log(JSON.stringify({ case: "nanoaod-rntuple-vs-ttree", impl: "hepflow", values_per_s_ratio: +(rntRate / ttreeRate).toFixed(2) }));
  }
}

for (const [label, file, name] of SIDE_BY_SIDE) {
  if (!existsSync(path.join(DATA, file))) continue;
  const f = await RootFile.open(path.join(DATA, file));
  const names = jsrootGood(file, await f.tree(name));
  await f.close();
  if (!names.length) continue;
  const t = await hepflow(`rntuple-${label}`, file, name, names);
  try {
    await jsroot(`rntuple-${label}`, file, name, names, t);
  } catch (e) {
    console.log(JSON.stringify({ case: `rntuple-${label}`, impl: "jsroot", error: String(e?.message ?? e) }));
  }
}

// RNTuple vs TTree on the same events: generated AGC ttbar events written by hepflow in both formats with each codec
// (each writer's default cluster/basket sizes), then the AGC processor's 15 branches read by hepflow.
// BENCH_RNTUPLE_EVENTS sets the number of events (default 100000).
{
  const { mkdtempSync, rmSync, statSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { createFile } = await import("../dist/root/index.js");
  const { generateChunk, EVENT_SCHEMA, MODELS, Rng } = await import("../dist/generate/index.js");
  const { columns } = await import("../examples/agc-ttbar/index.mjs");
  const n = Number(process.env.BENCH_RNTUPLE_EVENTS ?? 100_000);
  const dir = mkdtempSync(path.join(tmpdir(), "hepflow-bench-rnt-"));
  try {
    const chunks = [];
    const rng = new Rng("bench-rntuple-vs-ttree");
    for (let at = 0; at < n; at += 25_000) chunks.push(generateChunk(rng, MODELS.ttbar__nominal, Math.min(25_000, n - at), at));
    for (const codec of ["none", "zlib:1", "lz4", "zstd:5", "lzma:6"]) {
      const rates = {};
      for (const format of ["ttree", "rntuple"]) {
        const file = path.join(dir, `${format}-${codec.replace(":", "")}.root`);
        const w = await createFile(file, { compression: codec });
        const t = format === "ttree" ? w.writeTree("Events", EVENT_SCHEMA) : w.writeRNTuple("Events", EVENT_SCHEMA);
        for (const c of chunks) t.write(c);
        await w.close();
        const f = await RootFile.open(file);
        const tree = await f.tree("Events");
        const timing = await timeit(() => tree.arrays(columns));
        const values = Object.values(timing.result).reduce((s, c) => s + countValues(c), 0);
        const bytes = tree.branches.filter((b) => columns.includes(b.name)).reduce((s, b) => s + b.compressedBytes, 0);
        report(`agc-subset-${format}-${codec}`, "hepflow", tree, timing, values, bytes, columns.length);
        console.log(JSON.stringify({ case: `agc-subset-${format}-${codec}`, impl: "hepflow", file_mb: +(statSync(file).size / 1e6).toFixed(2) }));
        rates[format] = values / timing.best;
        await f.close();
      }
      console.log(JSON.stringify({ case: `agc-subset-rntuple-vs-ttree-${codec}`, impl: "hepflow", events: n, values_per_s_ratio: +(rates.rntuple / rates.ttree).toFixed(2) }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
