/**
 * The client: `ServiceClient` speaks the HTTP API; `deliver(spec)` takes a ServiceX-shaped spec
 * (`General` {OutputFormat, Delivery}, `Sample[]` {Name, Dataset, NFiles, Query}, `Definition`),
 * submits every sample, follows their progress, downloads the results into a local cache and
 * returns the local paths (or the URLs, with `Delivery: URLs`). A repeated deliver of the same
 * spec is answered from the local cache without asking the server; `ignoreCache` asks again.
 * When files fail, the error records (file, stage, message) are what the user sees.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { HepflowError } from "../util/index.js";
import type { Query } from "../query/index.js";
import type { TransformStatusView } from "./service.js";

/** One sample of a spec: a dataset and a query (text in either language, or a TS Query). */
export interface SampleSpec {
  Name: string;
  Dataset: string | string[];
  NFiles?: number;
  Query: string | Query;
  IgnoreLocalCache?: boolean;
  Tree?: string;
}

/** A ServiceX-shaped delivery request. */
export interface DeliverSpec {
  General?: { OutputFormat?: "root-ttree" | "root-file" | "parquet" | "arrow"; Delivery?: "LocalCache" | "URLs" };
  Sample: SampleSpec[];
  Definition?: unknown;
}

export interface DeliverOptions {
  url?: string;
  token?: string;
  /** Local result cache (default $HEPFLOW_DELIVER_CACHE or ~/.cache/hepflow/deliver). */
  cacheDir?: string;
  ignoreCache?: boolean;
  /** Progress per sample, called on every status poll. */
  onProgress?: (sample: string, s: TransformStatusView) => void;
  pollMs?: number;
}

/** Per sample: the local files (or URLs), the request id, and the error records of failed files. */
export interface DeliverResult {
  [sample: string]: { files: string[]; requestId: string; fromCache: boolean; errors: Array<{ file: string; stage: string; message: string }> };
}

function defaultUrl(): string {
  return process.env.HEPFLOW_SERVICE_URL ?? "http://127.0.0.1:5000";
}

/** A thin client of the service's HTTP API. */
export class ServiceClient {
  readonly url: string;
  constructor(
    url: string = defaultUrl(),
    private readonly token: string | undefined = process.env.HEPFLOW_SERVICE_TOKEN,
  ) {
    this.url = url.replace(/\/+$/, "");
  }

  private async call<T>(method: string, p: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url + p, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new HepflowError("SERVICE_UNREACHABLE", `cannot reach the delivery service at ${this.url}: ${(e as Error).message} (start one with: hepflow serve)`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = { message: text };
    }
    if (!res.ok) {
      const j = json as { code?: string; message?: string };
      throw new HepflowError(j.code ?? `HTTP_${res.status}`, `${method} ${p}: ${res.status}: ${j.message ?? text}`);
    }
    return json as T;
  }

  info(): Promise<Record<string, unknown>> {
    return this.call("GET", "/servicex");
  }
  submit(body: Record<string, unknown>): Promise<{ request_id: string; cached: boolean }> {
    return this.call("POST", "/servicex/transformation", body);
  }
  status(id: string): Promise<TransformStatusView> {
    return this.call("GET", `/servicex/transformation/${id}`);
  }
  list(): Promise<{ requests: TransformStatusView[] }> {
    return this.call("GET", "/servicex/transformation");
  }
  errors(id: string): Promise<{ errors: Array<{ file: string; stage: string; message: string; attempts: number }> }> {
    return this.call("GET", `/servicex/transformation/${id}/errors`);
  }
  results(id: string): Promise<{ results: Array<{ filename: string; size: number; url: string; events: number; rows: number }> }> {
    return this.call("GET", `/servicex/transformation/${id}/results`);
  }
  cancel(id: string): Promise<TransformStatusView> {
    return this.call("POST", `/servicex/transformation/${id}/cancel`);
  }
  delete(id: string): Promise<unknown> {
    return this.call("DELETE", `/servicex/transformation/${id}`);
  }

  /** Downloads one result file to `dest` (written to a temporary name, then renamed). */
  async download(urlPath: string, dest: string): Promise<void> {
    const res = await fetch(this.url + urlPath, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    if (!res.ok || !res.body) throw new HepflowError(`HTTP_${res.status}`, `GET ${urlPath}: ${res.status}: ${await res.text()}`);
    const tmp = `${dest}.part-${process.pid}`;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const buf = Buffer.from(await res.arrayBuffer());
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, dest);
  }

  /** Polls until the transform is finished; returns its last status. */
  async wait(id: string, onStatus?: (s: TransformStatusView) => void, pollMs = 200): Promise<TransformStatusView> {
    for (;;) {
      const s = await this.status(id);
      onStatus?.(s);
      if (s.status === "Complete" || s.status === "Failed" || s.status === "Canceled") return s;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}

/**
 * Reads a ServiceX YAML spec. Query tags (`!FuncADL_Uproot`, `!qastle`) mark the language; tags
 * for code (`!PythonFunction`, `!TopCP`) are refused: this service never runs code it is sent.
 */
export async function parseSpec(text: string, file = "spec.yaml"): Promise<DeliverSpec> {
  const YAML = await import("yaml");
  const tag = (name: string, ok: boolean) => ({
    tag: `!${name}`,
    resolve(v: string) {
      if (!ok) throw new Error(`${name} queries carry code or options this service does not run; it runs func_adl, qastle and UprootRaw queries (the query is data, never code)`);
      return v;
    },
  });
  let doc: unknown;
  try {
    doc = YAML.parse(text, { customTags: [tag("FuncADL_Uproot", true), tag("qastle", true), tag("PythonFunction", false), tag("TopCP", false), tag("UprootRaw", true), tag("FuncADL_ATLASr22", false)] });
  } catch (e) {
    const msg = (e as Error).message;
    throw new HepflowError(/never code/.test(msg) ? "SPEC_QUERY" : "SPEC_SYNTAX", msg, { file });
  }
  const d = doc as Record<string, unknown> | null;
  if (!d || typeof d !== "object" || !Array.isArray(d.Sample) || d.Sample.length === 0) throw new HepflowError("SPEC", "a spec needs a Sample list with at least one sample", { file, object: "Sample" });
  d.Sample.forEach((s: Record<string, unknown>, i: number) => {
    const where = `Sample[${i}]`;
    if (!s || typeof s !== "object") throw new HepflowError("SPEC", "each sample is a mapping", { file, object: where });
    // ServiceX spells the dataset by kind: files by XRootD URL, or a Rucio DID (a catalogue name here)
    s.Dataset ??= s.XRootDFiles ?? s.RucioDID ?? s.FileList;
    if (typeof s.Name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(s.Name)) throw new HepflowError("SPEC", "Name must be a word (letters, digits, _ . -)", { file, object: `${where}.Name` });
    if (!(typeof s.Dataset === "string" || (Array.isArray(s.Dataset) && s.Dataset.every((x) => typeof x === "string"))))
      throw new HepflowError("SPEC", "Dataset must be a name, path, URL or list of those", { file, object: `${where}.Dataset` });
    if (typeof s.Query !== "string" || !s.Query.trim()) throw new HepflowError("SPEC", "Query must be a func_adl or qastle query", { file, object: `${where}.Query` });
    if (s.NFiles !== undefined && !(Number.isInteger(s.NFiles) && (s.NFiles as number) > 0)) throw new HepflowError("SPEC", "NFiles must be a positive integer", { file, object: `${where}.NFiles` });
  });
  const g = (d.General ?? {}) as Record<string, unknown>;
  if (g.OutputFormat !== undefined && !["root-ttree", "root-file", "parquet", "arrow"].includes(g.OutputFormat as string))
    throw new HepflowError("SPEC", `OutputFormat "${String(g.OutputFormat)}" is not offered (root-ttree, parquet, arrow)`, { file, object: "General.OutputFormat" });
  if (g.Delivery !== undefined && !["LocalCache", "URLs"].includes(g.Delivery as string)) throw new HepflowError("SPEC", "Delivery must be LocalCache or URLs", { file, object: "General.Delivery" });
  return d as unknown as DeliverSpec;
}

function cacheRoot(o: DeliverOptions): string {
  return o.cacheDir ?? process.env.HEPFLOW_DELIVER_CACHE ?? path.join(os.homedir(), ".cache", "hepflow", "deliver");
}

/** Delivers every sample of a spec; resolves to the local files (or URLs) per sample. */
export async function deliver(spec: DeliverSpec, o: DeliverOptions = {}): Promise<DeliverResult> {
  const client = new ServiceClient(o.url, o.token);
  const urls = spec.General?.Delivery === "URLs";
  const out: DeliverResult = {};
  await Promise.all(
    spec.Sample.map(async (s) => {
      const selection = typeof s.Query === "string" ? s.Query : s.Query.toQastle();
      const ds = Array.isArray(s.Dataset) ? s.Dataset : s.NFiles ? `${s.Dataset}?files=${s.NFiles}` : s.Dataset;
      const format = { "root-ttree": "root-file", "root-file": "root-file", parquet: "parquet", arrow: "arrow" }[spec.General?.OutputFormat ?? "root-ttree"];
      const body: Record<string, unknown> = { selection: selection.trim(), "result-format": format, title: s.Name, ...(Array.isArray(ds) ? { "file-list": ds } : { did: ds }), ...(s.Tree ? { "tree-name": s.Tree } : {}) };
      const key = createHash("sha256")
        .update(JSON.stringify({ url: client.url, body: { ...body, title: undefined } }))
        .digest("hex")
        .slice(0, 32);
      const dir = path.join(cacheRoot(o), key);
      const manifest = path.join(dir, "manifest.json");
      if (!o.ignoreCache && !s.IgnoreLocalCache && !urls && fs.existsSync(manifest)) {
        const m = JSON.parse(fs.readFileSync(manifest, "utf8")) as { requestId: string; files: string[]; errors: DeliverResult[string]["errors"] };
        if (m.files.every((f) => fs.existsSync(path.join(dir, f)))) {
          out[s.Name] = { files: m.files.map((f) => path.join(dir, f)), requestId: m.requestId, fromCache: true, errors: m.errors };
          return;
        }
      }
      const { request_id } = await client.submit(body);
      const st = await client.wait(request_id, (x) => o.onProgress?.(s.Name, x), o.pollMs);
      const errors = st["files-failed"] ? (await client.errors(request_id)).errors.map(({ file, stage, message }) => ({ file, stage, message })) : [];
      if (st.status !== "Complete") {
        const why = errors.length ? errors.map((e) => `  ${e.file}: ${e.stage}: ${e.message}`).join("\n") : `  the transform is ${st.status}`;
        throw new HepflowError("DELIVER_FAILED", `sample ${s.Name}: no file was delivered\n${why}`, { object: `request ${request_id}` });
      }
      const results = (await client.results(request_id)).results;
      if (urls) {
        out[s.Name] = { files: results.map((r) => client.url + r.url), requestId: request_id, fromCache: false, errors };
        return;
      }
      fs.mkdirSync(dir, { recursive: true });
      for (const r of results) await client.download(r.url, path.join(dir, r.filename));
      fs.writeFileSync(manifest, JSON.stringify({ requestId: request_id, files: results.map((r) => r.filename), errors }, null, 1));
      out[s.Name] = { files: results.map((r) => path.join(dir, r.filename)), requestId: request_id, fromCache: false, errors };
    }),
  );
  return out;
}
