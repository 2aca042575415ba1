/**
 * `hepflow ui`: the web app's HTTP server (fastify). It serves the page built by Vite
 * (dist/web-client, shipped in the package) and a JSON + server-sent-events API over one root
 * directory. Loopback binds answer requests addressed to this machine only (Host check against DNS
 * rebinding); any other bind needs the token printed at start (?token= once, then a cookie, or an
 * Authorization/X-Hepflow-Token header). No route runs a command line: runs start `hepflow run`
 * with validated options on a processor folder inside the root.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { HepflowError } from "../util/index.js";
import { drawFile, overlaySpec, type DrawRequest } from "./draw.js";
import { describeRootFile, listFolder, rootHistogramSpec } from "./files.js";
import { fitView, metricChart, trackingRuns, workflowView } from "./panels.js";
import { RunManager, type RunRequest } from "./runs.js";
import { checkRemoteUrl, CSP, IMAGE_CSP, LOOPBACK, loopbackHost, newToken, realRoot, remoteAllowList, resolveInRoot, resolveKind, sameToken, tokenOf } from "./security.js";

export interface UiOptions {
  /** Directory the file browser shows (and confines every path to). */
  root: string;
  host?: string;
  port?: number;
  /** Require this token (default: a fresh one when the host is not loopback, none on loopback). */
  token?: string;
  /** Where runs started from the page write (inside the root; default ROOT/hepflow-ui-runs). */
  runsDir?: string;
  /** Tracking store shown in the Tracking view (default HEPFLOW_TRACKING_DIR or ./hepflow-runs). */
  trackingDir?: string;
  /** The built page (default dist/web-client of this package). */
  clientDir?: string;
  /** Hosts ("host" or "host:port") whose http(s):// and root(s):// URLs the Files and Draw views may open; default none. */
  allowRemote?: string[];
  logger?: boolean;
}

export interface UiServer {
  app: FastifyInstance;
  url: string;
  /** The access token, when one is required. */
  token?: string;
  root: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".ico": "image/x-icon",
};

/** dist/web-client beside this module's layer (src/web or dist/web → PACKAGE/dist/web-client). */
export function defaultClientDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "web-client");
}

/** The built page's files, read once (a few files; the server never reads outside this folder for them). */
function loadClient(dir: string): Map<string, { body: Buffer; type: string }> {
  if (!existsSync(path.join(dir, "index.html"))) throw new HepflowError("UI_NOT_BUILT", "the web app is not built (npm run build runs tsc and vite build)", { file: dir });
  const files = new Map<string, { body: Buffer; type: string }>();
  const walk = (d: string, prefix: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${n}/`);
      else files.set(`/${prefix}${n}`, { body: readFileSync(p), type: TYPES[path.extname(n)] ?? "application/octet-stream" });
    }
  };
  walk(dir, "");
  return files;
}

const str = (q: Record<string, unknown>, k: string, max = 4096): string | undefined => {
  const v = q[k];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string" || v.length > max) throw new HepflowError("UI_BAD_REQUEST", `parameter ${k} must be a string of at most ${max} characters`);
  return v;
};
const num = (q: Record<string, unknown>, k: string): number | undefined => {
  const v = str(q, k, 40);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new HepflowError("UI_BAD_REQUEST", `parameter ${k} must be a number, not "${v}"`);
  return n;
};

/** Server-sent events on a hijacked reply; `send` returns false once the page went away. */
function sse(req: FastifyRequest, reply: FastifyReply): { send(event: string, data: unknown): boolean; end(): void; closed: () => boolean; signal: AbortSignal } {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no", "content-security-policy": CSP, "x-content-type-options": "nosniff" });
  const ac = new AbortController();
  req.raw.on("close", () => ac.abort());
  return {
    send(event, data) {
      if (ac.signal.aborted) return false;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      return true;
    },
    end() {
      if (!res.writableEnded) res.end();
    },
    closed: () => ac.signal.aborted,
    signal: ac.signal,
  };
}

function httpStatus(e: unknown): number {
  const code = e instanceof HepflowError ? e.code : "";
  if (code === "UI_PATH_REFUSED" || code === "UI_REMOTE_REFUSED") return 403;
  if (code === "UI_NOT_FOUND") return 404;
  if (code.startsWith("UI_") || code.startsWith("EXPR_") || code.startsWith("CLI_") || code.startsWith("PLOT_")) return 400;
  if (e instanceof HepflowError) return 422;
  return 500;
}

/** Builds the app (not listening yet). */
export async function buildUiServer(o: UiOptions): Promise<{ app: FastifyInstance; token?: string; root: string; runs: RunManager }> {
  const { default: Fastify } = await import("fastify");
  const root = realRoot(o.root);
  const host = o.host ?? "127.0.0.1";
  const token = o.token ?? (LOOPBACK.has(host) ? undefined : newToken());
  const client = loadClient(o.clientDir ?? defaultClientDir());
  const runsDir = path.resolve(root, o.runsDir ?? "hepflow-ui-runs");
  if (runsDir !== root && !runsDir.startsWith(root + path.sep)) throw new HepflowError("UI_BAD_REQUEST", "the runs folder must be inside the root (the page can only show what is under it)", { file: o.runsDir });
  const runs = new RunManager(root, runsDir);
  const trackingDir = path.resolve(o.trackingDir ?? process.env.HEPFLOW_TRACKING_DIR ?? "hepflow-runs");
  const allowRemote = remoteAllowList(o.allowRemote);
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: 64 * 1024 });

  app.addHook("onRequest", async (req, reply) => {
    reply
      .header("content-security-policy", CSP)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("x-frame-options", "DENY")
      .header("cross-origin-opener-policy", "same-origin")
      .header("cache-control", "no-store");
    const q = req.url.includes("?") ? req.url.slice(req.url.indexOf("?") + 1) : undefined;
    // another site's page may send simple GETs here (no-cors): the API answers the page's own origin only
    const site = req.headers["sec-fetch-site"];
    if (req.url.startsWith("/api/") && (site === "cross-site" || site === "same-site")) return reply.code(403).send({ code: "UI_FORBIDDEN_ORIGIN", message: "cross-site request refused" });
    if (token === undefined) {
      // loopback without token: only requests addressed to this machine (a page of another site pointed at 127.0.0.1 names its own host)
      if (!loopbackHost(req.headers.host)) return reply.code(403).send({ code: "UI_FORBIDDEN_HOST", message: "this server answers requests to localhost / 127.0.0.1 only" });
    } else {
      const given = tokenOf(req.headers, q);
      if (!sameToken(given, token)) return reply.code(401).send({ code: "UI_TOKEN_REQUIRED", message: "this server needs its access token (printed by hepflow ui at start): open the printed URL with ?token=…" });
      if (req.method === "GET" && q && new URLSearchParams(q).has("token") && !req.url.startsWith("/api/")) {
        // the token moves into an HttpOnly cookie and out of the address bar (and of the history)
        const rest = new URLSearchParams(q);
        rest.delete("token");
        const where = req.url.replace(/\?[\s\S]*$/, "") + (rest.size ? `?${rest}` : "");
        return reply.header("set-cookie", `hepflow_ui=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`).redirect(where, 303);
      }
    }
    // state-changing requests come from the page itself: JSON bodies only (a cross-site form cannot send one) and our own origin
    if (req.method !== "GET" && req.method !== "HEAD") {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) return reply.code(403).send({ code: "UI_FORBIDDEN_ORIGIN", message: "cross-origin request refused" });
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) return reply.code(415).send({ code: "UI_BAD_REQUEST", message: "send JSON (content-type: application/json)" });
    }
  });
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof HepflowError) return reply.code(httpStatus(err)).send({ code: err.code, message: err.message });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ code: "UI_BAD_REQUEST", message: err.message });
    return reply.code(500).send({ code: "UI_INTERNAL", message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: "UI_NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]}` }));

  // the page
  for (const [name, f] of client) {
    const route = name === "/index.html" ? "/" : name;
    app.get(route, async (_req, reply) =>
      reply
        .header("content-type", f.type)
        .header("cache-control", name.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-store")
        .send(f.body),
    );
  }

  const q = (req: FastifyRequest) => req.query as Record<string, unknown>;
  const rel = (p: string) => path.relative(root, p).split(path.sep).join("/");

  app.get("/api/info", async () => ({ root: path.basename(root), tokenRequired: token !== undefined, trackingStore: existsSync(trackingDir), runsDir: rel(runsDir), allowRemote: [...allowRemote] }));

  /** The file a request names: `url=` (a checked remote URL) or `path=` (inside the root). */
  const fileOf = (query: Record<string, unknown>): { file: string; shown: string } => {
    const url = str(query, "url");
    if (url !== undefined) return { file: checkRemoteUrl(url, allowRemote), shown: url };
    const file = resolveKind(root, str(query, "path"), "file");
    return { file, shown: rel(file) };
  };

  app.get("/api/files", async (req) => {
    const dir = resolveKind(root, str(q(req), "path"), "dir");
    return { path: rel(dir), entries: listFolder(root, dir) };
  });
  app.get("/api/root", async (req) => {
    const { file, shown } = fileOf(q(req));
    return { path: shown, ...(await describeRootFile(file)) };
  });
  app.get("/api/root/hist", async (req) => {
    const { file } = fileOf(q(req));
    const object = str(q(req), "object");
    if (!object) throw new HepflowError("UI_BAD_REQUEST", "which histogram? (object=…)");
    return rootHistogramSpec(file, object, { logY: str(q(req), "log") === "1", ratioTo: str(q(req), "ratio") });
  });

  // Draw: the histogram fills as chunks are read (server-sent events "partial", then "done" or "failed")
  app.get("/api/draw", async (req, reply) => {
    const query = q(req);
    const { file } = fileOf(query);
    const expr = str(query, "expr", 2000);
    if (!expr) throw new HepflowError("UI_BAD_REQUEST", "an expression to draw (expr=…)");
    const lo = num(query, "lo"),
      hi = num(query, "hi");
    const r: DrawRequest = {
      tree: str(query, "tree", 500),
      expr,
      where: str(query, "where", 2000),
      weight: str(query, "weight", 2000),
      bins: num(query, "bins"),
      range: lo !== undefined && hi !== undefined ? [lo, hi] : undefined,
      logY: str(query, "log") === "1",
      stepSize: num(query, "step"),
    };
    if (r.bins !== undefined && (!Number.isInteger(r.bins) || r.bins < 1 || r.bins > 10000)) throw new HepflowError("UI_BAD_REQUEST", "bins must be an integer in [1, 10000]");
    if (r.stepSize !== undefined && (!Number.isInteger(r.stepSize) || r.stepSize < 1000)) throw new HepflowError("UI_BAD_REQUEST", "step must be an integer ≥ 1000");
    if (r.range && !(r.range[1] > r.range[0])) throw new HepflowError("UI_BAD_REQUEST", "the range needs lo < hi");
    const out = sse(req, reply);
    try {
      const t0 = performance.now();
      const h = await drawFile(file, r, (p, done, total) => out.send("partial", { ...p, done, total }), out.signal);
      out.send("done", { ...h, done: h.events, total: h.events, ms: performance.now() - t0 });
    } catch (e) {
      out.send("failed", { code: e instanceof HepflowError ? e.code : "UI_INTERNAL", message: (e as Error).message });
    }
    out.end();
  });
  app.post("/api/plot/overlay", async (req) => {
    const b = req.body as { hists?: unknown; normalise?: boolean; logY?: boolean; xTitle?: string };
    if (!Array.isArray(b?.hists) || b.hists.length > 20) throw new HepflowError("UI_BAD_REQUEST", "hists: a list of at most 20 histograms");
    for (const h of b.hists as Array<Record<string, unknown>>) {
      if (typeof h.label !== "string" || !Array.isArray(h.edges) || !Array.isArray(h.values) || !h.edges.every((x) => typeof x === "number") || !h.values.every((x) => typeof x === "number"))
        throw new HepflowError("UI_BAD_REQUEST", "each histogram needs label, edges and values (numbers)");
    }
    return {
      spec: overlaySpec(b.hists as Array<{ label: string; edges: number[]; values: number[]; variances?: number[] }>, { normalise: b.normalise === true, logY: b.logY === true, xTitle: typeof b.xTitle === "string" ? b.xTitle : undefined }),
    };
  });

  // Runs in progress
  app.get("/api/runs", async () => ({ runsDir: rel(runsDir), runs: runs.list() }));
  app.post("/api/runs", async (req, reply) => {
    const b = req.body as RunRequest;
    if (typeof b?.processor !== "string" || typeof b.dataset !== "string") throw new HepflowError("UI_BAD_REQUEST", "processor and dataset: paths inside the root");
    const allowed = new Set(["processor", "dataset", "workers", "chunkSize", "maxFiles", "params"]);
    const extra = Object.keys(b).filter((k) => !allowed.has(k));
    if (extra.length) throw new HepflowError("UI_BAD_REQUEST", `unknown field(s) ${extra.join(", ")}; a run takes ${[...allowed].join(", ")}`);
    if (b.params !== undefined && (typeof b.params !== "object" || b.params === null || Array.isArray(b.params))) throw new HepflowError("UI_BAD_REQUEST", "params: an object of name → value");
    return reply.code(201).send(runs.start(b));
  });
  app.post("/api/runs/:id/stop", async (req) => {
    runs.stop((req.params as { id: string }).id);
    return { stopping: true };
  });
  app.get("/api/runs/:id", async (req) => runs.view((req.params as { id: string }).id, true, pickOf(q(req))));
  app.get("/api/runs/:id/events", async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const pick = pickOf(q(req));
    runs.view(id, false); // 404 before the stream starts
    const out = sse(req, reply);
    let last = "";
    const over = (state: string) => state !== "running" && state !== "starting";
    // the run replaces live.json 5×/s; polling it at 10 Hz loses nothing the page can show
    while (!out.closed()) {
      try {
        let stamp = "";
        try {
          const st = statSync(runs.liveFile(id));
          stamp = `${st.mtimeMs}:${st.size}`;
        } catch {
          /* not written yet */
        }
        if (stamp !== last || over(runs.view(id, false).state)) {
          last = stamp;
          const v = runs.view(id, true, pick);
          out.send("update", v);
          if (over(v.state)) {
            out.send("end", { state: v.state });
            break;
          }
        }
      } catch (e) {
        out.send("failed", { message: (e as Error).message });
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    out.end();
  });

  // Fits, tracking, workflows
  app.get("/api/fit", async (req) => fitView(resolveKind(root, str(q(req), "path"), "file"), { cls: str(q(req), "cls") !== "0", ranking: str(q(req), "ranking") !== "0" }));
  app.get("/api/tracking/runs", async (req) => trackingRuns(trackingDir, str(q(req), "filter", 2000)));
  app.get("/api/tracking/metric", async (req) => {
    const ids = (str(q(req), "runs", 4000) ?? "").split(",").filter((x) => /^[0-9a-f]{32}$/.test(x));
    const key = str(q(req), "key", 250);
    if (!ids.length || !key) throw new HepflowError("UI_BAD_REQUEST", "runs=ID,… and key=METRIC");
    return { spec: await metricChart(trackingDir, ids, key) };
  });
  app.get("/api/workflows", async () => {
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      if (names.includes("_hepflow") && existsSync(path.join(dir, "_hepflow", "state.json"))) found.push(rel(dir));
      if (depth === 0) return;
      for (const n of names)
        if (!n.startsWith(".") && !n.startsWith("_") && n !== "node_modules") {
          const p = path.join(dir, n);
          try {
            if (statSync(p).isDirectory()) walk(p, depth - 1);
          } catch {
            /* vanished */
          }
        }
    };
    walk(root, 3);
    return { runs: found.sort() };
  });
  app.get("/api/workflow", async (req) => {
    const { svg: _svg, ...rest } = await workflowView(resolveKind(root, str(q(req), "path"), "dir"));
    return rest;
  });
  app.get("/api/workflow/dag.svg", async (req, reply) => {
    const v = await workflowView(resolveKind(root, str(q(req), "path"), "dir"));
    return reply.header("content-type", "image/svg+xml").header("content-security-policy", IMAGE_CSP).send(v.svg);
  });
  app.get("/api/workflow/log", async (req, reply) => {
    const dir = resolveKind(root, str(q(req), "path"), "dir");
    const step = str(q(req), "step", 500);
    const v = await workflowView(dir);
    const s = v.steps.find((x) => x.name === step);
    if (!s?.log) throw new HepflowError("UI_NOT_FOUND", `no log for step ${step}`);
    const file = resolveInRoot(root, path.relative(root, path.join(dir, s.log)));
    const text = readFileSync(file, "utf8");
    return reply.header("content-type", "text/plain; charset=utf-8").send(text.length > 200_000 ? text.slice(-200_000) : text);
  });

  app.addHook("onClose", async () => runs.closeAll());
  return { app, token, root, runs };
}

function pickOf(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (k.startsWith("pick.") && typeof v === "string" && v.length <= 200) out[k.slice(5)] = v;
  return out;
}

/** Builds and starts the app; resolves once it listens. */
export async function startUi(o: UiOptions): Promise<UiServer> {
  const host = o.host ?? "127.0.0.1";
  const { app, token, root } = await buildUiServer({ ...o, host });
  await app.listen({ host, port: o.port ?? 8765 });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : (o.port ?? 8765);
  const shown = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shown}:${port}/${token ? `?token=${token}` : ""}`;
  return { app, url, token, root, close: () => app.close() };
}
