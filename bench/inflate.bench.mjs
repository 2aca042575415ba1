// zlib inflate in hepflow: node:zlib (the fallback) against hepflow's libdeflate binding (native/), side by
// side in one run, interleaved (A, B, A, B, …; best and median):
//   1. the bare decoders on the zlib:1 blocks of the generated AGC file (bench/lib/generated.mjs), each
//      called as codecs.ts calls it (a fresh output buffer per block), plus Debian's zlib and libdeflate
//      from a small C program on the same blocks (gcc with zlib1g-dev and libdeflate-dev; else a skipped line);
//   2. the one-thread read of the AGC branch subset of that file, end to end (open + arrays()), on two
//      worker threads of this process — one with HEPFLOW_INFLATE=node — taking turns, values compared first.
// One JSON line per implementation, each with the load average.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { inflateSync } from "node:zlib";
import { decompressionWorkers, inflateImplementation, openFile } from "../dist/root/index.js";
import { generatedTtbar } from "./lib/generated.mjs";
import { AGC_MC_BRANCHES } from "./lib/agc-branches.mjs";

const self = fileURLToPath(import.meta.url);
const here = path.dirname(self);
const REPS = Number(process.env.HEPFLOW_BENCH_INFLATE_REPS ?? 7);
const load = () => Number(loadavg()[0].toFixed(2));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Number(x.toPrecision(4));

/** The AGC subset, read once on this thread with one-thread decompression: seconds and a digest of every column's bytes. */
async function readSubset(file) {
  const t0 = performance.now();
  const f = await openFile(file);
  let cols;
  try {
    cols = await (await f.tree("Events")).arrays(AGC_MC_BRANCHES);
  } finally {
    await f.close();
  }
  const s = (performance.now() - t0) / 1e3;
  const h = createHash("sha256");
  let events = 0;
  for (const [k, v] of Object.entries(cols)) {
    h.update(k);
    for (const a of [v.offsets, v.content ?? v].filter(Boolean)) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    if (!v.offsets) events = v.length;
  }
  return { s, digest: h.digest("hex"), events };
}

if (!isMainThread) {
  decompressionWorkers(0);
  parentPort.on("message", async (file) => {
    const r = await readSubset(file);
    parentPort.postMessage({ ...r, impl: inflateImplementation() });
  });
} else {
  const file = await generatedTtbar("zlib:1");
  const bytes = readFileSync(file);
  const f = await openFile(file);
  const t = await f.tree("Events");
  const blocks = [];
  let U = 0,
    C = 0;
  for (const b of t.branches) {
    for (const r of t.branch(b.name).baskets) {
      if (r.embedded || !r.bytes) continue;
      const raw = bytes.subarray(r.seek, r.seek + r.bytes);
      let body = raw.subarray(raw.readInt16BE(14), raw.readInt32BE(0));
      // ROOT's block header: "ZL", method, compressed and uncompressed sizes (3 bytes each, little-endian)
      while (body.length >= 9 && body[0] === 0x5a && body[1] === 0x4c) {
        const c = body.readUIntLE(3, 3),
          u = body.readUIntLE(6, 3);
        blocks.push([body.subarray(9, 9 + c), u]);
        U += u;
        C += c;
        body = body.subarray(9 + c);
      }
    }
  }
  await f.close();
  const shape = { blocks: blocks.length, compressed_mb: Number((C / 1e6).toFixed(1)), uncompressed_mb: Number((U / 1e6).toFixed(1)) };

  // 1. the decoders on the same blocks
  let lib;
  try {
    lib = createRequire(import.meta.url)("../native/build/Release/hepflow_inflate.node");
  } catch (e) {
    console.log(JSON.stringify({ case: "inflate_zlib1", impl: "libdeflate (hepflow binding)", skipped: `binding not built (npm run build:native; needs libdeflate-dev): ${e.message.split("\n")[0]}` }));
  }
  const impls = [{ impl: `node:zlib ${process.versions.zlib}`, run: (d, u) => inflateSync(d, { maxOutputLength: Math.max(u, 1), chunkSize: Math.max(u, 64) }) }];
  if (lib) {
    impls.push({ impl: "libdeflate (hepflow binding)", run: (d, u) => lib.zlibDecompress(d, Buffer.allocUnsafeSlow(u)) });
    // the same into one reused buffer, as the C program does: what the fresh buffer's page faults cost
    const reused = Buffer.allocUnsafeSlow(Math.max(...blocks.map(([, u]) => u)));
    impls.push({ impl: "libdeflate (hepflow binding, one reused output buffer)", run: (d, u) => lib.zlibDecompress(d, reused.subarray(0, u)) });
    for (const [d, u] of blocks.slice(0, 50))
      if (
        !inflateSync(d).equals(
          Buffer.from(
            (() => {
              const o = Buffer.allocUnsafeSlow(u);
              lib.zlibDecompress(d, o);
              return o;
            })(),
          ),
        )
      )
        throw new Error("binding and node:zlib disagree");
  }
  const times = impls.map(() => []);
  for (let k = 0; k < REPS; k++) {
    for (const [i, im] of impls.entries()) {
      const t0 = performance.now();
      for (const [d, u] of blocks) im.run(d, u);
      times[i].push((performance.now() - t0) / 1e3);
    }
  }
  const rate = (s) => Math.round(U / 1e6 / s);
  const nodeBest = Math.min(...times[0]),
    nodeMedian = median(times[0]);
  for (const [i, im] of impls.entries()) {
    const best = Math.min(...times[i]),
      med = median(times[i]);
    console.log(
      JSON.stringify({
        case: "inflate_zlib1",
        impl: im.impl,
        ...shape,
        reps: REPS,
        best_mb_per_s: rate(best),
        median_mb_per_s: rate(med),
        ...(i ? { x_node_zlib_best: round(nodeBest / best), x_node_zlib_median: round(nodeMedian / med) } : {}),
        load: load(),
      }),
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), "hepflow-inflate-"));
  try {
    const exe = path.join(dir, "inflate");
    const cc = spawnSync("gcc", ["-O2", path.join(here, "inflate/inflate.c"), "-o", exe, "-lz", "-ldeflate"], { encoding: "utf8" });
    if (cc.status !== 0) {
      console.log(JSON.stringify({ case: "inflate_zlib1", impl: "zlib / libdeflate (C)", skipped: `gcc with zlib1g-dev and libdeflate-dev needed: ${(cc.stderr || cc.error?.message || "").trim().split("\n")[0]}` }));
    } else {
      const parts = [];
      for (const [d, u] of blocks) {
        const h = Buffer.alloc(8);
        h.writeUInt32LE(d.length, 0);
        h.writeUInt32LE(u, 4);
        parts.push(h, d);
      }
      writeFileSync(path.join(dir, "blocks.bin"), Buffer.concat(parts));
      const run = spawnSync(exe, [path.join(dir, "blocks.bin")], { encoding: "utf8" });
      for (const l of run.stdout.split("\n").filter(Boolean)) {
        const rec = JSON.parse(l);
        console.log(JSON.stringify({ case: "inflate_zlib1", ...rec, best_mb_per_s: rec.uncompressed_mb_per_s, x_node_zlib_best: round(rec.uncompressed_mb_per_s / rate(nodeBest)), load: load() }));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // 2. the one-thread AGC read, with each decoder, on worker threads taking turns
  const workers = [{ env: { ...process.env, HEPFLOW_INFLATE: "node" } }, { env: { ...process.env, HEPFLOW_INFLATE: lib ? "libdeflate" : "node" } }].map((o) => new Worker(self, { env: o.env }));
  const ask = (w) =>
    new Promise((resolve, reject) => {
      const fail = (e) => reject(e);
      w.once("error", fail);
      w.once("message", (m) => {
        w.off("error", fail);
        resolve(m);
      });
      w.postMessage(file);
    });
  const first = [];
  for (const w of workers) first.push(await ask(w)); // warm-up, and the values compared
  if (first[0].digest !== first[1].digest) throw new Error(`the AGC subset read with ${first[0].impl.name} and ${first[1].impl.name} differs`);
  const reads = workers.map(() => []);
  for (let k = 0; k < 2 * REPS + 1; k++) for (const [i, w] of workers.entries()) reads[i].push((await ask(w)).s);
  for (const [i, r] of reads.entries()) {
    const best = Math.min(...r),
      med = median(r);
    console.log(
      JSON.stringify({
        case: "read_agc_zlib1_one_thread",
        impl: first[i].impl.name,
        events: first[i].events,
        branches: AGC_MC_BRANCHES.length,
        reps: r.length,
        best_s: round(best),
        median_s: round(med),
        best_mevents_per_s: round(first[i].events / best / 1e6),
        ...(i ? { x_node_zlib_best: round(Math.min(...reads[0]) / best), x_node_zlib_median: round(median(reads[0]) / med) } : {}),
        load: load(),
      }),
    );
  }
  for (const w of workers) await w.terminate();
}
