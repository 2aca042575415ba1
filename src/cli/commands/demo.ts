/** `hepflow demo`: the AGC workflow (examples/agc-ttbar/workflow.yml) on generated data (or given files), with a report. */
import type { Command } from "commander";
import { runDemo } from "../../workflow/index.js";
import { HepflowError } from "../../util/index.js";
import { track, trackOptions } from "./track-options.js";
import { inProcessRunner } from "./workflow.js";
import { progressPrinter } from "../progress.js";
import { printJson } from "../json.js";
import { isAbsolute, relative, resolve } from "node:path";
import type { StepEvent } from "../../workflow/index.js";

/** Live step lines on stderr: started (clock time) / finished (seconds), and between them the bar of an in-process step. */
function stepProgress() {
  // The terminal's own write: while a hepflow step runs, process.stderr.write is its log's.
  const write = process.stderr.write.bind(process.stderr);
  const stream = { isTTY: process.stderr.isTTY, write } as unknown as NodeJS.WriteStream;
  const bar = progressPrinter(stream);
  let n = 0;
  const number = new Map<string, number>();
  const clock = () => new Date().toISOString().slice(11, 19);
  const onStep = (e: StepEvent) => {
    bar.end();
    const id = e.step.id;
    if (e.kind === "start") {
      number.set(id, ++n);
      stream.write(`[${n}] ${id} started ${clock()}\n`);
      return;
    }
    const s = `${(e.step.seconds ?? 0).toFixed(2)} s`;
    const how = e.kind === "reused" ? `reused (${e.step.reused}) in ${s}` : e.kind === "failed" ? `FAILED after ${s}: ${e.step.error ?? ""}` : `done in ${s}${e.step.worker ? ` on ${e.step.worker}` : ""}`;
    stream.write(`[${number.get(id) ?? "?"}] ${id} ${how}\n`);
  };
  return { onStep, progress: bar };
}

/** A path as the user would type it from here (absolute when outside the working directory). */
const shown = (p: string) => {
  const r = relative(process.cwd(), p);
  return r.startsWith("..") ? p : r || ".";
};

const num = (name: string, v: string | undefined, integer: boolean): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new HepflowError("CLI_OPTION", `${name} must be a positive ${integer ? "integer" : "number"} (got "${v}")`);
  return n;
};

export function register(program: Command): void {
  trackOptions(
    program
      .command("demo")
      .description("generate synthetic AGC NanoAOD, run the ttbar analysis with all systematics, fit, plot, and write OUT/report.html (the workflow examples/agc-ttbar/workflow.yml, run in OUT/run)")
      .option("--out <dir>", "output directory (must be empty unless --force)", "demo-out")
      .option("--events <n>", "simulated events per sample", "40000")
      .option("--data-lumi <pb>", "luminosity of the generated pseudo-data in pb^-1 (the simulation is normalised to it)", "50")
      .option("--seed <n>", "generator seed", "1")
      .option("--workers <n>", "worker threads (default: all cores)")
      .option("--dataset <file>", "run on this dataset catalogue instead of generated data")
      .option("--input <file>", "run on one NanoAOD ROOT file (taken as ttbar nominal) instead of generated data")
      .option("--ml", "also run the AGC ML variant (BDT jet-parton assignment) and show its feature plots")
      .option("--cache-dir <dir>", "serve unchanged steps from this step cache (and store new ones in it); default: no cache")
      .option("--executor <url>", "run the steps on `hepflow worker` processes through Redis (redis://host:port); run from the workers' --root, which must contain --out and the example")
      .option("--json", "print the result (stages, fit, report) as JSON on stdout; no progress lines")
      .option("--force", "replace a non-empty output directory"),
  ).action(
    async (o: { out: string; events: string; dataLumi: string; seed: string; workers?: string; dataset?: string; input?: string; ml?: boolean; cacheDir?: string; force?: boolean; track?: boolean; executor?: string; json?: boolean }) => {
      const t0 = Date.now();
      if (o.dataset && o.input) throw new HepflowError("CLI_OPTION", "--dataset and --input are alternatives: give one");
      const workers = o.workers === undefined ? undefined : Number(o.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new HepflowError("CLI_OPTION", `--workers must be a non-negative integer (got "${o.workers}")`);
      if (o.executor) {
        const r = relative(process.cwd(), resolve(o.out));
        if (r.startsWith("..") || isAbsolute(r)) throw new HepflowError("WORKFLOW_EXECUTOR", `with --executor the output ${o.out} must be inside the working directory ${process.cwd()}, the root the workers share (hepflow worker --root)`);
      }
      const live = o.json ? undefined : stepProgress();
      const w = o.json ? (s: string) => void process.stderr.write(s + "\n") : (s: string) => void process.stdout.write(s + "\n");
      const r = await runDemo({
        out: o.out,
        events: num("--events", o.events, true),
        dataLuminosity: num("--data-lumi", o.dataLumi, false),
        seed: Number(o.seed),
        workers,
        dataset: o.dataset,
        input: o.input,
        ml: o.ml,
        force: o.force,
        cacheDir: o.cacheDir,
        executor: o.executor,
        command: ["hepflow", ...process.argv.slice(2)].join(" "),
        hepflow: inProcessRunner({ progress: live?.progress }),
        log: o.json ? () => undefined : w,
        onStep: live?.onStep,
      });
      live?.progress.end();
      if (o.json) {
        printJson({ report: r.report, rundir: r.rundir, fit: r.fit ?? null, stages: r.stages, seconds: (Date.now() - t0) / 1000 });
        await track(
          {
            command: "demo",
            params: { events: o.events, data_lumi: o.dataLumi, seed: o.seed, dataset: o.dataset, input: o.input, ml: Boolean(o.ml) },
            metrics: r.fit ? { [`${r.fit.poi}_bestfit`]: r.fit.value } : {},
            artifacts: [{ path: r.outDir, skip: ["run/generate/data"] }],
          },
          o.track,
          true,
        );
        return;
      }
      w("");
      for (const s of r.stages) w(`  ${s.name.padEnd(40)} ${s.seconds.toFixed(2).padStart(7)} s${s.events ? `  ${Math.round(s.events / s.seconds).toLocaleString("en-US")} events/s` : ""}`);
      if (r.fit) w(`\n${r.fit.poi} = ${r.fit.value.toFixed(3)} ± ${r.fit.uncertainty.toFixed(3)}${r.fit.truth !== undefined ? ` (generated: ${r.fit.truth})` : ""}`);
      await track(
        {
          command: "demo",
          params: { events: o.events, data_lumi: o.dataLumi, seed: o.seed, dataset: o.dataset, input: o.input, ml: Boolean(o.ml) },
          metrics: {
            ...(r.fit ? { [`${r.fit.poi}_bestfit`]: r.fit.value, [`${r.fit.poi}_uncertainty`]: r.fit.uncertainty, fit_converged: r.fit.converged ? 1 : 0 } : {}),
            ...Object.fromEntries(r.stages.flatMap((s, i) => [[`stage${i + 1}_s`, s.seconds], ...(s.events ? [[`stage${i + 1}_events_per_s`, s.events / s.seconds]] : [])])),
            total_s: (Date.now() - t0) / 1000,
          },
          tags: Object.fromEntries(r.stages.map((s, i) => [`stage${i + 1}`, s.name])),
          artifacts: [{ path: r.outDir, skip: ["run/generate/data"] }],
        },
        o.track,
        true,
      );
      w(`report: ${shown(r.report)}  (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
      w(`workflow run: ${shown(r.rundir)}  (hepflow workflow status|graph ${shown(r.rundir)})`);
      w("\nThe same chain, step by step:");
      for (const c of r.commands)
        w(
          c
            .split("\n")
            .map((l) => `  ${l}`)
            .join("\n"),
        );
    },
  );
}
