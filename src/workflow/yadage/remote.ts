/**
 * Workflow steps on `hepflow worker` processes through Redis/BullMQ (queue `hepflow:steps`,
 * beside the analysis layer's chunk queue). Every ready step becomes one job; the client keeps
 * the scheduling, the step cache and the state file, so `--resume` and cache hits work as in a
 * local run, and only steps that really run travel.
 *
 * Client and workers share the file system under the worker's `--root`: the spec, the run
 * directory and every step's work directory must lie inside the client's root (its working
 * directory), and are sent relative to it; any other absolute path inside the root is written as
 * a token, so the root may be mounted at another path on a worker.
 *
 * Security: a job names a step by its place in a workflow file under the worker's root; the worker
 * loads that file itself, takes the packtivity at that place and refuses the job when it differs
 * from what the client ran validation on (`specHash`). The job's parameters are plain data,
 * substituted into the command the worker's own copy of the spec declares, exactly as a local run
 * substitutes them. Nothing else in a job is run or evaluated.
 */
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { hostname } from "node:os";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { HepflowError, isHepflowError } from "../../util/index.js";
import { hepflowVersion } from "../provenance.js";
import { canonicalJson } from "./cache.js";
import type { StepExecutor, StepRequest } from "./engine.js";
import { loadSpec, placeOf } from "./load.js";
import { runPacktivity, type ContainerRuntime, type HepflowRunner, type StepOutcome } from "./packtivity.js";
import { isObject, type Json, type JsonObject } from "./types.js";

/** BullMQ queue of step jobs and the key prefix hepflow's queues share. */
export const STEP_QUEUE = "steps";
const PREFIX = "hepflow";
const ROOT = "{{hepflow:root}}";
/** A failed step's log travels in its failure reason: its last 64 kB. */
const LOG_TAIL = 64 * 1024;
/** Finished step jobs stay this long (a client that lost its connection can still read the outcome). */
const KEEP_S = 3600;

/** A step job: plain data only. Paths are relative to the root; parameters carry `{{hepflow:root}}` tokens. */
export interface StepJob {
  hepflow: string;
  /** The workflow's entry file and toplevel. */
  spec: string;
  toplevel: string;
  /** Key path of the packtivity inside the loaded workflow, and the hash of what the client loaded there. */
  stepPath: Array<string | number>;
  specHash: string;
  parameters: Json;
  workdir: string;
  rundir: string;
  runtime: ContainerRuntime;
  id: string;
}

/** What a worker returns for a step. */
export interface StepReturn {
  result: Json;
  command?: string;
  log: string;
  worker: string;
}

const specHash = (packtivity: JsonObject): string => createHash("sha256").update(canonicalJson(packtivity)).digest("hex");

/** Every string leaf with `from` replaced by `to` (a path prefix becomes a token, or back). */
function swap(v: Json, from: string, to: string): Json {
  if (typeof v === "string") return v === from ? to : v.split(`${from}/`).join(`${to}/`);
  if (Array.isArray(v)) return v.map((x) => swap(x, from, to));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x, from, to)]));
  return v;
}

function under(root: string, p: string, what: string): string {
  const r = relative(root, resolve(p));
  if (r === ".." || r.startsWith(".." + sep) || isAbsolute(r)) {
    throw new HepflowError("WORKFLOW_EXECUTOR", `the ${what} ${p} is outside ${root}, the root the workers share with this client (run from a folder that contains it)`);
  }
  return r.split(sep).join("/");
}

const encodeFailure = (code: string, message: string, log = ""): string => JSON.stringify({ code, message, log: log.slice(-LOG_TAIL) });
function decodeFailure(reason: string | undefined): { code: string; message: string; log: string } {
  try {
    const e = JSON.parse(reason ?? "") as { code?: unknown; message?: unknown; log?: unknown };
    if (typeof e.code === "string" && typeof e.message === "string") return { code: e.code, message: e.message, log: typeof e.log === "string" ? e.log : "" };
  } catch {
    // a reason BullMQ wrote itself (stalled too often, lock lost)
  }
  return { code: "WORKFLOW_STEP", message: reason ?? "the job failed", log: "" };
}

export interface RedisStepClientOptions {
  url: string;
  /** The folder shared with the workers (their --root). Default: the working directory. */
  root?: string;
  /** The loaded workflow whose steps are dispatched (its file and toplevel must be under the root). */
  spec: { file: string; toplevel: string; files?: string[] };
  /** Fail when Redis cannot be reached this long (ms). Default 30 000. */
  connectionMs?: number;
  /** Job-state poll interval in ms. Default 1000. */
  pollMs?: number;
  warn?: (message: string) => void;
}

/** The client side: a StepExecutor that queues each step and waits for its outcome. */
export interface RedisStepClient {
  execute: StepExecutor;
  /** `hepflow worker` processes listening on the step queue when the client connected. */
  workers: number;
  /** Removes this client's queued steps (for a SIGINT handler); steps being run finish. Returns how many were pending. */
  cancelSync(): number;
  close(): Promise<void>;
}

/** Connects to Redis and returns the executor `runWorkflow` takes. */
export async function connectStepClient(o: RedisStepClientOptions): Promise<RedisStepClient> {
  const { parseRedisUrl, redactUrl, removeJobsSync } = await import("../../analysis/index.js");
  const { Job, Queue, QueueEvents } = await import("bullmq");
  const root = resolve(o.root ?? process.cwd());
  const specRel = under(root, o.spec.file, "workflow file");
  const topRel = under(root, o.spec.toplevel, "workflow toplevel");
  for (const f of o.spec.files ?? []) under(root, f, "spec file"); // a $ref out of the root: the workers would refuse it
  const connection = parseRedisUrl(o.url);
  const queue = new Queue(STEP_QUEUE, { connection, prefix: PREFIX });
  const events = new QueueEvents(STEP_QUEUE, { connection, prefix: PREFIX });
  queue.on("error", () => undefined);
  events.on("error", () => undefined);
  const ms = o.connectionMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new HepflowError("REDIS_UNREACHABLE", `cannot reach Redis at ${redactUrl(o.url)} within ${ms / 1000} s`)), ms);
      }),
    ]);
  } catch (e) {
    await Promise.allSettled([queue.close(), events.close()]);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const workers = await queue.getWorkersCount();
  if (!workers) o.warn?.(`no hepflow worker listens on ${redactUrl(o.url)} yet: the steps wait in the queue until one starts (hepflow worker --redis URL --root ROOT)`);

  // Outcomes come from the event stream and, every second, from the jobs' states: the poll also
  // catches events missed while Redis restarted, and a job that vanished (Redis restarted without
  // persistence).
  const waiting = new Map<string, (o: { rv?: StepReturn; reason?: string }) => void>();
  const settle = (id: string, o: { rv?: StepReturn; reason?: string }) => {
    const f = waiting.get(id);
    if (!f) return;
    waiting.delete(id);
    f(o);
  };
  const parse = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as StepReturn;
  events.on("completed", ({ jobId, returnvalue }) => settle(jobId, { rv: parse(returnvalue) }));
  events.on("failed", ({ jobId, failedReason }) => settle(jobId, { reason: failedReason }));
  let polling = false;
  const poll = setInterval(() => {
    if (polling || !waiting.size) return;
    polling = true;
    void (async () => {
      for (const id of [...waiting.keys()]) {
        const j = await Job.fromId<StepJob, StepReturn>(queue, id);
        if (!j) settle(id, { reason: encodeFailure("REDIS_JOB_LOST", `the step's job ${id} vanished from Redis (restarted without persistence?); continue with --resume`) });
        else {
          const st = await j.getState();
          if (st === "completed") settle(id, { rv: parse(j.returnvalue) });
          else if (st === "failed") settle(id, { reason: j.failedReason });
        }
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      }); // Redis away: the next poll asks again
  }, o.pollMs ?? 1000);

  const execute: StepExecutor = async (step: StepRequest): Promise<StepOutcome> => {
    const data: StepJob = {
      hepflow: hepflowVersion(),
      spec: specRel,
      toplevel: topRel,
      stepPath: step.specPath,
      specHash: specHash(step.spec),
      parameters: swap(step.parameters, root, ROOT),
      workdir: under(root, step.workdir, `work directory of step ${step.id}`),
      rundir: under(root, step.rundir, "run directory"),
      runtime: step.runtime,
      id: step.id,
    };
    // The same step in the same work directory is the same job: a client restarted while a worker
    // still runs the step attaches to that job instead of running it twice.
    const jobId = `step-${createHash("sha256").update(`${step.cacheKey}\0${data.workdir}`).digest("hex").slice(0, 40)}`;
    let job = await Job.fromId<StepJob, StepReturn>(queue, jobId);
    if (job) {
      const st = await job.getState();
      // A finished job is an earlier run's: the engine dispatches only steps the cache and the
      // state did not serve, so that outcome is not taken (its files may be gone).
      if (st === "completed" || st === "failed") {
        await job.remove();
        job = undefined;
      }
    }
    job ??= await queue.add("step", data, { jobId, attempts: 1, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S } });
    const outcome = await new Promise<{ rv?: StepReturn; reason?: string }>((res) => waiting.set(jobId, res));
    if (!outcome.rv) {
      const f = decodeFailure(outcome.reason);
      if (f.log) step.log(f.log);
      throw new HepflowError(f.code, f.message);
    }
    const rv = outcome.rv;
    step.log(rv.log);
    return { result: swap(rv.result, ROOT, root), command: rv.command === undefined ? undefined : (swap(rv.command, ROOT, root) as string), worker: rv.worker };
  };

  return {
    execute,
    workers,
    cancelSync() {
      const ids = [...waiting.keys()];
      removeJobsSync(o.url, ids, STEP_QUEUE, "step");
      return ids.length;
    },
    async close() {
      clearInterval(poll);
      await Promise.allSettled([queue.close(), events.close()]);
    },
  };
}

export interface StepWorkerOptions {
  url: string;
  /** Jobs' files resolve inside this folder only. Default: the working directory. */
  root?: string;
  /** Steps run at once (hepflow steps still run one at a time: each takes over the process's working directory). */
  concurrency?: number;
  /** Runs `hepflow-cmd` steps in this process. */
  hepflow: HepflowRunner;
  /** BullMQ lock: a worker whose event loop is silent this long loses its step to another. Default 10 min (an in-process step can hold the event loop for a while). */
  lockMs?: number;
  log?: (line: string) => void;
}

export interface StepWorkerHandle {
  name: string;
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Starts the step worker of `hepflow worker`. */
export async function startStepWorker(o: StepWorkerOptions): Promise<StepWorkerHandle> {
  const { parseRedisUrl } = await import("../../analysis/index.js");
  const { UnrecoverableError, Worker } = await import("bullmq");
  const root = resolve(o.root ?? process.cwd());
  const name = `${hostname()}:${process.pid}`;
  const log = o.log ?? (() => undefined);
  const refuse = (code: string, message: string) => new UnrecoverableError(encodeFailure(code, `worker ${name}: ${message}`));
  const inside = (rel: unknown, what: string): string => {
    if (typeof rel !== "string") throw refuse("PATH_REFUSED", `the job's ${what} is not a path`);
    const p = resolve(root, rel);
    const r = relative(root, p);
    if (isAbsolute(rel) || r === ".." || r.startsWith(".." + sep) || isAbsolute(r)) throw refuse("PATH_REFUSED", `the job's ${what} "${rel}" is outside this worker's root ${root}`);
    return p;
  };

  const handle = async (job: { id?: string; data: StepJob }): Promise<StepReturn> => {
    const d = job.data;
    let text = "";
    const append = (t: string) => void (text += t);
    try {
      if (d.hepflow !== hepflowVersion()) throw refuse("PROCESSOR_VERSION", `runs hepflow ${hepflowVersion()}, the workflow was submitted by hepflow ${d.hepflow}`);
      const specFile = inside(d.spec, "workflow file");
      const toplevel = inside(d.toplevel, "toplevel");
      const rundir = inside(d.rundir, "run directory");
      const workdir = inside(d.workdir, "work directory");
      if (!under2(rundir, workdir)) throw refuse("PATH_REFUSED", `the work directory ${d.workdir} is not inside the run directory ${d.rundir}`);
      let spec;
      try {
        spec = loadSpec(specFile, { toplevel });
      } catch (e) {
        throw refuse("WORKFLOW_FILE", `cannot load ${d.spec} under ${root}: ${(e as Error).message}`);
      }
      // a $ref may lead out of the root: the worker runs only what files under its root declare
      const escaped = spec.files.find((f) => !under2(root, f));
      if (escaped) throw refuse("PATH_REFUSED", `${d.spec} reads ${escaped}, which is outside this worker's root ${root}`);
      let node: unknown = spec.workflow;
      for (const k of Array.isArray(d.stepPath) ? d.stepPath : []) node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[k as never] : undefined;
      if (!isObject(node) || specHash(node) !== d.specHash) {
        throw refuse("WORKFLOW_VERSION", `its copy of ${d.spec} has ${isObject(node) ? "another" : "no"} step at ${placeOf(spec, d.stepPath).object} (update the worker's copy under ${root})`);
      }
      const pars = swap(d.parameters, ROOT, root);
      if (!isObject(pars)) throw refuse("WORKFLOW_STEP", "the job's parameters are not a mapping");
      log(`step ${d.id} (${d.workdir}) started`);
      // a fresh work directory, also when a vanished worker's attempt left files in it
      rmSync(workdir, { recursive: true, force: true });
      const out = await runPacktivity(node, pars, {
        workdir,
        log: append,
        runtime: d.runtime,
        hepflow: o.hepflow,
        warn: (m) => append(`warning: ${m}\n`),
        mounts: [rundir, toplevel],
        place: placeOf(spec, d.stepPath),
      });
      log(`step ${d.id} done`);
      return { result: swap(out.result, root, ROOT), command: out.command === undefined ? undefined : (swap(out.command, root, ROOT) as string), log: text, worker: name };
    } catch (e) {
      if (e instanceof UnrecoverableError) {
        log(`step job ${job.id} refused: ${e.message}`);
        throw e;
      }
      const code = isHepflowError(e) ? e.code : "WORKFLOW_STEP";
      log(`step ${d.id} failed: ${(e as Error).message}`);
      throw new Error(encodeFailure(code, (e as Error).message, text));
    }
  };

  const lockDuration = o.lockMs ?? 600_000;
  const worker = new Worker<StepJob, StepReturn>(STEP_QUEUE, handle, {
    connection: parseRedisUrl(o.url),
    prefix: PREFIX,
    concurrency: o.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    // a step whose worker vanished is put back once; its work dir is rewritten by the next attempt
    maxStalledCount: 1,
    name,
  });
  worker.on("error", (e) => log(`step worker: ${(e as Error).message}`));
  return {
    name,
    ready: worker.waitUntilReady().then(() => undefined),
    close: () => worker.close(),
  };
}

function under2(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r !== "" && r !== ".." && !r.startsWith(".." + sep) && !isAbsolute(r);
}
