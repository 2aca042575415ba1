#!/usr/bin/env node
// Runs every bench/*.bench.mjs in its own process (so one case's memory does not colour another's);
// each prints one JSON line per case. `npm run bench -- NAME` runs only files whose name contains NAME.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.mjs"))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();
// The AGC executor bench runs Node as `hepflow run` does (bin/hepflow.js: --single-threaded-gc).
const FLAGS = { "agc.bench.mjs": ["--single-threaded-gc"], "distributed.bench.mjs": ["--single-threaded-gc"] };
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ["--expose-gc", ...(FLAGS[f] ?? []), path.join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${f} exited ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
