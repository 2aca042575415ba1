#!/usr/bin/env node
// Lints, builds, runs the vitest suite, and ends with the plain "N passed, N failed" line CI reads.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { summarize } from "./summary.mjs";

const run = (cmd, args) => spawnSync(cmd, args, { stdio: "inherit", shell: false }).status ?? 1;
// lint and format check first: seconds, and a finding is cheaper to fix before a ten-minute run
if (run("npm", ["run", "--silent", "lint"]) !== 0) {
  console.log("Tests: 0 passed, 1 failed (lint or format check failed: npm run lint)");
  process.exit(1);
}
// tsc, then the pages of `hepflow ui` (dist/web-client) and the static reader (dist/reader) the browser tests load
if (run("npm", ["run", "--silent", "build"]) !== 0) {
  console.log("Tests: 0 passed, 1 failed (build failed: npm run build)");
  process.exit(1);
}
// the native addons are built by the install step; a checkout installed before they existed, or before
// their sources last changed, rebuilds them here
const addons = ["native/build/Release/hepflow_inflate.node", "native/build/Release/hepflow_kernels.node"];
const sources = readdirSync("native").filter((f) => /\.(c|cc|h|gyp)$/.test(f));
const built = Math.min(...addons.map((a) => (existsSync(a) ? statSync(a).mtimeMs : 0)));
if (sources.some((f) => statSync(`native/${f}`).mtimeMs > built)) run("node", ["scripts/build-native.mjs"]);
// the tests are type-checked too (against the sources), though vitest itself only strips types
if (run("npx", ["tsc", "-p", "tsconfig.test.json"]) !== 0) {
  console.log("Tests: 0 passed, 1 failed (type-check of the tests failed)");
  process.exit(1);
}
const report = "test-results.json";
rmSync(report, { force: true });
const status = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${report}`, ...process.argv.slice(2)]);
let s;
try {
  s = summarize(JSON.parse(readFileSync(report, "utf8")));
} catch {
  s = { failed: 1, line: "Tests: 0 passed, 1 failed (no test report)" };
}
const failed = s.failed;
console.log(s.line);
process.exit(status !== 0 ? status : failed ? 1 : 0);
