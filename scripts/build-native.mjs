// The package's install step: builds native/ with the node-gyp that ships with npm — hepflow's
// libdeflate binding for zlib reads (hepflow_inflate) and its float32 column kernels
// (hepflow_kernels). Optional by design: without a C/C++ compiler or node-gyp it prints one line and
// exits 0, and hepflow runs on node:zlib and its WebAssembly kernels; without libdeflate's headers
// (Debian: libdeflate-dev) it builds the kernels alone. `npm run build:native` reruns it by hand.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const native = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "native");
const fallback = (why) => {
  console.log(`hepflow: zlib reads use node:zlib and the kernels WebAssembly (native addons not built: ${why})`);
  process.exit(0);
};
if (process.env.HEPFLOW_SKIP_NATIVE) fallback("HEPFLOW_SKIP_NATIVE is set");

// Probe the compiler and the header first, so a machine without them gets one line instead of a compiler error.
const cc = process.env.CC || "cc";
const probe = spawnSync(cc, ["-E", "-x", "c", "-", "-o", process.platform === "win32" ? "NUL" : "/dev/null"], { input: "#include <libdeflate.h>\n", encoding: "utf8" });
if (probe.error?.code === "ENOENT") fallback(`no C compiler (${cc})`);
const libdeflate = !probe.error && probe.status === 0;

// npm hands its own node-gyp to lifecycle scripts; run by hand, look for the one beside npm.
const npmGyp = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
const gyp = process.env.npm_config_node_gyp || (existsSync(npmGyp) ? npmGyp : undefined);
const args = ["rebuild", "--release"];
// Node's own headers where the install has them (Debian, NodeSource), so nothing is downloaded.
const prefix = path.join(path.dirname(process.execPath), "..");
if (!process.env.npm_config_nodedir && existsSync(path.join(prefix, "include", "node", "node_api.h"))) args.push(`--nodedir=${prefix}`);
if (!libdeflate) args.push("--", "-Dwith_libdeflate=false");
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
console.log(
  libdeflate ? "hepflow: zlib reads use libdeflate; native kernels built (native/build/Release/)" : "hepflow: zlib reads use node:zlib (libdeflate.h not found; install libdeflate-dev); native kernels built (native/build/Release/)",
);
