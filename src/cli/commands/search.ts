/** `hepflow search`: random or TPE search over a command's or an MLproject entry point's parameters, as tracked runs. */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import { parseParamPairs } from "./project.js";

const collect = (v: string, acc: string[]) => [...acc, v];

interface SearchCliOptions {
  space?: string;
  set: string[];
  command?: string;
  project?: string;
  entry: string;
  param: string[];
  objective?: string;
  maximize?: boolean;
  algo: string;
  maxRuns: string;
  parallel: string;
  seed: string;
  patience?: string;
  minDelta?: string;
  resume?: string;
  plots?: string;
  experiment?: string;
  trackingDir?: string;
  json?: boolean;
  verbose?: boolean;
  nStartupJobs?: string;
}

const int = (name: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new HepflowError("CLI_OPTION", `${name} must be an integer ≥ ${min} (got "${v}")`);
  return n;
};

export function register(program: Command): void {
  program
    .command("search")
    .description("search parameters (random or TPE) for the best objective; the search is a tracked run and each trial a child run")
    .option("--space <file>", "YAML/JSON mapping: name → uniform(a, b) | loguniform(a, b) | randint(a, b) | quniform(a, b, q) | choice(…) | [list]")
    .option("-S, --set <name=dist>", "one searched parameter, e.g. -S 'pt_threshold=uniform(20, 40)' (repeatable)", collect, [] as string[])
    .option("--command <template>", "trial command with {name} placeholders (and {run_dir}); it runs with HEPFLOW_RUN_ID set to the trial, so hepflow commands log into it")
    .option("--project <dir>", "run trials as this MLproject's entry point (-e) instead of --command")
    .option("-e, --entry <name>", "entry point for --project", "main")
    .option("-P, --param <name=value>", "fixed parameter for every trial of --project (repeatable)", collect, [] as string[])
    .option("--objective <metric>", "metric of the trial run to optimise, e.g. ttbar_norm_uncertainty")
    .option("--maximize", "maximise the objective (default: minimise)")
    .option("--algo <name>", "tpe or random", "tpe")
    .option("--max-runs <n>", "number of trials", "20")
    .option("--parallel <n>", "trials at once (suggestions use the trials of earlier batches only)", "1")
    .option("--seed <n>", "seed: the same seed gives the same trials", "0")
    .option("--patience <n>", "stop early after N trials in a row without improvement")
    .option("--min-delta <x>", "smallest change that counts as an improvement", "0")
    .option("--n-startup-jobs <n>", "TPE: random trials before modelling (hyperopt default 20)")
    .option("--resume <run>", "continue the search run RUN (its space, objective and seed are read back)")
    .option("--plots <dir>", "write objective-vs-trial and parameter-vs-objective plots here (also logged as artifacts)")
    .option("--experiment <name>", "experiment of the search run", "search")
    .option("--tracking-dir <dir>", "run store folder (default: $HEPFLOW_TRACKING_DIR or ./hepflow-runs)")
    .option("--verbose", "show the trials' output")
    .option("--json", "print the result as JSON")
    .action(async (o: SearchCliOptions) => {
      const t = await import("../../tracking/index.js");
      const { readFileSync } = await import("node:fs");
      const YAML = (await import("yaml")).default;
      const path = await import("node:path");
      const store = t.openStore(o.trackingDir);
      let spec: import("../../tracking/index.js").SearchSpec | undefined;
      if (!o.resume) {
        const doc: Record<string, unknown> = o.space ? ((YAML.parse(readFileSync(o.space, "utf8")) as Record<string, unknown>) ?? {}) : {};
        for (const s of o.set) {
          const i = s.indexOf("=");
          if (i <= 0) throw new HepflowError("CLI_OPTION", `-S takes NAME=DISTRIBUTION (got "${s}")`);
          doc[s.slice(0, i)] = s.slice(i + 1);
        }
        if (!o.objective) throw new HepflowError("CLI_OPTION", "--objective METRIC is required (the metric each trial run logs)");
        if (!!o.command === !!o.project) throw new HepflowError("CLI_OPTION", "give exactly one of --command TEMPLATE or --project DIR");
        const nStartup = int("--n-startup-jobs", o.nStartupJobs, 0);
        spec = {
          space: t.parseSpace(doc),
          algo: o.algo as "tpe" | "random",
          seed: int("--seed", o.seed, 0)!,
          maxRuns: int("--max-runs", o.maxRuns, 1)!,
          parallel: int("--parallel", o.parallel, 1)!,
          objective: o.objective,
          direction: o.maximize ? "maximize" : "minimize",
          patience: int("--patience", o.patience, 1),
          minDelta: Number(o.minDelta ?? 0),
          tpe: nStartup !== undefined ? { nStartupJobs: nStartup } : undefined,
          target: o.project ? { kind: "project", dir: path.resolve(o.project), entry: o.entry, params: parseParamPairs(o.param) } : { kind: "command", command: o.command!, cwd: process.cwd() },
        };
      } else if (o.maxRuns !== "20") spec = { maxRuns: int("--max-runs", o.maxRuns, 1)! } as import("../../tracking/index.js").SearchSpec;
      const err = (s: string) => process.stderr.write(s);
      // inside a tracked run (a project's search entry point) that run is the search run
      const inRun = process.env.HEPFLOW_RUN_ID;
      const r = await t.runSearch(store, spec, {
        resume: o.resume,
        searchRunId: !o.resume && inRun ? inRun : undefined,
        experimentName: o.experiment,
        onOutput: o.verbose ? err : undefined,
        onTrial: (tr, best) =>
          err(
            `trial ${String(tr.index).padStart(3)}  ${Object.entries(tr.params)
              .map(([k, v]) => `${k}=${typeof v === "number" ? +v.toPrecision(5) : v}`)
              .join(" ")}  → ${Number.isFinite(tr.value) ? +tr.value.toPrecision(6) : tr.status}${best && best.runId === tr.runId ? "  (best)" : ""}\n`,
          ),
      });
      const storedSpec = store.getRun(r.searchRunId).tags["hepflow.search.spec"];
      if (!(spec && !o.resume) && storedSpec === undefined) throw new HepflowError("SEARCH_RESUME", `search run ${r.searchRunId} has no hepflow.search.spec tag, so its search space is unknown`);
      const finalSpec = spec && !o.resume ? spec : (JSON.parse(storedSpec ?? "null") as import("../../tracking/index.js").SearchSpec);
      const space = t.parseSpace(finalSpec.space);
      const key = finalSpec.objective.replace(/^metrics?\./, "");
      if (o.plots) {
        const { writePlot } = await import("../../plot/index.js");
        const sorted = [...r.trials].sort((a, b) => a.index - b.index);
        let bestSoFar = NaN;
        const sign = finalSpec.direction === "maximize" ? -1 : 1;
        const rows = sorted.map((tr) => {
          if (Number.isFinite(tr.value) && !(sign * tr.value >= sign * bestSoFar)) bestSoFar = tr.value;
          return { trial: tr.index, value: tr.value, best: bestSoFar };
        });
        const f1 = path.join(o.plots, "objective_vs_trial.svg"),
          f2 = path.join(o.plots, "params_vs_objective.svg");
        await writePlot(t.objectiveVsTrialPlot(rows, key, finalSpec.direction), f1);
        await writePlot(
          t.paramVsObjectivePlot(
            sorted.map((tr) => ({ ...tr.params, [key]: tr.value })),
            t.spaceKeys(space),
            key,
          ),
          f2,
        );
        for (const f of [f1, f2]) {
          store.logArtifact(r.searchRunId, f, `plots/${path.basename(f)}`);
          err(`wrote ${f}\n`);
        }
      }
      const tab = t.trialTable(r, space);
      store.logArtifact(r.searchRunId, Buffer.from(JSON.stringify(r.trials, null, 1) + "\n"), "trials.json");
      if (o.json) {
        process.stdout.write(JSON.stringify({ search_run: r.searchRunId, best: r.best ?? null, stopped_early: r.stoppedEarly, trials: r.trials }, null, 2) + "\n");
        return;
      }
      const { textTable } = await import("../../tracking/format.js");
      process.stdout.write(textTable(tab.header, tab.rows) + "\n");
      if (r.best)
        process.stdout.write(
          `\nbest: trial ${r.best.index} (run ${r.best.runId.slice(0, 8)})  ${key} = ${r.best.value}\n  ${Object.entries(r.best.params)
            .map(([k, v]) => `${k}=${v}`)
            .join("  ")}\n`,
        );
      else process.stdout.write(`\nno trial logged a finite "${key}"\n`);
      process.stdout.write(
        `search run ${r.searchRunId}${r.stoppedEarly ? " (stopped early: no improvement)" : ""}; hepflow runs ls --parent ${r.searchRunId.slice(0, 8)} --columns id,status,${t
          .spaceKeys(space)
          .map((k) => `params.${k}`)
          .join(",")},metrics.${key}\n`,
      );
      if (!r.best) process.exitCode = 1;
    });
}
