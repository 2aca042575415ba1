// func_adl query → column kernels next to hand-written processors of the same selection on the
// same columns: electrons with pT > 20 GeV and |η| < 2.5, events with two of them, their pT and
// m_ee of the leading pair. Cases: the kernels alone on 1 M in-memory events, and read + query
// on a generated 1 M-event file. impl "hepflow-query" (the query), "array-kernels" (the same
// selection written with hepflow/array kernels) and "hand-loop" (one typed-array loop, the
// fastest a careful physicist would write). One JSON line per case. Usage: node bench/query.bench.mjs
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parsePython, CompiledQuery } from "../dist/query/index.js";
import { zeeChunk, generateZee, Rng } from "../dist/generate/index.js";
import { gt, absLt, and, select, count, filterEvents, ge } from "../dist/array/index.js";
import { openFile } from "../dist/root/index.js";
import { Jagged } from "../dist/util/index.js";

const round = (x) => Number(x.toPrecision(4));
async function best(fn, reps = 5) {
  await fn();
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    b = Math.min(b, (performance.now() - t) / 1000);
  }
  return b;
}

const QUERY = `FromTree('Events')
  .Select(lambda e: {'el': e.Electron.Where(lambda el: el.pt > 20 and abs(el.eta) < 2.5)})
  .Where(lambda r: r.el.Count() >= 2)
  .Select(lambda r: {'el_pt': r.el.Select(lambda el: el.pt),
    'm_ee': sqrt(2 * r.el.ElementAt(0).pt * r.el.ElementAt(1).pt * (cosh(r.el.ElementAt(0).eta - r.el.ElementAt(1).eta) - cos(r.el.ElementAt(0).phi - r.el.ElementAt(1).phi)))})`;
const SCHEMA = ["Electron_pt", "Electron_eta", "Electron_phi", "Electron_mass", "Electron_charge", "nElectron", "MET_pt"].map((name) => ({
  name,
  typeName: name === "nElectron" ? "UInt_t" : name === "MET_pt" ? "Float_t" : name === "Electron_charge" ? "Int_t[nElectron]" : "Float_t[nElectron]",
  ...(name.startsWith("Electron_") ? { counter: "nElectron" } : {}),
  compressedBytes: 0,
  uncompressedBytes: 0,
}));

function arrayKernels(c) {
  const good = and(gt(c.Electron_pt, 20), absLt(c.Electron_eta, 2.5));
  const pt = select(c.Electron_pt, good),
    eta = select(c.Electron_eta, good),
    phi = select(c.Electron_phi, good);
  const keep = ge(count(pt), 2);
  const ev = filterEvents({ pt, eta, phi }, keep);
  const n = ev.pt.offsets.length - 1,
    m = new Float64Array(n);
  const o = ev.pt.offsets,
    p = ev.pt.content,
    h = ev.eta.content,
    f = ev.phi.content;
  for (let i = 0; i < n; i++) {
    const k = o[i];
    m[i] = Math.sqrt(2 * p[k] * p[k + 1] * (Math.cosh(h[k] - h[k + 1]) - Math.cos(f[k] - f[k + 1])));
  }
  return { el_pt: ev.pt, m_ee: m };
}

function handLoop(c) {
  const o = c.Electron_pt.offsets,
    p = c.Electron_pt.content,
    h = c.Electron_eta.content,
    f = c.Electron_phi.content;
  const n = o.length - 1,
    f20 = Math.fround(20),
    f25 = Math.fround(2.5);
  const outO = new Int32Array(n + 1),
    outP = new Float32Array(p.length),
    m = new Float64Array(n);
  let rows = 0,
    k = 0;
  for (let i = 0; i < n; i++) {
    const start = k;
    for (let j = o[i]; j < o[i + 1]; j++) if (p[j] > f20 && Math.abs(h[j]) < f25) outP[k++] = p[j];
    if (k - start < 2) {
      k = start;
      continue;
    }
    // leading pair: the first two kept electrons (the input is pT-ordered)
    let a = -1,
      b = -1;
    for (let j = o[i]; j < o[i + 1] && b < 0; j++)
      if (p[j] > f20 && Math.abs(h[j]) < f25) {
        if (a < 0) a = j;
        else b = j;
      }
    m[rows] = Math.sqrt(2 * p[a] * p[b] * (Math.cosh(h[a] - h[b]) - Math.cos(f[a] - f[b])));
    outO[++rows] = k;
  }
  return { el_pt: new Jagged(outO.slice(0, rows + 1), outP.slice(0, k)), m_ee: m.slice(0, rows) };
}

const N = 1_000_000;
const cols = zeeChunk(new Rng("bench/query"), N, 0);
const q = new CompiledQuery(parsePython(QUERY), SCHEMA, QUERY);
const runQuery = () => q.evaluate(cols, N);
// same answer from all three before timing (float32 query arithmetic vs float64 loops: 1e-5 relative)
const r0 = runQuery(),
  r1 = arrayKernels(cols),
  r2 = handLoop(cols);
if (r0.rows !== r1.m_ee.length || r0.rows !== r2.m_ee.length) throw new Error(`row counts differ: ${r0.rows} ${r1.m_ee.length} ${r2.m_ee.length}`);
for (let i = 0; i < r0.rows; i += 997) if (Math.abs(r0.columns.m_ee[i] - r2.m_ee[i]) > 1e-5 * r2.m_ee[i]) throw new Error(`m_ee differs at row ${i}`);
const tq = await best(runQuery),
  ta = await best(() => arrayKernels(cols)),
  th = await best(() => handLoop(cols));
for (const [impl, s] of [
  ["hepflow-query", tq],
  ["array-kernels", ta],
  ["hand-loop", th],
]) {
  console.log(JSON.stringify({ case: "query-zee-kernels", impl, events: N, rows: r0.rows, events_per_s: round(N / s), seconds: round(s), vs_hand_loop: round(th / s) }));
}

// read + query from one file (what a transformer task does, without writing)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepflow-qbench-"));
try {
  const [file] = await generateZee({ out: dir, events: N, files: 1, seed: 2 });
  const bytes = fs.statSync(file).size;
  const read = async (body) => {
    const f = await openFile(file);
    const t = await f.tree("Events");
    const qq = new CompiledQuery(parsePython(QUERY), t.branches, QUERY);
    for await (const ch of t.iterate(qq.branches, { stepSize: 250_000 })) body(qq, ch);
    await f.close();
  };
  const fq = await best(() => read((qq, ch) => qq.evaluate(ch.columns, ch.entryStop - ch.entryStart)), 3);
  const fh = await best(() => read((_qq, ch) => handLoop(ch.columns)), 3);
  for (const [impl, s] of [
    ["hepflow-query", fq],
    ["hand-loop", fh],
  ]) {
    console.log(JSON.stringify({ case: "query-zee-file", impl, events: N, events_per_s: round(N / s), mb_per_s: round(bytes / 1e6 / s), seconds: round(s), vs_hand_loop: round(fh / s) }));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
