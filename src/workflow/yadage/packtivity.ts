/**
 * One packtivity: interpolate the process, run it in its environment, and publish its outputs.
 * The environment decides where the command runs: on the host (`localproc-env`), in a container
 * (`docker-encapsulated`, through docker, podman or apptainer — whichever answers), or, for
 * `hepflow-cmd`, inside this process through the runner the CLI hands in.
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { glob } from "tinyglobby";
import { parse as parseYaml } from "yaml";
import { HepflowError, onlyItem, type ErrorPlace } from "../../util/index.js";
import { interpolate, interpolateDeep } from "./interpolate.js";
import { jqAll, jqOne } from "./jq.js";
import { isObject, type Json, type JsonObject } from "./types.js";

/** Runs `hepflow ARGV…` with `cwd` as its working directory and `env` set, writing its output to `log` (stdout to `stdout` when given). */
export type HepflowRunner = (argv: string[], io: { cwd: string; env?: Record<string, string>; log: (text: string) => void; stdout?: (text: string) => void }) => Promise<void>;

/** Which container runtime docker-encapsulated steps use; `none` runs their commands on the host. */
export type ContainerRuntime = "auto" | "none" | "docker" | "podman" | "apptainer" | "singularity";

export interface StepContext {
  workdir: string;
  /** Appends to the step's log file. */
  log: (text: string) => void;
  runtime: ContainerRuntime;
  hepflow?: HepflowRunner;
  warn: (message: string) => void;
  /** Directories a container must see besides the work dir (the run directory, init dir). */
  mounts: string[];
  place: ErrorPlace;
}

/** What running a packtivity produced. */
export interface StepOutcome {
  result: Json;
  /** The command as run (for the record and the report). */
  command?: string;
  /** host:pid of the worker process that ran it, when not this one. */
  worker?: string;
}

/** Probe outcomes per PATH and runtime: asked once per process, not once per step. */
const probed = new Map<string, string | undefined>();

/** The first container runtime that answers here, or the reason none does. */
export function detectRuntime(wanted: ContainerRuntime): { runtime?: Exclude<ContainerRuntime, "auto" | "none">; why: string } {
  const all = ["docker", "podman", "apptainer", "singularity"] as const;
  const candidates = wanted === "auto" || wanted === "none" ? all : all.filter((c) => c === wanted);
  const why: string[] = [];
  for (const c of candidates) {
    const key = `${process.env.PATH ?? ""}\0${c}`;
    if (!probed.has(key)) {
      // docker/podman: a client without a running engine is not a runtime; `info` asks the engine.
      const args = c === "docker" || c === "podman" ? ["info", "--format", "{{.ServerVersion}}"] : ["--version"];
      const r = spawnSync(c, args, { encoding: "utf8", timeout: 15_000 });
      probed.set(key, r.error ? `${c}: not installed` : r.status !== 0 ? `${c}: ${(r.stderr || r.stdout).trim().split("\n").pop() ?? "no engine"}` : undefined);
    }
    const p = probed.get(key);
    if (p === undefined) return { runtime: c, why: "" };
    why.push(p);
  }
  return { why: why.join("; ") };
}

/**
 * The argv that runs `interpreter` (the script on its stdin) in a container (exported for tests):
 * the image:tag; the work dir, run dir and toplevel mounted at their own paths, so parameter paths
 * mean the same inside; `files` (par_mounts: host file → container path) mounted read-only; the
 * step's `env`; and this user's uid:gid (docker) or user namespace (rootless podman), so what the
 * step writes into its work dir belongs to the user. apptainer/singularity run as the user anyway.
 */
export function containerArgv(runtime: "docker" | "podman" | "apptainer" | "singularity", env: JsonObject, workdir: string, mounts: string[], interpreter: string, files: Array<[string, string]> = []): string[] {
  const image = `${String(env.image)}:${typeof env.imagetag === "string" && env.imagetag !== "" ? env.imagetag : "latest"}`;
  const vars = isObject(env.env) ? Object.entries(env.env).map(([k, v]) => `${k}=${String(v)}`) : [];
  const dirs = [...new Set([workdir, ...mounts])];
  if (runtime === "apptainer" || runtime === "singularity") {
    return [runtime, "exec", "--pwd", workdir, ...dirs.flatMap((d) => ["--bind", `${d}:${d}`]), ...files.flatMap(([h, c]) => ["--bind", `${h}:${c}:ro`]), ...vars.flatMap((v) => ["--env", v]), `docker://${image}`, interpreter];
  }
  const uid = process.getuid?.();
  const user = uid === undefined || uid === 0 ? [] : runtime === "docker" ? ["--user", `${uid}:${process.getgid!()}`] : ["--userns=keep-id"];
  return [runtime, "run", "--rm", "-i", ...user, "-w", workdir, ...dirs.flatMap((d) => ["-v", `${d}:${d}`]), ...files.flatMap(([h, c]) => ["-v", `${h}:${c}:ro`]), ...vars.flatMap((v) => ["-e", v]), image, interpreter];
}

/** par_mounts: each mount's jq values, one JSON document a line, written into the work dir. */
async function parMountFiles(parMounts: JsonObject[], pars: JsonObject, ctx: StepContext): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const [i, m] of parMounts.entries()) {
    const values = await jqAll(String(m.jqscript), pars, ctx.place);
    const hostPath = join(ctx.workdir, `.parmount-${i}`);
    writeFileSync(hostPath, values.map((v) => JSON.stringify(v)).join("\n") + "\n");
    out.push([hostPath, String(m.mountpath)]);
  }
  return out;
}

function runProcess(argv: string[], stdin: string, cwd: string, log: (t: string) => void, place: ErrorPlace, env?: Record<string, string>): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const [command, ...args] = argv;
    if (command === undefined) return reject(new HepflowError("WORKFLOW_STEP", "the step has no command to run", place));
    const child = spawn(command, args, { cwd, stdio: ["pipe", "pipe", "pipe"], ...(env ? { env: { ...process.env, ...env } } : {}) });
    child.stdout.on("data", (b: Buffer) => log(b.toString()));
    child.stderr.on("data", (b: Buffer) => log(b.toString()));
    child.on("error", (e) => reject(new HepflowError("WORKFLOW_STEP", `cannot start ${argv[0]}: ${e.message}`, place)));
    child.on("close", (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new HepflowError("WORKFLOW_STEP", `the command exited with ${signal ? `signal ${signal}` : `status ${code}`}`, place));
    });
    child.stdin.on("error", () => undefined); // a command that does not read its input
    child.stdin.end(stdin);
  });
}

/** Splits a hepflow command line into words (single and double quotes group; no other shell syntax). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') [quote, has] = [ch, true];
    else if (/\s/.test(ch)) {
      if (has || cur) words.push(cur);
      [cur, has] = ["", false];
    } else cur += ch;
  }
  if (quote) throw new HepflowError("WORKFLOW_STEP", `unclosed ${quote} in hepflow command: ${line}`);
  if (has || cur) words.push(cur);
  return words;
}

/** hepflow commands, one a line; a line ending in `> FILE` keeps that command's stdout in FILE. */
async function runHepflowLines(lines: string[], env: Record<string, string>, ctx: StepContext): Promise<void> {
  for (const line of lines) {
    let words = splitWords(line);
    let stdoutFile: string | undefined;
    const target = words.at(-1);
    if (words.at(-2) === ">" && target !== undefined) {
      stdoutFile = resolve(ctx.workdir, target);
      words = words.slice(0, -2);
    }
    ctx.log(`$ hepflow ${line}\n`);
    let printed = "";
    await ctx.hepflow!(words, {
      cwd: ctx.workdir,
      env,
      log: ctx.log,
      stdout: stdoutFile
        ? (t) => {
            printed += t;
          }
        : undefined,
    });
    if (stdoutFile) writeFileSync(stdoutFile, printed);
  }
}

/** Runs the step's process in its environment. */
async function runProcessSpec(proc: JsonObject, envSpec: JsonObject | null, pars: JsonObject, ctx: StepContext): Promise<string | undefined> {
  const type = proc.process_type;
  if (type === "manual-instructions-proc") throw new HepflowError("WORKFLOW_STEP", "a manual-instructions process cannot be run unattended", ctx.place);
  if (type === "hepflow-cmd") {
    // One hepflow command per line; a line ending in `> FILE` keeps what that command prints.
    const lines = interpolate(String(proc.cmd), pars)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    if (!ctx.hepflow) throw new HepflowError("WORKFLOW_STEP", "hepflow-cmd steps need the hepflow runner (run through `hepflow workflow run`)", ctx.place);
    // hepflow-env `env`: the runner sets it for the command (and the worker threads it starts) and restores it.
    const env = envSpec?.environment_type === "hepflow-env" && isObject(envSpec.env) ? Object.fromEntries(Object.entries(envSpec.env).map(([k, v]) => [k, interpolate(String(v), pars)])) : {};
    await runHepflowLines(lines, env, ctx);
    return lines.map((l) => `hepflow ${l}`).join("\n");
  }
  const interpreter = type === "interpolated-script-cmd" ? (typeof proc.interpreter === "string" ? proc.interpreter : "sh") : "sh";
  let script = interpolate(String(type === "interpolated-script-cmd" ? proc.script : proc.cmd), pars);
  const envType = envSpec?.environment_type ?? "localproc-env";
  if (envType === "noop-env") return undefined;
  if (envType === "manual-instructions-env") throw new HepflowError("WORKFLOW_STEP", "a manual-instructions environment cannot be run unattended", ctx.place);
  if (envType === "docker-encapsulated" && envSpec) {
    if (typeof envSpec.envscript === "string" && envSpec.envscript !== "") script = `. ${envSpec.envscript}\n${script}`;
    const parMounts = Array.isArray(envSpec.par_mounts) ? envSpec.par_mounts.filter(isObject) : [];
    const runtime = ctx.runtime === "none" ? undefined : detectRuntime(ctx.runtime);
    if (runtime?.runtime) {
      const argv = containerArgv(runtime.runtime, envSpec, ctx.workdir, ctx.mounts, interpreter, await parMountFiles(parMounts, pars, ctx));
      ctx.log(`$ ${argv.join(" ")} <<'SCRIPT'\n${script}\nSCRIPT\n`);
      await runProcess(argv, script, ctx.workdir, ctx.log, ctx.place);
      return script;
    }
    if (ctx.runtime !== "none") {
      throw new HepflowError("WORKFLOW_NO_RUNTIME", `the step runs in image ${String(envSpec.image)} but no container runtime works here (${runtime?.why}); pass --container-runtime none to run its commands on this host instead`, ctx.place);
    }
    ctx.warn(`${ctx.place.file ?? ""}: ${ctx.place.object ?? "step"}: image ${String(envSpec.image)} not used (--container-runtime none): running its commands on this host`);
    // Without a container a mount path cannot exist; the mounted file is written into the work
    // dir and the command's spelling of the mount path is replaced by that file's path.
    for (const [hostPath, mountPath] of await parMountFiles(parMounts, pars, ctx)) script = script.split(mountPath).join(hostPath);
  }
  // the image's `env` is the step's environment on the host too
  const vars = envType === "docker-encapsulated" && isObject(envSpec?.env) ? Object.fromEntries(Object.entries(envSpec.env).map(([k, v]) => [k, String(v)])) : undefined;
  ctx.log(`$ ${interpreter} <<'SCRIPT'\n${script}\nSCRIPT\n`);
  await runProcess([interpreter], script, ctx.workdir, ctx.log, ctx.place, vars);
  return script;
}

async function globIn(pattern: string, workdir: string): Promise<string[]> {
  const abs = isAbsolute(pattern);
  const found = await glob(abs ? relative(workdir, pattern) : pattern, { cwd: workdir, absolute: true, dot: false, expandDirectories: false, onlyFiles: false });
  return found.map((f) => f.replace(/\/$/, "")).sort();
}

async function globLeaves(v: Json, workdir: string): Promise<Json> {
  if (typeof v === "string") {
    const m = await globIn(v, workdir);
    return onlyItem(m) ?? m;
  }
  if (Array.isArray(v)) return (await Promise.all(v.map((x) => globLeaves(x, workdir)))).flat() as Json;
  if (isObject(v)) return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await globLeaves(x, workdir)] as const)));
  return v;
}

const absolutise = (v: Json, workdir: string): Json =>
  typeof v === "string" ? resolve(workdir, v) : Array.isArray(v) ? v.map((x) => absolutise(x, workdir)) : isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, absolutise(x, workdir)])) : v;

/** The outputs a publisher reports for a finished step. */
export async function publish(pub: JsonObject, pars: JsonObject, workdir: string, place: ErrorPlace): Promise<Json> {
  switch (pub.publisher_type) {
    case "constant-pub":
      return pub.publish as Json;
    case "frompar-pub":
      return Object.fromEntries(
        Object.entries(pub.outputmap as JsonObject).map(([k, p]) => {
          const value = Object.hasOwn(pars, String(p)) ? pars[String(p)] : undefined;
          if (value === undefined) throw new HepflowError("WORKFLOW_PUBLISH", `frompar-pub: the step has no parameter "${String(p)}"`, place);
          return [k, value];
        }),
      );
    case "interpolated-pub": {
      let out = interpolateDeep(pub.publish, pars) as Json;
      if (pub.relative_paths) out = absolutise(out, workdir);
      if (pub.glob) out = await globLeaves(out, workdir);
      return out;
    }
    case "fromglob-pub":
      return { [String(pub.outputkey)]: await globIn(interpolate(String(pub.globexpression), pars), workdir) };
    case "fromyaml-pub": {
      const f = resolve(workdir, interpolate(String(pub.yamlfile), pars));
      if (!existsSync(f)) throw new HepflowError("WORKFLOW_PUBLISH", "fromyaml-pub: the step did not write its YAML file", { file: f });
      return parseYaml(readFileSync(f, "utf8")) as Json;
    }
    case "fromparjq-pub": {
      let out = (await jqOne(typeof pub.script === "string" ? pub.script : ".", pars, place)) as Json;
      if (pub.relative_paths) out = absolutise(out, workdir);
      if (pub.glob) out = await globLeaves(out, workdir);
      return out;
    }
    default:
      throw new HepflowError("WORKFLOW_PUBLISH", `publisher ${String(pub.publisher_type)} cannot publish unattended`, place);
  }
}

/** Runs one packtivity with resolved parameters in `ctx.workdir` and publishes its outputs. */
export async function runPacktivity(spec: JsonObject, pars: JsonObject, ctx: StepContext): Promise<StepOutcome> {
  mkdirSync(ctx.workdir, { recursive: true });
  const proc = isObject(spec.process) ? spec.process : null;
  const env = isObject(spec.environment) ? spec.environment : null;
  // `{workdir}` is the step's work directory in commands and publisher templates too (as in packtivity).
  const withDir: JsonObject = { workdir: ctx.workdir, ...pars };
  const command = proc ? await runProcessSpec(proc, env, withDir, ctx) : undefined;
  const result = await publish(spec.publisher as JsonObject, withDir, ctx.workdir, ctx.place);
  return { result, command };
}

/** Appends to a log file, creating its folder. */
export function appendLog(file: string, text: string): void {
  appendFileSync(file, text);
}
