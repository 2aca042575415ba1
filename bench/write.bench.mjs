// Writer and generator throughput: TTree writing of NanoAOD-like columns (MB/s of uncompressed
// branch data) per codec, and synthetic AGC event generation + writing (events/s, zlib:1).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFile } from "../dist/root/index.js";
import { generateChunk, MODELS, Rng, EVENT_SCHEMA } from "../dist/generate/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "hepflow-bench-write-"));
const N = Number(process.env.BENCH_EVENTS ?? 200_000);

// Columns are generated once up front so the writer cases time only serialisation, compression and I/O.
const chunks = [];
const rng = new Rng("bench");
for (let done = 0; done < N; done += 50_000) chunks.push(generateChunk(rng, MODELS.ttbar__nominal, Math.min(50_000, N - done), done));
const rawBytes = chunks.reduce((s, c) => s + Object.values(c).reduce((a, col) => a + (col.content ? col.content.byteLength + 4 * col.length : col.byteLength), 0), 0);

for (const codec of ["none", "zlib:1", "lz4", "zstd:1"]) {
  const file = path.join(dir, `w-${codec.replace(":", "")}.root`);
  const t0 = performance.now();
  const w = await createFile(file, { compression: codec });
  const t = w.writeTree("Events", EVENT_SCHEMA, { basketSize: 512_000 });
  for (const c of chunks) t.write(c);
  await w.close();
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ case: `write-tree-nanoaod-${codec}`, impl: "hepflow", events_per_s: Math.round(N / s), mb_per_s: +(rawBytes / 1e6 / s).toFixed(1), file_mb: +(statSync(file).size / 1e6).toFixed(1) }));
}

{
  const file = path.join(dir, "gen.root");
  const t0 = performance.now();
  const w = await createFile(file, { compression: "zlib:1" });
  const t = w.writeTree("Events", EVENT_SCHEMA, { basketSize: 512_000 });
  const g = new Rng("bench-gen");
  for (let done = 0; done < N; done += 50_000) t.write(generateChunk(g, MODELS.ttbar__nominal, Math.min(50_000, N - done), done));
  await w.close();
  const s = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ case: "generate-agc-ttbar-zlib1", impl: "hepflow", events_per_s: Math.round(N / s), events_per_min: Math.round((60 * N) / s), mb_per_s: +(statSync(file).size / 1e6 / s).toFixed(1) }));
}
rmSync(dir, { recursive: true, force: true });
