/**
 * Processor parameters: a processor declares `export const parameters = { name: spec, … }`, the
 * run supplies values (CLI `-P name=value`, a JSON/YAML file, or the API), and they are checked
 * against the declaration before any event is read. The validated values are plain data: they
 * travel to every worker (thread or remote) with the work, enter the job identity of distributed
 * runs and are recorded in every output's provenance, instead of environment variables that
 * reach neither remote workers nor the record.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { createRequire } from "node:module";
import { HepflowError } from "../util/index.js";

// yaml is required on first use: every worker thread imports this module (processors resolve their
// parameters through it) but only a --params YAML file needs the parser, ~30 ms to load per thread.
let yaml: typeof import("yaml") | undefined;
const parseYaml = (text: string): unknown => {
  yaml ??= createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return yaml.parse(text);
};

/** The declaration of one parameter. */
export interface ParameterSpec {
  type: "int" | "number" | "bool" | "string" | "choice";
  default?: number | boolean | string;
  help?: string;
  /** Inclusive bounds for int and number. */
  min?: number;
  max?: number;
  /** Allowed values of a choice. */
  choices?: readonly (string | number)[];
  /** Physical unit, shown in help and provenance (e.g. "GeV", "pb^-1"). */
  unit?: string;
}

export type ParameterSpecs = Readonly<Record<string, ParameterSpec>>;
export type ParameterValues = Record<string, number | boolean | string>;

/** Spellings that name the same parameter: num_bins, num-bins and numBins. */
const canonical = (name: string): string => name.replace(/[-_]/g, "").toLowerCase();

const TYPES = new Set(["int", "number", "bool", "string", "choice"]);

/** Check a module's `parameters` declaration; errors name the module and the parameter. */
export function checkParameterSpecs(specs: unknown, file?: string): ParameterSpecs {
  if (specs === undefined) return {};
  if (typeof specs !== "object" || specs === null || Array.isArray(specs)) throw new HepflowError("PROCESSOR_INVALID", "`parameters` must be an object of { name: { type, default, … } }", { file });
  const seen = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs as Record<string, ParameterSpec>)) {
    const at = { file, object: `parameters.${name}` };
    if (typeof spec !== "object" || spec === null || !TYPES.has(spec.type)) throw new HepflowError("PROCESSOR_INVALID", `parameter "${name}" needs a type: int, number, bool, string or choice`, at);
    if (spec.type === "choice" && !(Array.isArray(spec.choices) && spec.choices.length)) throw new HepflowError("PROCESSOR_INVALID", `choice parameter "${name}" needs a non-empty \`choices\` list`, at);
    const other = seen.get(canonical(name));
    if (other) throw new HepflowError("PROCESSOR_INVALID", `parameters "${other}" and "${name}" are the same name spelled differently`, at);
    seen.set(canonical(name), name);
    if (spec.default !== undefined) coerce(name, spec, spec.default, `the default of ${name}`, file);
  }
  return specs as ParameterSpecs;
}

function coerce(name: string, spec: ParameterSpec, raw: unknown, source: string, file?: string): number | boolean | string {
  const bad = (why: string): never => {
    throw new HepflowError("PARAM_INVALID", `parameter ${name} (${source}): ${why}`, { file, object: name });
  };
  switch (spec.type) {
    case "int":
    case "number": {
      const v = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (!Number.isFinite(v)) bad(`expected a ${spec.type === "int" ? "whole number" : "number"}, got ${JSON.stringify(raw)}`);
      if (spec.type === "int" && !Number.isSafeInteger(v)) bad(`expected a whole number, got ${JSON.stringify(raw)}`);
      if (spec.min !== undefined && v < spec.min) bad(`${v} is below the minimum ${spec.min}${spec.unit ? " " + spec.unit : ""}`);
      if (spec.max !== undefined && v > spec.max) bad(`${v} is above the maximum ${spec.max}${spec.unit ? " " + spec.unit : ""}`);
      return v;
    }
    case "bool": {
      if (typeof raw === "boolean") return raw;
      const t = String(raw).toLowerCase();
      if (["1", "true", "yes", "on"].includes(t)) return true;
      if (["0", "false", "no", "off"].includes(t)) return false;
      return bad(`expected true or false, got ${JSON.stringify(raw)}`);
    }
    case "string":
      if (typeof raw !== "string" && typeof raw !== "number") bad(`expected a string, got ${JSON.stringify(raw)}`);
      return String(raw);
    case "choice": {
      const hit = spec.choices!.find((c) => String(c) === String(raw));
      if (hit === undefined) bad(`${JSON.stringify(raw)} is not one of ${spec.choices!.map((c) => JSON.stringify(c)).join(", ")}`);
      return hit!;
    }
  }
}

/**
 * The full, validated parameter set of a run: given values (any spelling of a declared name)
 * coerced to their types, defaults for the rest, keys in the declaration's spelling and order.
 * Unknown names, wrong types, values out of range and missing required parameters are errors.
 */
export function resolveParameters(specs: ParameterSpecs, given: Readonly<Record<string, unknown>> = {}, file?: string): ParameterValues {
  const byCanon = new Map(Object.keys(specs).map((n) => [canonical(n), n]));
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    const name = byCanon.get(canonical(k));
    if (!name) {
      const known = Object.keys(specs);
      throw new HepflowError("PARAM_UNKNOWN", `unknown parameter "${k}"; ${known.length ? `the processor declares ${known.join(", ")}` : "the processor declares no parameters"}`, { file, object: k });
    }
    if (name in values) throw new HepflowError("PARAM_INVALID", `parameter ${name} is given twice (as "${k}" too)`, { file, object: k });
    values[name] = v;
  }
  const out: ParameterValues = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (name in values) out[name] = coerce(name, spec, values[name], "given value", file);
    else if (spec.default !== undefined) out[name] = coerce(name, spec, spec.default, "default", file);
    else throw new HepflowError("PARAM_MISSING", `parameter ${name} has no default; set it with -P ${name}=VALUE`, { file, object: name });
  }
  return out;
}

/** Parse `-P name=value` assignments (values stay strings; types come from the declaration). */
export function parseParameterAssignments(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    const i = a.indexOf("=");
    if (i <= 0) throw new HepflowError("CLI_OPTION", `-P takes NAME=VALUE (got "${a}")`);
    const name = a.slice(0, i).trim();
    if (name in out) throw new HepflowError("CLI_OPTION", `-P ${name} is given twice`);
    out[name] = a.slice(i + 1);
  }
  return out;
}

/** Read a parameter file: a JSON or YAML mapping of name → value. */
export function loadParameterFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new HepflowError("PARAM_FILE", `cannot read the parameter file (${(e as Error).message})`, { file: path });
  }
  let data: unknown;
  try {
    data = [".yml", ".yaml"].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new HepflowError("PARAM_FILE", `the parameter file is not valid ${/\.ya?ml$/i.test(path) ? "YAML" : "JSON"} (${(e as Error).message})`, { file: path });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new HepflowError("PARAM_FILE", "the parameter file must hold a mapping of name: value", { file: path });
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === "object" && v !== null) throw new HepflowError("PARAM_FILE", `parameter ${k} must be a number, boolean or string`, { file: path, object: k });
  }
  return data as Record<string, unknown>;
}

/** One-line help of a declaration, for `hepflow run --help-params`. */
export function describeParameters(specs: ParameterSpecs): string {
  return Object.entries(specs)
    .map(([n, s]) => {
      const range = s.type === "choice" ? ` one of ${s.choices!.join("|")}` : s.min !== undefined || s.max !== undefined ? ` in [${s.min ?? "-∞"}, ${s.max ?? "∞"}]` : "";
      return `  ${n} (${s.type}${s.unit ? ", " + s.unit : ""}${range}) default ${s.default === undefined ? "— required" : JSON.stringify(s.default)}${s.help ? ": " + s.help : ""}`;
    })
    .join("\n");
}
