import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sh = (cmd: string, args: string[], cwd: string, timeout: number) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", timeout, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false", ONNXRUNTIME_NODE_INSTALL: "skip" } });

describe("the npm package installs and runs (issue 14 item 7)", () => {
  it("npm pack → npm install TARBALL in an empty directory → npx hepflow demo, then npx hepflow ui over its outputs", async () => {
    // the tarball of what `files` in package.json ships (dist must be built: npx tsc -p .)
    const packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", dir], ROOT, 120_000)) as { filename: string; files: { path: string }[] }[];
    const shipped = packed[0]!.files.map((f) => f.path);
    expect(shipped).toContain("examples/agc-ttbar/index.mjs");
    expect(shipped).toContain("examples/agc-ttbar/fit-config.yml");
    expect(shipped).toContain("dist/cli/main.js");
    // the page of `hepflow ui`, built by vite (no build step at the user's end)
    expect(shipped).toContain("dist/web-client/index.html");
    // the static in-browser reader (docs/browser.md)
    expect(shipped).toContain("dist/reader/index.html");
    // the native addons' sources (libdeflate binding, float32 kernels), built by the package's install step (never a binary built here)
    expect(shipped).toEqual(
      expect.arrayContaining([
        "native/binding.gyp",
        "native/inflate.c",
        "native/kernels.cc",
        "native/kernels.h",
        "native/kernels-api.h",
        "native/kernels-avx512.cc",
        "native/kernels-avx2.cc",
        "native/kernels-sse2.cc",
        "scripts/build-native.mjs",
      ]),
    );
    expect(shipped.filter((f) => f.startsWith("native/build"))).toEqual([]);
    // the examples use only the package's public subpaths, never ../../dist
    for (const f of readdirSync(path.join(ROOT, "examples/agc-ttbar")).filter((f) => f.endsWith(".mjs"))) {
      expect(readFileSync(path.join(ROOT, "examples/agc-ttbar", f), "utf8"), f).not.toMatch(/from\s+["'][./]+\/dist\//);
    }
    const app = path.join(dir, "app");
    execFileSync("mkdir", [app]);
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
    // from the npm cache that `npm ci` filled where it can (tarballs); `npm ci` caches no package metadata, so
    // that comes from the npm registry (the one network this project may use). onnxruntime-node's optional
    // CUDA download is skipped (ONNXRUNTIME_NODE_INSTALL=skip above).
    sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(dir, packed[0]!.filename)], app, 540_000);
    expect(existsSync(path.join(app, "node_modules/hepflow/examples/agc-ttbar/index.mjs"))).toBe(true);
    // libdeflate-dev is among the test packages, so the install step built the binding and the package reads zlib with it
    expect(existsSync(path.join(app, "node_modules/hepflow/native/build/Release/hepflow_inflate.node"))).toBe(true);
    const impl = sh("node", ["--input-type=module", "-e", 'import("hepflow/root").then((m) => console.log(m.inflateImplementation().name))'], app, 60_000);
    expect(impl.trim()).toBe("libdeflate");
    // and the kernels addon, which the package's four-vector and expression code then runs on
    const kernels = sh("node", ["--input-type=module", "-e", 'import("hepflow/array").then((m) => console.log(m.simdBackend()))'], app, 60_000);
    expect(kernels.trim()).toMatch(/^native \((avx512|avx2|sse2)\)$/);
    // 20000 events: the smallest round number whose simulation populates every bin of the fit (4000 and 10000 do not)
    const log = sh("npx", ["--no-install", "hepflow", "demo", "--events", "20000", "--out", "demo"], app, 300_000);
    expect(log).toMatch(/hepflow significance/);
    const results = JSON.parse(readFileSync(path.join(app, "demo/results.json"), "utf8"));
    expect(results.fit.converged).toBe(true);
    // the generated truth is ttbar_norm = 1; 20000 events measure it to ~10%: 5σ is a wiring check, not a physics one
    expect(Math.abs(results.fit.bestfit.ttbar_norm - 1)).toBeLessThan(5 * results.fit.uncertainties.ttbar_norm);
    expect(existsSync(path.join(app, "demo/report.html"))).toBe(true);
    // `npx hepflow ui` from the installed package serves its page and lists the demo's outputs
    // the installed bin itself, not through npx: npx would keep hepflow as a child that outlives killing npx
    const ui = spawn(path.join(app, "node_modules/.bin/hepflow"), ["ui", ".", "--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`hepflow ui printed no URL in 60 s: ${out}`)), 60_000);
        ui.stdout.on("data", (b) => {
          out += String(b);
          const m = /http:\/\/127\.0\.0\.1:\d+\/?/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[0].replace(/\/$/, ""));
          }
        });
        ui.on("exit", (code) => reject(new Error(`hepflow ui exited (${code}): ${out}`)));
      });
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script[^>]+src=/);
      const files = (await (await fetch(`${url}/api/files?path=demo`)).json()) as { entries?: { name: string }[] };
      expect(JSON.stringify(files)).toContain("report.html");
    } finally {
      ui.kill("SIGTERM");
    }
  }, 900_000);
});
