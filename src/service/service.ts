/**
 * The delivery service: requests become transforms, transforms become one task per input file,
 * tasks run in worker threads (a fresh thread per attempt, so a deadline can stop even a task
 * stuck in a read), each with a deadline and bounded retries; failures keep the file, the stage
 * and the message. Transforms are content-addressed: the key hashes the query tree, the input
 * files' identities, the output format and the transformer version, so identical requests —
 * from anyone — attach to one transform, running or finished. All state is in SQLite; a new
 * service over the same folder carries on with unfinished transforms.
 */
import { Worker } from "node:worker_threads";
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { HepflowError, compiledModule } from "../util/index.js";
import { openFile } from "../root/index.js";
import { parseQueryText, canonicalQuery, toQastle, CompiledQuery, queryTree } from "../query/index.js";
import { ServiceStore, type FileRow, type TransformRow } from "./store.js";
import { resolveDataset } from "./dataset.js";
import type { TransformJob, TransformResult } from "./transformer.js";

/** Bumped whenever the transformer's output for a given query and input could change. */
export const TRANSFORMER_VERSION = "hepflow-transformer/1";
export const OUTPUT_FORMATS = ["root-file", "parquet", "arrow"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ServiceOptions {
  /** Folder for the database and the results. */
  dir: string;
  /** Concurrent file tasks (worker threads); default 2. */
  workers?: number;
  /** Seconds a file task may take before it is stopped; default 300. */
  deadlineSeconds?: number;
  /** Extra attempts after a retriable failure (open/read/deadline); default 2. */
  retries?: number;
  catalogue?: string;
  /** Folders local input files must be in; default the current folder. */
  allowedRoots?: string[];
  /** Results kept on disk; older complete transforms are evicted beyond it. Default 20 GB. */
  cacheBytes?: number;
  /** Unfinished transforms one user may have started (attaching to an existing one is free); default 10. */
  quota?: number;
}

/** A transform request (the body of POST /servicex/transformation, already validated). */
export interface TransformRequest {
  did?: string;
  files?: string[];
  selection: string;
  resultFormat?: OutputFormat;
  treeName?: string | null;
  title?: string;
}

/** What a user sees of a transform. */
export interface TransformStatusView {
  request_id: string;
  title: string;
  did: string;
  selection: string;
  "result-format": string;
  status: string;
  "files-total": number;
  "files-completed": number;
  "files-failed": number;
  "files-remaining": number;
  "events-processed": number;
  "rows-delivered": number;
  "bytes-delivered": number;
  "eta-seconds": number | null;
  "submit-time": string;
  "finish-time": string | null;
  "cache-key": string;
}

interface Running {
  worker: Worker;
  timer: NodeJS.Timeout;
  transformId: string;
  idx: number;
  events: number;
}

/** A 4xx-class problem with the request itself; the server answers it with `status`. */
export class RequestError extends HepflowError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

export class DeliveryService {
  readonly store: ServiceStore;
  private readonly queue: Array<{ id: string; idx: number }> = [];
  private readonly running = new Map<string, Running>();
  private readonly pending = new Map<string, Promise<{ id: string; cached: boolean }>>();
  private readonly workerUrl = compiledModule(import.meta.url, "./worker.js");
  private readonly waiters = new Map<string, Array<() => void>>();
  private closed = false;
  readonly o: Required<Omit<ServiceOptions, "catalogue">> & { catalogue?: string };

  constructor(options: ServiceOptions) {
    this.o = {
      workers: 2,
      deadlineSeconds: 300,
      retries: 2,
      allowedRoots: [process.cwd()],
      cacheBytes: 20e9,
      quota: 10,
      ...options,
    };
    this.o.allowedRoots = this.o.allowedRoots.map((r) => (fs.existsSync(r) ? fs.realpathSync(r) : path.resolve(r)));
    this.store = new ServiceStore(options.dir);
    this.resume();
  }

  /** Picks up transforms a previous server left unfinished. */
  private resume(): void {
    for (const t of this.store.unfinished()) {
      this.store.requeueRunning(t.id);
      for (const f of this.store.files(t.id)) if (f.status === "waiting") this.queue.push({ id: t.id, idx: f.idx });
    }
    this.pump();
  }

  private resultsDir(id: string): string {
    return path.join(this.o.dir, "results", id);
  }

  /** Submits (or attaches to) a transform; resolves once it is recorded. */
  async submit(user: string, req: TransformRequest): Promise<{ id: string; cached: boolean }> {
    let ast;
    try {
      ast = parseQueryText(req.selection);
    } catch (e) {
      throw new RequestError(400, (e as HepflowError).code ?? "QUERY_SYNTAX", (e as Error).message);
    }
    const format = req.resultFormat ?? "root-file";
    let files;
    try {
      files = resolveDataset(req.files ?? req.did ?? "", { catalogue: this.o.catalogue, allowedRoots: this.o.allowedRoots });
    } catch (e) {
      throw new RequestError((e as HepflowError).code === "DATASET_CATALOGUE" ? 500 : 400, (e as HepflowError).code ?? "DATASET", (e as Error).message);
    }
    const canonical = toQastle(canonicalQuery(ast));
    const key = createHash("sha256")
      .update(JSON.stringify({ q: canonical, tree: req.treeName ?? null, files: files.map((f) => f.identity), format, v: TRANSFORMER_VERSION }))
      .digest("hex");
    const existing = this.store.byCacheKey(key);
    if (existing) {
      this.store.attachUser(user, existing.id);
      return { id: existing.id, cached: existing.status === "Complete" };
    }
    let p = this.pending.get(key);
    if (!p) {
      const active = this.store.userTransforms(user).filter((t) => t.status === "Submitted" || t.status === "Running").length;
      if (active >= this.o.quota) throw new RequestError(429, "QUOTA", `${user} already has ${active} unfinished transforms (quota ${this.o.quota}); wait for one or cancel it`);
      p = this.create(key, ast, canonical, req, files, format).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    const r = await p;
    this.store.attachUser(user, r.id);
    return r;
  }

  private async create(key: string, ast: ReturnType<typeof parseQueryText>, canonical: string, req: TransformRequest, files: ReturnType<typeof resolveDataset>, format: OutputFormat): Promise<{ id: string; cached: boolean }> {
    // the query is checked against a file's schema before anything is queued: the first file that
    // opens (local files first; a broken or slow file is left to its own task and error record)
    const candidates = [...files.filter((f) => !/^[a-z]+:\/\//.test(f.path)), ...files.filter((f) => /^[a-z]+:\/\//.test(f.path))].slice(0, 3);
    const problems: string[] = [];
    let checked = false;
    for (const cand of candidates) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const limit = new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new HepflowError("SCHEMA_TIMEOUT", "no answer within 10 s")), Math.min(10, this.o.deadlineSeconds) * 1000);
        });
        const branches = await Promise.race([this.branchesOf(cand.path, req.treeName ?? queryTree(ast)), limit]);
        const cq = new CompiledQuery(ast, branches, req.selection);
        if (cq.plan.aggregate) throw new RequestError(400, "QUERY_TYPE", `the service delivers columns; .${cq.plan.aggregate.op}() of the whole dataset is for the client to compute from them`);
        checked = true;
        break;
      } catch (e) {
        if (e instanceof RequestError) throw e;
        const code = (e as HepflowError).code ?? "";
        if (code.startsWith("QUERY")) throw new RequestError(400, code, (e as Error).message);
        problems.push(`${cand.path}: ${(e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    if (!checked) throw new RequestError(422, "SCHEMA_UNAVAILABLE", `could not read the schema of any of the dataset's first files, so the query cannot be checked:\n${problems.join("\n")}`);
    const id = randomUUID();
    const row: TransformRow = {
      id,
      cache_key: key,
      title: req.title ?? "",
      did: req.did ?? `${files.length} files`,
      selection: canonical,
      tree: req.treeName ?? null,
      format,
      status: "Submitted",
      created: Date.now(),
      finished: null,
      files_total: files.length,
    };
    fs.mkdirSync(this.resultsDir(id), { recursive: true });
    this.store.insertTransform(row, files);
    files.forEach((_, idx) => this.queue.push({ id, idx }));
    this.pump();
    return { id, cached: false };
  }

  private async branchesOf(file: string, treeName: string | null) {
    const f = await openFile(file);
    try {
      if (treeName) return (await f.tree(treeName)).branches;
      const trees = (await f.keys()).filter((k) => k.className === "TTree" || /RNTuple$/.test(k.className));
      const [first] = trees;
      if (first === undefined) throw new HepflowError("SERVICE_NO_TREE", "the file holds no TTree or RNTuple");
      return (await f.tree(first.path)).branches;
    } finally {
      await f.close();
    }
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.o.workers && this.queue.length) {
      const task = this.queue.shift()!;
      const t = this.store.transform(task.id);
      if (!t || t.status === "Canceled") continue;
      const f = this.store.files(task.id)[task.idx];
      if (f?.status !== "waiting") continue;
      if (t.status === "Submitted") this.store.setStatus(t.id, "Running");
      this.start(t, f);
    }
  }

  private outputName(f: FileRow, format: string): string {
    const base =
      path
        .basename(f.path.replace(/[?#].*$/, ""))
        .replace(/[^A-Za-z0-9._-]/g, "_")
        .replace(/^\.+/, "")
        .replace(/\.root$/, "") || "file";
    return `${String(f.idx).padStart(4, "0")}_${base}.${format === "root-file" ? "root" : format}`;
  }

  private start(t: TransformRow, f: FileRow): void {
    const name = this.outputName(f, t.format);
    const job: TransformJob = { input: f.path, tree: t.tree, selection: t.selection, format: t.format as OutputFormat, output: path.join(this.resultsDir(t.id), name) };
    this.store.fileStarted(t.id, f.idx);
    const worker = new Worker(this.workerUrl, { workerData: job });
    const key = `${t.id}/${f.idx}`;
    let settled = false;
    const finish = (r: { result?: TransformResult; error?: { stage: string; message: string; retriable: boolean } }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.running.delete(key);
      void worker.terminate();
      if (this.closed) return;
      const cur = this.store.transform(t.id);
      if (!cur || cur.status === "Canceled") {
        this.pump();
        return;
      }
      if (r.result) this.store.fileDone(t.id, f.idx, { ...r.result, output: name });
      else {
        // by idx, not by position: the rows are the transform's files, but a position is no key
        const row = this.store.files(t.id).find((x) => x.idx === f.idx);
        const final = !r.error!.retriable || !row || row.attempts > this.o.retries;
        this.store.fileFailed(t.id, f.idx, r.error!.stage, r.error!.message, final);
        if (!final) this.queue.push({ id: t.id, idx: f.idx });
      }
      this.settle(t.id);
      this.pump();
    };
    const timer = setTimeout(() => finish({ error: { stage: "deadline", message: `no result within the ${this.o.deadlineSeconds} s deadline (the read or transform hung); stopped`, retriable: true } }), this.o.deadlineSeconds * 1000);
    worker.on("message", (m: { events?: number; result?: TransformResult; error?: { stage: string; message: string; retriable: boolean } }) => {
      if (m.events !== undefined) {
        const r = this.running.get(key);
        if (r) r.events = m.events;
        return;
      }
      finish(m);
    });
    worker.on("error", (e) => finish({ error: { stage: "worker", message: e.message, retriable: true } }));
    worker.on("exit", (code) => finish({ error: { stage: "worker", message: `the worker thread exited (code ${code})`, retriable: true } }));
    this.running.set(key, { worker, timer, transformId: t.id, idx: f.idx, events: 0 });
  }

  /** Marks a transform finished once no file is waiting or running. */
  private settle(id: string): void {
    const files = this.store.files(id);
    if (files.some((f) => f.status === "waiting" || f.status === "running")) return;
    this.store.setStatus(id, files.some((f) => f.status === "done") ? "Complete" : "Failed");
    // partial outputs of attempts stopped at their deadline (or by a kill) are never served; drop them
    const dir = this.resultsDir(id);
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (f.includes(".part-")) fs.rmSync(path.join(dir, f), { force: true });
    for (const w of this.waiters.get(id) ?? []) w();
    this.waiters.delete(id);
    this.evict();
  }

  /** Drops the oldest complete transforms while the results exceed the cache size. */
  private evict(): void {
    const complete = this.store
      .allTransforms()
      .filter((t) => t.status === "Complete")
      .sort((a, b) => (a.finished ?? 0) - (b.finished ?? 0));
    let total = complete.reduce((s, t) => s + this.store.files(t.id).reduce((x, f) => x + f.bytes, 0), 0);
    for (const t of complete) {
      if (total <= this.o.cacheBytes) break;
      total -= this.store.files(t.id).reduce((x, f) => x + f.bytes, 0);
      this.delete(t.id);
    }
  }

  /** Resolves when the transform has finished (for tests and the in-process client). */
  waitFor(id: string): Promise<void> {
    const t = this.store.transform(id);
    if (!t || ["Complete", "Failed", "Canceled"].includes(t.status)) return Promise.resolve();
    return new Promise((res) => (this.waiters.get(id) ?? this.waiters.set(id, []).get(id)!).push(res));
  }

  status(id: string): TransformStatusView {
    const t = this.store.transform(id);
    if (!t) throw new RequestError(404, "NOT_FOUND", `no transform ${id}`);
    const files = this.store.files(id);
    const done = files.filter((f) => f.status === "done"),
      failed = files.filter((f) => f.status === "failed");
    const remaining = files.length - done.length - failed.length;
    const times = done.filter((f) => f.started && f.finished).map((f) => f.finished! - f.started!);
    const per = times.length ? times.reduce((a, b) => a + b, 0) / times.length : null;
    return {
      request_id: t.id,
      title: t.title,
      did: t.did,
      selection: t.selection,
      "result-format": t.format,
      status: t.status,
      "files-total": files.length,
      "files-completed": done.length,
      "files-failed": failed.length,
      "files-remaining": t.status === "Canceled" ? 0 : remaining,
      // finished files, plus how far the running ones have got
      "events-processed": done.reduce((s, f) => s + f.events, 0) + [...this.running.values()].filter((r) => r.transformId === id).reduce((s, r) => s + r.events, 0),
      "rows-delivered": done.reduce((s, f) => s + f.rows, 0),
      "bytes-delivered": done.reduce((s, f) => s + f.bytes, 0),
      "eta-seconds": remaining === 0 ? 0 : per === null ? null : Math.round((per * remaining) / this.o.workers / 100) / 10,
      "submit-time": new Date(t.created).toISOString(),
      "finish-time": t.finished ? new Date(t.finished).toISOString() : null,
      "cache-key": t.cache_key,
    };
  }

  /** The error records of a transform's failed files: file, stage, message, attempts. */
  errors(id: string): Array<{ file: string; stage: string; message: string; attempts: number }> {
    if (!this.store.transform(id)) throw new RequestError(404, "NOT_FOUND", `no transform ${id}`);
    return this.store
      .files(id)
      .filter((f) => f.error_message && f.status === "failed")
      .map((f) => ({ file: f.path, stage: f.error_stage!, message: f.error_message!, attempts: f.attempts }));
  }

  results(id: string): Array<{ filename: string; size: number; events: number; rows: number; input: string }> {
    if (!this.store.transform(id)) throw new RequestError(404, "NOT_FOUND", `no transform ${id}`);
    return this.store
      .files(id)
      .filter((f) => f.status === "done" && f.output)
      .map((f) => ({ filename: f.output!, size: f.bytes, events: f.events, rows: f.rows, input: f.path }));
  }

  /**
   * The path of one result file. Only names the transform itself recorded are served, and the
   * resolved path must lie inside the transform's results folder: `../` cannot leave it.
   */
  resultPath(id: string, filename: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(filename) || filename.includes("..")) throw new RequestError(400, "BAD_FILENAME", `"${filename}" is not a result file name`);
    const known = this.results(id).find((r) => r.filename === filename);
    if (!known) throw new RequestError(404, "NOT_FOUND", `transform ${id} has no result "${filename}"`);
    const dir = fs.realpathSync(this.resultsDir(id));
    const p = fs.realpathSync(path.join(dir, filename));
    if (path.dirname(p) !== dir) throw new RequestError(400, "BAD_FILENAME", `"${filename}" is not a result file name`);
    return p;
  }

  cancel(id: string): void {
    const t = this.store.transform(id);
    if (!t) throw new RequestError(404, "NOT_FOUND", `no transform ${id}`);
    if (["Complete", "Failed", "Canceled"].includes(t.status)) return;
    this.store.setStatus(id, "Canceled");
    this.store.cancelFiles(id);
    for (const [k, r] of this.running)
      if (r.transformId === id) {
        clearTimeout(r.timer);
        void r.worker.terminate();
        this.running.delete(k);
      }
    for (const w of this.waiters.get(id) ?? []) w();
    this.waiters.delete(id);
    this.pump();
  }

  delete(id: string): void {
    this.cancel(id);
    fs.rmSync(this.resultsDir(id), { recursive: true, force: true });
    this.store.deleteTransform(id);
  }

  /** Transforms a user asked for (all of them for `null`: the operator's view). */
  list(user: string | null): TransformStatusView[] {
    return (user === null ? this.store.allTransforms() : this.store.userTransforms(user)).map((t) => this.status(t.id));
  }

  /** Stops the workers (their files stay "running" in the database and are resumed on the next start). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.running.values()].map((r) => {
        clearTimeout(r.timer);
        return r.worker.terminate();
      }),
    );
    this.running.clear();
    this.store.close();
  }
}
