/** `hepflow project run [DIR] -e ENTRY -P k=v`: run an MLproject entry point as a tracked run (environments recorded, not built). */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";

const collect = (v: string, acc: string[]) => [...acc, v];

/** `-P name=value` pairs into a record; the same name twice is an error, not a silent override. */
export function parseParamPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new HepflowError("CLI_OPTION", `-P takes NAME=VALUE (got "${p}")`);
    const k = p.slice(0, i);
    if (k in out) throw new HepflowError("CLI_OPTION", `-P ${k} given twice`);
    out[k] = p.slice(i + 1);
  }
  return out;
}

export function register(program: Command): void {
  const project = program.command("project").description("MLflow projects (MLproject files): describe and run entry points as tracked runs");
  project
    .command("run [dir]")
    .description("run an entry point of DIR/MLproject (default: .) with typed parameters, as a tracked run")
    .option("-e, --entry <name>", "entry point", "main")
    .option("-P, --param <name=value>", "a parameter (repeatable)", collect, [] as string[])
    .option("--experiment <name>", "experiment to log into (default: the project's name)")
    .option("--run-name <name>", "name of the run")
    .option("--tracking-dir <dir>", "run store folder (default: $HEPFLOW_TRACKING_DIR or ./hepflow-runs)")
    .action(async (dir: string | undefined, o: { entry: string; param: string[]; experiment?: string; runName?: string; trackingDir?: string }) => {
      const { openStore, runProject } = await import("../../tracking/index.js");
      const store = openStore(o.trackingDir ?? process.env.HEPFLOW_TRACKING_DIR);
      // inside another tracked run (a project calling a project), this run becomes its child
      const parent = process.env.HEPFLOW_RUN_ID;
      const r = await runProject(store, dir ?? ".", { entry: o.entry, params: parseParamPairs(o.param), experimentName: o.experiment, runName: o.runName, parentRunId: parent });
      process.stderr.write(`run ${r.runId} ${r.exitCode === 0 ? "FINISHED" : `FAILED (exit code ${r.exitCode})`}  (hepflow runs show ${r.runId.slice(0, 8)})\n`);
      if (r.exitCode !== 0) process.exitCode = r.exitCode;
    });
  project
    .command("show [dir]")
    .description("list the entry points of DIR/MLproject with their parameters")
    .action(async (dir: string | undefined) => {
      const { loadProject } = await import("../../tracking/index.js");
      const p = loadProject(dir ?? ".");
      const w = (s: string) => process.stdout.write(s + "\n");
      w(`${p.name}  (${p.file})`);
      for (const [k, v] of Object.entries(p.environment)) w(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}  (recorded, not built)`);
      for (const e of Object.values(p.entryPoints)) {
        w(`entry point ${e.name}`);
        for (const q of e.parameters) w(`  -P ${q.name}=…  ${q.type}${q.default !== undefined ? ` (default ${q.default})` : " (required)"}`);
        w(`  command: ${e.command.replace(/\s+/g, " ").trim()}`);
      }
    });
}
