/**
 * The run store: MLflow's data model (experiments, runs, params, metrics, tags, artifacts) in one
 * SQLite file under a project-local folder, with artifacts stored once by content digest.
 * WAL journal + busy timeout + short IMMEDIATE transactions make many concurrent writers
 * (parallel trials, worker processes) safe: writers queue on the lock, nothing is lost.
 */
import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import type BetterSqlite3 from "better-sqlite3";
import { createRequire } from "node:module";
import { HepflowError } from "../util/index.js";
import { matches, parseFilter, parseOrderBy, sortRuns, type FilterableRun } from "./filter.js";

const require = createRequire(import.meta.url);

export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export const RUN_STATUSES: RunStatus[] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];
export type LifecycleStage = "active" | "deleted";

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  userId: string;
  source: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
  hepflowVersion: string;
  parentRunId: string | null;
  lifecycleStage: LifecycleStage;
  artifactUri: string;
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface ArtifactEntry {
  path: string;
  digest: string;
  size: number;
}
export interface InputEntry {
  path: string;
  digest: string;
  size: number;
  role: string;
}

export interface Run {
  info: RunInfo;
  params: Record<string, string>;
  /** The latest value of each metric (highest step, then latest timestamp), as MLflow reports it. */
  metrics: Record<string, Metric>;
  tags: Record<string, string>;
}

export interface StartRunOptions {
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  parentRunId?: string;
  source?: string;
  userId?: string;
  startTime?: number;
  tags?: Record<string, string>;
  /** Run id to use (import); a fresh 32-hex id otherwise. */
  runId?: string;
  status?: RunStatus;
  /** Folder whose git commit and dirty state are recorded (default: the working directory). */
  gitDir?: string;
}

export interface SearchOptions {
  experimentIds?: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  /** Which lifecycle stages to include: active (default), deleted, or all. */
  viewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  offset?: number;
}

/** Where the store lives: option, else HEPFLOW_TRACKING_DIR, else ./hepflow-runs. */
export function trackingDir(dir?: string): string {
  return path.resolve(dir ?? process.env.HEPFLOW_TRACKING_DIR ?? "hepflow-runs");
}

function hepflowVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** The git commit of `dir` and whether its work tree has uncommitted changes; nulls outside a repository. */
export function gitState(dir: string): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"], timeout: 5000 })
      .toString()
      .trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"], timeout: 5000 }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS experiments (
  experiment_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, artifact_location TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active', creation_time INTEGER NOT NULL, last_update_time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS experiment_tags (experiment_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (experiment_id, key));
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL REFERENCES experiments(experiment_id), run_name TEXT NOT NULL,
  status TEXT NOT NULL, start_time INTEGER NOT NULL, end_time INTEGER, user_id TEXT NOT NULL, source TEXT NOT NULL,
  git_commit TEXT, git_dirty INTEGER, hepflow_version TEXT NOT NULL, parent_run_id TEXT,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active', artifact_uri TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_experiment ON runs (experiment_id);
CREATE INDEX IF NOT EXISTS runs_parent ON runs (parent_run_id);
CREATE TABLE IF NOT EXISTS params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE IF NOT EXISTS metrics (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, key TEXT NOT NULL,
  value REAL, is_nan INTEGER NOT NULL DEFAULT 0, timestamp INTEGER NOT NULL, step INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_run_key ON metrics (run_id, key);
CREATE TABLE IF NOT EXISTS artifacts (run_id TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL, size INTEGER NOT NULL, PRIMARY KEY (run_id, path));
CREATE TABLE IF NOT EXISTS inputs (run_id TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL, size INTEGER NOT NULL, role TEXT NOT NULL, PRIMARY KEY (run_id, path));
`;

const KEY_RE = /^[A-Za-z0-9_\-. /:]+$/;

/** MLflow's key rule: letters, digits, _ - . space / (and : in newer versions); no '..' or leading '/'. */
function checkKey(kind: string, key: string): void {
  if (typeof key !== "string" || !key || key.length > 250 || !KEY_RE.test(key) || key.startsWith("/") || key.split("/").includes(".."))
    throw new HepflowError("INVALID_PARAMETER_VALUE", `invalid ${kind} name "${key}": use letters, digits, _ - . space / (at most 250 characters)`);
}

function digestBytes(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** A handle on the run store; cheap to open, one per process is plenty. */
export class TrackingStore {
  readonly root: string;
  readonly db: BetterSqlite3.Database;

  constructor(dir?: string) {
    this.root = trackingDir(dir);
    mkdirSync(path.join(this.root, "artifacts"), { recursive: true });
    let Database: typeof BetterSqlite3;
    try {
      Database = require("better-sqlite3") as typeof BetterSqlite3;
    } catch (e) {
      throw new HepflowError("TRACKING_UNAVAILABLE", `the run store needs the better-sqlite3 package (12.x): ${(e as Error).message}`, {}, { cause: e });
    }
    this.db = new Database(path.join(this.root, "runs.db"), { timeout: 30_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 30000");
    this.db.pragma("foreign_keys = ON");
    this.immediate(() => {
      this.db.exec(SCHEMA);
      const has = this.db.prepare("SELECT 1 FROM experiments WHERE experiment_id = '0'").get();
      if (!has) {
        const now = Date.now();
        this.db.prepare("INSERT OR IGNORE INTO experiments VALUES ('0', 'Default', ?, 'active', ?, ?)").run(this.artifactLocation("0"), now, now);
      }
    });
  }

  close(): void {
    this.db.close();
  }

  /** Runs `f` in one IMMEDIATE transaction: the write lock is taken up front, so concurrent writers wait rather than fail mid-way. */
  immediate<T>(f: () => T): T {
    return this.db.transaction(f).immediate();
  }

  private artifactLocation(experimentId: string): string {
    // the proxied-artifact scheme of an MLflow server: clients resolve it to the /api/2.0/mlflow-artifacts routes
    return `mlflow-artifacts:/${experimentId}`;
  }

  // ---------------------------------------------------------------- experiments

  /** Creates an experiment; RESOURCE_ALREADY_EXISTS when the name is taken. */
  createExperiment(name: string, o: { artifactLocation?: string; tags?: Record<string, string>; experimentId?: string; creationTime?: number; lifecycleStage?: LifecycleStage } = {}): string {
    if (!name || typeof name !== "string") throw new HepflowError("INVALID_PARAMETER_VALUE", "an experiment needs a non-empty name");
    return this.immediate(() => {
      if (this.db.prepare("SELECT 1 FROM experiments WHERE name = ?").get(name)) throw new HepflowError("RESOURCE_ALREADY_EXISTS", `experiment "${name}" already exists`);
      let id = o.experimentId;
      if (id === undefined) {
        const row = this.db.prepare("SELECT MAX(CAST(experiment_id AS INTEGER)) AS m FROM experiments WHERE experiment_id GLOB '[0-9]*'").get() as { m: number | null };
        id = String((row.m ?? 0) + 1);
      } else if (this.db.prepare("SELECT 1 FROM experiments WHERE experiment_id = ?").get(id)) throw new HepflowError("RESOURCE_ALREADY_EXISTS", `experiment id ${id} already exists`);
      const now = o.creationTime ?? Date.now();
      this.db.prepare("INSERT INTO experiments VALUES (?, ?, ?, ?, ?, ?)").run(id, name, o.artifactLocation ?? this.artifactLocation(id), o.lifecycleStage ?? "active", now, now);
      for (const [k, v] of Object.entries(o.tags ?? {})) this.db.prepare("INSERT OR REPLACE INTO experiment_tags VALUES (?, ?, ?)").run(id, k, String(v));
      return id;
    });
  }

  getExperiment(experimentId: string): Experiment {
    const r = this.db.prepare("SELECT * FROM experiments WHERE experiment_id = ?").get(String(experimentId)) as Record<string, string | number> | undefined;
    if (!r) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `no experiment with id ${experimentId}`);
    return this.experimentFromRow(r);
  }

  getExperimentByName(name: string): Experiment | undefined {
    const r = this.db.prepare("SELECT * FROM experiments WHERE name = ?").get(name) as Record<string, string | number> | undefined;
    return r ? this.experimentFromRow(r) : undefined;
  }

  /** The experiment of that name, created when missing (safe when two processes race to create it). */
  ensureExperiment(name: string): string {
    const e = this.getExperimentByName(name);
    if (e) return e.experimentId;
    try {
      return this.createExperiment(name);
    } catch (err) {
      if (err instanceof HepflowError && err.code === "RESOURCE_ALREADY_EXISTS") return this.getExperimentByName(name)!.experimentId;
      throw err;
    }
  }

  listExperiments(viewType: SearchOptions["viewType"] = "ACTIVE_ONLY"): Experiment[] {
    const rows = this.db.prepare("SELECT * FROM experiments ORDER BY CAST(experiment_id AS INTEGER), experiment_id").all() as Array<Record<string, string | number>>;
    return rows.map((r) => this.experimentFromRow(r)).filter((e) => stageMatches(e.lifecycleStage, viewType));
  }

  setExperimentTag(experimentId: string, key: string, value: string): void {
    this.getExperiment(experimentId);
    this.db.prepare("INSERT OR REPLACE INTO experiment_tags VALUES (?, ?, ?)").run(experimentId, key, String(value));
  }

  private experimentFromRow(r: Record<string, string | number>): Experiment {
    const tags = Object.fromEntries((this.db.prepare("SELECT key, value FROM experiment_tags WHERE experiment_id = ?").all(r.experiment_id) as Array<{ key: string; value: string }>).map((t) => [t.key, t.value]));
    return {
      experimentId: String(r.experiment_id),
      name: String(r.name),
      artifactLocation: String(r.artifact_location),
      lifecycleStage: r.lifecycle_stage as LifecycleStage,
      creationTime: Number(r.creation_time),
      lastUpdateTime: Number(r.last_update_time),
      tags,
    };
  }

  // ---------------------------------------------------------------- runs

  /** Starts a run (status RUNNING) with its provenance: user, source command, git commit and dirty state, hepflow version. */
  startRun(o: StartRunOptions = {}): RunInfo {
    const experimentId = o.experimentId !== undefined ? String(o.experimentId) : o.experimentName ? this.ensureExperiment(o.experimentName) : "0";
    const exp = this.getExperiment(experimentId);
    if (exp.lifecycleStage !== "active") throw new HepflowError("INVALID_PARAMETER_VALUE", `experiment ${experimentId} is deleted`);
    if (o.parentRunId) this.getRunInfo(o.parentRunId);
    const runId = o.runId ?? randomUUID().replace(/-/g, "");
    const git = o.tags?.["mlflow.source.git.commit"] !== undefined ? { commit: o.tags["mlflow.source.git.commit"], dirty: null } : gitState(o.gitDir ?? process.cwd());
    let user = o.userId;
    if (user === undefined) {
      try {
        user = userInfo().username;
      } catch {
        user = "unknown";
      }
    }
    const runName = o.runName ?? o.tags?.["mlflow.runName"] ?? defaultRunName(runId);
    const source = o.source ?? o.tags?.["mlflow.source.name"] ?? ["hepflow", ...process.argv.slice(2)].join(" ");
    const start = o.startTime ?? Date.now();
    const version = hepflowVersion();
    // system tags as MLflow writes them, so an export reads naturally in MLflow's UI
    const tags: Record<string, string> = {
      "mlflow.runName": runName,
      "mlflow.user": user,
      "mlflow.source.name": source,
      "mlflow.source.type": "LOCAL",
      ...(git.commit ? { "mlflow.source.git.commit": git.commit } : {}),
      ...(git.dirty !== null ? { "hepflow.git.dirty": String(git.dirty) } : {}),
      "hepflow.version": version,
      ...(o.parentRunId ? { "mlflow.parentRunId": o.parentRunId } : {}),
      ...(o.tags ?? {}),
    };
    this.immediate(() => {
      this.db
        .prepare("INSERT INTO runs VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, 'active', ?)")
        .run(
          runId,
          experimentId,
          runName,
          o.status ?? "RUNNING",
          start,
          user,
          source,
          git.commit,
          git.dirty === null ? null : git.dirty ? 1 : 0,
          version,
          o.parentRunId ?? tags["mlflow.parentRunId"] ?? null,
          `${exp.artifactLocation}/${runId}/artifacts`,
        );
      const ins = this.db.prepare("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)");
      for (const [k, v] of Object.entries(tags)) {
        checkKey("tag", k);
        ins.run(runId, k, String(v));
      }
    });
    return this.getRunInfo(runId);
  }

  getRunInfo(runId: string): RunInfo {
    const r = this.db.prepare("SELECT * FROM runs WHERE run_id = ?").get(String(runId)) as Record<string, string | number | null> | undefined;
    if (!r) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `no run with id ${runId}`);
    return {
      runId: String(r.run_id),
      experimentId: String(r.experiment_id),
      runName: String(r.run_name),
      status: r.status as RunStatus,
      startTime: Number(r.start_time),
      endTime: r.end_time === null ? null : Number(r.end_time),
      userId: String(r.user_id),
      source: String(r.source),
      gitCommit: r.git_commit === null ? null : String(r.git_commit),
      gitDirty: r.git_dirty === null ? null : r.git_dirty === 1,
      hepflowVersion: String(r.hepflow_version),
      parentRunId: r.parent_run_id === null ? null : String(r.parent_run_id),
      lifecycleStage: r.lifecycle_stage as LifecycleStage,
      artifactUri: String(r.artifact_uri),
    };
  }

  /** A run with its params, tags and latest metrics. */
  getRun(runId: string): Run {
    const info = this.getRunInfo(runId);
    const params = Object.fromEntries((this.db.prepare("SELECT key, value FROM params WHERE run_id = ?").all(info.runId) as Array<{ key: string; value: string }>).map((p) => [p.key, p.value]));
    const tags = Object.fromEntries((this.db.prepare("SELECT key, value FROM tags WHERE run_id = ?").all(info.runId) as Array<{ key: string; value: string }>).map((p) => [p.key, p.value]));
    const metrics: Record<string, Metric> = {};
    const rows = this.db.prepare("SELECT key, value, is_nan, timestamp, step FROM metrics WHERE run_id = ? ORDER BY key, step, timestamp, seq").all(info.runId) as Array<{
      key: string;
      value: number | null;
      is_nan: number;
      timestamp: number;
      step: number;
    }>;
    for (const m of rows) metrics[m.key] = { key: m.key, value: m.is_nan ? NaN : (m.value as number), timestamp: m.timestamp, step: m.step };
    return { info, params, metrics, tags };
  }

  private requireActive(runId: string): RunInfo {
    const info = this.getRunInfo(runId);
    if (info.lifecycleStage !== "active") throw new HepflowError("INVALID_PARAMETER_VALUE", `run ${runId} is deleted; restore it before logging to it`);
    return info;
  }

  /** Logs params; a param is immutable: logging the same key again with another value is an error. */
  logParams(runId: string, params: Record<string, string | number | boolean>): void {
    this.requireActive(runId);
    this.immediate(() => {
      const get = this.db.prepare("SELECT value FROM params WHERE run_id = ? AND key = ?");
      const ins = this.db.prepare("INSERT INTO params VALUES (?, ?, ?)");
      for (const [k, raw] of Object.entries(params)) {
        checkKey("param", k);
        const v = String(raw);
        if (v.length > 6000) throw new HepflowError("INVALID_PARAMETER_VALUE", `param "${k}" is longer than 6000 characters`);
        const old = get.get(runId, k) as { value: string } | undefined;
        if (old) {
          if (old.value !== v) throw new HepflowError("INVALID_PARAMETER_VALUE", `param "${k}" of run ${runId} was already logged as "${old.value}"; params cannot change (tried "${v}")`);
          continue;
        }
        ins.run(runId, k, v);
      }
    });
  }

  logParam(runId: string, key: string, value: string | number | boolean): void {
    this.logParams(runId, { [key]: value });
  }

  /** Logs metric values: `{key: value}` (step 0, now) or a list of full {key, value, timestamp, step}. */
  logMetrics(runId: string, metrics: Record<string, number> | Array<{ key: string; value: number; timestamp?: number; step?: number }>, o: { step?: number; timestamp?: number } = {}): void {
    this.requireActive(runId);
    const now = o.timestamp ?? Date.now();
    const list: Array<{ key: string; value: number; timestamp?: number; step?: number }> = Array.isArray(metrics) ? metrics : Object.entries(metrics).map(([key, value]) => ({ key, value }));
    for (const m of list) {
      checkKey("metric", m.key);
      if (typeof m.value !== "number") throw new HepflowError("INVALID_PARAMETER_VALUE", `metric "${m.key}" must be a number (got ${JSON.stringify(m.value)})`);
      const step = m.step ?? o.step ?? 0;
      if (!Number.isInteger(step)) throw new HepflowError("INVALID_PARAMETER_VALUE", `metric "${m.key}" step must be an integer (got ${step})`);
    }
    this.immediate(() => {
      const ins = this.db.prepare("INSERT INTO metrics (run_id, key, value, is_nan, timestamp, step) VALUES (?, ?, ?, ?, ?, ?)");
      for (const m of list) ins.run(runId, m.key, Number.isNaN(m.value) ? null : m.value, Number.isNaN(m.value) ? 1 : 0, Math.round(m.timestamp ?? now), m.step ?? o.step ?? 0);
    });
  }

  logMetric(runId: string, key: string, value: number, o: { step?: number; timestamp?: number } = {}): void {
    this.logMetrics(runId, [{ key, value, step: o.step, timestamp: o.timestamp }]);
  }

  /** Every value of one metric, in step then time order. */
  metricHistory(runId: string, key: string): Metric[] {
    this.getRunInfo(runId);
    const rows = this.db.prepare("SELECT key, value, is_nan, timestamp, step FROM metrics WHERE run_id = ? AND key = ? ORDER BY step, timestamp, seq").all(runId, key) as Array<{
      key: string;
      value: number | null;
      is_nan: number;
      timestamp: number;
      step: number;
    }>;
    return rows.map((m) => ({ key: m.key, value: m.is_nan ? NaN : (m.value as number), timestamp: m.timestamp, step: m.step }));
  }

  /** Sets tags (mutable, last write wins). `mlflow.runName` also renames the run. */
  setTags(runId: string, tags: Record<string, string>): void {
    this.requireActive(runId);
    this.immediate(() => {
      const ins = this.db.prepare("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)");
      for (const [k, v] of Object.entries(tags)) {
        checkKey("tag", k);
        ins.run(runId, k, String(v));
        if (k === "mlflow.runName") this.db.prepare("UPDATE runs SET run_name = ? WHERE run_id = ?").run(String(v), runId);
        if (k === "mlflow.parentRunId") this.db.prepare("UPDATE runs SET parent_run_id = ? WHERE run_id = ?").run(String(v), runId);
      }
    });
  }

  deleteTag(runId: string, key: string): void {
    this.requireActive(runId);
    const r = this.db.prepare("DELETE FROM tags WHERE run_id = ? AND key = ?").run(runId, key);
    if (r.changes === 0) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `run ${runId} has no tag "${key}"`);
  }

  /** Updates status / end time / name (MLflow's runs/update). */
  updateRun(runId: string, o: { status?: RunStatus; endTime?: number | null; runName?: string }): RunInfo {
    this.getRunInfo(runId);
    if (o.status !== undefined && !RUN_STATUSES.includes(o.status)) throw new HepflowError("INVALID_PARAMETER_VALUE", `status must be one of ${RUN_STATUSES.join(", ")} (got ${o.status})`);
    this.immediate(() => {
      if (o.status !== undefined) this.db.prepare("UPDATE runs SET status = ? WHERE run_id = ?").run(o.status, runId);
      if (o.endTime !== undefined) this.db.prepare("UPDATE runs SET end_time = ? WHERE run_id = ?").run(o.endTime, runId);
      if (o.runName !== undefined) {
        this.db.prepare("UPDATE runs SET run_name = ? WHERE run_id = ?").run(o.runName, runId);
        this.db.prepare("INSERT OR REPLACE INTO tags VALUES (?, 'mlflow.runName', ?)").run(runId, o.runName);
      }
    });
    return this.getRunInfo(runId);
  }

  /** Ends a run: FINISHED (default), FAILED or KILLED, with its end time. */
  endRun(runId: string, status: RunStatus = "FINISHED", endTime = Date.now()): RunInfo {
    return this.updateRun(runId, { status, endTime });
  }

  /** Marks a run (and its children) deleted; `restoreRun` brings it back. Nothing is erased. */
  deleteRun(runId: string): void {
    this.getRunInfo(runId);
    this.immediate(() => {
      for (const id of this.descendants(runId)) this.db.prepare("UPDATE runs SET lifecycle_stage = 'deleted' WHERE run_id = ?").run(id);
    });
  }

  restoreRun(runId: string): void {
    this.getRunInfo(runId);
    this.immediate(() => {
      for (const id of this.descendants(runId)) this.db.prepare("UPDATE runs SET lifecycle_stage = 'active' WHERE run_id = ?").run(id);
    });
  }

  private descendants(runId: string): string[] {
    const out = [runId];
    for (let i = 0; i < out.length; i++) for (const r of this.db.prepare("SELECT run_id FROM runs WHERE parent_run_id = ?").all(out[i]) as Array<{ run_id: string }>) out.push(r.run_id);
    return out;
  }

  /** Child runs of a run (a search's trials, a workflow's steps), oldest first. */
  children(runId: string): RunInfo[] {
    return (this.db.prepare("SELECT run_id FROM runs WHERE parent_run_id = ? ORDER BY start_time, run_id").all(runId) as Array<{ run_id: string }>).map((r) => this.getRunInfo(r.run_id));
  }

  /** Resolves a unique run-id prefix (as `git` does for commits). */
  resolveRunId(prefix: string): string {
    if (!/^[0-9A-Za-z_-]+$/.test(prefix)) throw new HepflowError("INVALID_PARAMETER_VALUE", `"${prefix}" is not a run id`);
    const rows = this.db.prepare("SELECT run_id FROM runs WHERE run_id GLOB ? LIMIT 2").all(prefix + "*") as Array<{ run_id: string }>;
    const [row] = rows;
    if (!row) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `no run id starts with "${prefix}" in ${this.root}`);
    if (rows.length > 1) throw new HepflowError("INVALID_PARAMETER_VALUE", `run id prefix "${prefix}" is ambiguous; give more characters`);
    return row.run_id;
  }

  /** Searches runs with MLflow's filter subset, order-by keys and a result limit. */
  searchRuns(o: SearchOptions = {}): Run[] {
    const clauses = parseFilter(o.filter);
    const orderBy = (o.orderBy ?? []).map(parseOrderBy);
    const maxResults = o.maxResults ?? 1000;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50_000) throw new HepflowError("INVALID_PARAMETER_VALUE", `max results must be an integer in [1, 50000] (got ${maxResults})`);
    const ids = o.experimentIds?.map(String);
    const rows = (ids?.length ? this.db.prepare(`SELECT run_id FROM runs WHERE experiment_id IN (${ids.map(() => "?").join(",")})`).all(...ids) : this.db.prepare("SELECT run_id FROM runs").all()) as Array<{ run_id: string }>;
    const runs = rows.map((r) => this.getRun(r.run_id)).filter((r) => stageMatches(r.info.lifecycleStage, o.viewType ?? "ACTIVE_ONLY"));
    const views = runs.map((r) => ({ run: r, ...filterView(r) }));
    const kept = sortRuns(
      views.filter((v) => matches(v, clauses)),
      orderBy,
    );
    const start = o.offset ?? 0;
    return kept.slice(start, start + maxResults).map((v) => v.run);
  }

  /** Inserts a run exactly as recorded elsewhere (import): no system tags added, provenance taken from the tags. */
  importRun(r: {
    runId: string;
    experimentId: string;
    runName: string;
    status: RunStatus;
    startTime: number;
    endTime: number | null;
    userId: string;
    lifecycleStage: LifecycleStage;
    params: Record<string, string>;
    tags: Record<string, string>;
    metrics: Metric[];
  }): void {
    const exp = this.getExperiment(r.experimentId);
    this.immediate(() => {
      const t = r.tags;
      const dirty = t["hepflow.git.dirty"];
      this.db
        .prepare("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .run(
          r.runId,
          r.experimentId,
          r.runName,
          r.status,
          r.startTime,
          r.endTime,
          r.userId,
          t["mlflow.source.name"] ?? "",
          t["mlflow.source.git.commit"] ?? null,
          dirty === undefined ? null : dirty === "true" ? 1 : 0,
          t["hepflow.version"] ?? "",
          t["mlflow.parentRunId"] ?? null,
          r.lifecycleStage,
          `${exp.artifactLocation}/${r.runId}/artifacts`,
        );
      const p = this.db.prepare("INSERT INTO params VALUES (?, ?, ?)");
      for (const [k, v] of Object.entries(r.params)) p.run(r.runId, k, v);
      const tg = this.db.prepare("INSERT INTO tags VALUES (?, ?, ?)");
      for (const [k, v] of Object.entries(r.tags)) tg.run(r.runId, k, v);
      const m = this.db.prepare("INSERT INTO metrics (run_id, key, value, is_nan, timestamp, step) VALUES (?, ?, ?, ?, ?, ?)");
      for (const x of r.metrics) m.run(r.runId, x.key, Number.isNaN(x.value) ? null : x.value, Number.isNaN(x.value) ? 1 : 0, x.timestamp, x.step);
    });
  }

  /** Every value of every metric of a run, in key, step, time order (exports). */
  allMetrics(runId: string): Metric[] {
    const rows = this.db.prepare("SELECT key, value, is_nan, timestamp, step FROM metrics WHERE run_id = ? ORDER BY key, seq").all(runId) as Array<{ key: string; value: number | null; is_nan: number; timestamp: number; step: number }>;
    return rows.map((m) => ({ key: m.key, value: m.is_nan ? NaN : (m.value as number), timestamp: m.timestamp, step: m.step }));
  }

  /** Marks an experiment deleted or active again. */
  setExperimentStage(experimentId: string, stage: LifecycleStage): void {
    this.getExperiment(experimentId);
    this.db.prepare("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?").run(stage, Date.now(), experimentId);
  }

  /** Stores an artifact from bytes already digested elsewhere (import). */
  addArtifactBytes(runId: string, artifactPath: string, bytes: Uint8Array): ArtifactEntry {
    const digest = this.putBlob(bytes);
    this.db.prepare("INSERT OR REPLACE INTO artifacts VALUES (?, ?, ?, ?)").run(runId, artifactPath, digest, bytes.length);
    return { path: artifactPath, digest, size: bytes.length };
  }

  /** Records an input entry as given (import). */
  addInput(runId: string, e: InputEntry): void {
    this.db.prepare("INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?)").run(runId, e.path, e.digest, e.size, e.role);
  }

  // ---------------------------------------------------------------- artifacts and inputs

  private blobPath(digest: string): string {
    return path.join(this.root, "artifacts", "sha256", digest.slice(0, 2), digest);
  }

  /** Stores bytes once under their digest and returns it. */
  putBlob(bytes: Uint8Array): string {
    const digest = digestBytes(bytes);
    const dest = this.blobPath(digest);
    if (!existsSync(dest)) {
      mkdirSync(path.dirname(dest), { recursive: true });
      // write then rename, so a concurrent reader never sees half a file
      const tmp = `${dest}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, dest);
    }
    return digest;
  }

  /** Logs a file (or bytes) as an artifact of the run at `artifactPath` (default: the file name). */
  logArtifact(runId: string, source: string | Uint8Array, artifactPath?: string): ArtifactEntry {
    this.requireActive(runId);
    let bytes: Uint8Array;
    if (typeof source === "string") {
      if (!existsSync(source) || !statSync(source).isFile()) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `artifact file not found`, { file: source });
      bytes = readFileSync(source);
    } else bytes = source;
    const rel = (artifactPath ?? (typeof source === "string" ? path.basename(source) : "")).replace(/\\/g, "/").replace(/^\/+/, "");
    if (!rel || rel.split("/").some((p) => p === ".." || p === "")) throw new HepflowError("INVALID_PARAMETER_VALUE", `invalid artifact path "${artifactPath}"`);
    const digest = this.putBlob(bytes);
    this.db.prepare("INSERT OR REPLACE INTO artifacts VALUES (?, ?, ?, ?)").run(runId, rel, digest, bytes.length);
    return { path: rel, digest, size: bytes.length };
  }

  /** The artifacts of a run, by path; `under` limits the list to one folder. */
  listArtifacts(runId: string, under?: string): ArtifactEntry[] {
    this.getRunInfo(runId);
    const rows = this.db.prepare("SELECT path, digest, size FROM artifacts WHERE run_id = ? ORDER BY path").all(runId) as ArtifactEntry[];
    if (!under) return rows;
    const p = under.replace(/\/+$/, "") + "/";
    return rows.filter((r) => r.path.startsWith(p) || r.path === under);
  }

  /** The bytes of one artifact. */
  readArtifact(runId: string, artifactPath: string): Buffer {
    const r = this.db.prepare("SELECT digest FROM artifacts WHERE run_id = ? AND path = ?").get(runId, artifactPath) as { digest: string } | undefined;
    if (!r) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `run ${runId} has no artifact "${artifactPath}"`);
    return readFileSync(this.blobPath(r.digest));
  }

  /** Copies an artifact out to a file. */
  downloadArtifact(runId: string, artifactPath: string, dest: string): void {
    const r = this.db.prepare("SELECT digest FROM artifacts WHERE run_id = ? AND path = ?").get(runId, artifactPath) as { digest: string } | undefined;
    if (!r) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", `run ${runId} has no artifact "${artifactPath}"`);
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(this.blobPath(r.digest), dest);
  }

  /** Records an input file of the run by digest (lineage: which bytes produced this result). */
  logInput(runId: string, file: string, role = "input", digest?: string): InputEntry {
    this.requireActive(runId);
    if (!existsSync(file)) throw new HepflowError("RESOURCE_DOES_NOT_EXIST", "input file not found", { file });
    const size = statSync(file).size;
    const d = digest ?? digestBytes(readFileSync(file));
    const abs = path.resolve(file);
    this.db.prepare("INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?)").run(runId, abs, d, size, role);
    return { path: abs, digest: d, size, role };
  }

  listInputs(runId: string): InputEntry[] {
    return this.db.prepare("SELECT path, digest, size, role FROM inputs WHERE run_id = ? ORDER BY path").all(runId) as InputEntry[];
  }

  /** Runs whose recorded inputs include a file with this digest. */
  runsUsingDigest(digest: string): string[] {
    return (this.db.prepare("SELECT DISTINCT run_id FROM inputs WHERE digest = ?").all(digest) as Array<{ run_id: string }>).map((r) => r.run_id);
  }
}

function stageMatches(stage: LifecycleStage, viewType: SearchOptions["viewType"]): boolean {
  return viewType === "ALL" || (viewType === "DELETED_ONLY" ? stage === "deleted" : stage === "active");
}

/** A run as the filter language sees it. */
export function filterView(r: Run): FilterableRun {
  return {
    attributes: {
      run_id: r.info.runId,
      run_name: r.info.runName,
      status: r.info.status,
      user_id: r.info.userId,
      start_time: r.info.startTime,
      end_time: r.info.endTime,
      artifact_uri: r.info.artifactUri,
      lifecycle_stage: r.info.lifecycleStage,
      experiment_id: r.info.experimentId,
    },
    metrics: Object.fromEntries(Object.values(r.metrics).map((m) => [m.key, m.value])),
    params: r.params,
    tags: r.tags,
  };
}

const ADJ = ["amber", "brisk", "calm", "dapper", "eager", "fuzzy", "gentle", "hazy", "ivory", "jolly", "keen", "lucid", "merry", "nimble", "olive", "proud", "quiet", "rustic", "sunny", "tidy", "upbeat", "vivid", "witty", "zesty"];
const NOUN = ["boson", "gluon", "quark", "lepton", "muon", "tau", "photon", "hadron", "jet", "vertex", "tracker", "calorimeter", "trigger", "neutrino", "pion", "kaon"];

/** A readable default name derived from the run id (deterministic, like MLflow's adjective-noun-number names). */
function defaultRunName(runId: string): string {
  const n = parseInt(runId.slice(0, 8), 16);
  return `${ADJ[n % ADJ.length]}-${NOUN[Math.floor(n / ADJ.length) % NOUN.length]}-${n % 1000}`;
}
