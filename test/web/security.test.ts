import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStaticServer } from "../../bench/lib/static-server.mjs";
import { openFile } from "../../src/root/index.js";
import { buildUiServer } from "../../src/web/index.js";
import { remoteAllowList } from "../../src/web/security.js";
import { ROOT_DATA } from "../shared.js";

// Plain HTTP (fastify inject): what the server refuses, independent of the page's build.
let dir: string, root: string, client: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hepflow-ui-sec-"));
  root = join(dir, "root");
  client = join(dir, "client");
  mkdirSync(join(root, "sub"), { recursive: true });
  mkdirSync(client);
  writeFileSync(join(client, "index.html"), "<!doctype html><title>t</title>");
  writeFileSync(join(dir, "secret.txt"), "outside the root");
  mkdirSync(join(dir, "outside-proc"));
  writeFileSync(join(dir, "outside-proc", "index.mjs"), "export function process() { return 1; }");
  writeFileSync(join(root, "sub", "a.json"), "{}");
  symlinkSync(join(dir, "secret.txt"), join(root, "leak.txt"));
  symlinkSync(dir, join(root, "up"));
  symlinkSync(join(root, "sub", "a.json"), join(root, "inside.json"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const local = { host: "127.0.0.1:8765" };

describe("hepflow ui: file access stays inside the root", () => {
  it("refuses .., absolute paths and symlinks that leave the root; follows links that stay inside", async () => {
    const { app } = await buildUiServer({ root, clientDir: client });
    const get = (url: string) => app.inject({ method: "GET", url, headers: local });
    expect((await get("/api/files")).statusCode).toBe(200);
    for (const p of ["..", "../", "sub/../..", "sub/../../secret.txt", "%2e%2e", "sub%2f..%2f..", "/etc", "/etc/passwd", "up", "up/secret.txt", "leak.txt"]) {
      const r = await get(`/api/files?path=${p}`);
      expect(r.statusCode, p).toBe(403);
      expect(r.json().code, p).toBe("UI_PATH_REFUSED");
    }
    for (const route of ["/api/root", "/api/fit", "/api/draw", "/api/root/hist"]) {
      expect((await get(`${route}?path=leak.txt&expr=x&object=h`)).statusCode, route).toBe(403);
      expect((await get(`${route}?path=../secret.txt&expr=x&object=h`)).statusCode, route).toBe(403);
    }
    // a link that stays inside the root is fine (the fit route then says it is no workspace)
    const inside = await get("/api/fit?path=inside.json");
    expect(inside.statusCode).toBe(400);
    expect(inside.json().code).toBe("UI_BAD_INPUT");
    // the listing leaves out the links that lead outside
    expect((await get("/api/files")).json().entries.map((e: { name: string }) => e.name)).toEqual(["sub", "inside.json"]);
    await app.close();
  });

  it("starts runs only on processor folders inside the root, with known options", async () => {
    const { app } = await buildUiServer({ root, clientDir: client });
    const post = (body: unknown, headers: Record<string, string> = {}) => app.inject({ method: "POST", url: "/api/runs", headers: { ...local, "content-type": "application/json", ...headers }, payload: JSON.stringify(body) });
    expect((await post({ processor: "up/outside-proc", dataset: "sub/a.json" })).statusCode).toBe(403);
    expect((await post({ processor: "../outside-proc", dataset: "sub/a.json" })).statusCode).toBe(403);
    expect((await post({ processor: "sub", dataset: "sub/a.json" })).json().code).toBe("UI_BAD_REQUEST"); // no index.mjs
    const extra = await post({ processor: "sub", dataset: "sub/a.json", command: "rm -rf /" });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toMatch(/unknown field\(s\) command/);
    expect((await post({ processor: "sub", dataset: "sub/a.json", params: { "x;rm": 1 } })).statusCode).toBe(400);
    // a form post from another site: no JSON content type, or a foreign origin
    const form = await app.inject({ method: "POST", url: "/api/runs", headers: { ...local, "content-type": "application/x-www-form-urlencoded" }, payload: "processor=sub" });
    expect(form.statusCode).toBe(415);
    expect((await post({ processor: "sub", dataset: "sub/a.json" }, { origin: "http://evil.example" })).statusCode).toBe(403);
    await app.close();
  });
});

describe("hepflow ui: who may ask", () => {
  it("on loopback without token: only requests addressed to localhost (DNS rebinding)", async () => {
    const { app, token } = await buildUiServer({ root, clientDir: client });
    expect(token).toBeUndefined();
    expect((await app.inject({ method: "GET", url: "/api/info", headers: { host: "localhost:8765" } })).statusCode).toBe(200);
    const rebound = await app.inject({ method: "GET", url: "/api/info", headers: { host: "evil.example:8765" } });
    expect(rebound.statusCode).toBe(403);
    await app.close();
  });

  it("any other bind requires the token: header, ?token= (then a cookie), nothing else", async () => {
    const { app, token } = await buildUiServer({ root, clientDir: client, host: "0.0.0.0" });
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const h = { host: "192.0.2.1:8765" };
    for (const url of ["/", "/api/info", "/api/files", "/api/files?path=sub", "/api/runs", "/api/tracking/runs", "/api/draw?path=x&expr=y"]) {
      const r = await app.inject({ method: "GET", url, headers: h });
      expect(r.statusCode, url).toBe(401);
      expect(r.json().code).toBe("UI_TOKEN_REQUIRED");
    }
    expect((await app.inject({ method: "GET", url: "/api/info", headers: { ...h, authorization: "Bearer wrong-token-wrong-token-wrong-tok" } })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: `/api/info?token=${token}x`, headers: h })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/api/info", headers: { ...h, authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/api/info", headers: { ...h, "x-hepflow-token": token! } })).statusCode).toBe(200);
    const login = await app.inject({ method: "GET", url: `/?token=${token}`, headers: h });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe("/");
    const cookie = String(login.headers["set-cookie"]);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await app.inject({ method: "GET", url: "/", headers: { ...h, cookie: cookie.split(";")[0]! } });
    expect(page.statusCode).toBe(200);
    await app.close();
  });

  it("sends a strict Content-Security-Policy (no inline scripts or styles, no eval)", async () => {
    const { app } = await buildUiServer({ root, clientDir: client });
    const r = await app.inject({ method: "GET", url: "/", headers: local });
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    await app.close();
  });
});

describe("hepflow ui: remote files only from allowed hosts", () => {
  it("refuses hosts off the --allow-remote list, other schemes and credentials; lists and draws from an allowed 127.0.0.1 server", async () => {
    const data = join(dir, "served");
    mkdirSync(data, { recursive: true });
    copyFileSync(join(ROOT_DATA, "uproot-hepdata-example.root"), join(data, "hists.root"));
    const served = await startStaticServer({ "/": data });
    const port = new URL(served.url).port;
    const fileUrl = `http://127.0.0.1:${port}/hists.root`;
    const none = await buildUiServer({ root, clientDir: client });
    const other = await buildUiServer({ root, clientDir: client, allowRemote: ["127.0.0.1:1"] });
    const allowed = await buildUiServer({ root, clientDir: client, allowRemote: [`127.0.0.1:${port}`] });
    try {
      const get = (app: typeof none.app, url: string, headers: Record<string, string> = {}) => app.inject({ method: "GET", url, headers: { ...local, ...headers } });
      const q = (u: string) => `/api/root?url=${encodeURIComponent(u)}`;
      for (const [app, u] of [
        [none.app, fileUrl],
        [other.app, fileUrl],
        [allowed.app, `http://127.0.0.1:${Number(port) + 1}/hists.root`],
        [allowed.app, `http://localhost:${port}/hists.root`],
        [allowed.app, `file://${join(data, "hists.root")}`],
        [allowed.app, `http://user:pw@127.0.0.1:${port}/hists.root`],
      ] as const) {
        const r = await get(app, q(u));
        expect(r.statusCode, u).toBe(403);
        expect(r.json().code, u).toBe("UI_REMOTE_REFUSED");
      }
      for (const route of ["/api/root/hist?object=hpx&", "/api/draw?expr=px&"]) expect((await get(none.app, `${route}url=${encodeURIComponent(fileUrl)}`)).statusCode, route).toBe(403);
      expect(() => remoteAllowList(["*.cern.ch"])).toThrow(/no wildcards/);
      // another site's page sending a no-cors GET: refused before anything is read
      expect((await get(allowed.app, q(fileUrl), { "sec-fetch-site": "cross-site" })).statusCode).toBe(403);

      const listed = await get(allowed.app, q(fileUrl));
      expect(listed.statusCode).toBe(200);
      const local0 = await openFile(join(data, "hists.root"));
      const keys = (await local0.keys()).map((k) => k.path);
      const body = listed.json() as { path: string; size: number; entries: Array<{ path: string; entries?: number }> };
      expect(body.path).toBe(fileUrl);
      expect(body.size).toBe(statSync(join(data, "hists.root")).size);
      expect(body.entries.map((e) => e.path)).toEqual(expect.arrayContaining(keys));
      expect(body.entries.find((e) => e.path === "ntuple")?.entries).toBe(75000);
      const hist = await get(allowed.app, `/api/root/hist?object=hpx&url=${encodeURIComponent(fileUrl)}`);
      expect(hist.statusCode).toBe(200);
      expect(hist.json().entries).toBe(75000);
      // a draw over HTTP: its bins equal a count made here from the local copy read by the ROOT reader
      const drawn = await get(allowed.app, `/api/draw?expr=px&tree=ntuple&bins=20&lo=-4&hi=4&url=${encodeURIComponent(fileUrl)}`);
      const done = drawn.body
        .split("\n\n")
        .filter((b) => b.startsWith("event: done"))
        .map((b) => JSON.parse(/data: (.*)/.exec(b)![1]!) as { values: number[] })[0]!;
      const counts = new Array(20).fill(0);
      for await (const c of (await local0.tree("ntuple")).iterate(["px"]))
        for (const v of c.columns.px as Float32Array) {
          const b = Math.floor((v + 4) / 0.4);
          if (b >= 0 && b < 20) counts[b]++;
        }
      await local0.close();
      expect(done.values).toEqual(counts);
    } finally {
      await Promise.all([none.app.close(), other.app.close(), allowed.app.close(), served.close()]);
    }
  });
});
