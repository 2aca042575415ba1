// Inflate speed on the zlib:1 baskets of the generated AGC file (bench/lib/generated.mjs): node:zlib, which
// hepflow uses, against Debian's zlib and libdeflate called from C on the same blocks (built here with gcc
// when libdeflate-dev and zlib1g-dev are installed; otherwise a skipped line). It measures whether an
// optional libdeflate binding would pay: no npm package in the registry binds Debian's libdeflate, so
// hepflow keeps node:zlib (docs/performance.md). One JSON line per implementation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { openFile } from "../dist/root/index.js";
import { generatedTtbar } from "./lib/generated.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const file = await generatedTtbar("zlib:1");
const bytes = readFileSync(file);
const f = await openFile(file);
const t = await f.tree("Events");
const blocks = [];
let U = 0,
  C = 0;
for (const b of t.branches) {
  for (const r of t.branch(b.name).baskets) {
    if (r.embedded || !r.bytes) continue;
    const raw = bytes.subarray(r.seek, r.seek + r.bytes);
    let body = raw.subarray(raw.readInt16BE(14), raw.readInt32BE(0));
    // ROOT's block header: "ZL", method, compressed and uncompressed sizes (3 bytes each, little-endian)
    while (body.length >= 9 && body[0] === 0x5a && body[1] === 0x4c) {
      const c = body.readUIntLE(3, 3),
        u = body.readUIntLE(6, 3);
      blocks.push([body.subarray(9, 9 + c), u]);
      U += u;
      C += c;
      body = body.subarray(9 + c);
    }
  }
}
await f.close();
let best = Infinity;
for (let k = 0; k < 5; k++) {
  const t0 = performance.now();
  for (const [d, u] of blocks) inflateSync(d, { maxOutputLength: u, chunkSize: Math.max(u, 64) });
  best = Math.min(best, performance.now() - t0);
}
const nodeRate = U / 1e3 / best;
console.log(
  JSON.stringify({
    case: "inflate_zlib1",
    impl: `node:zlib ${process.versions.zlib}`,
    blocks: blocks.length,
    compressed_mb: Number((C / 1e6).toFixed(1)),
    uncompressed_mb: Number((U / 1e6).toFixed(1)),
    uncompressed_mb_per_s: Math.round(nodeRate),
  }),
);
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-inflate-"));
try {
  const exe = path.join(dir, "inflate");
  const cc = spawnSync("gcc", ["-O2", path.join(here, "inflate/inflate.c"), "-o", exe, "-lz", "-ldeflate"], { encoding: "utf8" });
  if (cc.status !== 0) {
    console.log(JSON.stringify({ case: "inflate_zlib1", impl: "zlib / libdeflate (C)", skipped: `gcc with zlib1g-dev and libdeflate-dev needed: ${(cc.stderr || cc.error?.message || "").trim().split("\n")[0]}` }));
    process.exit(0);
  }
  const parts = [];
  for (const [d, u] of blocks) {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(d.length, 0);
    h.writeUInt32LE(u, 4);
    parts.push(h, d);
  }
  writeFileSync(path.join(dir, "blocks.bin"), Buffer.concat(parts));
  const run = spawnSync(exe, [path.join(dir, "blocks.bin")], { encoding: "utf8" });
  for (const l of run.stdout.split("\n").filter(Boolean)) {
    const rec = JSON.parse(l);
    console.log(JSON.stringify({ case: "inflate_zlib1", ...rec, x_node_zlib: Number((rec.uncompressed_mb_per_s / nodeRate).toFixed(2)) }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
