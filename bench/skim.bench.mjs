// Skim throughput: generated AGC ttbar events (TTree, zlib:1) skimmed with a NanoAOD-style cut, the Jet/Muon
// collections and one define, to TTree and to RNTuple, one thread. One JSON line per case.
// BENCH_SKIM_EVENTS sets the number of events (default 200000). Run `npx tsc -p .` first.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFile, openFile } from "../dist/root/index.js";
import { skim } from "../dist/expr/index.js";
import { generateChunk, EVENT_SCHEMA, MODELS, Rng } from "../dist/generate/index.js";

const n = Number(process.env.BENCH_SKIM_EVENTS ?? 200_000);
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-bench-skim-"));
try {
  const input = path.join(dir, "in.root");
  const w = await createFile(input, { compression: "zlib:1" });
  const t = w.writeTree("Events", EVENT_SCHEMA);
  const rng = new Rng("bench-skim");
  for (let at = 0; at < n; at += 25_000) t.write(generateChunk(rng, MODELS.ttbar__nominal, Math.min(25_000, n - at), at));
  await w.close();
  for (const format of ["ttree", "rntuple"]) {
    for (const [label, opts] of [
      ["cut-collections-define", { where: "nJet >= 4 && Sum$(Jet_pt > 30) >= 4 && nMuon + nElectron == 1", branches: ["Jet_*", "nMuon", "Muon_*", "MET_*"], define: [{ name: "ht", expression: "Sum$(Jet_pt)" }] }],
      ["extend-all-branches", { define: [{ name: "score", expression: "Sum$(Jet_pt * (Jet_btagCSVV2 > 0.5)) / 100" }] }],
    ]) {
      let best = Infinity,
        result;
      for (let rep = 0; rep < 3; rep++) {
        const f = await openFile(input);
        const tree = await f.tree("Events");
        const out = path.join(dir, `out-${format}-${label}-${rep}.root`);
        const s = performance.now();
        result = await skim([tree], out, { ...opts, format });
        best = Math.min(best, (performance.now() - s) / 1000);
        await f.close();
        rmSync(out);
      }
      console.log(
        JSON.stringify({
          case: `skim-${label}-${format}`,
          impl: "hepflow",
          events_in: result.entriesIn,
          events_out: result.entriesOut,
          branches: result.branches.length,
          seconds: +best.toFixed(3),
          events_per_s: Math.round(result.entriesIn / best),
          input_mb_per_s: +(statSync(input).size / 1e6 / best).toFixed(1),
        }),
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
