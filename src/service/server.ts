/**
 * `hepflow serve`: the delivery service's HTTP API, shaped after ServiceX's REST endpoints
 * (`/servicex/transformation…`). Every request body and parameter is validated by a JSON schema
 * (fastify + ajv); bodies above 64 KiB are refused. Authentication is `Authorization: Bearer
 * <token>` with tokens issued by `hepflow serve token add`; a server on a loopback address also
 * serves local requests that carry no token (user "local"), any other bind requires a token on
 * every request. The query in a request is parsed as data and translated to column kernels —
 * never evaluated as code.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import * as fs from "node:fs";
import { HepflowError } from "../util/index.js";
import { type DeliveryService, RequestError, OUTPUT_FORMATS, TRANSFORMER_VERSION, type TransformRequest } from "./service.js";

export interface ServerOptions {
  host?: string;
  port?: number;
  /** Refuse requests without a token even on loopback. */
  requireToken?: boolean;
  logger?: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

const ID = { type: "string", pattern: "^[0-9a-f-]{36}$" } as const;
const idParams = { type: "object", required: ["id"], properties: { id: ID }, additionalProperties: false } as const;

/** JSON schemas of the API, by route (also printed in docs/delivery.md). */
export const SCHEMAS = {
  submit: {
    body: {
      type: "object",
      required: ["selection"],
      additionalProperties: false,
      properties: {
        did: { type: "string", minLength: 1, maxLength: 4096, description: "dataset: path, glob, URL, or catalogue name; ?files=N for the first N files" },
        "file-list": { type: "array", minItems: 1, maxItems: 10000, items: { type: "string", minLength: 1, maxLength: 4096 } },
        selection: { type: "string", minLength: 1, maxLength: 32768, description: "the query: qastle text or func_adl Python" },
        "result-format": { type: "string", enum: [...OUTPUT_FORMATS] },
        "tree-name": { type: "string", minLength: 1, maxLength: 256 },
        title: { type: "string", maxLength: 256 },
        codegen: { type: "string", maxLength: 64, description: "accepted for ServiceX clients; hepflow has one code generator (uproot-like)" },
      },
      oneOf: [{ required: ["did"] }, { required: ["file-list"] }],
    },
  },
  byId: { params: idParams },
  file: { params: { type: "object", required: ["id", "filename"], properties: { id: ID, filename: { type: "string", minLength: 1, maxLength: 255 } }, additionalProperties: false } },
} as const;

/** Builds the fastify app over a service (not listening yet). */
export async function buildServer(service: DeliveryService, o: ServerOptions = {}): Promise<FastifyInstance> {
  const { default: Fastify } = await import("fastify");
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: 64 * 1024, ajv: { customOptions: { allErrors: false, coerceTypes: false, removeAdditional: false } } });
  const openLocal = LOOPBACK.has(o.host ?? "127.0.0.1") && !o.requireToken;

  app.decorateRequest("user", "");
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    const h = req.headers.authorization;
    if (h !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_-]{8,200})$/.exec(h);
      const token = m?.[1];
      const user = token === undefined ? null : service.store.userOfToken(token);
      if (!user) return reply.code(401).send({ code: "UNAUTHENTICATED", message: "the bearer token is not valid (ask the operator for one: hepflow serve token add NAME)" });
      (req as unknown as { user: string }).user = user;
      return;
    }
    if (openLocal) {
      (req as unknown as { user: string }).user = "local";
      return;
    }
    return reply.code(401).send({ code: "UNAUTHENTICATED", message: "this service needs `Authorization: Bearer <token>`" });
  });
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, _req, reply) => {
    if (err instanceof RequestError) return reply.code(err.status).send({ code: err.code, message: err.message });
    if (err.validation) return reply.code(400).send({ code: "INVALID_REQUEST", message: err.message });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ code: err.code ?? "BAD_REQUEST", message: err.message });
    if (err instanceof HepflowError) return reply.code(500).send({ code: err.code, message: err.message });
    return reply.code(500).send({ code: "INTERNAL_ERROR", message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: "ENDPOINT_NOT_FOUND", message: `no endpoint ${req.method} ${req.url.split("?")[0]}` }));

  const userOf = (req: FastifyRequest): string => (req as unknown as { user: string }).user;
  /** A transform the requesting user asked for (others' transforms are invisible: 404). */
  const own = (req: FastifyRequest, id: string): void => {
    if (!service.store.userHas(userOf(req), id)) throw new RequestError(404, "NOT_FOUND", `no transform ${id}`);
  };

  app.get("/servicex", async () => ({
    "app-version": TRANSFORMER_VERSION,
    "code-gen-image": { uproot: "hepflow query → column kernels" },
    capabilities: ["func_adl-python", "qastle", "server-cache", "deadlines", "retries", "error-records", "resume"],
    "result-formats": [...OUTPUT_FORMATS],
    "query-languages": ["qastle", "python"],
  }));

  app.post("/servicex/transformation", { schema: SCHEMAS.submit }, async (req, reply) => {
    const b = req.body as Record<string, unknown>;
    const r: TransformRequest = {
      did: b.did as string | undefined,
      files: b["file-list"] as string[] | undefined,
      selection: b.selection as string,
      resultFormat: b["result-format"] as TransformRequest["resultFormat"],
      treeName: (b["tree-name"] as string | undefined) ?? null,
      title: b.title as string | undefined,
    };
    const { id, cached } = await service.submit(userOf(req), r);
    return reply.code(cached ? 200 : 201).send({ request_id: id, cached });
  });
  app.get("/servicex/transformation", async (req) => ({ requests: service.list(userOf(req)) }));
  app.get("/servicex/transformation/:id", { schema: SCHEMAS.byId }, async (req) => {
    const { id } = req.params as { id: string };
    own(req, id);
    return service.status(id);
  });
  app.get("/servicex/transformation/:id/errors", { schema: SCHEMAS.byId }, async (req) => {
    const { id } = req.params as { id: string };
    own(req, id);
    return { errors: service.errors(id) };
  });
  app.get("/servicex/transformation/:id/results", { schema: SCHEMAS.byId }, async (req) => {
    const { id } = req.params as { id: string };
    own(req, id);
    return { results: service.results(id).map((r) => ({ ...r, url: `/servicex/transformation/${id}/results/${encodeURIComponent(r.filename)}` })) };
  });
  app.get("/servicex/transformation/:id/results/:filename", { schema: SCHEMAS.file }, async (req, reply) => {
    const { id, filename } = req.params as { id: string; filename: string };
    own(req, id);
    const p = service.resultPath(id, filename);
    return reply.header("content-type", "application/octet-stream").header("content-length", fs.statSync(p).size).send(fs.createReadStream(p));
  });
  const cancel = async (req: FastifyRequest) => {
    const { id } = req.params as { id: string };
    own(req, id);
    service.cancel(id);
    return service.status(id);
  };
  app.get("/servicex/transformation/:id/cancel", { schema: SCHEMAS.byId }, cancel);
  app.post("/servicex/transformation/:id/cancel", { schema: SCHEMAS.byId }, cancel);
  app.delete("/servicex/transformation/:id", { schema: SCHEMAS.byId }, async (req) => {
    const { id } = req.params as { id: string };
    own(req, id);
    service.delete(id);
    return { request_id: id, deleted: true };
  });
  return app;
}

/** Starts the server; a non-loopback bind always requires tokens. Resolves to the address. */
export async function serve(service: DeliveryService, o: ServerOptions = {}): Promise<{ app: FastifyInstance; url: string }> {
  const host = o.host ?? "127.0.0.1";
  const app = await buildServer(service, { ...o, host, requireToken: o.requireToken || !LOOPBACK.has(host) });
  const url = await app.listen({ host, port: o.port ?? 5000 });
  return { app, url };
}
