#!/usr/bin/env node
// Lists every HepflowError code raised in src/ with the files that raise it (the error-code registry).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "src");
const codes = new Map();
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".ts")) {
      for (const m of readFileSync(p, "utf8").matchAll(/HepflowError\(\s*"([A-Z0-9_]+)"/g)) {
        const files = codes.get(m[1]) ?? new Set();
        files.add(path.relative(root, p));
        codes.set(m[1], files);
      }
    }
  }
};
walk(root);
const json = process.argv.includes("--json");
const rows = [...codes].sort(([a], [b]) => a.localeCompare(b)).map(([code, files]) => ({ code, files: [...files].sort() }));
if (json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
else for (const r of rows) process.stdout.write(`${r.code.padEnd(32)} ${r.files.join(", ")}\n`);
