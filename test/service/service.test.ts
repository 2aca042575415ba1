/**
 * The delivery service end to end over HTTP (workers run the compiled dist/: `npx tsc -p .` first):
 * 20 identical requests share one transform; a hanging file hits its deadline and is named; a
 * corrupt file is a named error while the others are delivered; a service restarted over the
 * same folder resumes; malformed queries, unknown branches, oversized bodies, bad tokens and
 * `../` downloads are 4xx. Results are checked against the input read directly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as http from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { DeliveryService, buildServer, ServiceClient, deliver } from "../../src/service/index.js";
import { generateZee } from "../../src/generate/index.js";
import { openFile } from "../../src/root/index.js";
import type { Jagged } from "../../src/util/index.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hepflow-service-"));
const data = path.join(tmp, "data");
let files: string[] = [];
let hang: http.Server;
let hangUrl = "";
let service: DeliveryService;
let app: FastifyInstance;
let base = "";
let token = "";

const QUERY = "FromTree('Events').Where(lambda e: e.Electron.Count() >= 2).Select(lambda e: {'el_pt': e.Electron.Select(lambda el: el.pt), 'el_eta': e.Electron.Select(lambda el: el.eta), 'met': e.MET_pt})";

async function start(dir: string, o: { deadline?: number; workers?: number } = {}): Promise<void> {
  service = new DeliveryService({ dir, allowedRoots: [tmp], deadlineSeconds: o.deadline ?? 3, retries: 1, workers: o.workers ?? 2, catalogue: path.join(data, "catalogue.json") });
  app = await buildServer(service, {});
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
async function stop(): Promise<void> {
  await app.close();
  await service.close();
}

beforeAll(async () => {
  files = await generateZee({ out: data, events: 60_000, files: 3, seed: 7 });
  fs.writeFileSync(path.join(data, "catalogue.json"), JSON.stringify({ zee: files.map((f) => path.basename(f)) }));
  fs.writeFileSync(path.join(data, "corrupt.root"), Buffer.from("root\0\0\0\0 this is not a ROOT file at all".repeat(20)));
  // a server that accepts connections and never answers: the "hung transfer"
  hang = http.createServer(() => {
    /* never respond */
  });
  await new Promise<void>((r) => hang.listen(0, "127.0.0.1", () => r()));
  hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/stuck.root`;
  await start(path.join(tmp, "svc"));
  token = service.store.addToken("alice");
}, 60_000);

afterAll(async () => {
  await stop();
  hang.closeAllConnections();
  hang.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}) => fetch(`${base}/servicex/transformation`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("delivery service", () => {
  it("20 clients with the same query: one transform, 20 identical results, rows equal to the input's", async () => {
    const clients = Array.from({ length: 20 }, (_, i) => new ServiceClient(base, i % 2 ? token : undefined));
    const subs = await Promise.all(clients.map((c) => c.submit({ did: "zee", selection: QUERY })));
    const ids = new Set(subs.map((s) => s.request_id));
    expect(ids.size).toBe(1);
    expect(service.store.allTransforms().length).toBe(1);
    const id = subs[0]!.request_id;
    const st = await clients[0]!.wait(id);
    expect(st.status).toBe("Complete");
    expect(st["files-completed"]).toBe(3);
    expect(st["events-processed"]).toBe(60_000);
    const digests = await Promise.all(
      clients.map(async (c, i) => {
        const r = (await c.results(id)).results;
        expect(r.length).toBe(3);
        const out = path.join(tmp, `dl${i}`);
        const h = createHash("sha256");
        for (const f of r) {
          await c.download(f.url, path.join(out, f.filename));
          h.update(fs.readFileSync(path.join(out, f.filename)));
        }
        return h.digest("hex");
      }),
    );
    expect(new Set(digests).size).toBe(1);
    // the delivered rows are the input's events with ≥ 2 electrons, values unchanged
    const first = (await c0results(clients[0]!, id))[0]!;
    const outTree = await (await openFile(path.join(tmp, "dl0", first))).tree("servicex");
    const got = await outTree.arrays(["el_pt", "met", "nel"]);
    const inp = await (await (await openFile(files[0]!)).tree("Events")).arrays(["Electron_pt", "nElectron", "MET_pt"]);
    const n = inp.nElectron as Uint32Array,
      pt = inp.Electron_pt as Jagged<Float32Array>,
      met = inp.MET_pt as Float32Array;
    const wantPt: number[] = [],
      wantMet: number[] = [],
      wantN: number[] = [];
    for (let i = 0; i < n.length; i++)
      if (n[i]! >= 2) {
        wantMet.push(met[i]!);
        wantN.push(n[i]!);
        for (let k = pt.offsets[i]!; k < pt.offsets[i + 1]!; k++) wantPt.push(pt.content[k]!);
      }
    expect(outTree.numEntries).toBe(wantMet.length);
    expect(Array.from(got.met as Float32Array)).toEqual(wantMet);
    expect(Array.from((got.el_pt as Jagged<Float32Array>).content)).toEqual(wantPt);
    expect(Array.from(got.nel as Int32Array)).toEqual(wantN);
    // a second identical request is served from the server's cache at once
    const again = await clients[3]!.submit({ did: "zee", selection: QUERY });
    expect(again).toEqual({ request_id: id, cached: true });
  }, 60_000);

  it("a hanging file: the deadline fires and the user sees which file; a corrupt file is a named error; the others are delivered", async () => {
    const c = new ServiceClient(base, token);
    const t0 = Date.now();
    const { request_id } = await c.submit({ "file-list": [files[1]!, path.join(data, "corrupt.root"), hangUrl], selection: QUERY });
    const st = await c.wait(request_id);
    expect(st.status).toBe("Complete");
    expect(st["files-completed"]).toBe(1);
    expect(st["files-failed"]).toBe(2);
    const { errors } = await c.errors(request_id);
    const hung = errors.find((e) => e.file === hangUrl)!;
    expect(hung.stage).toBe("deadline");
    expect(hung.message).toMatch(/no result within the 3 s deadline/);
    expect(hung.attempts).toBe(2); // one retry, then given up
    const bad = errors.find((e) => e.file.endsWith("corrupt.root"))!;
    expect(bad.stage).toBe("open");
    expect(bad.message).toMatch(/ROOT|header|magic|not a/i);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // deliver() reports the failed files by name and still returns the good one
    const r = await deliver({ Sample: [{ Name: "mixed", Dataset: [files[1]!, path.join(data, "corrupt.root")], Query: QUERY }] }, { url: base, token, cacheDir: path.join(tmp, "cache") });
    expect(r.mixed!.files.length).toBe(1);
    expect(r.mixed!.errors.map((e) => e.file)).toEqual([path.join(data, "corrupt.root")]);
  }, 60_000);

  it("Parquet and Arrow IPC outputs keep collections jagged and read back (hyparquet, apache-arrow) equal to the input", async () => {
    const c = new ServiceClient(base, token);
    const inp = await (await (await openFile(files[2]!)).tree("Events")).arrays(["Electron_pt", "nElectron", "MET_pt"]);
    const n = inp.nElectron as Uint32Array,
      pt = inp.Electron_pt as Jagged<Float32Array>,
      met = inp.MET_pt as Float32Array;
    const want: Array<{ el_pt: number[]; met: number }> = [];
    for (let i = 0; i < n.length; i++) if (n[i]! >= 2) want.push({ el_pt: Array.from(pt.content.subarray(pt.offsets[i]!, pt.offsets[i + 1]!)), met: met[i]! });
    for (const format of ["parquet", "arrow"]) {
      const { request_id } = await c.submit({ "file-list": [files[2]!], selection: QUERY, "result-format": format });
      expect((await c.wait(request_id)).status).toBe("Complete");
      const [r] = (await c.results(request_id)).results;
      expect(r!.filename.endsWith(`.${format}`)).toBe(true);
      const dest = path.join(tmp, `out.${format}`);
      await c.download(r!.url, dest);
      const bytes = fs.readFileSync(dest);
      let rows: Array<{ el_pt: number[]; met: number }>;
      if (format === "parquet") {
        const { parquetReadObjects } = await import("hyparquet");
        const objs = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, columns: ["el_pt", "met"] });
        rows = objs.map((o) => ({ el_pt: Array.from(o.el_pt as number[]), met: o.met as number }));
      } else {
        const arrow = await import("apache-arrow");
        const t = arrow.tableFromIPC(bytes);
        rows = t.toArray().map((o) => ({ el_pt: Array.from(o.el_pt as Iterable<number>), met: o.met as number }));
      }
      expect(rows.length).toBe(want.length);
      expect(rows).toEqual(want);
    }
  }, 60_000);

  it("an http(s) dataset is read with range requests and gives the same rows as the local file", async () => {
    // a static file server with Range support, as any web server or EOS HTTP gateway
    const srv = http.createServer((req, res) => {
      const body = fs.readFileSync(files[0]!);
      const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
      if (req.method === "HEAD") {
        res.writeHead(200, { "content-length": body.length, "accept-ranges": "bytes" });
        res.end();
        return;
      }
      if (!m) {
        res.writeHead(200, { "content-length": body.length });
        res.end(body);
        return;
      }
      const a = Number(m[1]),
        b = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, { "content-range": `bytes ${a}-${b}/${body.length}`, "content-length": b - a + 1 });
      res.end(body.subarray(a, b + 1));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    try {
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/dy_ee_000.root`;
      const c = new ServiceClient(base, token);
      const q = "FromTree('Events').Where(lambda e: e.Electron.Count() >= 3).Select(lambda e: {'met': e.MET_pt})";
      const remote = await c.submit({ did: url, selection: q });
      const local = await c.submit({ "file-list": [files[0]!], selection: q });
      expect(remote.request_id).not.toBe(local.request_id); // different file identities
      const [sr, sl] = await Promise.all([c.wait(remote.request_id), c.wait(local.request_id)]);
      expect(sr.status).toBe("Complete");
      expect(sr["rows-delivered"]).toBe(sl["rows-delivered"]);
      expect(sr["rows-delivered"]).toBeGreaterThan(0);
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  }, 60_000);

  it("bad requests are clear 4xx errors", async () => {
    const malformed = await post({ did: "zee", selection: "FromTree('Events').Where(lambda e: e.nElectron >= )" });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).code).toBe("QUERY_SYNTAX");
    const unknown = await post({ did: "zee", selection: "FromTree('Events').Select(lambda e: e.Electron.Select(lambda el: el.ptt))" });
    expect(unknown.status).toBe(400);
    const u = await unknown.json();
    expect(u.code).toBe("QUERY_UNKNOWN_BRANCH");
    expect(u.message).toMatch(/no attribute "ptt"[\s\S]*did you mean: pt/);
    const big = await post({ did: "zee", selection: "x".repeat(100_000) });
    expect(big.status).toBe(413);
    const extra = await post({ did: "zee", selection: QUERY, evil: "rm -rf /" });
    expect(extra.status).toBe(400);
    const badToken = await post({ did: "zee", selection: QUERY }, { authorization: "Bearer not-a-real-token-123" });
    expect(badToken.status).toBe(401);
    const outside = await post({ did: "/etc/passwd", selection: QUERY });
    expect(outside.status).toBe(400);
    expect((await outside.json()).message).toMatch(/outside the folders/);
    const noDataset = await post({ did: "zzz", selection: QUERY });
    expect(noDataset.status).toBe(400);
    expect((await noDataset.json()).message).toMatch(/no dataset named "zzz"[\s\S]*zee/);
    const id = service.store.allTransforms()[0]!.id;
    for (const name of ["..%2F..%2Fservice.db", "../service.db", "%2E%2E%2Fservice.db", "..", "0000_dy_ee_000.root%00"]) {
      const r = await fetch(`${base}/servicex/transformation/${id}/results/${name}`);
      expect([400, 404]).toContain(r.status);
      expect(r.headers.get("content-type")).toMatch(/json/);
    }
    expect((await fetch(`${base}/servicex/transformation/not-an-id`)).status).toBe(400);
    expect((await fetch(`${base}/servicex/transformation/${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}`)).status).toBe(404);
    // another user does not see alice's-only transforms
    const bobToken = service.store.addToken("bob");
    const mine = (await (await fetch(`${base}/servicex/transformation`, { headers: { authorization: `Bearer ${bobToken}` } })).json()).requests;
    expect(mine).toEqual([]);
  }, 30_000);

  it("a service killed mid-transform resumes when restarted over the same folder", async () => {
    const c = new ServiceClient(base, token);
    const more = await generateZee({ out: path.join(data, "more"), events: 240_000, files: 4, seed: 9 });
    const { request_id } = await c.submit({ "file-list": more, selection: QUERY });
    await new Promise((r) => setTimeout(r, 150));
    const before = await c.status(request_id);
    expect(before["files-completed"]).toBeLessThan(4);
    await stop(); // workers terminated mid-file; their files stay "running" in the database
    await start(path.join(tmp, "svc"), { workers: 2 });
    const c2 = new ServiceClient(base, token);
    const st = await c2.wait(request_id);
    expect(st.status).toBe("Complete");
    expect(st["files-completed"]).toBe(4);
    expect(st["events-processed"]).toBe(240_000);
  }, 60_000);
});

describe("quotas", () => {
  it("a user past the quota of unfinished transforms gets 429; attaching to an existing transform is free", async () => {
    const svc = new DeliveryService({ dir: path.join(tmp, "svc-quota"), allowedRoots: [tmp], quota: 1, workers: 1 });
    try {
      const a = await svc.submit("erin", { files: [files[0]!], selection: QUERY });
      await expect(svc.submit("erin", { files: [files[1]!], selection: QUERY })).rejects.toMatchObject({ status: 429, code: "QUOTA" });
      expect(await svc.submit("erin", { files: [files[0]!], selection: QUERY })).toEqual(a);
      await svc.waitFor(a.id);
      await expect(svc.submit("erin", { files: [files[1]!], selection: QUERY })).resolves.toMatchObject({ cached: false });
    } finally {
      await svc.close();
    }
  }, 30_000);
});

async function c0results(c: ServiceClient, id: string): Promise<string[]> {
  return (await c.results(id)).results.map((r) => r.filename);
}
