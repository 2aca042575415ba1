/**
 * `hepflow tracking serve`: the subset of MLflow's REST API (2.0) that clients use to log and read runs,
 * over the run store, so `MLFLOW_TRACKING_URI=http://127.0.0.1:PORT` makes an MLflow client log into hepflow.
 * Binds 127.0.0.1 by default; any other address needs a token (sent as `Authorization: Bearer …`,
 * which is what MLflow clients send for MLFLOW_TRACKING_TOKEN). Request data is only ever parsed, never run.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { timingSafeEqual } from "node:crypto";
import { HepflowError } from "../util/index.js";
import { matches, parseFilter } from "./filter.js";
import { RUN_STATUSES, type Experiment, type Metric, type Run, type RunInfo, type RunStatus, type TrackingStore } from "./store.js";

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Required unless the host is a loopback address. */
  token?: string;
  logger?: boolean;
}

/** MLflow's error codes and the HTTP statuses its server answers them with. */
const HTTP_STATUS: Record<string, number> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  INTERNAL_ERROR: 500,
};

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

type Body = Record<string, unknown>;

function str(b: Body, key: string, required = true): string | undefined {
  const v = b[key];
  if (v === undefined || v === null || v === "") {
    if (required) throw new ApiError("INVALID_PARAMETER_VALUE", `Missing value for required parameter '${key}'.`);
    return undefined;
  }
  if (typeof v !== "string" && typeof v !== "number") throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value ${JSON.stringify(v)} for parameter '${key}': expected a string.`);
  return String(v);
}

/** int64 fields arrive as JSON numbers or (proto3 JSON) as decimal strings. */
function int(b: Body, key: string, required = false): number | undefined {
  const v = b[key];
  if (v === undefined || v === null || v === "") {
    if (required) throw new ApiError("INVALID_PARAMETER_VALUE", `Missing value for required parameter '${key}'.`);
    return undefined;
  }
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value ${JSON.stringify(v)} for parameter '${key}': expected an integer.`);
  return n;
}

/** Doubles: JSON numbers, or the strings proto3 JSON uses for non-finite values. */
function dbl(b: Body, key: string): number {
  const v = b[key];
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  if (v === undefined || v === null) throw new ApiError("INVALID_PARAMETER_VALUE", `Missing value for required parameter '${key}'.`);
  throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value ${JSON.stringify(v)} for parameter '${key}': expected a number.`);
}

function keyValues(b: Body, key: string): Array<{ key: string; value: string }> {
  const v = b[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value for parameter '${key}': expected a list.`);
  return v.map((x, i) => {
    if (!x || typeof x !== "object") throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value for parameter '${key}[${i}]': expected an object.`);
    const o = x as Body;
    return { key: str(o, "key")!, value: o.value === undefined || o.value === null ? "" : String(o.value) };
  });
}

function runId(b: Body): string {
  const id = str(b, "run_id", false) ?? str(b, "run_uuid", false);
  if (!id) throw new ApiError("INVALID_PARAMETER_VALUE", "Missing value for required parameter 'run_id'.");
  return id;
}

function jsonValue(v: number): number | string {
  return Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : v;
}

function metricJson(m: Metric) {
  return { key: m.key, value: jsonValue(m.value), timestamp: m.timestamp, step: m.step };
}

function runInfoJson(i: RunInfo) {
  return {
    run_id: i.runId,
    run_uuid: i.runId,
    run_name: i.runName,
    experiment_id: i.experimentId,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    ...(i.endTime !== null ? { end_time: i.endTime } : {}),
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
  };
}

function runJson(r: Run) {
  return {
    info: runInfoJson(r.info),
    data: {
      metrics: Object.values(r.metrics).map(metricJson),
      params: Object.entries(r.params).map(([key, value]) => ({ key, value })),
      tags: Object.entries(r.tags).map(([key, value]) => ({ key, value })),
    },
    inputs: {},
  };
}

function experimentJson(e: Experiment) {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: Object.entries(e.tags).map(([key, value]) => ({ key, value })),
  };
}

function pageOffset(token: unknown): number {
  if (token === undefined || token === null || token === "") return 0;
  try {
    const o = JSON.parse(Buffer.from(String(token), "base64").toString("utf8")) as { offset?: unknown };
    if (typeof o.offset === "number" && Number.isInteger(o.offset) && o.offset >= 0) return o.offset;
  } catch {
    /* fall through */
  }
  throw new ApiError("INVALID_PARAMETER_VALUE", "Invalid page token.");
}
const pageToken = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString("base64");

const VIEW_TYPES = new Set(["ACTIVE_ONLY", "DELETED_ONLY", "ALL"]);
function viewType(v: unknown): "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL" {
  if (v === undefined || v === null || v === "") return "ACTIVE_ONLY";
  const s = typeof v === "number" ? ["", "ACTIVE_ONLY", "DELETED_ONLY", "ALL"][v] : String(v);
  if (!s || !VIEW_TYPES.has(s)) throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid view type ${JSON.stringify(v)}.`);
  return s as "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
}

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Splits an artifact route path `<exp>/<run>/artifacts/<rel>` into the run and the path inside it. */
function artifactTarget(store: TrackingStore, p: string): { runId: string; rel: string } {
  const parts = p.split("/").filter((x) => x !== "");
  const [experimentId, runId, artifacts, ...rel] = parts;
  if (parts.some((x) => x === "..") || experimentId === undefined || runId === undefined || artifacts !== "artifacts")
    throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid artifact path '${p}': expected <experiment_id>/<run_id>/artifacts/<path>.`);
  const info = store.getRunInfo(runId);
  if (info.experimentId !== experimentId) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `Run '${runId}' is not in experiment '${experimentId}'.`);
  return { runId, rel: rel.join("/") };
}

/** The direct children of a folder in a run's artifacts, as MLflow lists them (path relative to the folder). */
function listChildren(store: TrackingStore, runId: string, rel: string): Array<{ path: string; is_dir: boolean; file_size?: number }> {
  const prefix = rel ? rel.replace(/\/+$/, "") + "/" : "";
  const seen = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
  for (const a of store.listArtifacts(runId)) {
    if (!a.path.startsWith(prefix)) continue;
    const rest = a.path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash < 0) seen.set(rest, { path: rest, is_dir: false, file_size: a.size });
    else if (!seen.has(rest.slice(0, slash))) seen.set(rest.slice(0, slash), { path: rest.slice(0, slash), is_dir: true });
  }
  return [...seen.values()];
}

/** Builds the fastify app (not listening): tests inject requests into it. */
export async function buildTrackingServer(store: TrackingStore, o: ServeOptions = {}): Promise<FastifyInstance> {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: 64 * 1024 * 1024 });
  if (o.token) {
    const want = Buffer.from(`Bearer ${o.token}`);
    app.addHook("onRequest", async (req, reply) => {
      const got = Buffer.from(String(req.headers.authorization ?? ""));
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        await reply.code(401).send({ error_code: "UNAUTHENTICATED", message: "A valid token is required (Authorization: Bearer <token>)." });
      }
    });
  }
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ApiError) return reply.code(HTTP_STATUS[err.code] ?? 400).send({ error_code: err.code, message: err.message });
    if (err instanceof HepflowError) {
      const status = HTTP_STATUS[err.code];
      return status ? reply.code(status).send({ error_code: err.code, message: err.message }) : reply.code(400).send({ error_code: "INVALID_PARAMETER_VALUE", message: err.message });
    }
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error_code: "MALFORMED_REQUEST", message: err.message });
    return reply.code(500).send({ error_code: "INTERNAL_ERROR", message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error_code: "ENDPOINT_NOT_FOUND", message: `No API endpoint ${req.method} ${req.url.split("?")[0]}.` }));

  const body = (req: FastifyRequest): Body => {
    const b = req.method === "GET" ? req.query : req.body;
    if (b === undefined || b === null) return {};
    if (typeof b !== "object" || Array.isArray(b) || Buffer.isBuffer(b)) throw new ApiError("MALFORMED_REQUEST", "The request body must be a JSON object (Content-Type: application/json).");
    return b as Body;
  };
  const API = "/api/2.0/mlflow";
  const route = (methods: Array<"GET" | "POST">, p: string, h: (b: Body) => unknown) => {
    for (const m of methods) for (const prefix of [API, "/api/2.0/preview/mlflow", "/ajax-api/2.0/mlflow"]) app.route({ method: m, url: prefix + p, handler: async (req: FastifyRequest) => (await h(body(req))) ?? {} });
  };

  // ---- experiments
  route(["POST"], "/experiments/create", (b) => {
    const tags = Object.fromEntries(keyValues(b, "tags").map((t) => [t.key, t.value]));
    return { experiment_id: store.createExperiment(str(b, "name")!, { artifactLocation: str(b, "artifact_location", false), tags }) };
  });
  route(["GET"], "/experiments/get", (b) => ({ experiment: experimentJson(store.getExperiment(str(b, "experiment_id")!)) }));
  route(["GET"], "/experiments/get-by-name", (b) => {
    const name = str(b, "experiment_name")!;
    const e = store.getExperimentByName(name);
    if (!e) throw new ApiError("RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name '${name}'`);
    return { experiment: experimentJson(e) };
  });
  route(["GET", "POST"], "/experiments/search", (b) => {
    const max = int(b, "max_results") ?? 1000;
    if (max < 1 || max > 50_000) throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value ${max} for parameter 'max_results' supplied: it must be in [1, 50000].`);
    const filter = str(b, "filter", false);
    let exps = store.listExperiments(viewType(b.view_type));
    if (filter) {
      // experiments filter on name and tags; reuse the run filter grammar by viewing an experiment as a run
      const clauses = parseFilter(filter);
      exps = exps.filter((e) => matches({ attributes: { name: e.name, experiment_id: e.experimentId, creation_time: e.creationTime, last_update_time: e.lastUpdateTime }, metrics: {}, params: {}, tags: e.tags }, clauses));
    }
    const off = pageOffset(b.page_token);
    const page = exps.slice(off, off + max);
    return { experiments: page.map(experimentJson), ...(off + max < exps.length ? { next_page_token: pageToken(off + max) } : {}) };
  });
  route(["POST"], "/experiments/delete", (b) => {
    store.setExperimentStage(str(b, "experiment_id")!, "deleted");
  });
  route(["POST"], "/experiments/restore", (b) => {
    store.setExperimentStage(str(b, "experiment_id")!, "active");
  });
  route(["POST"], "/experiments/set-experiment-tag", (b) => {
    store.setExperimentTag(str(b, "experiment_id")!, str(b, "key")!, String(b.value ?? ""));
  });

  // ---- runs
  route(["POST"], "/runs/create", (b) => {
    const tags = Object.fromEntries(keyValues(b, "tags").map((t) => [t.key, t.value]));
    const info = store.startRun({
      experimentId: str(b, "experiment_id", false) ?? "0",
      userId: str(b, "user_id", false),
      startTime: int(b, "start_time"),
      // a parent named by the mlflow.parentRunId tag is recorded as given (MLflow does not check it)
      runName: str(b, "run_name", false),
      tags,
      source: tags["mlflow.source.name"] ?? "",
      gitDir: undefined,
    });
    return { run: runJson(store.getRun(info.runId)) };
  });
  route(["GET"], "/runs/get", (b) => ({ run: runJson(store.getRun(runId(b))) }));
  route(["POST"], "/runs/update", (b) => {
    const status = str(b, "status", false);
    if (status !== undefined && !RUN_STATUSES.includes(status as RunStatus)) throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value '${status}' for parameter 'status': one of ${RUN_STATUSES.join(", ")}.`);
    return { run_info: runInfoJson(store.updateRun(runId(b), { status: status as RunStatus | undefined, endTime: int(b, "end_time"), runName: str(b, "run_name", false) })) };
  });
  route(["POST"], "/runs/delete", (b) => {
    store.deleteRun(runId(b));
  });
  route(["POST"], "/runs/restore", (b) => {
    store.restoreRun(runId(b));
  });
  route(["POST"], "/runs/log-metric", (b) => {
    store.logMetrics(runId(b), [{ key: str(b, "key")!, value: dbl(b, "value"), timestamp: int(b, "timestamp", true), step: int(b, "step") ?? 0 }]);
  });
  route(["POST"], "/runs/log-parameter", (b) => {
    store.logParams(runId(b), { [str(b, "key")!]: String(b.value ?? "") });
  });
  route(["POST"], "/runs/set-tag", (b) => {
    store.setTags(runId(b), { [str(b, "key")!]: String(b.value ?? "") });
  });
  route(["POST"], "/runs/delete-tag", (b) => {
    store.deleteTag(runId(b), str(b, "key")!);
  });
  route(["POST"], "/runs/log-batch", (b) => {
    const id = runId(b);
    const metrics = Array.isArray(b.metrics) ? b.metrics : b.metrics === undefined ? [] : null;
    if (metrics === null) throw new ApiError("INVALID_PARAMETER_VALUE", "Invalid value for parameter 'metrics': expected a list.");
    const params = keyValues(b, "params"),
      tags = keyValues(b, "tags");
    // MLflow's documented limits for one batch
    if (metrics.length > 1000 || params.length > 100 || tags.length > 100 || metrics.length + params.length + tags.length > 1000)
      throw new ApiError("INVALID_PARAMETER_VALUE", `A batch logging request can contain at most 1000 metrics, 100 params and 100 tags (1000 in all); got ${metrics.length}, ${params.length}, ${tags.length}.`);
    const ms = metrics.map((m, i) => {
      if (!m || typeof m !== "object") throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value for parameter 'metrics[${i}]'.`);
      const o = m as Body;
      return { key: str(o, "key")!, value: dbl(o, "value"), timestamp: int(o, "timestamp", true), step: int(o, "step") ?? 0 };
    });
    if (params.length) store.logParams(id, Object.fromEntries(params.map((p) => [p.key, p.value])));
    if (ms.length) store.logMetrics(id, ms);
    if (tags.length) store.setTags(id, Object.fromEntries(tags.map((t) => [t.key, t.value])));
  });
  route(["GET", "POST"], "/runs/search", (b) => {
    const max = int(b, "max_results") ?? 1000;
    if (max < 1 || max > 50_000) throw new ApiError("INVALID_PARAMETER_VALUE", `Invalid value ${max} for parameter 'max_results' supplied: it must be in [1, 50000].`);
    const experimentIds = list(b.experiment_ids);
    for (const e of experimentIds) store.getExperiment(e);
    const off = pageOffset(b.page_token);
    const runs = store.searchRuns({ experimentIds, filter: str(b, "filter", false), orderBy: list(b.order_by), viewType: viewType(b.run_view_type), maxResults: max + 1, offset: off });
    return { runs: runs.slice(0, max).map(runJson), ...(runs.length > max ? { next_page_token: pageToken(off + max) } : {}) };
  });
  route(["GET"], "/metrics/get-history", (b) => {
    const all = store.metricHistory(runId(b), str(b, "metric_key")!);
    const max = int(b, "max_results") ?? 25_000;
    const off = pageOffset(b.page_token);
    return { metrics: all.slice(off, off + max).map(metricJson), ...(off + max < all.length ? { next_page_token: pageToken(off + max) } : {}) };
  });
  route(["GET"], "/artifacts/list", (b) => {
    const id = runId(b);
    const rel = str(b, "path", false) ?? "";
    return { root_uri: store.getRunInfo(id).artifactUri, files: listChildren(store, id, rel).map((f) => ({ ...f, path: rel ? `${rel.replace(/\/+$/, "")}/${f.path}` : f.path })) };
  });

  // ---- proxied artifacts: mlflow-artifacts:/<exp>/<run>/artifacts/<path>
  const ART = "/api/2.0/mlflow-artifacts/artifacts";
  // uploads are stored byte for byte whatever their content type: a scope with only a raw-bytes parser
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", { parseAs: "buffer" }, (_req, b, done) => done(null, b));
    raw.put(`${ART}/*`, async (req: FastifyRequest<{ Params: { "*": string } }>) => {
      const t = artifactTarget(store, req.params["*"]);
      if (!t.rel) throw new ApiError("INVALID_PARAMETER_VALUE", "An artifact upload needs a file path after artifacts/.");
      const b = req.body;
      store.logArtifact(t.runId, Buffer.isBuffer(b) ? b : Buffer.alloc(0), t.rel);
      return {};
    });
  });
  app.get(`${ART}/*`, async (req: FastifyRequest<{ Params: { "*": string } }>, reply: FastifyReply) => {
    const t = artifactTarget(store, req.params["*"]);
    const bytes = store.readArtifact(t.runId, t.rel);
    return reply.header("content-type", "application/octet-stream").send(bytes);
  });
  app.get(ART, async (req: FastifyRequest<{ Querystring: { path?: string } }>) => {
    const p = req.query.path ?? "";
    if (!p) return { files: store.listExperiments().map((e) => ({ path: e.experimentId, is_dir: true })) };
    const t = artifactTarget(store, p);
    return { files: listChildren(store, t.runId, t.rel) };
  });
  return app;
}

/** Starts the server; refuses a non-loopback bind without a token. Resolves to the listening address. */
export async function serveTracking(store: TrackingStore, o: ServeOptions = {}): Promise<{ app: FastifyInstance; url: string }> {
  const host = o.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host) && !o.token) throw new HepflowError("CLI_OPTION", `binding ${host} exposes the run store beyond this machine: pass --token (or HEPFLOW_TRACKING_TOKEN) so clients must authenticate`);
  const app = await buildTrackingServer(store, o);
  const url = await app.listen({ host, port: o.port ?? 5000 });
  return { app, url };
}
