// hepflow side by side with the Python peers of ../shared/peers/README.md (uproot + awkward + vector +
// boost-histogram, and plain numpy), in the same run, on the same files and arrays, one thread each.
// The Python side is a server (bench/peers/peers.py) so repetitions interleave: hepflow, peer, peer,
// hepflow, … (the order alternates), after warm-ups; best and median of each are printed with the ratio
// of the bests. Values are compared before any timing (branch digests for reads, element by element
// for kernels, bin counts for the fill); a case whose values differ fails the bench.
// Peers run when importable: HEPFLOW_PEERS_SITE = the site folder ../shared/peers/build.sh made (default
// $TMPDIR/peers/site when it exists; PYTHON = its interpreter, default python3.11 then python3). Without them a line says which peer was
// skipped and why, and hepflow's figures and the numpy baseline of the kernels are still printed.
// Usage: node bench/peers.bench.mjs [--quick] [CASE...]
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { openFile, decompressionWorkers } from "../dist/root/index.js";
import { Jagged, and, gt, absLt, sum, countTrue, simdBackend } from "../dist/array/index.js";
import { Hist, Regular } from "../dist/hist/index.js";
import { toCartesian, sumVectors, pt as ptOf, eta as etaOf, phi as phiOf, deltaPhi, deltaR, invariantMass, pairMass, boost } from "../dist/physics/index.js";
import { compile } from "../dist/expr/index.js";
import { generatedTtbar } from "./lib/generated.mjs";
import { AGC_MC_BRANCHES } from "./lib/agc-branches.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, "../../shared/data/root");
const quick = process.argv.includes("--quick");
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const REPS = quick ? 3 : 7,
  WARM = 2,
  EVENTS = 200_000;
const AGC = AGC_MC_BRANCHES;
const r4 = (x) => Number(x.toPrecision(4));

// ------------------------------------------------------------------ the Python server
const PY_CANDIDATES = [process.env.PYTHON, "python3.11", "python3"].filter(Boolean);
// build.sh's default PEERS folder is $TMPDIR/peers: its site/ is used when HEPFLOW_PEERS_SITE is not set
const SITE = process.env.HEPFLOW_PEERS_SITE ?? [path.join(tmpdir(), "peers/site")].find((p) => existsSync(p));
const env = { ...process.env, PYTHONPATH: [SITE, process.env.PYTHONPATH].filter(Boolean).join(":") };
function startPython() {
  const py = PY_CANDIDATES.find((p) => spawnSync(p, ["-c", "import numpy"], { stdio: "ignore" }).status === 0);
  if (!py) return null;
  const child = spawn(py, [path.join(here, "peers/peers.py")], { env, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async ask(req) {
      child.stdin.write(JSON.stringify(req) + "\n");
      const { value, done } = await lines.next();
      if (done) throw new Error("peers.py exited");
      return JSON.parse(value);
    },
    close() {
      child.stdin.end();
    },
  };
}

// ------------------------------------------------------------------ comparisons
const sha1 = (a) =>
  createHash("sha1")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");
function countsOf(offsets) {
  const c = new Int32Array(offsets.length - 1);
  for (let i = 0; i < c.length; i++) c[i] = Number(offsets[i + 1]) - Number(offsets[i]);
  return c;
}
function hepflowDigests(cols) {
  const out = {};
  for (const [k, v] of Object.entries(cols)) out[k] = v instanceof Jagged || v?.offsets ? [sha1(countsOf(v.offsets)), sha1(v.content)] : [null, sha1(v)];
  return out;
}
function compareDigests(ours, theirs, where) {
  const bad = Object.keys(ours).filter((k) => !theirs[k] || ours[k][0] !== theirs[k][0] || ours[k][1] !== theirs[k][1]);
  const missing = Object.keys(theirs).filter((k) => !(k in ours));
  if (bad.length || missing.length) throw new Error(`${where}: branches differ from uproot's: ${[...bad, ...missing].slice(0, 8).join(", ")}${bad.length + missing.length > 8 ? " …" : ""}`);
  return Object.keys(ours).length;
}
/** 99th percentile and maximum of |ours − theirs| / max(1, |reference|): relative, absolute near zero (angles). */
function closeness(ours, theirs, ref) {
  const d = new Float64Array(ours.length);
  let k = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i],
      b = theirs[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    d[k++] = Math.abs(a - b) / Math.max(1, Math.abs(ref ? ref[i] : b));
  }
  const s = d.subarray(0, k).sort();
  return { p99: s[Math.floor(0.99 * (k - 1))] ?? 0, max: s[k - 1] ?? 0 };
}

function stats(ts) {
  const s = [...ts].sort((a, b) => a - b);
  return { best: s[0], median: s[Math.floor(s.length / 2)] };
}

/**
 * Interleaved timing: each repetition runs hepflow and every peer once, alternating who goes first.
 * With `short` set, a side whose warm-up run took under 20 ms runs that many milliseconds' worth of
 * times back to back within a repetition (its time per run is the mean): a kernel of about a
 * millisecond, timed alone just after the other process had the CPU, mostly measures waking up.
 */
async function timeSideBySide(hep, peers, reps = REPS, short = false) {
  const timeHep = async (inner) => {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await hep();
    return (performance.now() - t0) / 1000 / inner;
  };
  const innerFor = (seconds) => (short ? Math.min(100, Math.max(1, Math.ceil(0.02 / seconds))) : 1);
  let innerHep = 1;
  const innerPeer = peers.map(() => 1);
  for (let k = 0; k < WARM; k++) {
    innerHep = innerFor(await timeHep(1));
    for (let j = 0; j < peers.length; j++) innerPeer[j] = innerFor(await peers[j].time(1));
  }
  const th = [],
    tp = peers.map(() => []);
  for (let k = 0; k < reps; k++) {
    if (k % 2 === 0) th.push(await timeHep(innerHep));
    for (let j = 0; j < peers.length; j++) tp[j].push(await peers[j].time(innerPeer[j]));
    if (k % 2 === 1) th.push(await timeHep(innerHep));
  }
  return { hepflow: stats(th), peers: tp.map(stats) };
}

function emit(c, unit, count, res, peers, extra = {}) {
  const h = res.hepflow;
  const line = { case: c, impl: "hepflow", [unit]: count, per_s_best: r4(count / h.best), per_s_median: r4(count / h.median), seconds_best: r4(h.best), seconds_median: r4(h.median), kernels: simdBackend(), ...extra };
  peers.forEach((p, j) => {
    const s = res.peers[j];
    line[`${p.impl}_per_s_best`] = r4(count / s.best);
    line[`${p.impl}_per_s_median`] = r4(count / s.median);
    line[`x_${p.impl}`] = r4(s.best / h.best);
    if (p.close) line[`${p.impl}_p99_diff`] = Number(p.close.p99.toPrecision(2));
  });
  console.log(JSON.stringify(line));
}

// ------------------------------------------------------------------ the run
const python = startPython();
let have = { numpy: false };
if (!python) console.log(JSON.stringify({ case: "peers", skipped: `no python3 with numpy here (tried ${PY_CANDIDATES.join(", ")}): only hepflow's figures follow` }));
else {
  const hello = await python.ask({ op: "hello" });
  have = Object.fromEntries(Object.keys(hello.peers).map((k) => [k, true]));
  console.log(
    JSON.stringify({
      case: "peers",
      versions: hello.peers,
      ...(Object.keys(hello.missing).length ? { skipped: hello.missing, note: "skipped peers are not importable: build them with ../shared/peers/build.sh and set HEPFLOW_PEERS_SITE" } : {}),
    }),
  );
}
const scientific = have.uproot && have.awkward;
const want = (c) => !only.length || only.some((o) => c.includes(o));
const scratch = mkdtempSync(path.join(tmpdir(), "hepflow-peers-bench-"));
let failed = 0;

/** A peer handle for `case`/`impl`: checked once (writes its outputs to a folder), then timed on request. */
async function peer(caseDesc, impl) {
  const out = mkdtempSync(path.join(scratch, "out-"));
  const check = await python.ask({ op: "check", case: caseDesc, impl, out });
  if (check.error) throw new Error(`${impl} on ${caseDesc.id}: ${check.error}`);
  return {
    impl,
    check,
    out,
    outputs: () => Array.from({ length: check.outputs ?? 0 }, (_, i) => new Float32Array(readFileSync(path.join(out, `${i}.f32`)).buffer.slice(0))),
    time: async (inner = 1) => {
      const a = await python.ask({ op: "time", case: caseDesc, impl, inner });
      if (a.error) throw new Error(a.error);
      return a.seconds;
    },
  };
}

async function run(name, fn) {
  if (!want(name)) return;
  try {
    await fn();
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ case: name, error: String(e?.message ?? e) }));
  }
}

// reading: open + arrays() of the same branches, values compared by digest
const zlibFile = await generatedTtbar("zlib:1", EVENTS),
  zstdFile = await generatedTtbar("zstd:1", EVENTS);
const READS = [
  { id: "read_agc_zlib1", path: zlibFile, tree: "Events", branches: AGC },
  { id: "read_agc_zstd1", path: zstdFile, tree: "Events", branches: AGC },
  { id: "read_hzz_lzma_all", path: path.join(DATA, "uproot-HZZ-lzma.root"), tree: "events", branches: null },
  { id: "read_nanoaod2015_all", path: path.join(DATA, "nanoAOD_2015_CMS_Open_Data_ttbar.root"), tree: "Events", branches: null },
];
// One thread each (the peers table's comparison), then the same reads with hepflow's decompression pool
// (the machine's cores; LZMA and zlib baskets, and ZSTD ones whose values the threads write in place)
// against the same one-thread uproot.
for (const rc of [...READS, ...READS.filter((r) => !r.id.includes("nanoaod")).map((r) => ({ ...r, id: `${r.id}_pool`, pool: true }))]) {
  await run(rc.id, async () => {
    decompressionWorkers(rc.pool ? undefined : 0, { minBytes: rc.pool ? 0 : 8 * 1024 * 1024 });
    const hep = async () => {
      const f = await openFile(rc.path);
      try {
        const t = await f.tree(rc.tree);
        return await t.arrays(rc.branches ?? t.branchNames?.() ?? undefined);
      } finally {
        await f.close();
      }
    };
    const cols = await hep();
    const entries = Object.values(cols)[0].offsets ? Object.values(cols)[0].offsets.length - 1 : Object.values(cols)[0].length;
    const peers = [];
    if (scientific) {
      const p = await peer({ ...rc, kind: "read" }, "uproot-awkward");
      compareDigests(hepflowDigests(cols), p.check.digests, rc.id);
      peers.push(p);
    } else console.log(JSON.stringify({ case: rc.id, impl: "uproot-awkward", skipped: "uproot/awkward not importable here" }));
    const res = await timeSideBySide(hep, peers, REPS);
    emit(rc.id, "events", entries, res, peers, { branches: Object.keys(cols).length, decompression_threads: rc.pool ? "pool (machine's cores)" : "this thread" });
  });
}
decompressionWorkers(0);

// in-memory jets of the generated file: the event-level cases and the kernels
const jf = await openFile(zstdFile);
const jt = await jf.tree("Events");
const J = await jt.arrays(["Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass"]);
await jf.close();
const jets = { pt: J.Jet_pt, eta: J.Jet_eta, phi: J.Jet_phi, mass: J.Jet_mass };
const offsets = jets.pt.offsets,
  counts = countsOf(offsets);
const flat = { pt: jets.pt.content, eta: jets.eta.content, phi: jets.phi.content, mass: jets.mass.content };
const roll = (a) => {
  const b = new Float32Array(a.length);
  b.set(a.subarray(1));
  b[a.length - 1] = a[0];
  return b;
};
const second = { pt: roll(flat.pt), eta: roll(flat.eta), phi: roll(flat.phi), mass: roll(flat.mass) };
const NJ = flat.pt.length;
if (python) {
  const arrays = {};
  const put = (name, a) => {
    writeFileSync(path.join(scratch, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    arrays[name] = a instanceof Int32Array ? "int32" : "float32";
  };
  for (const k of ["pt", "eta", "phi", "mass"]) {
    put(k, flat[k]);
    put(`${k}2`, second[k]);
    put(`jet_${k}`, flat[k]);
  }
  put("jet_counts", counts);
  put("jet_offsets", offsets);
  await python.ask({ op: "load", dir: scratch, arrays });
}

await run("ht_fill", async () => {
  const hep = () => {
    const good = and(gt(jets.pt, 25), absLt(jets.eta, 2.4));
    const ht = sum(jets.pt, good),
      n = countTrue(good);
    let k = 0;
    const sel = new Float32Array(ht.length);
    for (let e = 0; e < ht.length; e++) if (n[e] >= 4) sel[k++] = ht[e];
    return new Hist([Regular(25, 50, 550)]).fill(sel.subarray(0, k));
  };
  const ours = Array.from(hep().counts({ flow: true }));
  const peers = [];
  if (have.awkward && have.boost_histogram) {
    const p = await peer({ id: "ht_fill", kind: "event", name: "ht_fill" }, "awkward-boost-histogram");
    const bad = ours.findIndex((v, i) => v !== p.check.counts[i]);
    if (bad >= 0) throw new Error(`ht_fill: bin ${bad} has ${ours[bad]} entries here, ${p.check.counts[bad]} in boost-histogram`);
    peers.push(p);
  } else console.log(JSON.stringify({ case: "ht_fill", impl: "awkward-boost-histogram", skipped: "awkward/boost-histogram not importable here" }));
  emit("ht_fill", "events", offsets.length - 1, await timeSideBySide(hep, peers), peers, { entries: ours.reduce((a, b) => a + b, 0) });
});

await run("dijet_mass", async () => {
  const hep = () => pairMass(jets, 0, 1);
  const ours = hep();
  const peers = [];
  for (const impl of [...(python ? ["numpy"] : []), ...(have.vector && have.awkward ? ["uproot-awkward-vector"] : [])]) {
    const p = await peer({ id: "dijet_mass", kind: "event", name: "dijet_mass" }, impl);
    p.close = closeness(ours, p.outputs()[0], ours);
    if (!(p.close.max < 1e-2)) throw new Error(`dijet_mass: ${impl} differs by ${p.close.max} relative`);
    peers.push(p);
  }
  if (!have.vector) console.log(JSON.stringify({ case: "dijet_mass", impl: "uproot-awkward-vector", skipped: "vector/awkward not importable here" }));
  emit("dijet_mass", "events", offsets.length - 1, await timeSideBySide(hep, peers), peers);
});

// kernels over all jets (flat float32 columns); b is a with its elements shifted by one
const a4 = flat,
  b4 = second;
const exprHypot = compile("sqrt(pt*pt + mass*mass)", ["pt", "mass"]);
const exprTrig = compile("pt*cos(phi) + mass*exp(eta*0.25)", ["pt", "phi", "mass", "eta"]);
const KERNELS = {
  construct: () => {
    const c = toCartesian(a4);
    return [c.px, c.py, c.pz, c.E];
  },
  sum_mass: () => [invariantMass(a4, b4)],
  sum_ptetaphi: () => {
    const s = sumVectors([a4, b4]);
    return [ptOf(s), etaOf(s), phiOf(s)];
  },
  delta_phi: () => [deltaPhi(a4.phi, b4.phi)],
  delta_r: () => [deltaR(a4, b4)],
  boost: () => {
    const v = boost(a4, sumVectors([a4, b4]), { toRestFrameOf: true });
    return [v.px, v.py, v.pz, v.E];
  },
  expr_hypot: () => [exprHypot.evaluate({ pt: a4.pt, mass: a4.mass }).data],
  expr_trig: () => [exprTrig.evaluate({ pt: a4.pt, phi: a4.phi, mass: a4.mass, eta: a4.eta }).data],
};
for (const [name, hep] of Object.entries(KERNELS)) {
  await run(`kernel_${name}`, async () => {
    const ours = hep().map((x) => x.content ?? x);
    const peers = [];
    const impls = python ? ["numpy", ...(have.vector && !name.startsWith("expr") ? ["vector"] : [])] : [];
    for (const impl of impls) {
      const p = await peer({ id: `kernel_${name}`, kind: "kernel", name }, impl);
      const theirs = p.outputs();
      if (theirs.length !== ours.length) throw new Error(`kernel_${name}: ${impl} returned ${theirs.length} outputs, hepflow ${ours.length}`);
      const cs = ours.map((o, i) => closeness(o, theirs[i]));
      p.close = { p99: Math.max(...cs.map((c) => c.p99)), max: Math.max(...cs.map((c) => c.max)) };
      // float32 chains on both sides: the 99th percentile must agree to float32 noise amplified by
      // cancellation (sums of nearly opposite vectors), the odd element may differ more
      if (!(p.close.p99 < 1e-3)) throw new Error(`kernel_${name}: ${impl} differs from hepflow, p99 ${p.close.p99}`);
      peers.push(p);
    }
    emit(`kernel_${name}`, "values", NJ, await timeSideBySide(hep, peers, REPS, true), peers);
  });
}

// whole process: start, import, open, read HZZ-zlib (cold caches of the interpreter each time)
await run("startup_read_hzz", async () => {
  const file = path.join(DATA, "uproot-HZZ-zlib.root");
  const dist = path.resolve(here, "../dist/root/index.js");
  const nodeScript = `const {openFile}=await import(${JSON.stringify(dist)});const f=await openFile(${JSON.stringify(file)});const t=await f.tree("events");await t.arrays();await f.close();`;
  const hep = () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", nodeScript]);
    if (r.status !== 0) throw new Error(String(r.stderr));
  };
  const peers = [];
  if (scientific) {
    const py = PY_CANDIDATES.find((p) => spawnSync(p, ["-c", "import numpy"], { stdio: "ignore" }).status === 0);
    const pyScript = `import uproot\nwith uproot.open(${JSON.stringify(file)}) as f:\n    f["events"].arrays(library="ak")\n`;
    const once = () => {
      const t0 = performance.now();
      const r = spawnSync(py, ["-c", pyScript], { env });
      if (r.status !== 0) throw new Error(String(r.stderr));
      return (performance.now() - t0) / 1000;
    };
    peers.push({ impl: "uproot-awkward", time: async () => once() });
  }
  emit("startup_read_hzz", "runs", 1, await timeSideBySide(hep, peers, quick ? 3 : 5), peers);
});

python?.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
