/**
 * Validation before anything runs: the schema (schema.ts), then what a schema cannot see —
 * references to stages and outputs that do not exist, dependencies that do not cover what a stage
 * reads, scatter parameters that are not parameters, publishers that publish unknown parameters,
 * init parameters nobody reads (a misspelled `-p`) or that are missing. Every problem names the
 * file and key path where it was written.
 */
import type { ErrorObject } from "ajv";
import { HepflowError } from "../../util/index.js";
import { placeOf, type LoadedSpec } from "./load.js";
import { placeholders } from "./interpolate.js";
import { schemaErrors } from "./schema.js";
import type { Json, JsonObject } from "./types.js";
import { isObject } from "./types.js";

/** One finding: an error stops a run; a warning is printed (and is an error with `strict`). */
export interface Issue {
  severity: "error" | "warning";
  file: string;
  object: string;
  message: string;
}

type Path = Array<string | number>;

/** Closest name by edit distance, for "did you mean". */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

const suggest = (name: string, candidates: Iterable<string>): string => {
  const c = closest(name, candidates);
  return c === undefined ? "" : ` (did you mean "${c}"?)`;
};

function schemaIssues(spec: LoadedSpec, errors: ErrorObject[]): Issue[] {
  const paths = new Set(errors.map((e) => e.instancePath));
  const kept = errors.filter((e) => {
    if (e.keyword === "type" && (e.params as { type?: string }).type === "null") return false;
    if (["anyOf", "oneOf", "if", "allOf"].includes(e.keyword)) {
      // A branch error below this place says more than "must match a schema in anyOf".
      return ![...paths].some((p) => p !== e.instancePath && p.startsWith(e.instancePath + "/")) && errors.filter((x) => x.instancePath === e.instancePath).length === 1;
    }
    return true;
  });
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const e of kept) {
    const path = e.instancePath
      .split("/")
      .slice(1)
      .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
    let message = e.message ?? e.keyword;
    if (e.keyword === "additionalProperties") {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      path.push(extra);
      message = `unknown key "${extra}"${suggest(extra, allowed)}; allowed here: ${allowed.join(", ")}`;
    } else if (e.keyword === "discriminator") {
      const p = e.params as { tag: string; tagValue: unknown };
      const allowed = ((e.parentSchema as { oneOf?: Array<{ properties: Record<string, { enum: string[] }> }> }).oneOf ?? []).flatMap((m) => m.properties[p.tag]?.enum[0] ?? []);
      path.push(p.tag);
      message = `unknown ${p.tag} ${JSON.stringify(p.tagValue)}${typeof p.tagValue === "string" ? suggest(p.tagValue, allowed) : ""}; one of: ${allowed.join(", ")}`;
    } else if (e.keyword === "required") {
      message = `missing key "${(e.params as { missingProperty: string }).missingProperty}"`;
    } else if (e.keyword === "enum") {
      message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (e.keyword === "not" && e.schemaPath.endsWith("/2/not")) {
      message = "batchsize and partitionsize exclude each other";
    } else if (e.keyword === "oneOf" && e.schemaPath.includes("scheduler")) {
      message = "a stage needs exactly one of step, workflow, cases";
    }
    const place = placeOf(spec, path);
    const key = `${place.file}|${place.object}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ severity: "error", ...place, message });
  }
  return out;
}

/** Static facts about one stage, for the checks that span stages. */
interface StageInfo {
  name: string;
  path: Path;
  scheduler: JsonObject;
  /** Output keys its steps publish, or undefined when they are known only at run time. */
  outputs: Set<string> | undefined;
  /** The sub-workflow's stages (also through cases), if any. */
  sub: Map<string, StageInfo> | undefined;
  deps: string[];
  /** Dependencies written as {dependency_type, expressions} rather than a list. */
  depsAsObject: boolean;
}

function publishedKeys(step: JsonObject | undefined): Set<string> | undefined {
  const pub = step && isObject(step.publisher) ? step.publisher : undefined;
  if (!pub) return undefined;
  switch (pub.publisher_type) {
    case "frompar-pub":
      return isObject(pub.outputmap) ? new Set(Object.keys(pub.outputmap)) : undefined;
    case "constant-pub":
    case "interpolated-pub":
      return isObject(pub.publish) ? new Set(Object.keys(pub.publish)) : undefined;
    case "fromglob-pub":
      return typeof pub.outputkey === "string" ? new Set([pub.outputkey]) : undefined;
    default:
      return undefined;
  }
}

/** The leading stage name of a selector: `map.[*].map` → map, `nested[0].output` → nested. */
export function selectorNames(selector: string): string[] {
  return selector
    .replace(/^\$\.?/, "")
    .split(/\.|\[[^\]]*\]/)
    .filter((s) => s !== "");
}

function stageInfos(stages: Json[], base: Path): Map<string, StageInfo> {
  const out = new Map<string, StageInfo>();
  stages.forEach((s, i) => {
    if (!isObject(s) || typeof s.name !== "string" || !isObject(s.scheduler)) return;
    const sch = s.scheduler;
    const bodies: JsonObject[] = isArrayOf(sch.cases) ? sch.cases.filter(isObject) : [sch];
    const steps = bodies.map((b) => (isObject(b.step) ? b.step : undefined));
    const subs = bodies.map((b, k) => (isObject(b.workflow) && Array.isArray(b.workflow.stages) ? stageInfos(b.workflow.stages, [...base, i, "scheduler", ...(isArrayOf(sch.cases) ? ["cases", k] : []), "workflow", "stages"]) : undefined));
    const sub = subs.some((x) => x) ? new Map(subs.flatMap((m) => (m ? [...m] : []))) : undefined;
    let outputs: Set<string> | undefined = new Set();
    for (const st of steps) {
      const keys = publishedKeys(st);
      if (!keys) {
        outputs = undefined;
        break;
      }
      for (const k of keys) outputs.add(k);
    }
    if (sub || steps.every((x) => x === undefined)) outputs = undefined;
    const depSpec = s.dependencies;
    const deps = Array.isArray(depSpec) ? depSpec.filter((d): d is string => typeof d === "string") : isObject(depSpec) && Array.isArray(depSpec.expressions) ? depSpec.expressions.filter((d): d is string => typeof d === "string") : [];
    out.set(s.name, { name: s.name, path: [...base, i], scheduler: sch, outputs, sub, deps, depsAsObject: isObject(depSpec) });
  });
  return out;
}

const isArrayOf = (v: unknown): v is Json[] => Array.isArray(v);

/** Every value-reference object inside a parameter value, with its key path. */
function references(value: Json, path: Path, out: Array<{ ref: JsonObject; path: Path }> = []): Array<{ ref: JsonObject; path: Path }> {
  if (Array.isArray(value)) value.forEach((v, i) => references(v, [...path, i], out));
  else if (isObject(value)) {
    if ("stages" in value || "steps" in value || "step" in value || "expression_type" in value) out.push({ ref: value, path });
    else for (const [k, v] of Object.entries(value)) references(v, [...path, k], out);
  }
  return out;
}

interface ScopeCtx {
  stages: Map<string, StageInfo>;
  /** Names the scope's init publishes: the parent stage's parameters; undefined = not known. */
  initNames: Set<string> | undefined;
  /** Init names read by stages (top scope only; to find unused or missing init parameters). */
  initReads: Map<string, Path>;
  registered: Set<string>;
}

function checkScope(spec: LoadedSpec, ctx: ScopeCtx, issues: Issue[]): void {
  const err = (path: Path, message: string, severity: Issue["severity"] = "error") => issues.push({ severity, ...placeOf(spec, path), message });
  const names = new Set(ctx.stages.keys());
  const seen = new Set<string>();
  for (const st of ctx.stages.values()) {
    if (seen.has(st.name)) err([...st.path, "name"], `duplicate stage name "${st.name}"`);
    seen.add(st.name);
    if (st.name === "init") err([...st.path, "name"], `"init" is the name of the scope's inputs and cannot be a stage`);
  }
  // Dependencies exist and are acyclic.
  for (const st of ctx.stages.values()) {
    st.deps.forEach((d, i) => {
      const first = selectorNames(d)[0] ?? d;
      if (first !== "init" && !names.has(first)) {
        const depPath = [...st.path, "dependencies", ...(st.depsAsObject ? ["expressions"] : []), i];
        err(depPath, `depends on stage "${first}", which is not a stage of this workflow${suggest(first, names)}`);
      }
    });
  }
  const closure = (name: string): Set<string> => {
    const out = new Set<string>();
    const walk = (n: string) => {
      for (const d of ctx.stages.get(n)?.deps ?? []) {
        const f = selectorNames(d)[0] ?? d;
        if (!out.has(f)) {
          out.add(f);
          walk(f);
        }
      }
    };
    walk(name);
    return out;
  };
  for (const st of ctx.stages.values()) if (closure(st.name).has(st.name)) err([...st.path, "dependencies"], `stage "${st.name}" depends on itself (a dependency cycle)`);

  for (const st of ctx.stages.values()) {
    const sch = st.scheduler;
    const pars = isObject(sch.parameters) ? sch.parameters : {};
    const parNames = new Set(Object.keys(pars));
    const upstream = closure(st.name);
    if (isObject(sch.register_values)) for (const k of Object.keys(sch.register_values)) ctx.registered.add(k);
    for (const [k, v] of Object.entries(pars)) {
      for (const { ref, path } of references(v, [...st.path, "scheduler", "parameters", k])) {
        if (ref.expression_type === "fromvalue") {
          if (typeof ref.key === "string" && !ctx.registered.has(ref.key) && ![...ctx.stages.values()].some((s) => isObject(s.scheduler.register_values) && (ref.key as string) in s.scheduler.register_values)) {
            err([...path, "key"], `no stage registers a value "${ref.key}" (register_values)`);
          }
          continue;
        }
        const selKey = "stages" in ref ? "stages" : "steps" in ref ? "steps" : "step";
        const selector = ref[selKey];
        if (typeof selector !== "string") {
          err([...path, selKey], `must be a string naming a stage`);
          continue;
        }
        const chain = selectorNames(selector);
        const first = chain[0] ?? "";
        if (first === "init") {
          if (typeof ref.output === "string") {
            const outName = selectorNames(ref.output)[0] ?? ref.output;
            if (ctx.initNames && !ctx.initNames.has(outName)) err([...path, "output"], `the workflow's init has no parameter "${outName}"${suggest(outName, ctx.initNames)}; it has: ${[...ctx.initNames].join(", ") || "none"}`);
            if (!ctx.initNames && !ctx.initReads.has(outName)) ctx.initReads.set(outName, [...path, "output"]);
          }
          continue;
        }
        if (!names.has(first)) {
          err([...path, selKey], `refers to stage "${first}", which is not a stage of this workflow${suggest(first, names)}`);
          continue;
        }
        if (!upstream.has(first)) err([...path, selKey], `reads stage "${first}" but stage "${st.name}" does not depend on it (add it to dependencies)`);
        // Walk into sub-workflows: nested[0].output → stage "output" of nested's sub-workflow.
        let target = ctx.stages.get(first)!;
        let ok = true;
        for (const n of chain.slice(1)) {
          const next = target.sub?.get(n);
          if (!next) {
            if (target.sub) err([...path, selKey], `stage "${target.name}" has no sub-workflow stage "${n}"${suggest(n, target.sub.keys())}`);
            else err([...path, selKey], `stage "${target.name}" has no sub-workflow, so "${selector}" selects nothing`);
            ok = false;
            break;
          }
          target = next;
        }
        if (ok && typeof ref.output === "string" && target.outputs) {
          const outName = selectorNames(ref.output)[0] ?? ref.output;
          if (!target.outputs.has(outName)) err([...path, "output"], `stage "${target.name}" publishes no output "${outName}"${suggest(outName, target.outputs)}; it publishes: ${[...target.outputs].join(", ") || "nothing"}`);
        }
      }
    }
    if (sch.scheduler_type === "jq-stage") {
      for (const { ref, path } of wflowrefs(sch.bindings, [...st.path, "scheduler", "bindings"])) {
        const [nodeSel, resultSel] = ref;
        const first = nodeSel.replace(/^\./, "").split(/[.[]/)[0] ?? "";
        if (first === "init") {
          const n = resultSel.replace(/^\./, "").split(/[.[|]/)[0] ?? "";
          if (n && ctx.initNames && !ctx.initNames.has(n)) err(path, `the workflow's init has no parameter "${n}"`);
          if (n && !ctx.initNames && !ctx.initReads.has(n)) ctx.initReads.set(n, path);
        } else if (!names.has(first)) err(path, `refers to stage "${first}", which is not a stage of this workflow${suggest(first, names)}`);
      }
    }
    // Scatter parameters and the step's own references to parameters.
    if (sch.scheduler_type === "multistep-stage" && isObject(sch.scatter) && Array.isArray(sch.scatter.parameters)) {
      sch.scatter.parameters.forEach((p, i) => {
        if (typeof p === "string" && !parNames.has(p)) err([...st.path, "scheduler", "scatter", "parameters", i], `scatters over "${p}", which is not a parameter of the stage${suggest(p, parNames)}`);
      });
    }
    if (sch.scheduler_type !== "jq-stage") {
      const bodies: Array<{ body: JsonObject; path: Path }> = isArrayOf(sch.cases)
        ? sch.cases.flatMap((c, i) => (isObject(c) ? [{ body: c, path: [...st.path, "scheduler", "cases", i] }] : []))
        : [{ body: sch, path: [...st.path, "scheduler"] }];
      for (const { body, path } of bodies) {
        if (isObject(body.step)) checkStep(spec, body.step, [...path, "step"], parNames, issues);
        if (isObject(body.workflow) && Array.isArray(body.workflow.stages)) {
          checkScope(spec, { stages: stageInfos(body.workflow.stages, [...path, "workflow", "stages"]), initNames: parNames, initReads: new Map(), registered: new Set() }, issues);
        }
      }
    } else if (isObject(sch.workflow) && Array.isArray(sch.workflow.stages)) {
      checkScope(spec, { stages: stageInfos(sch.workflow.stages, [...st.path, "scheduler", "workflow", "stages"]), initNames: undefined, initReads: new Map(), registered: new Set() }, issues);
    }
  }
}

function wflowrefs(value: Json | undefined, path: Path, out: Array<{ ref: [string, string]; path: Path }> = []): Array<{ ref: [string, string]; path: Path }> {
  if (Array.isArray(value)) value.forEach((v, i) => wflowrefs(v, [...path, i], out));
  else if (isObject(value)) {
    const r = value.$wflowref;
    if (Array.isArray(r) && typeof r[0] === "string" && typeof r[1] === "string") out.push({ ref: [r[0], r[1]], path: [...path, "$wflowref"] });
    else for (const [k, v] of Object.entries(value)) wflowrefs(v, [...path, k], out);
  }
  return out;
}

function checkStep(spec: LoadedSpec, step: JsonObject, path: Path, parNames: Set<string>, issues: Issue[]): void {
  const known = new Set([...parNames, "workdir"]);
  const pub = isObject(step.publisher) ? step.publisher : undefined;
  if (pub?.publisher_type === "frompar-pub" && isObject(pub.outputmap)) {
    for (const [k, v] of Object.entries(pub.outputmap)) {
      const name = typeof v === "string" ? (selectorNames(v)[0] ?? v) : "";
      if (!parNames.has(name)) issues.push({ severity: "error", ...placeOf(spec, [...path, "publisher", "outputmap", k]), message: `publishes parameter "${name}", which the stage does not set${suggest(name, parNames)}` });
    }
  }
  const templates: Array<{ text: string; at: Path }> = [];
  const proc = isObject(step.process) ? step.process : undefined;
  if (proc && typeof proc.cmd === "string") templates.push({ text: proc.cmd, at: [...path, "process", "cmd"] });
  if (proc && typeof proc.script === "string") templates.push({ text: proc.script, at: [...path, "process", "script"] });
  if (pub?.publisher_type === "interpolated-pub") collectStrings(pub.publish, [...path, "publisher", "publish"], templates);
  if (pub?.publisher_type === "fromyaml-pub" && typeof pub.yamlfile === "string") templates.push({ text: pub.yamlfile, at: [...path, "publisher", "yamlfile"] });
  for (const t of templates) {
    for (const n of new Set(placeholders(t.text))) {
      if (!known.has(n)) issues.push({ severity: "warning", ...placeOf(spec, t.at), message: `{${n}} names no parameter of the stage${suggest(n, known)}: it is left as written` });
    }
  }
}

function collectStrings(v: Json | undefined, at: Path, out: Array<{ text: string; at: Path }>): void {
  if (typeof v === "string") out.push({ text: v, at });
  else if (Array.isArray(v)) v.forEach((x, i) => collectStrings(x, [...at, i], out));
  else if (isObject(v)) for (const [k, x] of Object.entries(v)) collectStrings(x, [...at, k], out);
}

/** All problems of a loaded spec; with `init`, also init parameters that are missing or unused. */
export function validateSpec(spec: LoadedSpec, opts: { init?: Record<string, unknown>; initSource?: string } = {}): Issue[] {
  const schema = schemaIssues(spec, schemaErrors(spec.workflow));
  if (schema.length) return schema;
  const issues: Issue[] = [];
  const wf = spec.workflow as JsonObject;
  const ctx: ScopeCtx = { stages: stageInfos(wf.stages as Json[], ["stages"]), initNames: undefined, initReads: new Map(), registered: new Set() };
  checkScope(spec, ctx, issues);
  if (opts.init) {
    const given = new Set(Object.keys(opts.init));
    for (const [name, path] of ctx.initReads) {
      if (!given.has(name)) issues.push({ severity: "error", ...placeOf(spec, path), message: `init parameter "${name}" is read here but not given${suggest(name, given)} (-p ${name}=… or an init file)` });
    }
    for (const name of given) {
      if (!ctx.initReads.has(name))
        issues.push({
          severity: "error",
          file: opts.initSource ?? "init",
          object: name,
          message: `init parameter "${name}" is not read by any stage${suggest(name, ctx.initReads.keys())}; the workflow reads: ${[...ctx.initReads.keys()].join(", ") || "none"}`,
        });
    }
  }
  return issues;
}

/** The init parameter names a workflow reads (what `-p` may set). */
export function initParameterNames(spec: LoadedSpec): string[] {
  const ctx: ScopeCtx = { stages: stageInfos((spec.workflow as JsonObject).stages as Json[], ["stages"]), initNames: undefined, initReads: new Map(), registered: new Set() };
  checkScope(spec, ctx, []);
  return [...ctx.initReads.keys()];
}

/** Formats issues one a line, `file: key path: message`. */
export function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `${i.severity}: ${i.file}: ${i.object}: ${i.message}`).join("\n");
}

/** Throws a HepflowError listing every error (and, with `strict`, every warning). */
export function assertValid(issues: Issue[], strict = false): void {
  const bad = issues.filter((i) => i.severity === "error" || strict);
  const [first] = bad;
  if (first === undefined) return;
  const msg = bad.length === 1 ? first.message : `${bad.length} problems:\n${formatIssues(bad)}`;
  throw new HepflowError("WORKFLOW_INVALID", msg, bad.length === 1 ? { file: first.file, object: first.object } : {});
}
