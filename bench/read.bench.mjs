// TTree reading throughput: hepflow next to JSROOT on the same branches of the same files, plus the
// bare decompression of the same baskets (the ceiling a decompression-bound reader can reach).
// One JSON line per case and impl. Usage: node bench/read.bench.mjs [--quick] [--only=NAME]
// Times are the best of repeated calls (hepflow and the bare decompressor interleaved). Peak memory
// and multi-thread scaling are measured on a large file by bench/read-large.bench.mjs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openFile, decompress } from "../dist/root/index.js";
import { openFile as jsrootOpen } from "jsroot/io";
import { TSelector, treeProcess } from "jsroot/tree";
import { AGC_DATA_BRANCHES } from "./lib/agc-branches.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, "../../shared/data/root");
const quick = process.argv.includes("--quick");
const MIN_SECONDS = quick ? 0.3 : 1.5;
// --only=NAME runs only the cases whose name contains NAME (for quick checks while developing).
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);

const AGC = AGC_DATA_BRANCHES;

const CASES = [
  { name: "nanoaod-all-branches", file: "nanoAOD_2015_CMS_Open_Data_ttbar.root", tree: "Events", branches: null },
  { name: "nanoaod-agc-branches", file: "nanoAOD_2015_CMS_Open_Data_ttbar.root", tree: "Events", branches: AGC },
  ...["zlib", "lz4", "lzma", "zstd", "uncompressed"].map((c) => ({ name: `hzz-${c}`, file: `uproot-HZZ-${c}.root`, tree: "events", branches: null })),
];

/**
 * Best (least disturbed) seconds per call of each function, the functions run in alternation
 * (one call each per round, after one warm-up call each) until MIN_SECONDS have passed: on a
 * shared machine, interleaving makes ratios between them meaningful even when the load changes.
 */
async function timeTogether(...fns) {
  for (const fn of fns) await fn();
  const best = fns.map(() => Infinity);
  const t0 = performance.now();
  for (let round = 0; round < 2000 && (round < 5 || (performance.now() - t0) / 1000 < MIN_SECONDS); round++) {
    for (let i = 0; i < fns.length; i++) {
      const t = performance.now();
      await fns[i]();
      best[i] = Math.min(best[i], (performance.now() - t) / 1000);
    }
  }
  return best;
}

const time = async (fn) => (await timeTogether(fn))[0];

function columnBytes(col) {
  if (Array.isArray(col)) return col.reduce((s, x) => s + x.length, 0);
  if (col.offsets) return col.offsets.byteLength + columnBytes(col.content);
  return col.byteLength;
}

const round = (x) => Number(x.toPrecision(4));

for (const c of CASES.filter((x) => !only || x.name.includes(only))) {
  const file = await openFile(path.join(DATA, c.file));
  const tree = await file.tree(c.tree);
  const names = c.branches ?? tree.resolve();
  const entries = tree.numEntries;

  // Uncompressed bytes of the baskets read: what "MB/s" counts for all three lines.
  const models = names.map((n) => tree.branch(n));
  const onDisk = models.flatMap((m) => m.baskets.filter((b) => !b.embedded));
  const embeddedBytes = models.reduce((s, m) => s + m.baskets.reduce((t, b) => t + (b.embedded ? b.embedded.data.length : 0), 0), 0);
  const raws = await file.source.readMany(onDisk.map((b) => ({ offset: b.seek, length: b.bytes })));
  const blocks = raws.map((raw) => {
    const v = new DataView(raw.buffer, raw.byteOffset);
    const nbytes = v.getInt32(0),
      objLen = v.getInt32(6),
      keyLen = v.getInt16(14);
    return { payload: raw.subarray(keyLen, nbytes), objLen };
  });
  // Baskets embedded in the TTree key are decompressed with the key itself (when the tree is opened).
  const treeKey = await file.key(c.tree);
  const treeRaw = await file.source.read(treeKey.seekKey + treeKey.keyLen, treeKey.nbytes - treeKey.keyLen);
  const includeKey = embeddedBytes > 0;
  const mb = (blocks.reduce((s, b) => s + b.objLen, 0) + embeddedBytes) / 1e6;

  // Tree metadata is read once per process by both readers; the timed loop is the reading of the branches.
  let returned = 0;
  const hfOpen = await time(() => file.tree(c.tree));
  const read = async () => {
    const cols = await tree.arrays(names);
    returned = Object.values(cols).reduce((s, col) => s + columnBytes(col), 0);
  };
  const decompressAll = async () => {
    for (const b of blocks) decompress(b.payload, b.objLen);
    if (includeKey) decompress(treeRaw, treeKey.objLen);
  };
  // Baskets embedded in the tree: the "bare" line is the whole TTree key, a different workload
  // that would only flush the caches between reads, so the two are timed apart.
  const [hf, bare] = includeKey ? [await time(read), await time(decompressAll)] : await timeTogether(read, decompressAll);

  const jf = await jsrootOpen(path.join(DATA, c.file));
  let jsEntries = 0;
  let jsError = null;
  const jsOpen = await time(() => jf.readObject(c.tree));
  const jsTree = await jf.readObject(c.tree);
  const js = await time(async () => {
    const t = jsTree;
    const sel = new TSelector();
    for (const n of names) sel.addBranch(n);
    let n = 0;
    sel.Process = () => {
      n++;
    };
    await treeProcess(t, sel);
    jsEntries = n;
  }).catch((e) => {
    jsError = String(e);
    return NaN;
  });

  const line = (impl, s, extra = {}) =>
    console.log(
      JSON.stringify({
        case: c.name,
        impl,
        branches: names.length,
        entries,
        events_per_s: round(entries / s),
        mb_per_s: round(mb / s),
        seconds: round(s),
        ...extra,
      }),
    );
  line("hepflow", hf, { vs_jsroot: round(js / hf), vs_decompress: round(bare / hf), returned_mb: round(returned / 1e6), tree_open_s: round(hfOpen) });
  line("jsroot", js, jsError ? { error: jsError } : { entries_read: jsEntries, tree_open_s: round(jsOpen) });
  line("decompress-only", bare);
  await file.close();
}
