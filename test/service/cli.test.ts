/**
 * `hepflow serve` + `hepflow deliver` as a user runs them (child processes of the built CLI):
 * the Z → ee example spec delivers m_ee with the Z peak; a server killed with SIGKILL
 * mid-transform resumes when started again; `serve token add` issues a working token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateZee } from "../../src/generate/index.js";
import { openFile } from "../../src/root/index.js";
import { ServiceClient } from "../../src/service/index.js";
import type { Jagged } from "../../src/util/index.js";

const BIN = new URL("../../bin/hepflow.js", import.meta.url).pathname;
const SPEC = new URL("../../examples/zee/spec.yaml", import.meta.url).pathname;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hepflow-serve-"));
const data = path.join(tmp, "data");
const children: ChildProcess[] = [];

async function serve(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn("node", [BIN, "serve", "--port", "0", "--dir", path.join(tmp, "svc"), "--catalogue", path.join(data, "catalogue.json"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (b) => {
      err += String(b);
    });
    child.stdout!.on("data", (b) => {
      const m = /on (http:\/\/\S+)/.exec(String(b));
      if (m) resolve(m[1]!);
    });
    child.once("exit", (c) => reject(new Error(`hepflow serve exited (${c}): ${err}`)));
  });
  return { child, url };
}

beforeAll(async () => {
  const files = await generateZee({ out: data, events: 100_000, files: 2, seed: 3 });
  fs.writeFileSync(path.join(data, "catalogue.json"), JSON.stringify({ zee: files.map((f) => path.basename(f)) }));
}, 60_000);
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("hepflow serve + deliver", () => {
  it("the Z → ee spec delivers m_ee with its peak at the Z mass, then again from the local cache", async () => {
    const { child, url } = await serve([]);
    const env = { ...process.env, HEPFLOW_SERVICE_URL: url, HEPFLOW_DELIVER_CACHE: path.join(tmp, "cache") };
    const r = JSON.parse(execFileSync("node", [BIN, "deliver", SPEC, "--json"], { env, encoding: "utf8" }));
    expect(r.zee.files.length).toBe(2);
    expect(r.zee.fromCache).toBe(false);
    const counts = new Float64Array(60);
    let rows = 0;
    for (const f of r.zee.files as string[]) {
      const file = await openFile(f);
      const a = await (await file.tree("servicex")).arrays(["m_ee", "el_pt", "el_eta", "el_phi"]);
      const m = a.m_ee as Float64Array,
        pt = a.el_pt as Jagged<Float32Array>,
        eta = a.el_eta as Jagged<Float32Array>,
        phi = a.el_phi as Jagged<Float32Array>;
      for (let i = 0; i < m.length; i++) {
        const k = pt.offsets[i]!;
        expect(pt.offsets[i + 1]! - k).toBeGreaterThanOrEqual(2);
        // m² = 2 pT1 pT2 (cosh Δη − cos Δφ) for massless electrons, from the delivered kinematics
        const want = Math.sqrt(2 * pt.content[k]! * pt.content[k + 1]! * (Math.cosh(eta.content[k]! - eta.content[k + 1]!) - Math.cos(phi.content[k]! - phi.content[k + 1]!)));
        // the query computes in float32 like numpy on float32 branches: ~10 roundings of 2^-24 each
        expect(Math.abs(m[i]! - want)).toBeLessThan(1e-6 * want);
        if (m[i]! >= 60 && m[i]! < 120) counts[Math.floor(m[i]! - 60)]!++;
      }
      rows += m.length;
      await file.close();
    }
    expect(rows).toBeGreaterThan(50_000);
    const peak = counts.indexOf(Math.max(...counts)) + 60;
    expect(peak).toBeGreaterThanOrEqual(90); // PDG m_Z = 91.19 GeV, smeared by the 2 % resolution
    expect(peak).toBeLessThanOrEqual(92);
    const again = JSON.parse(execFileSync("node", [BIN, "deliver", SPEC, "--json"], { env, encoding: "utf8" }));
    expect(again.zee.fromCache).toBe(true);
    expect(again.zee.files).toEqual(r.zee.files);
    // hepflow transforms: list, status, download (refusing to overwrite without --force)
    const ls = JSON.parse(execFileSync("node", [BIN, "transforms", "ls", "--json"], { env, encoding: "utf8" }));
    expect(ls.map((t: { request_id: string }) => t.request_id)).toEqual([r.zee.requestId]);
    const st = JSON.parse(execFileSync("node", [BIN, "transforms", "status", r.zee.requestId], { env, encoding: "utf8" }));
    expect(st.status).toBe("Complete");
    expect(st["events-processed"]).toBe(100_000);
    const out = path.join(tmp, "dl");
    const got = execFileSync("node", [BIN, "transforms", "download", r.zee.requestId, "-o", out], { env, encoding: "utf8" }).trim().split("\n");
    expect(got.length).toBe(2);
    expect(fs.readFileSync(got[0]!)).toEqual(fs.readFileSync(r.zee.files[0]));
    expect(() => execFileSync("node", [BIN, "transforms", "download", r.zee.requestId, "-o", out], { env, encoding: "utf8", stdio: "pipe" })).toThrow(/exists|--force/);
    child.kill("SIGTERM");
  }, 60_000);

  it("a server killed with SIGKILL mid-transform resumes on restart; tokens from `serve token add` work", async () => {
    const more = await generateZee({ out: path.join(data, "more"), events: 400_000, files: 4, seed: 5 });
    const token = execFileSync("node", [BIN, "serve", "token", "add", "carol", "--dir", path.join(tmp, "svc")], { encoding: "utf8" }).trim();
    expect(token).toMatch(/^hf_[A-Za-z0-9_-]{20,}$/);
    const first = await serve(["--workers", "1", "--require-token"]);
    expect((await fetch(`${first.url}/servicex`)).status).toBe(401);
    const c = new ServiceClient(first.url, token);
    const { request_id } = await c.submit({ "file-list": more, selection: "FromTree('Events').Select(lambda e: {'pt': e.Electron_pt, 'n': e.nElectron})" });
    await new Promise((r) => setTimeout(r, 300));
    expect((await c.status(request_id))["files-completed"]).toBeLessThan(4);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const second = await serve(["--workers", "2", "--require-token"]);
    const st = await new ServiceClient(second.url, token).wait(request_id);
    expect(st.status).toBe("Complete");
    expect(st["files-completed"]).toBe(4);
    expect(st["events-processed"]).toBe(400_000);
    second.child.kill("SIGTERM");
  }, 60_000);
});
