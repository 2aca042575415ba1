/**
 * MLflow's local file store (`mlruns/`), written and read so runs move freely between hepflow and MLflow:
 * `<exp>/meta.yaml`, `<exp>/<run>/meta.yaml`, `params/<key>` (the value), `metrics/<key>` (lines
 * "timestamp value step"), `tags/<key>`, `artifacts/…`. Keys with "/" become sub-folders, as MLflow writes them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import YAML from "yaml";
import { HepflowError } from "../util/index.js";
import type { LifecycleStage, Metric, RunStatus, TrackingStore } from "./store.js";

/** MLflow's RunStatus enum numbers, as the file store writes them. */
const STATUS_NUMBER: Record<RunStatus, number> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };
const STATUS_NAME: Record<number, RunStatus> = { 1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED" };
/** SourceType enum: 4 = LOCAL. */
const SOURCE_TYPE: Record<string, number> = { NOTEBOOK: 1, JOB: 2, PROJECT: 3, LOCAL: 4, UNKNOWN: 1000 };

/** How Python's float repr spells the values JSON cannot hold. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return String(v);
}

function parseValue(s: string, where: string): number {
  const t = s.toLowerCase();
  if (t === "nan") return NaN;
  if (t === "inf" || t === "infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  const v = Number(s);
  if (s === "" || Number.isNaN(v)) throw new HepflowError("MLFLOW_FORMAT", `metric value "${s}" is not a number`, { file: where });
  return v;
}

function safeName(key: string, file: string): string {
  if (key.split("/").some((p) => p === ".." || p === "." || p === "")) throw new HepflowError("MLFLOW_FORMAT", `unsafe key "${key}"`, { file });
  return key;
}

/** Writes `files[key] = value` as key-named files under dir (nested where the key has "/"). */
function writeKeyFiles(dir: string, entries: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(entries)) {
    const f = path.join(dir, safeName(k, dir));
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, v);
  }
}

/** Reads the key files of a folder, recursing into sub-folders ("a/b" keys). */
function readKeyFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const f = path.join(d, name);
      if (statSync(f).isDirectory()) walk(f, `${prefix}${name}/`);
      else out[prefix + name] = readFileSync(f, "utf8");
    }
  };
  walk(dir, "");
  return out;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const f = path.join(d, name);
      if (statSync(f).isDirectory()) walk(f, `${prefix}${name}/`);
      else out.push(prefix + name);
    }
  };
  walk(dir, "");
  return out;
}

export interface ExportSummary {
  experiments: number;
  runs: number;
  metrics: number;
  artifacts: number;
}

/**
 * Exports the store (or the listed runs) to an MLflow file store at `dir` (the `mlruns` folder itself),
 * readable by `mlflow ui --backend-store-uri DIR` and MLflow's client. Refuses to write into existing
 * experiment folders unless `force`.
 */
export function exportMlflow(store: TrackingStore, dir: string, o: { runIds?: string[]; force?: boolean } = {}): ExportSummary {
  const root = path.resolve(dir);
  mkdirSync(root, { recursive: true });
  const runs = o.runIds ? o.runIds.map((id) => store.getRun(id)) : store.searchRuns({ viewType: "ALL", maxResults: 50_000 });
  const expIds = [...new Set([...(o.runIds ? [] : store.listExperiments("ALL").map((e) => e.experimentId)), ...runs.map((r) => r.info.experimentId)])];
  const sum: ExportSummary = { experiments: 0, runs: 0, metrics: 0, artifacts: 0 };
  for (const id of expIds) {
    const e = store.getExperiment(id);
    const edir = path.join(root, id);
    if (existsSync(path.join(edir, "meta.yaml")) && !o.force) throw new HepflowError("OUTPUT_EXISTS", `experiment ${id} already exists in the export folder; pass --force to overwrite`, { file: edir });
    mkdirSync(edir, { recursive: true });
    writeFileSync(
      path.join(edir, "meta.yaml"),
      YAML.stringify(
        {
          artifact_location: pathToFileURL(edir).href,
          creation_time: e.creationTime,
          experiment_id: id,
          last_update_time: e.lastUpdateTime,
          lifecycle_stage: e.lifecycleStage,
          name: e.name,
        },
        { defaultStringType: "PLAIN", defaultKeyType: "PLAIN" },
      ),
    );
    if (Object.keys(e.tags).length) writeKeyFiles(path.join(edir, "tags"), e.tags);
    sum.experiments++;
  }
  for (const r of runs) {
    const rdir = path.join(root, r.info.experimentId, r.info.runId);
    const i = r.info;
    mkdirSync(rdir, { recursive: true });
    const artifactDir = path.join(rdir, "artifacts");
    writeFileSync(
      path.join(rdir, "meta.yaml"),
      YAML.stringify({
        artifact_uri: pathToFileURL(artifactDir).href,
        end_time: i.endTime,
        entry_point_name: r.tags["mlflow.project.entryPoint"] ?? "",
        experiment_id: i.experimentId,
        lifecycle_stage: i.lifecycleStage,
        run_id: i.runId,
        run_name: i.runName,
        run_uuid: i.runId,
        source_name: "",
        source_type: SOURCE_TYPE[r.tags["mlflow.source.type"] ?? "LOCAL"] ?? 4,
        source_version: "",
        start_time: i.startTime,
        status: STATUS_NUMBER[i.status],
        tags: [],
        user_id: i.userId,
      }),
    );
    writeKeyFiles(path.join(rdir, "params"), r.params);
    const inputs = store.listInputs(i.runId);
    const tags = { ...r.tags, ...(inputs.length ? { "hepflow.inputs": JSON.stringify(inputs) } : {}) };
    writeKeyFiles(path.join(rdir, "tags"), tags);
    const byKey = new Map<string, Metric[]>();
    for (const m of store.allMetrics(i.runId)) {
      if (!byKey.has(m.key)) byKey.set(m.key, []);
      byKey.get(m.key)!.push(m);
      sum.metrics++;
    }
    writeKeyFiles(path.join(rdir, "metrics"), Object.fromEntries([...byKey].map(([k, ms]) => [k, ms.map((m) => `${m.timestamp} ${formatValue(m.value)} ${m.step}\n`).join("")])));
    mkdirSync(artifactDir, { recursive: true });
    for (const a of store.listArtifacts(i.runId)) {
      const f = path.join(artifactDir, safeName(a.path, artifactDir));
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, store.readArtifact(i.runId, a.path));
      sum.artifacts++;
    }
    sum.runs++;
  }
  return sum;
}

export interface ImportSummary {
  experiments: number;
  runs: number;
  skipped: string[];
  metrics: number;
  artifacts: number;
}

/** Finds the mlruns folder: DIR itself when it holds experiment folders, else DIR/mlruns. */
function mlrunsRoot(dir: string): string {
  const d = path.resolve(dir);
  if (!existsSync(d)) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", "no such folder", { file: d });
  const hasExperiments = (x: string) => existsSync(x) && readdirSync(x).some((n) => existsSync(path.join(x, n, "meta.yaml")));
  if (hasExperiments(d)) return d;
  if (hasExperiments(path.join(d, "mlruns"))) return path.join(d, "mlruns");
  throw new HepflowError("MLFLOW_FORMAT", "not an MLflow file store: no <experiment>/meta.yaml inside (nor in mlruns/)", { file: d });
}

function readYaml(file: string): Record<string, unknown> {
  try {
    const v = YAML.parse(readFileSync(file, "utf8")) as unknown;
    if (!v || typeof v !== "object") throw new Error("not a mapping");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new HepflowError("MLFLOW_FORMAT", `unreadable meta.yaml: ${(e as Error).message}`, { file }, { cause: e });
  }
}

/**
 * Imports an MLflow file store into the run store: experiments (matched by name), runs with their
 * params, full metric histories, tags and artifacts. Runs whose id is already in the store are skipped.
 */
export function importMlflow(store: TrackingStore, dir: string): ImportSummary {
  const root = mlrunsRoot(dir);
  const sum: ImportSummary = { experiments: 0, runs: 0, skipped: [], metrics: 0, artifacts: 0 };
  for (const name of readdirSync(root).sort()) {
    const edir = path.join(root, name);
    if (name.startsWith(".") || !existsSync(path.join(edir, "meta.yaml"))) continue;
    const meta = readYaml(path.join(edir, "meta.yaml"));
    const expName = String(meta.name ?? "");
    if (!expName) throw new HepflowError("MLFLOW_FORMAT", "experiment without a name", { file: path.join(edir, "meta.yaml") });
    const expTags = readKeyFiles(path.join(edir, "tags"));
    let expId = store.getExperimentByName(expName)?.experimentId;
    if (expId === undefined) {
      const wanted = String(meta.experiment_id ?? name);
      let free = true;
      try {
        store.getExperiment(wanted);
        free = false;
      } catch {
        /* id unused */
      }
      expId = store.createExperiment(expName, { experimentId: free ? wanted : undefined, tags: expTags, creationTime: numberOr(meta.creation_time, Date.now()), lifecycleStage: (meta.lifecycle_stage as LifecycleStage) ?? "active" });
      sum.experiments++;
    }
    for (const runName of readdirSync(edir).sort()) {
      const rdir = path.join(edir, runName);
      if (!statSync(rdir).isDirectory() || !existsSync(path.join(rdir, "meta.yaml"))) continue;
      const rm = readYaml(path.join(rdir, "meta.yaml"));
      const runId = String(rm.run_id ?? rm.run_uuid ?? runName);
      try {
        store.getRunInfo(runId);
        sum.skipped.push(runId);
        continue;
      } catch {
        /* new run */
      }
      const tags = readKeyFiles(path.join(rdir, "tags"));
      let inputs: unknown[] = [];
      if (tags["hepflow.inputs"] !== undefined) {
        try {
          inputs = JSON.parse(tags["hepflow.inputs"]) as unknown[];
        } catch {
          inputs = [];
        }
        delete tags["hepflow.inputs"];
      }
      const metrics: Metric[] = [];
      for (const [key, text] of Object.entries(readKeyFiles(path.join(rdir, "metrics")))) {
        for (const line of text.split("\n")) {
          if (!line.trim()) continue;
          const [ts, value, step] = line.trim().split(/\s+/);
          if (value === undefined) throw new HepflowError("MLFLOW_FORMAT", `metric line "${line.trim()}" has a timestamp but no value`, { file: path.join(rdir, "metrics", key) });
          metrics.push({ key, timestamp: Number(ts), value: parseValue(value, path.join(rdir, "metrics", key)), step: step === undefined ? 0 : Number(step) });
        }
      }
      const status = typeof rm.status === "number" ? STATUS_NAME[rm.status] : (String(rm.status ?? "FINISHED") as RunStatus);
      store.importRun({
        runId,
        experimentId: expId,
        runName: String(rm.run_name || tags["mlflow.runName"] || ""),
        status: status ?? "FINISHED",
        startTime: numberOr(rm.start_time, 0),
        endTime: rm.end_time === null || rm.end_time === undefined ? null : Number(rm.end_time),
        userId: String(rm.user_id ?? tags["mlflow.user"] ?? ""),
        lifecycleStage: (rm.lifecycle_stage as LifecycleStage) ?? "active",
        params: readKeyFiles(path.join(rdir, "params")),
        tags,
        metrics,
      });
      for (const e of inputs) if (e && typeof e === "object") store.addInput(runId, e as { path: string; digest: string; size: number; role: string });
      sum.metrics += metrics.length;
      for (const a of listFiles(path.join(rdir, "artifacts"))) {
        store.addArtifactBytes(runId, a, readFileSync(path.join(rdir, "artifacts", a)));
        sum.artifacts++;
      }
      sum.runs++;
    }
  }
  return sum;
}

function numberOr(v: unknown, d: number): number {
  const n = Number(v);
  return v === null || v === undefined || Number.isNaN(n) ? d : n;
}
