/**
 * The delivery service's state in SQLite: transforms (one per cache key), their files (one
 * task each, with attempts and the error record), which user asked for which transform, and
 * the bearer tokens (stored as SHA-256 hashes). A restarted server reads it back and resumes
 * the files that were not finished.
 */
import { createRequire } from "node:module";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { HepflowError } from "../util/index.js";

const require = createRequire(import.meta.url);

export type TransformStatus = "Submitted" | "Running" | "Complete" | "Failed" | "Canceled";
export type FileStatus = "waiting" | "running" | "done" | "failed" | "canceled";

/** One transform: a query over a list of files, producing one output file per input file. */
export interface TransformRow {
  id: string;
  cache_key: string;
  title: string;
  did: string;
  selection: string;
  tree: string | null;
  format: string;
  status: TransformStatus;
  created: number;
  finished: number | null;
  files_total: number;
}

/** One input file of a transform: its state, attempts and (when it failed) where and why. */
export interface FileRow {
  transform_id: string;
  idx: number;
  path: string;
  identity: string;
  status: FileStatus;
  attempts: number;
  events: number;
  rows: number;
  bytes: number;
  output: string | null;
  error_stage: string | null;
  error_message: string | null;
  started: number | null;
  finished: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS transforms (
  id TEXT PRIMARY KEY, cache_key TEXT NOT NULL, title TEXT NOT NULL, did TEXT NOT NULL, selection TEXT NOT NULL,
  tree TEXT, format TEXT NOT NULL, status TEXT NOT NULL, created INTEGER NOT NULL, finished INTEGER, files_total INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transforms_key ON transforms(cache_key);
CREATE TABLE IF NOT EXISTS files (
  transform_id TEXT NOT NULL REFERENCES transforms(id) ON DELETE CASCADE, idx INTEGER NOT NULL, path TEXT NOT NULL, identity TEXT NOT NULL,
  status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, events INTEGER NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0, output TEXT, error_stage TEXT, error_message TEXT, started INTEGER, finished INTEGER,
  PRIMARY KEY (transform_id, idx)
);
CREATE TABLE IF NOT EXISTS requests (
  user TEXT NOT NULL, transform_id TEXT NOT NULL REFERENCES transforms(id) ON DELETE CASCADE, created INTEGER NOT NULL,
  PRIMARY KEY (user, transform_id)
);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY, user TEXT NOT NULL, created INTEGER NOT NULL
);
`;

/** SHA-256 of a token: what the table keeps, so a copied database holds no usable secret. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The service's SQLite database (`<dir>/service.db`). */
export class ServiceStore {
  readonly db: BetterSqlite3.Database;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    let Database: typeof BetterSqlite3;
    try {
      Database = require("better-sqlite3") as typeof BetterSqlite3;
    } catch (e) {
      throw new HepflowError("SERVICE_UNAVAILABLE", `the delivery service needs the better-sqlite3 package (12.x): ${(e as Error).message}`, {}, { cause: e });
    }
    this.db = new Database(path.join(dir, "service.db"), { timeout: 30_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** Issues a new token for `user`; only its hash is stored, the token is shown once. */
  addToken(user: string): string {
    const token = `hf_${randomBytes(24).toString("base64url")}`;
    this.db.prepare("INSERT INTO tokens (hash, user, created) VALUES (?, ?, ?)").run(tokenHash(token), user, Date.now());
    return token;
  }
  userOfToken(token: string): string | null {
    const r = this.db.prepare("SELECT user FROM tokens WHERE hash = ?").get(tokenHash(token)) as { user: string } | undefined;
    return r?.user ?? null;
  }
  listTokens(): Array<{ user: string; created: number; hash: string }> {
    return this.db.prepare("SELECT user, created, substr(hash, 1, 12) AS hash FROM tokens ORDER BY created").all() as Array<{ user: string; created: number; hash: string }>;
  }
  revokeUser(user: string): number {
    return this.db.prepare("DELETE FROM tokens WHERE user = ?").run(user).changes;
  }

  /** The live (not failed/canceled) transform with this cache key, if any. */
  byCacheKey(key: string): TransformRow | undefined {
    return this.db.prepare("SELECT * FROM transforms WHERE cache_key = ? AND status IN ('Submitted','Running','Complete') ORDER BY created DESC LIMIT 1").get(key) as TransformRow | undefined;
  }

  insertTransform(t: TransformRow, files: Array<{ path: string; identity: string }>): void {
    const tx = this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO transforms (id, cache_key, title, did, selection, tree, format, status, created, finished, files_total)
        VALUES (@id, @cache_key, @title, @did, @selection, @tree, @format, @status, @created, @finished, @files_total)`)
        .run(t);
      const ins = this.db.prepare("INSERT INTO files (transform_id, idx, path, identity, status) VALUES (?, ?, ?, ?, 'waiting')");
      files.forEach((f, i) => ins.run(t.id, i, f.path, f.identity));
    });
    tx();
  }

  attachUser(user: string, transformId: string): void {
    this.db.prepare("INSERT OR IGNORE INTO requests (user, transform_id, created) VALUES (?, ?, ?)").run(user, transformId, Date.now());
  }
  userHas(user: string, transformId: string): boolean {
    return this.db.prepare("SELECT 1 FROM requests WHERE user = ? AND transform_id = ?").get(user, transformId) !== undefined;
  }
  userTransforms(user: string): TransformRow[] {
    return this.db.prepare("SELECT t.* FROM transforms t JOIN requests r ON r.transform_id = t.id WHERE r.user = ? ORDER BY r.created DESC").all(user) as TransformRow[];
  }
  allTransforms(): TransformRow[] {
    return this.db.prepare("SELECT * FROM transforms ORDER BY created DESC").all() as TransformRow[];
  }
  transform(id: string): TransformRow | undefined {
    return this.db.prepare("SELECT * FROM transforms WHERE id = ?").get(id) as TransformRow | undefined;
  }
  files(id: string): FileRow[] {
    return this.db.prepare("SELECT * FROM files WHERE transform_id = ? ORDER BY idx").all(id) as FileRow[];
  }
  /** Transforms a restarted server must carry on with. */
  unfinished(): TransformRow[] {
    return this.db.prepare("SELECT * FROM transforms WHERE status IN ('Submitted','Running') ORDER BY created").all() as TransformRow[];
  }

  setStatus(id: string, status: TransformStatus): void {
    const done = status === "Complete" || status === "Failed" || status === "Canceled";
    this.db.prepare("UPDATE transforms SET status = ?, finished = ? WHERE id = ?").run(status, done ? Date.now() : null, id);
  }
  fileStarted(id: string, idx: number): void {
    this.db.prepare("UPDATE files SET status = 'running', attempts = attempts + 1, started = ? WHERE transform_id = ? AND idx = ?").run(Date.now(), id, idx);
  }
  fileDone(id: string, idx: number, r: { events: number; rows: number; bytes: number; output: string }): void {
    this.db
      .prepare("UPDATE files SET status = 'done', events = ?, rows = ?, bytes = ?, output = ?, error_stage = NULL, error_message = NULL, finished = ? WHERE transform_id = ? AND idx = ?")
      .run(r.events, r.rows, r.bytes, r.output, Date.now(), id, idx);
  }
  fileFailed(id: string, idx: number, stage: string, message: string, final: boolean): void {
    this.db.prepare("UPDATE files SET status = ?, error_stage = ?, error_message = ?, finished = ? WHERE transform_id = ? AND idx = ?").run(final ? "failed" : "waiting", stage, message, Date.now(), id, idx);
  }
  /** After a restart: files that were running when the server stopped go back to the queue. */
  requeueRunning(id: string): void {
    this.db.prepare("UPDATE files SET status = 'waiting' WHERE transform_id = ? AND status = 'running'").run(id);
  }
  cancelFiles(id: string): void {
    this.db.prepare("UPDATE files SET status = 'canceled' WHERE transform_id = ? AND status IN ('waiting','running')").run(id);
  }
  deleteTransform(id: string): void {
    this.db.prepare("DELETE FROM transforms WHERE id = ?").run(id);
  }
}
