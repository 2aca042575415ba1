/** `hepflow workflow validate|run|graph|status|clean`: yadage workflows (docs/workflows.md). */
import type { Command } from "commander";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { availableParallelism } from "node:os";
import { globSync } from "tinyglobby";
import { parse as parseYaml } from "yaml";
import { HepflowError, writeOutputFile } from "../../util/index.js";
import type { ContainerRuntime, HepflowRunner, LoadedSpec, RunState } from "../../workflow/index.js";
import { printJson } from "../json.js";
import { withProgressTo } from "../progress.js";
import type { ProgressListener } from "../../util/index.js";

const collect = (value: string, previous: string[]) => previous.concat([value]);

/** `-p name=value` values are YAML scalars or flow collections: `-p n=3`, `-p files=[a,b]`. */
export function parseInitParams(items: string[], files: string[], initDir?: string, discover = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of files) {
    const doc = parseYaml(readText(f)) as unknown;
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== "object" || Array.isArray(doc)) throw new HepflowError("CLI_OPTION", "an init file must be a mapping of parameter names to values", { file: f });
    Object.assign(out, doc);
  }
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new HepflowError("CLI_OPTION", `-p takes NAME=VALUE (got "${item}")`);
    out[item.slice(0, eq)] = parseYaml(item.slice(eq + 1)) ?? "";
  }
  return initDir ? resolveInitPaths(out, initDir, discover) : out;
}

/**
 * Relative init values that name files of `dir` become absolute paths (steps run in their own
 * work directories, where a relative path would point elsewhere); with `discover`, a value that
 * is a glob becomes the sorted list of the files it matches.
 */
export function resolveInitPaths(values: Record<string, unknown>, dir: string, discover: boolean): Record<string, unknown> {
  const one = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.flatMap((x) => one(x));
    if (typeof v !== "string" || isAbsolute(v) || v === "") return v;
    if (existsSync(join(dir, v))) return resolve(dir, v);
    if (discover && /[*?[{]/.test(v)) return globSync(v, { cwd: dir, absolute: true }).sort();
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = Array.isArray(v) ? v.flatMap((x) => one(x)) : one(v);
  return out;
}

function readText(f: string): string {
  try {
    return readFileSync(f, "utf8");
  } catch (e) {
    throw new HepflowError("CLI_OPTION", `cannot read init file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: f });
  }
}

/**
 * The in-process runner of `hepflow-cmd` steps: one at a time, in the step's work directory,
 * output to its log. With `progress`, the progress events of the commands (the selection's
 * events, a grid's points) go there instead of into the log.
 */
export function inProcessRunner(opts: { progress?: ProgressListener } = {}): HepflowRunner {
  let chain: Promise<unknown> = Promise.resolve();
  return (argv, io) => {
    const run = async () => {
      const { buildProgram } = await import("../main.js");
      const full = ["node", "hepflow", ...argv];
      const program = await buildProgram(full);
      program.exitOverride();
      const cwd = process.cwd();
      const out = process.stdout.write.bind(process.stdout);
      const err = process.stderr.write.bind(process.stderr);
      const capture =
        (sink: (t: string) => void) =>
        (chunk: string | Uint8Array, ...rest: unknown[]) => {
          sink(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
          const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
          cb?.();
          return true;
        };
      const exitCode = process.exitCode;
      const savedEnv = Object.keys(io.env ?? {}).map((k) => [k, process.env[k]] as const);
      Object.assign(process.env, io.env ?? {});
      process.chdir(io.cwd);
      process.stdout.write = capture(io.stdout ?? io.log) as typeof process.stdout.write;
      process.stderr.write = capture(io.log) as typeof process.stderr.write;
      try {
        await withProgressTo(opts.progress, () => program.parseAsync(full));
        if (process.exitCode && process.exitCode !== exitCode) throw new HepflowError("WORKFLOW_STEP", `hepflow ${argv[0]} exited with status ${process.exitCode}`);
      } catch (e) {
        const msg = (e as { code?: string }).code === "commander.helpDisplayed" ? "printed help" : (e as Error).message;
        throw new HepflowError("WORKFLOW_STEP", `hepflow ${argv.join(" ")}: ${msg}`);
      } finally {
        process.exitCode = exitCode;
        for (const [k, v] of savedEnv) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        process.stdout.write = out;
        process.stderr.write = err;
        process.chdir(cwd);
      }
    };
    const p = chain.then(run, run);
    chain = p.catch(() => undefined);
    return p;
  };
}

/** True when any step of the (resolved) workflow runs in a container image. */
function usesContainers(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(usesContainers);
  if (v === null || typeof v !== "object") return false;
  if ((v as { environment_type?: unknown }).environment_type === "docker-encapsulated") return true;
  return Object.values(v).some(usesContainers);
}

/** Options of a run, as `workflow run` and `recast run` take them. */
export interface RunCliOptions {
  out: string;
  jobs: string;
  resume?: boolean;
  force?: boolean;
  cache: boolean;
  cacheDir?: string;
  containerRuntime: string;
  quiet?: boolean;
  executor?: string;
}

/** Adds the run options to a command. */
export function runOptions(c: Command): Command {
  return c
    .requiredOption("-o, --out <dir>", "run directory (each step works in OUT/STAGE…; state in OUT/_hepflow)")
    .option("-j, --jobs <n>", "steps run at once", String(Math.max(1, availableParallelism())))
    .option("--resume", "continue the run in OUT: finished steps are kept, failed and unstarted ones run")
    .option("--force", "replace a non-empty OUT")
    .option("--no-cache", "run every step, neither reading nor writing the step cache")
    .option("--cache-dir <dir>", "step cache (default $HEPFLOW_CACHE_DIR or ~/.cache/hepflow/steps)")
    .option("--container-runtime <name>", "auto | docker | podman | apptainer | singularity | none (none: run docker-encapsulated commands on this host, with a warning)", "auto")
    .option("--executor <url>", "run the steps on `hepflow worker` processes through Redis (redis://host:port); they share the file system under their --root, which must contain the workflow and OUT (run from there)")
    .option("--quiet", "no per-step lines");
}

/** Runs a loaded, validated workflow with the CLI's options and prints the summary line. */
export async function runLoaded(spec: LoadedSpec, init: Record<string, unknown>, o: RunCliOptions, summary: NodeJS.WritableStream = process.stdout): Promise<RunState> {
  const w = await import("../../workflow/index.js");
  const runtimes = ["auto", "docker", "podman", "apptainer", "singularity", "none"];
  if (!runtimes.includes(o.containerRuntime)) throw new HepflowError("CLI_OPTION", `--container-runtime must be one of ${runtimes.join(", ")} (got "${o.containerRuntime}")`);
  const jobs = Number(o.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new HepflowError("CLI_OPTION", `--jobs must be a positive integer (got "${o.jobs}")`);
  if (o.containerRuntime !== "none" && usesContainers(spec.workflow)) {
    // Refuse before the first step rather than after an hour of the steps that need none.
    const rt = w.detectRuntime(o.containerRuntime as ContainerRuntime);
    if (!rt.runtime)
      throw new HepflowError("WORKFLOW_NO_RUNTIME", `the workflow has docker-encapsulated steps but no container runtime works here (${rt.why}); pass --container-runtime none to run their commands on this host instead`, {
        file: spec.file,
      });
  }
  const t0 = performance.now();
  const warn = (m: string) => process.stderr.write(`hepflow: warning: ${m}\n`);
  if (o.executor) {
    // Fail on a run directory outside the shared root before anything is created.
    if (relative(process.cwd(), resolve(o.out)).startsWith("..") || isAbsolute(relative(process.cwd(), resolve(o.out))))
      throw new HepflowError("WORKFLOW_EXECUTOR", `with --executor the run directory ${o.out} must be inside the working directory ${process.cwd()}, the root the workers share (hepflow worker --root)`);
  }
  const remote = o.executor ? await w.connectStepClient({ url: o.executor, spec, warn }) : undefined;
  const onInterrupt = () => {
    const n = remote!.cancelSync();
    process.stderr.write(`\ninterrupted: ${n} unfinished step job(s) of this run cancelled (continue with --resume)\n`);
    if (process.listenerCount("SIGINT") === 0) process.exit(130);
  };
  if (remote) process.prependOnceListener("SIGINT", onInterrupt);
  if (remote && !o.quiet) process.stderr.write(`steps run on hepflow workers through ${(await import("../../analysis/index.js")).redactUrl(o.executor!)} (${remote.workers} listening)\n`);
  const state = await w
    .runWorkflow({
      executor: remote?.execute,
      spec,
      rundir: o.out,
      init: init as never,
      jobs,
      resume: o.resume,
      force: o.force,
      cache: o.cache ? new w.StepCache(resolve(o.cacheDir ?? w.defaultCacheDir())) : undefined,
      runtime: o.containerRuntime as ContainerRuntime,
      hepflow: inProcessRunner(),
      warn,
      onEvent: o.quiet
        ? undefined
        : (e) => {
            if (e.kind === "start") return;
            const how = e.kind === "reused" ? `reused (${e.step.reused})` : e.kind;
            process.stderr.write(`${how.padEnd(16)} ${e.step.id}  ${(e.step.seconds ?? 0).toFixed(3)} s${e.step.worker ? `  on ${e.step.worker}` : ""}\n`);
          },
    })
    .finally(() => {
      process.removeListener("SIGINT", onInterrupt);
      return remote?.close();
    });
  const steps = Object.values(state.steps).filter((s) => !s.init);
  const reused = steps.filter((s) => s.reused).length;
  summary.write(`done: ${steps.length} steps (${steps.length - reused} run, ${reused} reused) in ${((performance.now() - t0) / 1000).toFixed(2)} s → ${o.out}\n`);
  return state;
}

interface SpecOpts {
  toplevel?: string;
  param: string[];
  init: string[];
  initDir?: string;
  discover?: boolean;
}

async function loadAndValidate(specFile: string, o: SpecOpts & { strict?: boolean }, initFile?: string, print = false): Promise<{ spec: LoadedSpec; init: Record<string, unknown> }> {
  const w = await import("../../workflow/index.js");
  const spec = w.loadSpec(specFile, { toplevel: o.toplevel });
  const files = [...(initFile ? [initFile] : []), ...o.init];
  const withInit = files.length > 0 || o.param.length > 0;
  const init = parseInitParams(o.param, files, o.initDir, o.discover);
  const issues = w.validateSpec(spec, withInit ? { init, initSource: files[0] ?? "-p" } : {});
  if (print) for (const i of issues.filter((x) => x.severity === "warning")) process.stderr.write(`hepflow: warning: ${i.file}: ${i.object}: ${i.message}\n`);
  w.assertValid(issues, o.strict);
  return { spec, init };
}

const specOptions = (c: Command) =>
  c
    .option("-t, --toplevel <dir>", "directory $refs of the workflow file are resolved against (default: the file's folder)")
    .option("-p, --param <name=value>", "init parameter (value read as YAML: 3, [a, b], text); repeatable", collect, [])
    .option("--init <file>", "YAML/JSON file of init parameters; repeatable", collect, [])
    .option("--init-dir <dir>", "relative init values naming files here become absolute paths")
    .option("--discover", "with --init-dir: an init value that is a glob ('*.txt') becomes the sorted list of matching files");

export function register(program: Command): void {
  const wf = program.command("workflow").description("yadage workflows: validate a spec, run it (parallel steps, step cache, resume), draw its DAG");

  specOptions(wf.command("validate <spec> [initfile]").description("check a workflow before running: schema, references between stages and outputs, parameter names (file + key path per problem)"))
    .option("--strict", "treat warnings as errors")
    .option("--json", "print the problems as JSON")
    .action(async (specFile: string, initFile: string | undefined, o: SpecOpts & { strict?: boolean; json?: boolean }) => {
      const w = await import("../../workflow/index.js");
      if (o.json) {
        const spec = w.loadSpec(specFile, { toplevel: o.toplevel });
        const files = [...(initFile ? [initFile] : []), ...o.init];
        const init = parseInitParams(o.param, files, o.initDir, o.discover);
        const issues = w.validateSpec(spec, files.length || o.param.length ? { init, initSource: files[0] ?? "-p" } : {});
        printJson({ valid: !issues.some((i) => i.severity === "error" || o.strict), files: spec.files, initParameters: w.initParameterNames(spec), issues });
        if (issues.some((i) => i.severity === "error" || o.strict)) process.exitCode = 1;
        return;
      }
      const { spec } = await loadAndValidate(specFile, o, initFile, true);
      const stages = ((spec.workflow as { stages: unknown[] }).stages ?? []).length;
      process.stdout.write(`valid: ${specFile} (${stages} stages, ${spec.files.length} files; init parameters read: ${w.initParameterNames(spec).join(", ") || "none"})\n`);
    });

  runOptions(specOptions(wf.command("run <spec> [initfile]").description("run a workflow into a run directory: stages as their dependencies finish, independent steps in parallel")))
    .option("--strict", "treat validation warnings as errors")
    .action(async (specFile: string, initFile: string | undefined, o: SpecOpts & RunCliOptions & { strict?: boolean }) => {
      const w = await import("../../workflow/index.js");
      let spec: LoadedSpec;
      let init: Record<string, unknown>;
      if (o.resume && !initFile && !o.param.length && !o.init.length) {
        // Resuming without init arguments: the run's own init parameters.
        const prev = w.readState(o.out);
        ({ spec, init } = await loadAndValidate(specFile, { ...o, param: [] }, undefined, true));
        init = prev.init;
      } else ({ spec, init } = await loadAndValidate(specFile, o, initFile, true));
      await runLoaded(spec, init, o);
    });

  wf.command("graph <rundir>")
    .description("draw the run's step DAG, coloured by step state, as SVG")
    .option("-o, --output <file>", "SVG file (default RUNDIR/_hepflow/dag.svg)")
    .option("--force", "replace an existing output file")
    .action(async (rundir: string, o: { output?: string; force?: boolean }) => {
      const w = await import("../../workflow/index.js");
      const svg = w.renderGraphSvg(w.readState(rundir), rundir);
      const out = o.output ?? join(rundir, "_hepflow", "dag.svg");
      writeOutputFile(out, svg, { force: o.force || o.output === undefined });
      process.stdout.write(`${out}\n`);
    });

  wf.command("report <rundir>")
    .description("an HTML report of the run from its step records: steps, timings, commands, provenance, PNG results")
    .option("-o, --output <file>", "HTML file (default RUNDIR/report.html)")
    .option("--title <text>", "report title")
    .option("--force", "replace an existing report")
    .action(async (rundir: string, o: { output?: string; title?: string; force?: boolean }) => {
      const w = await import("../../workflow/index.js");
      const out = o.output ?? join(rundir, "report.html");
      writeOutputFile(out, await w.runReportHtml(w.readState(rundir), resolve(rundir), out, { title: o.title }), { force: o.force });
      process.stdout.write(`${out}\n`);
    });

  wf.command("status <rundir>")
    .description("the steps of a run: state, how they were served, seconds, work directory")
    .option("--json", "print the state file")
    .action(async (rundir: string, o: { json?: boolean }) => {
      const w = await import("../../workflow/index.js");
      const state: RunState = w.readState(rundir);
      if (o.json) return printJson(state);
      const rows = Object.values(state.steps).filter((s) => !s.init);
      process.stdout.write(`${state.spec}: ${state.status} (${rows.filter((s) => s.status === "done").length}/${rows.length} steps done; updated ${state.updated})\n`);
      for (const s of rows) process.stdout.write(`  ${w.stepState(s).padEnd(8)} ${s.id.padEnd(32)} ${(s.seconds ?? 0).toFixed(3).padStart(9)} s  ${s.workdir}${s.worker ? `  on ${s.worker}` : ""}${s.error ? `  ${s.error}` : ""}\n`);
    });

  wf.command("clean [rundir]")
    .description("delete a run directory (only one with a workflow state file), or with --cache the step cache")
    .option("--cache", "empty the step cache")
    .option("--cache-dir <dir>", "step cache to empty (default $HEPFLOW_CACHE_DIR or ~/.cache/hepflow/steps)")
    .action(async (rundir: string | undefined, o: { cache?: boolean; cacheDir?: string }) => {
      const w = await import("../../workflow/index.js");
      if (!rundir && !o.cache) throw new HepflowError("CLI_OPTION", "name a run directory, or pass --cache");
      if (rundir) {
        w.readState(rundir); // refuses a directory that is not a run directory
        rmSync(rundir, { recursive: true, force: true });
        process.stdout.write(`removed ${rundir}\n`);
      }
      if (o.cache) {
        const dir = resolve(o.cacheDir ?? w.defaultCacheDir());
        const n = existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).length : 0;
        rmSync(dir, { recursive: true, force: true });
        process.stdout.write(`emptied the step cache ${dir} (${n} shards)\n`);
      }
    });
}
