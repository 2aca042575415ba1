#!/usr/bin/env -S node --single-threaded-gc --interrupt-budget=270336
// --single-threaded-gc: on a machine whose cores all run analysis worker threads, V8's helper GC
// threads only compete with them; measured on 2 cores, the AGC processor on 2 workers ran 9-14%
// more events/s with it and the same on 1 worker (bench/agc.bench.mjs).
// --interrupt-budget 4x V8's default: code that runs briefly once (start-up, planning, writing
// outputs) stays in the baseline tiers instead of going through TurboFan, which was a quarter of a
// cold AGC run's CPU; hot loops still get optimized. An 18 k-event AGC run cost ~0.2 s less CPU
// (docs/performance.md, "Fifth round").
import module from "node:module";
// Node >= 22.1 keeps compiled module code on disk between runs (docs/cli.md, "Start-up time");
// Node 20 has no such cache and skips this.
module.enableCompileCache?.();
const { main, quietOnClosedPipe } = await import("../dist/cli/main.js");
quietOnClosedPipe();
main(process.argv).catch((e) => {
  if (e?.code === "EPIPE") process.exit(141);
  console.error(e?.name === "HepflowError" ? `hepflow: ${e.message}` : e);
  process.exit(1);
});
