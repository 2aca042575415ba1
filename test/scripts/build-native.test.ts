import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cosF32 } from "../../src/array/index.js";

// scripts/build-native.mjs is the package's install step: it must never fail an install. Run on a copy
// of the package's native/ (the checkout's own build is in use by other tests).
const ROOT = path.resolve(__dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-native-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(path.join(dir, "scripts"));
mkdirSync(path.join(dir, "native"));
cpSync(path.join(ROOT, "scripts/build-native.mjs"), path.join(dir, "scripts/build-native.mjs"));
for (const f of readdirSync(path.join(ROOT, "native")).filter((f) => /\.(c|cc|h|gyp)$/.test(f))) cpSync(path.join(ROOT, "native", f), path.join(dir, "native", f));
const build = (env: Record<string, string>) => spawnSync(process.execPath, [path.join(dir, "scripts/build-native.mjs")], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });

describe("the install step (scripts/build-native.mjs)", () => {
  it("without a compiler, or with HEPFLOW_SKIP_NATIVE, prints one line and exits 0", () => {
    for (const [env, why] of [
      [{ CC: path.join(dir, "no-such-cc") }, /no C compiler/],
      [{ HEPFLOW_SKIP_NATIVE: "1" }, /HEPFLOW_SKIP_NATIVE is set/],
    ] as const) {
      const r = build(env);
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toMatch(why);
      expect(existsSync(path.join(dir, "native/build"))).toBe(false);
    }
  });

  it("without libdeflate's header builds the kernels alone, which then load and run", () => {
    // a C preprocessor that finds no header: the probe fails as on a machine without libdeflate-dev
    const cc = path.join(dir, "cc-without-libdeflate");
    writeFileSync(cc, "#!/bin/sh\nexit 1\n");
    chmodSync(cc, 0o755);
    const r = build({ CC: cc });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/zlib reads use node:zlib \(libdeflate\.h not found; install libdeflate-dev\); native kernels built/);
    expect(existsSync(path.join(dir, "native/build/Release/hepflow_inflate.node"))).toBe(false);
    const k = require(path.join(dir, "native/build/Release/hepflow_kernels.node")) as { isa(): string; map(op: number, a: Float32Array, o: Float32Array): void };
    const o = new Float32Array(3);
    k.map(2, new Float32Array([0, 1, -2]), o);
    expect(Array.from(o)).toEqual([0, 1, -2].map(cosF32));
  });
});
