// The package's install step: builds native/ (hepflow's libdeflate binding for zlib reads) with the
// node-gyp that ships with npm. Optional by design — without libdeflate's headers (Debian:
// libdeflate-dev), a compiler or node-gyp it prints one line and exits 0, and codecs.ts reads zlib
// with node:zlib. `npm run build:native` reruns it by hand.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const native = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "native");
const fallback = (why) => {
  console.log(`hepflow: zlib reads use node:zlib (libdeflate binding not built: ${why})`);
  process.exit(0);
};
if (process.env.HEPFLOW_SKIP_NATIVE) fallback("HEPFLOW_SKIP_NATIVE is set");

// Probe the header first, so a machine without libdeflate-dev gets one line instead of a compiler error.
const cc = process.env.CC || "cc";
const probe = spawnSync(cc, ["-E", "-x", "c", "-", "-o", process.platform === "win32" ? "NUL" : "/dev/null"], { input: "#include <libdeflate.h>\n", encoding: "utf8" });
if (probe.error?.code === "ENOENT") fallback(`no C compiler (${cc})`);
if (probe.error || probe.status !== 0) fallback("libdeflate.h not found; install libdeflate-dev");

// npm hands its own node-gyp to lifecycle scripts; run by hand, look for the one beside npm.
const npmGyp = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
const gyp = process.env.npm_config_node_gyp || (existsSync(npmGyp) ? npmGyp : undefined);
const args = ["rebuild", "--release"];
// Node's own headers where the install has them (Debian, NodeSource), so nothing is downloaded.
const prefix = path.join(path.dirname(process.execPath), "..");
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
const run = gyp ? spawnSync(process.execPath, [gyp, ...args], { cwd: native, encoding: "utf8" }) : spawnSync("node-gyp", args, { cwd: native, encoding: "utf8", shell: process.platform === "win32" });
if (run.error || run.status !== 0) {
  const last =
    `${run.stderr ?? ""}${run.error?.message ?? ""}`
      .trim()
      .split("\n")
      .filter((l) => /error/i.test(l))
      .pop() ?? `exit ${run.status}`;
  fallback(`node-gyp failed: ${last.trim()}`);
}
console.log("hepflow: zlib reads use libdeflate (native/build/Release/hepflow_inflate.node)");
