// Expression kernels and `draw`: element-wise and jagged-reduction throughput of compiled
// expressions on synthetic columns, and draw next to JSROOT's treeDraw on the same file and
// expression. One JSON line per case. Usage: node bench/expr.bench.mjs
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compile, draw } from "../dist/expr/index.js";
import { Jagged } from "../dist/util/index.js";
import { openFile } from "../dist/root/index.js";
import { openFile as jsrootOpen } from "jsroot/io";
import { treeDraw } from "jsroot/tree";

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, "../../shared/data/root");
const round = (x) => Number(x.toPrecision(4));
async function best(fn, reps = 7) {
  await fn();
  let b = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    b = Math.min(b, (performance.now() - t) / 1000);
  }
  return b;
}

const N = 10_000_000;
const a = new Float32Array(N),
  b = new Float32Array(N);
for (let i = 0; i < N; i++) {
  a[i] = (i % 1000) * 0.1;
  b[i] = (i % 777) * 0.01;
}
const flat = compile("a * 1.03 + b", ["a", "b"]);
const s1 = await best(() => flat.evaluate({ a, b }));
console.log(JSON.stringify({ case: "expr-elementwise-f32", impl: "hepflow", values: N, values_per_s: round(N / s1), seconds: round(s1) }));

const events = 1_000_000,
  offsets = new Int32Array(events + 1);
for (let e = 0; e < events; e++) offsets[e + 1] = offsets[e] + (e % 10);
const content = a.subarray(0, offsets[events]);
const jet = new Jagged(offsets, content);
const red = compile("sum(pt)", ["pt"]);
const s2 = await best(() => red.evaluate({ pt: jet }));
console.log(JSON.stringify({ case: "expr-jagged-sum", impl: "hepflow", values: content.length, values_per_s: round(content.length / s2), mb_per_s: round(content.byteLength / 1e6 / s2), seconds: round(s2) }));
const red2 = compile("Sum$(pt[pt > 30])", ["pt"]);
const s3 = await best(() => red2.evaluate({ pt: jet }));
console.log(JSON.stringify({ case: "expr-jagged-masked-sum", impl: "hepflow", values: content.length, values_per_s: round(content.length / s3), mb_per_s: round(content.byteLength / 1e6 / s3), seconds: round(s3) }));

for (const c of [
  { name: "draw-nanoaod-jetpt", file: "nanoAOD_2015_CMS_Open_Data_ttbar.root", tree: "Events", expr: "Jet_pt", cut: "nJet>=4" },
  { name: "draw-hzz-jetpx", file: "uproot-HZZ.root", tree: "events", expr: "Jet_Px", cut: "NJet>=2" },
  { name: "draw-hzz-metpx", file: "uproot-HZZ.root", tree: "events", expr: "MET_px", cut: "MET_py>0" },
]) {
  const f = await openFile(path.join(DATA, c.file));
  const t = await f.tree(c.tree);
  let entries = 0;
  const hs = await best(async () => {
    entries = (await draw([t], c.expr, { where: c.cut, bins: 100, range: [-200, 200] })).entries;
  });
  const jf = await jsrootOpen(path.join(DATA, c.file));
  const jt = await jf.readObject(c.tree);
  let jsEntries = NaN,
    error = null;
  const js = await best(async () => {
    const h = await treeDraw(jt, { expr: `${c.expr}>>h(100,-200,200)`, cut: c.cut });
    jsEntries = h.fEntries;
  }, 3).catch((e) => {
    error = String(e);
    return NaN;
  });
  console.log(JSON.stringify({ case: c.name, impl: "hepflow", events: t.numEntries, seconds: round(hs), entries, vs_jsroot: round(js / hs) }));
  console.log(JSON.stringify({ case: c.name, impl: "jsroot", events: t.numEntries, seconds: round(js), entries: jsEntries, ...(error ? { error } : {}) }));
  await f.close();
}
