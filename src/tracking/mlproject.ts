/**
 * MLflow projects: the `MLproject` file (name, environment, entry points with typed parameters and
 * `{param}` command templates), and running an entry point as a tracked run. Environments (conda,
 * docker, python_env) are recorded, never built. Commands are split into words here and values are
 * substituted into the words, so a value never reaches a shell; a template that needs a shell
 * (`&&`, pipes, redirections) runs under `sh -c` with every value single-quoted.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { HepflowError } from "../util/index.js";
import type { TrackingStore } from "./store.js";

export type ParameterType = "float" | "int" | "string" | "path" | "uri";

export interface ProjectParameter {
  name: string;
  type: ParameterType;
  default?: string;
}
export interface EntryPoint {
  name: string;
  parameters: ProjectParameter[];
  command: string;
}
export interface Project {
  dir: string;
  file: string;
  name: string;
  /** What the project asks for, recorded as written: `{conda_env: "conda.yaml"}`, `{docker_env: {...}}`, … */
  environment: Record<string, unknown>;
  entryPoints: Record<string, EntryPoint>;
}

/** MLflow's type names plus the aliases real projects use (`str`, `integer`, `double`). */
const TYPE_ALIASES: Record<string, ParameterType> = { float: "float", double: "float", number: "float", int: "int", integer: "int", string: "string", str: "string", path: "path", uri: "uri" };

/** Reads and checks `DIR/MLproject`; errors name the file and the key path. */
export function loadProject(dirOrFile: string): Project {
  const p = path.resolve(dirOrFile);
  const file = existsSync(p) && statSync(p).isDirectory() ? (["MLproject", "MLproject.yaml", "MLproject.yml"].map((n) => path.join(p, n)).find((f) => existsSync(f)) ?? path.join(p, "MLproject")) : p;
  if (!existsSync(file)) throw new HepflowError("PROJECT_NOT_FOUND", "no MLproject file here", { file });
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new HepflowError("PROJECT_INVALID", `not valid YAML: ${(e as Error).message}`, { file }, { cause: e });
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new HepflowError("PROJECT_INVALID", "an MLproject is a mapping (name, entry_points, …)", { file });
  const d = doc as Record<string, unknown>;
  const bad = (object: string, msg: string): never => {
    throw new HepflowError("PROJECT_INVALID", msg, { file, object });
  };
  const environment: Record<string, unknown> = {};
  for (const k of ["conda_env", "docker_env", "python_env"]) if (d[k] !== undefined) environment[k] = d[k];
  const eps = d.entry_points ?? {};
  if (typeof eps !== "object" || Array.isArray(eps)) bad("entry_points", "entry_points must be a mapping of entry-point names");
  const entryPoints: Record<string, EntryPoint> = {};
  for (const [name, raw] of Object.entries(eps as Record<string, unknown>)) {
    const where = `entry_points.${name}`;
    if (!raw || typeof raw !== "object") bad(where, "an entry point is a mapping with a command");
    const e = raw as Record<string, unknown>;
    if (typeof e.command !== "string" || !e.command.trim()) bad(`${where}.command`, "missing command");
    const parameters: ProjectParameter[] = [];
    const ps = e.parameters ?? {};
    if (typeof ps !== "object" || Array.isArray(ps)) bad(`${where}.parameters`, "parameters must be a mapping");
    for (const [pn, pv] of Object.entries(ps as Record<string, unknown>)) {
      // `name: float` is shorthand for `{type: float}`
      const spec = typeof pv === "string" ? { type: pv } : ((pv as Record<string, unknown> | null) ?? {});
      if (typeof spec !== "object") bad(`${where}.parameters.${pn}`, "a parameter is a type name or {type, default}");
      const alias = String(spec.type ?? "string").toLowerCase();
      const t = (Object.hasOwn(TYPE_ALIASES, alias) ? TYPE_ALIASES[alias] : undefined) ?? bad(`${where}.parameters.${pn}.type`, `unknown type "${String(spec.type)}" (float, int, string, path, uri)`);
      parameters.push({ name: pn, type: t, default: spec.default === undefined || spec.default === null ? undefined : String(spec.default) });
    }
    entryPoints[name] = { name, parameters, command: e.command as string };
  }
  const name = typeof d.name === "string" ? d.name : path.basename(path.dirname(file));
  return { dir: path.dirname(file), file, name, environment, entryPoints };
}

/** Checks one value against its declared type; `path` values become absolute (relative to the project). */
export function checkParameter(p: ProjectParameter, value: string, projectDir: string): string {
  const fail = (what: string): never => {
    throw new HepflowError("PARAMETER_INVALID", `parameter "${p.name}" must be ${what} (got "${value}")`, { object: p.name });
  };
  if (p.type === "float") {
    if (value.trim() === "" || !Number.isFinite(Number(value))) fail("a number");
  } else if (p.type === "int") {
    if (!/^[+-]?\d+$/.test(value.trim())) fail("an integer");
  } else if (p.type === "path") {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return path.resolve(projectDir, value);
  } else if (p.type === "uri") {
    if (!value) fail("a URI or path");
  }
  return value;
}

/** The values an entry point runs with: given ones checked, defaults filled, undeclared ones kept for `--key value`. */
export function resolveParameters(project: Project, entry: EntryPoint, given: Record<string, string>): { declared: Record<string, string>; extra: Record<string, string> } {
  const declared: Record<string, string> = {};
  for (const p of entry.parameters) {
    const v = given[p.name] ?? p.default;
    if (v === undefined) throw new HepflowError("PARAMETER_MISSING", `entry point "${entry.name}" needs -P ${p.name}=… (no default)`, { file: project.file, object: p.name });
    declared[p.name] = checkParameter(p, v, project.dir);
  }
  const extra = Object.fromEntries(Object.entries(given).filter(([k]) => !entry.parameters.some((p) => p.name === k)));
  return { declared, extra };
}

/** POSIX single-quoting: the value is one word and nothing in it is interpreted. */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9_\-+=.,/:@%]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

const SHELL_OPERATOR = /^(\|\|?|&&?|;|<|>|>>|2>|2>&1|\(|\))$/;

/**
 * Splits a command template into words as a POSIX shell would (quotes, backslash escapes,
 * backslash-newline continuations), keeping `{name}` placeholders inside the words. Reports whether
 * an unquoted shell operator or expansion appears, which needs a real shell.
 */
export function splitCommand(template: string): { words: string[]; needsShell: boolean } {
  const words: string[] = [];
  let cur = "",
    inWord = false,
    needsShell = false;
  let i = 0;
  const push = () => {
    if (inWord) {
      words.push(cur);
      cur = "";
      inWord = false;
    }
  };
  while (i < template.length) {
    const c = template.charAt(i);
    if (c === "\\" && template[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "\\") {
      cur += template[i + 1] ?? "";
      inWord = true;
      i += 2;
      continue;
    }
    if (c === "'") {
      const j = template.indexOf("'", i + 1);
      if (j < 0) throw new HepflowError("PROJECT_INVALID", `unterminated ' in command: ${template}`);
      cur += template.slice(i + 1, j);
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < template.length && template[j] !== '"'; j++) {
        if (template[j] === "\\" && /["\\$`]/.test(template[j + 1] ?? "")) {
          cur += template[j + 1];
          j++;
        } else {
          if (template[j] === "$" || template[j] === "`") needsShell = true;
          cur += template[j];
        }
      }
      if (j >= template.length) throw new HepflowError("PROJECT_INVALID", `unterminated " in command: ${template}`);
      inWord = true;
      i = j + 1;
      continue;
    }
    if (/\s/.test(c)) {
      push();
      i++;
      continue;
    }
    if (c === "$" || c === "`" || c === "*" || c === "?" || (c === "~" && !inWord)) needsShell = true;
    if ("|&;<>()".includes(c)) {
      needsShell = true;
    }
    cur += c;
    inWord = true;
    i++;
  }
  push();
  if (words.some((w) => SHELL_OPERATOR.test(w))) needsShell = true;
  return { words, needsShell };
}

/** Replaces `{name}` by the value; unknown placeholders stay as written (a search's own templates pass through). */
function substitute(s: string, values: Record<string, string>, quote: (v: string) => string): string {
  return s.replace(/\{([A-Za-z0-9_.-]+)\}/g, (m, k: string) => {
    const v = declaredValue(values, k);
    return v === undefined ? m : quote(v);
  });
}

/** A declared value by name; only the record's own keys count (`{constructor}` is no parameter). */
function declaredValue(values: Record<string, string>, k: string): string | undefined {
  return Object.hasOwn(values, k) ? values[k] : undefined;
}

const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));

/** `hepflow` in a command means this installation (works without a global install). */
function hepflowArgv(): [string, string, string] {
  return [process.execPath, "--single-threaded-gc", path.join(PACKAGE_ROOT, "bin", "hepflow.js")];
}

/** The argv (or the `sh -c` script) of an entry point with its parameters filled in. */
export function renderCommand(entry: EntryPoint, declared: Record<string, string>, extra: Record<string, string> = {}): { argv: string[]; shell?: string } {
  const { words, needsShell } = splitCommand(entry.command);
  const extraWords = Object.entries(extra).flatMap(([k, v]) => [`--${k}`, v]);
  if (needsShell) {
    const [node, flag, bin] = hepflowArgv();
    // re-quote each word of the template, then substitute quoted values: the shell sees operators, never values
    const script =
      entry.command
        .replace(/\\\n/g, " ")
        .replace(/\{([A-Za-z0-9_.-]+)\}/g, (m, k: string) => {
          const v = declaredValue(declared, k);
          return v === undefined ? m : shellQuote(v);
        })
        .replace(/(^|[\s;&|(])hepflow(?=\s)/g, `$1${shellQuote(node)} ${flag} ${shellQuote(bin)}`) + (extraWords.length ? " " + extraWords.map(shellQuote).join(" ") : "");
    return { argv: ["/bin/sh", "-c", script], shell: script };
  }
  const argv = [...words.map((w) => substitute(w, declared, (v) => v)), ...extraWords];
  if (argv[0] === "hepflow") argv.splice(0, 1, ...hepflowArgv());
  return { argv };
}

export interface ProjectRunOptions {
  entry?: string;
  params?: Record<string, string>;
  experimentName?: string;
  runName?: string;
  parentRunId?: string;
  /** Extra environment for the command. */
  env?: Record<string, string>;
  /** Where the command's output goes (default: inherit). */
  stdio?: "inherit" | "pipe";
  onOutput?: (chunk: string) => void;
  /** Tags set when the run is created (a search marks its trials so). */
  tags?: Record<string, string>;
}

export interface ProjectRunResult {
  runId: string;
  exitCode: number;
  argv: string[];
  runDir: string;
}

/**
 * Runs an entry point as a tracked run: params logged, environment recorded, the command started
 * with HEPFLOW_RUN_ID / MLFLOW_RUN_ID pointing at the run (so hepflow commands inside log into it),
 * and the run ended FINISHED or FAILED by the exit code. `{run_dir}` in a command is a fresh folder
 * per run (a hepflow extension), whose files are logged as artifacts when the command ends.
 */
export async function runProject(store: TrackingStore, projectDir: string, o: ProjectRunOptions = {}): Promise<ProjectRunResult> {
  const project = loadProject(projectDir);
  const entryName = o.entry ?? "main";
  const entry = project.entryPoints[entryName];
  if (!entry) throw new HepflowError("PROJECT_ENTRY", `no entry point "${entryName}" (has: ${Object.keys(project.entryPoints).join(", ") || "none"})`, { file: project.file });
  const { declared, extra } = resolveParameters(project, entry, o.params ?? {});
  const run = store.startRun({
    experimentName: o.experimentName ?? project.name,
    runName: o.runName ?? `${project.name}:${entryName}`,
    parentRunId: o.parentRunId,
    gitDir: project.dir,
    source: project.file,
    tags: { "mlflow.source.type": "PROJECT", "mlflow.project.entryPoint": entryName, "mlflow.project.env": JSON.stringify(project.environment), "mlflow.source.name": project.dir, ...o.tags },
  });
  store.logParams(run.runId, { ...declared, ...extra });
  for (const v of Object.values(project.environment)) {
    if (typeof v === "string" && existsSync(path.join(project.dir, v))) store.logArtifact(run.runId, path.join(project.dir, v), `environment/${path.basename(v)}`);
  }
  const runDir = path.join(store.root, "work", run.runId);
  mkdirSync(runDir, { recursive: true });
  const { argv } = renderCommand(entry, { run_dir: runDir, ...declared }, extra);
  const [program, ...args] = argv;
  if (program === undefined) throw new HepflowError("PROJECT_INVALID", "the command is empty", { file: project.file, object: `entry_points.${entryName}.command` });
  store.setTags(run.runId, { "hepflow.command": JSON.stringify(argv) });
  let exitCode: number;
  try {
    exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(program, args, {
        cwd: project.dir,
        stdio: o.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit",
        env: { ...process.env, ...o.env, HEPFLOW_RUN_ID: run.runId, MLFLOW_RUN_ID: run.runId, HEPFLOW_TRACKING_DIR: store.root },
      });
      child.stdout?.on("data", (b) => o.onOutput?.(String(b)));
      child.stderr?.on("data", (b) => o.onOutput?.(String(b)));
      child.on("error", (e) => reject(new HepflowError("PROJECT_COMMAND", `cannot start "${program}": ${e.message}`, { file: project.file, object: `entry_points.${entryName}.command` })));
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } catch (e) {
    store.endRun(run.runId, "FAILED");
    throw e;
  }
  for (const f of walk(runDir)) store.logArtifact(run.runId, path.join(runDir, f), f);
  store.logMetrics(run.runId, { exit_code: exitCode });
  store.endRun(run.runId, exitCode === 0 ? "FINISHED" : "FAILED");
  return { runId: run.runId, exitCode, argv, runDir };
}

function walk(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`]));
}
