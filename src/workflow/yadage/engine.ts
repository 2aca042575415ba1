/**
 * The scheduler: stages are applied when their dependencies are ready (yadage's model — a stage's
 * number of steps may depend on what earlier steps published), each applied stage adds steps or
 * sub-workflow scopes, and ready steps run in parallel up to `jobs`. After every step the state
 * file is rewritten, so `resume` can continue a failed or killed run without redoing what
 * finished; the step cache (cache.ts) serves steps already run anywhere.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { JSONPath } from "jsonpath-plus";
import { HepflowError, itemAt, onlyItem, prepareOutput } from "../../util/index.js";
import { stepKey, type StepCache } from "./cache.js";
import { jqAll, jqOne, jqTruthy } from "./jq.js";
import { placeOf, type LoadedSpec } from "./load.js";
import { runPacktivity, type ContainerRuntime, type HepflowRunner, type StepOutcome } from "./packtivity.js";
import { isObject, type Json, type JsonObject } from "./types.js";

/** One step as the state file records it. */
export interface StepRecord {
  id: string;
  stage: string;
  /** Scope (sub-workflow) the step belongs to; "" for the top level. */
  scope: string;
  /** Work directory, relative to the run directory. */
  workdir: string;
  status: "waiting" | "running" | "done" | "failed";
  /** How a done step got its outputs without running: from an earlier attempt or from the cache. */
  reused?: "resume" | "cache";
  parameters: Json;
  result?: Json;
  /** Ids of the steps whose outputs this step's parameters read. */
  inputs: string[];
  cacheKey?: string;
  command?: string;
  /** host:pid of the `hepflow worker` that ran the step (Redis executor). */
  worker?: string;
  started?: string;
  seconds?: number;
  /** Log file, relative to the run directory. */
  log?: string;
  error?: string;
  /** Where the step's packtivity is written. */
  place?: { file: string; object: string };
  init?: boolean;
}

/** The persisted state of a run (`RUNDIR/_hepflow/state.json`). */
export interface RunState {
  format: "hepflow-workflow-state/1";
  spec: string;
  toplevel: string;
  init: JsonObject;
  status: "running" | "done" | "failed";
  started: string;
  updated: string;
  steps: Record<string, StepRecord>;
  warnings: string[];
}

/** A step event for progress lines. */
export interface StepEvent {
  kind: "start" | "done" | "failed" | "reused";
  step: StepRecord;
}

/** One step handed to an executor other than this process (the Redis executor, remote.ts). */
export interface StepRequest {
  id: string;
  /** The resolved packtivity. */
  spec: JsonObject;
  /** Where the packtivity sits in the loaded workflow (a key path into `LoadedSpec.workflow`). */
  specPath: Path;
  parameters: JsonObject;
  workdir: string;
  rundir: string;
  cacheKey: string;
  runtime: ContainerRuntime;
  /** Appends to the step's log file. */
  log: (text: string) => void;
}

/** Runs a step somewhere else and returns what it published; throws when the step failed. */
export type StepExecutor = (step: StepRequest) => Promise<StepOutcome>;

export interface RunOptions {
  spec: LoadedSpec;
  rundir: string;
  init: JsonObject;
  /** Steps run at once (default 2). */
  jobs?: number;
  /** Continue the run in `rundir` from its state file. */
  resume?: boolean;
  /** Replace an existing, non-empty run directory. */
  force?: boolean;
  /** The step cache; undefined = no cache (--no-cache). */
  cache?: StepCache;
  runtime?: ContainerRuntime;
  hepflow?: HepflowRunner;
  /** Where steps run (default: this process, `jobs` at once); the step cache and the state stay here. */
  executor?: StepExecutor;
  onEvent?: (e: StepEvent) => void;
  warn?: (message: string) => void;
}

/** The state file of a run directory. */
export const stateFile = (rundir: string): string => join(rundir, "_hepflow", "state.json");

/** Reads a run's state file. */
export function readState(rundir: string): RunState {
  const f = stateFile(rundir);
  if (!existsSync(f)) throw new HepflowError("WORKFLOW_STATE", "no workflow state here (not a run directory of `hepflow workflow run`)", { file: f });
  return JSON.parse(readFileSync(f, "utf8")) as RunState;
}

type Path = Array<string | number>;

interface StepNode {
  kind: "step";
  record: StepRecord;
  spec: JsonObject;
  specPath: Path;
}

class Scope {
  readonly applied = new Map<string, Array<StepNode | Scope>>();
  readonly pending: Array<{ stage: JsonObject; path: Path }>;
  readonly values = new Map<string, JsonObject>();
  readonly kind = "scope";
  constructor(
    readonly id: string,
    readonly dir: string,
    stages: Json[],
    stagesPath: Path,
    readonly init: StepNode,
  ) {
    this.pending = stages.map((s, i) => ({ stage: s as JsonObject, path: [...stagesPath, i] }));
    this.applied.set("init", [init]);
  }

  /** The scope as yadage's view: {stage: [ {_nodeid} | sub-scope view ]}. */
  tree(): JsonObject {
    const out: JsonObject = { _scopeid: this.id };
    for (const [name, entries] of this.applied) out[name] = entries.map((e) => (e.kind === "step" ? { _nodeid: e.record.id } : e.tree()));
    return out;
  }
}

const toJsonPath = (q: string): string => {
  const t = q.trim().replace(/\.\[/g, "[");
  return t.startsWith("$") ? t : `$.${t}`;
};

/** Runs a workflow to completion (or to its first failure, after the running steps end). */
export async function runWorkflow(opts: RunOptions): Promise<RunState> {
  const rundir = resolve(opts.rundir);
  const jobs = Math.max(1, opts.jobs ?? 2);
  const warn = (m: string) => {
    if (!state.warnings.includes(m)) {
      state.warnings.push(m);
      opts.warn?.(m);
    }
  };
  let previous: RunState | undefined;
  if (opts.resume) {
    previous = readState(rundir);
  } else {
    prepareOutput(rundir, { force: opts.force }).commit(); // refuse a used directory without --force
  }
  mkdirSync(join(rundir, "_hepflow", "logs"), { recursive: true });
  const now = () => new Date().toISOString();
  const state: RunState = {
    format: "hepflow-workflow-state/1",
    spec: opts.spec.file,
    toplevel: opts.spec.toplevel,
    init: opts.init,
    status: "running",
    started: previous?.started ?? now(),
    updated: now(),
    steps: {},
    warnings: [],
  };
  const save = () => {
    state.updated = now();
    const f = stateFile(rundir);
    writeFileSync(f + ".tmp", JSON.stringify(state, null, 1));
    renameSync(f + ".tmp", f);
  };
  const nodes = new Map<string, StepNode>();
  const place = (path: Path) => placeOf(opts.spec, path);

  const initNode = (id: string, result: JsonObject, inputs: string[]): StepNode => {
    const record: StepRecord = { id, stage: "init", scope: dirname(id) === "." ? "" : dirname(id), workdir: relative(rundir, rundir), status: "done", parameters: result, result, inputs, init: true };
    const node: StepNode = { kind: "step", record, spec: {}, specPath: [] };
    nodes.set(id, node);
    state.steps[id] = record;
    return node;
  };
  const top = new Scope("", rundir, (opts.spec.workflow as JsonObject).stages as Json[], ["stages"], initNode("init", opts.init, []));
  const scopes: Scope[] = [top];
  const queue: StepNode[] = [];

  const selectSteps = (scope: Scope, query: string, at: Path): StepNode[] => {
    const matches = JSONPath({ path: toJsonPath(query), json: scope.tree(), wrap: true }) as unknown[];
    const out: StepNode[] = [];
    const take = (v: unknown) => {
      if (isObject(v) && typeof v._nodeid === "string") out.push(nodes.get(v._nodeid)!);
    };
    for (const m of matches) Array.isArray(m) ? m.forEach(take) : take(m);
    if (!out.length && !matches.length) throw new HepflowError("WORKFLOW_REFERENCE", `"${query}" selects no step (has that stage run?)`, place(at));
    return out;
  };

  const selectOutput = (node: StepNode, output: Json | undefined, at: Path): Json => {
    if (output === undefined || output === null) return node.record.result ?? null;
    const m = JSONPath({ path: toJsonPath(String(output)), json: (node.record.result ?? {}) as object, wrap: true }) as Json[];
    const only = onlyItem(m);
    if (only === undefined) {
      const has = isObject(node.record.result) ? Object.keys(node.record.result).join(", ") : JSON.stringify(node.record.result);
      throw new HepflowError("WORKFLOW_REFERENCE", `step ${node.record.id} has ${m.length ? "several outputs" : "no output"} "${String(output)}" (it published: ${has})`, place(at));
    }
    return only;
  };

  const resolveValue = (scope: Scope, v: Json, at: Path, inputs: Set<string>): Json => {
    if (!isObject(v)) return v;
    if (v.expression_type === "fromvalue") {
      for (let s: Scope | undefined = scope; s; s = undefined) {
        const expr = s.values.get(String(v.key));
        if (expr) return resolveValue(s, expr, at, inputs);
      }
      throw new HepflowError("WORKFLOW_REFERENCE", `no value "${String(v.key)}" is registered (yet)`, place(at));
    }
    const sel = (v.stages ?? v.steps) as Json | undefined;
    if (typeof sel === "string") {
      const steps = selectSteps(scope, sel, at);
      steps.forEach((s) => inputs.add(s.record.id));
      const outs = steps.map((s) => selectOutput(s, v.output, at));
      let combined: Json[] = [];
      for (const o of outs) combined = Array.isArray(o) && v.flatten ? combined.concat(o) : [...combined, o];
      const only = onlyItem(combined);
      return only !== undefined && v.unwrap ? only : combined;
    }
    if (typeof v.step === "string") {
      const steps = selectSteps(scope, v.step, at);
      const step = onlyItem(steps);
      if (step === undefined) throw new HepflowError("WORKFLOW_REFERENCE", `{step: ${v.step}} selects ${steps.length} steps, expected one (use {stages: …})`, place(at));
      inputs.add(step.record.id);
      return selectOutput(step, v.output, at);
    }
    return v;
  };

  const withWorkdir = (v: Json, workdir: string): Json =>
    typeof v === "string" ? v.split("{workdir}").join(workdir) : Array.isArray(v) ? v.map((x) => withWorkdir(x, workdir)) : isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withWorkdir(x, workdir)])) : v;

  const addBody = async (scope: Scope, stageName: string, name: string, pars: JsonObject, inputs: string[], body: JsonObject, at: Path): Promise<void> => {
    const entries = scope.applied.get(stageName)!;
    if (Array.isArray(body.cases)) {
      for (const [i, c] of body.cases.entries()) {
        if (!isObject(c)) continue;
        if (jqTruthy(await jqOne(String(c.if), pars, place([...at, "cases", i, "if"])))) return addBody(scope, stageName, name, pars, inputs, c, [...at, "cases", i]);
      }
      return; // no case applies: the stage adds nothing (as in yadage)
    }
    const id = scope.id ? `${scope.id}/${name}` : name;
    const workdir = join(scope.dir, name);
    if (isObject(body.workflow)) {
      const sub = new Scope(id, workdir, body.workflow.stages as Json[], [...at, "workflow", "stages"], initNode(`${id}/init`, pars, inputs));
      scopes.push(sub);
      entries.push(sub);
      return;
    }
    const spec = body.step as JsonObject;
    const record: StepRecord = {
      id,
      stage: stageName,
      scope: scope.id,
      workdir: relative(rundir, workdir),
      status: "waiting",
      parameters: withWorkdir(pars, workdir),
      inputs,
      place: place([...at, "step"]),
    };
    const node: StepNode = { kind: "step", record, spec, specPath: [...at, "step"] };
    nodes.set(id, node);
    state.steps[id] = record;
    entries.push(node);
    queue.push(node);
  };

  const scatter = (pars: JsonObject, sc: JsonObject, batch: number | undefined, part: number | undefined, at: Path): JsonObject[] => {
    const names = (sc.parameters as string[]) ?? [];
    const group = (list: Json[]): Json[] => {
      if (batch) return Array.from({ length: Math.ceil(list.length / batch) }, (_, i) => list.slice(i * batch, (i + 1) * batch));
      if (part) {
        const n = Math.min(part, list.length);
        const out: Json[] = [];
        let end = 0;
        for (let k = 0; k < n; k++) {
          const begin = end;
          end += Math.floor((list.length + k) / n);
          out.push(list.slice(begin, end));
        }
        return out;
      }
      return list;
    };
    const named = names.map((name) => {
      const v = pars[name];
      if (!Array.isArray(v)) throw new HepflowError("WORKFLOW_SCATTER", `scatter parameter "${name}" is not a list (it is ${JSON.stringify(v)})`, place(at));
      return { name, list: group(v) };
    });
    const lists = named.map((p) => p.list);
    const out: JsonObject[] = [];
    if (sc.method === "zip") {
      const n = Math.min(...lists.map((l) => l.length));
      if (lists.some((l) => l.length !== n)) throw new HepflowError("WORKFLOW_SCATTER", `zip over lists of different lengths (${lists.map((l) => l.length).join(", ")})`, place(at));
      for (let i = 0; i < n; i++) out.push({ ...pars, ...Object.fromEntries(named.map(({ name, list }) => [name, itemAt(list, i, `entry of "${name}"`, "WORKFLOW_SCATTER", place(at))])) });
    } else {
      // the cartesian product, the first parameter varying slowest
      const rec = (rest: typeof named, acc: JsonObject) => {
        const [head, ...tail] = rest;
        if (head === undefined) return void out.push({ ...pars, ...acc });
        for (const v of head.list) rec(tail, { ...acc, [head.name]: v });
      };
      rec(named, {});
    }
    return out;
  };

  const wflowrefs = async (scope: Scope, v: Json, at: Path, inputs: Set<string>): Promise<Json> => {
    if (Array.isArray(v)) return Promise.all(v.map((x, i) => wflowrefs(scope, x, [...at, i], inputs)));
    if (!isObject(v)) return v;
    const r = v.$wflowref;
    if (Array.isArray(r)) {
      const [nodeSel, resultSel] = r as [string, string];
      const found = await jqAll(nodeSel, scope.tree(), place([...at, "$wflowref"]));
      const replace = async (x: Json): Promise<Json> => {
        if (isObject(x) && typeof x._nodeid === "string") {
          const n = nodes.get(x._nodeid)!;
          inputs.add(n.record.id);
          return (await jqAll(resultSel, n.record.result ?? null, place([...at, "$wflowref"]))) as Json;
        }
        if (Array.isArray(x)) return Promise.all(x.map(replace));
        if (isObject(x)) return Object.fromEntries(await Promise.all(Object.entries(x).map(async ([k, y]) => [k, await replace(y)] as const)));
        return x;
      };
      return Promise.all((found as Json[]).map(replace));
    }
    return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await wflowrefs(scope, x, [...at, k], inputs)] as const)));
  };

  const apply = async (scope: Scope, stage: JsonObject, at: Path): Promise<void> => {
    const name = String(stage.name);
    const sch = stage.scheduler as JsonObject;
    const sAt = [...at, "scheduler"];
    scope.applied.set(name, []);
    const resolvePars = (): { pars: JsonObject; inputs: Set<string> } => {
      const inputs = new Set<string>();
      const raw = isObject(sch.parameters) ? sch.parameters : {};
      const pars = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, resolveValue(scope, v, [...sAt, "parameters", k], inputs)]));
      return { pars, inputs };
    };
    if (sch.scheduler_type === "singlestep-stage") {
      const { pars, inputs } = resolvePars();
      await addBody(scope, name, name, pars, [...inputs], sch, sAt);
    } else if (sch.scheduler_type === "multistep-stage") {
      const { pars, inputs } = resolvePars();
      const sets = scatter(pars, sch.scatter as JsonObject, sch.batchsize as number | undefined, sch.partitionsize as number | undefined, [...sAt, "scatter"]);
      for (const [i, p] of sets.entries()) await addBody(scope, name, `${name}_${i}`, p, [...inputs], sch, sAt);
    } else if (sch.scheduler_type === "jq-stage") {
      const inputs = new Set<string>();
      const binds = await wflowrefs(scope, (sch.bindings ?? {}) as Json, [...sAt, "bindings"], inputs);
      const sets = await jqOne(String(sch.stepscript ?? "[.]"), binds, place([...sAt, "stepscript"]));
      if (!Array.isArray(sets)) throw new HepflowError("WORKFLOW_JQ", `the stepscript must give a list of parameter sets, not ${JSON.stringify(sets)}`, place([...sAt, "stepscript"]));
      for (const [i, p] of sets.entries()) {
        const after = await jqOne(String(sch.postscript ?? "."), p, place([...sAt, "postscript"]));
        if (!isObject(after)) throw new HepflowError("WORKFLOW_JQ", `a parameter set must be a mapping, not ${JSON.stringify(after)}`, place([...sAt, "stepscript"]));
        await addBody(scope, name, `${name}_${i}`, after, [...inputs], sch, sAt);
      }
    }
    if (isObject(sch.register_values)) for (const [k, e] of Object.entries(sch.register_values)) if (isObject(e)) scope.values.set(k, e);
  };

  // Readiness: every expression must select something, and all it selects must be finished.
  const finished = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.every(finished);
    if (!isObject(v)) return true;
    if (typeof v._nodeid === "string") return nodes.get(v._nodeid)!.record.status === "done";
    if (typeof v._scopeid === "string") {
      const s = scopes.find((x) => x.id === v._scopeid)!;
      return s.pending.length === 0 && Object.entries(v).every(([k, x]) => k === "_scopeid" || finished(x));
    }
    return true;
  };
  const ready = (scope: Scope, stage: JsonObject): boolean => {
    const d = stage.dependencies;
    const exprs = Array.isArray(d) ? d : isObject(d) && Array.isArray(d.expressions) ? d.expressions : [];
    const tree = scope.tree();
    return exprs.every((e) => {
      const m = JSONPath({ path: toJsonPath(String(e)), json: tree, wrap: true }) as unknown[];
      return m.length > 0 && m.every(finished);
    });
  };

  const execute = async (node: StepNode): Promise<void> => {
    const rec = node.record;
    const workdir = join(rundir, rec.workdir);
    const logFile = join(rundir, "_hepflow", "logs", `${rec.id.replace(/\//g, ".")}.log`);
    rec.log = relative(rundir, logFile);
    rec.status = "running";
    rec.started = now();
    const t0 = performance.now();
    opts.onEvent?.({ kind: "start", step: rec });
    save(); // `workflow status` shows what runs now
    try {
      rec.cacheKey = await stepKey(node.spec, rec.parameters as JsonObject, { workdir, rundir });
      const before = previous?.steps[rec.id];
      if (before && before.status === "done" && before.cacheKey === rec.cacheKey && existsSync(workdir)) {
        Object.assign(rec, { result: before.result, command: before.command, reused: "resume" as const });
      } else {
        const hit = opts.cache?.restore(rec.cacheKey, { workdir, rundir });
        if (hit !== undefined) Object.assign(rec, { result: hit, reused: "cache" as const });
        else {
          // A step (re)runs in a fresh work directory: nothing of a failed attempt is taken for output.
          // (An executor empties it where the step starts: a resumed client may attach to a step
          // a worker is still writing.)
          if (!opts.executor) rmSync(workdir, { recursive: true, force: true });
          writeFileSync(logFile, "");
          const log = (t: string) => appendFileSync(logFile, t);
          const runtime = opts.runtime ?? "auto";
          const out = opts.executor
            ? await opts.executor({ id: rec.id, spec: node.spec, specPath: node.specPath, parameters: rec.parameters as JsonObject, workdir, rundir, cacheKey: rec.cacheKey, runtime, log })
            : await runPacktivity(node.spec, rec.parameters as JsonObject, { workdir, log, runtime, hepflow: opts.hepflow, warn, mounts: [rundir, opts.spec.toplevel], place: rec.place ?? {} });
          rec.result = out.result;
          rec.command = out.command;
          if (out.worker) rec.worker = out.worker;
          opts.cache?.store(rec.cacheKey, out.result, { workdir, rundir });
        }
      }
      rec.status = "done";
      rec.seconds = (performance.now() - t0) / 1000;
      opts.onEvent?.({ kind: rec.reused ? "reused" : "done", step: rec });
    } catch (e) {
      rec.status = "failed";
      rec.seconds = (performance.now() - t0) / 1000;
      rec.error = (e as Error).message;
      opts.onEvent?.({ kind: "failed", step: rec });
    }
    save();
  };

  save();
  const running = new Set<Promise<void>>();
  let failedAny = false;
  try {
    for (;;) {
      // Apply every stage that is ready, until none more becomes ready without running a step.
      let progressed = true;
      while (progressed && !failedAny) {
        progressed = false;
        for (const scope of [...scopes]) {
          for (const p of [...scope.pending]) {
            if (ready(scope, p.stage)) {
              scope.pending.splice(scope.pending.indexOf(p), 1);
              await apply(scope, p.stage, p.path);
              progressed = true;
            }
          }
        }
      }
      while (!failedAny && queue.length && running.size < jobs) {
        const node = queue.shift()!;
        const pr: Promise<void> = execute(node).then(() => {
          running.delete(pr);
          if (node.record.status === "failed") failedAny = true;
        });
        running.add(pr);
      }
      if (!running.size) break;
      await Promise.race(running);
    }
  } catch (e) {
    await Promise.allSettled(running);
    state.status = "failed";
    save();
    throw e;
  }
  const failed = Object.values(state.steps).filter((s) => s.status === "failed");
  const stuck = scopes.flatMap((s) => s.pending.map((p) => `${s.id ? s.id + "/" : ""}${String(p.stage.name)}`));
  state.status = failed.length || stuck.length ? "failed" : "done";
  save();
  if (failed.length) {
    throw new HepflowError("WORKFLOW_FAILED", `${failed.length} step(s) failed:\n${failed.map((f) => `  ${f.id}: ${f.error} (log: ${join(rundir, f.log ?? "")})`).join("\n")}\nfix and continue with --resume`, { file: rundir });
  }
  if (stuck.length) throw new HepflowError("WORKFLOW_STUCK", `stage(s) never became ready (their dependencies selected nothing or did not finish): ${stuck.join(", ")}`, { file: rundir });
  return state;
}
