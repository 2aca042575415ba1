/**
 * Autologging: a hepflow command records what it did (parameters, the numbers it prints, output
 * files as artifacts, input digests, timings) in a tracked run. Inside a tracked run (HEPFLOW_RUN_ID
 * set by `hepflow project run` or a search trial) it logs into that run; otherwise it starts and ends
 * a run of its own when tracking is on. A tracking problem is reported and never fails the command.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "./api.js";

export interface AutologRecord {
  /** The command's name ("fit", "demo", …): run name and experiment "hepflow-<command>" of a run of its own. */
  command: string;
  params?: Record<string, string | number | boolean | undefined>;
  metrics?: Record<string, number | undefined>;
  /** Metrics with one value per step (a learning curve: loss per epoch), logged with steps 0, 1, … */
  history?: Record<string, number[]>;
  tags?: Record<string, string>;
  /** Output files or folders (every file inside, skipping `skip` sub-folders) logged as artifacts. */
  artifacts?: Array<{ path: string; as?: string; skip?: string[] }>;
  /** Input files recorded by digest (lineage). */
  inputs?: string[];
}

/** Files larger than this are listed by digest in lineage but not copied into the store. */
const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

/** MLflow keys allow letters, digits and _ - . space / only: `staterror[0]` becomes `staterror_0`. */
export function metricName(k: string): string {
  return k.replace(/\[(\d+)\]/g, "_$1").replace(/[^A-Za-z0-9_\-. /]/g, "_");
}

function files(dir: string, skip: string[], prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const f = path.join(dir, n);
      if (statSync(f).isDirectory()) return skip.includes(prefix + n) ? [] : files(f, skip, `${prefix}${n}/`);
      return [`${prefix}${n}`];
    });
}

/**
 * Logs one command's record. `track`: true (--track), false (--no-track) or undefined (the command's
 * default, `defaultOn`). Returns the run id logged into, or undefined when nothing was logged.
 */
export function autolog(rec: AutologRecord, track: boolean | undefined, defaultOn = false, o: { dir?: string; warn?: (s: string) => void } = {}): string | undefined {
  const warn = o.warn ?? ((s: string) => process.stderr.write(s));
  const inherited = process.env.HEPFLOW_RUN_ID;
  if (track === false || (!inherited && !(track ?? defaultOn))) return undefined;
  let runId: string | undefined;
  try {
    const store = openStore(o.dir);
    runId = inherited ?? store.startRun({ experimentName: `hepflow-${rec.command}`, runName: rec.command, startTime: Math.round(performance.timeOrigin) }).runId; // the command began when the process did
    const params = Object.fromEntries(Object.entries(rec.params ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean>;
    const existing = store.getRun(runId).params;
    // inside a shared run a command may repeat a param another step logged: keep the first, note the other
    const clash = Object.keys(params).filter((k) => k in existing && existing[k] !== String(params[k]));
    for (const k of clash) {
      store.setTags(runId, { [`${rec.command}.param.${k}`]: String(params[k]) });
      delete params[k];
    }
    store.logParams(runId, params);
    const metrics = Object.fromEntries(
      Object.entries(rec.metrics ?? {})
        .filter(([, v]) => typeof v === "number")
        .map(([k, v]) => [metricName(k), v]),
    ) as Record<string, number>;
    if (Object.keys(metrics).length) store.logMetrics(runId, metrics);
    const steps = Object.entries(rec.history ?? {}).flatMap(([k, vs]) => vs.map((value, step) => ({ key: metricName(k), value, step })).filter((m) => Number.isFinite(m.value)));
    if (steps.length) store.logMetrics(runId, steps);
    store.setTags(runId, { ...rec.tags, [`hepflow.autolog.${rec.command}`]: new Date().toISOString() });
    for (const a of rec.artifacts ?? []) {
      if (!existsSync(a.path)) continue;
      const list: [string, string][] = statSync(a.path).isDirectory() ? files(a.path, a.skip ?? []).map((f) => [path.join(a.path, f), path.posix.join(a.as ?? "", f)]) : [[a.path, a.as ?? path.basename(a.path)]];
      for (const [src, as] of list) if (statSync(src).size <= MAX_ARTIFACT_BYTES) store.logArtifact(runId, src, as);
    }
    for (const f of rec.inputs ?? []) if (existsSync(f) && statSync(f).isFile()) store.logInput(runId, f);
    if (!inherited) {
      store.endRun(runId, "FINISHED");
      warn(`tracked run ${runId} (hepflow runs show ${runId.slice(0, 8)}; --no-track to skip)\n`);
    }
    return runId;
  } catch (e) {
    warn(`warning: tracking failed, results not recorded: ${(e as Error).message}\n`);
    if (runId && !inherited) {
      try {
        openStore(o.dir).endRun(runId, "FAILED");
      } catch {
        /* the store itself is the problem */
      }
    }
    return runId;
  }
}
