import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor, assembleSnapshots, parseDataset, type SnapshotPart } from "../../src/analysis/index.js";
import { openFile } from "../../src/root/index.js";
import type { Jagged } from "../../src/util/index.js";
// @ts-expect-error plain JS fixture without types
import { memEvent } from "./fixtures/memtree.mjs";

const here = new URL(".", import.meta.url).pathname;
const opener = join(here, "fixtures/memtree.mjs");
const processor = join(here, "fixtures/snapproc.mjs");
const tmp = mkdtempSync(join(tmpdir(), "hepflow-snap-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const files = { a: ["mem:1?n=1000&cluster=70", "mem:2?n=333&cluster=50"], b: ["mem:3?n=777&cluster=100"] };
const dataset = parseDataset({ samples: Object.entries(files).map(([name, f]) => ({ name, treeName: "Events", files: f })) });

/** The snapshot by a plain loop over the events in file order. */
function expected(paths: string[]): { x: number[]; entry: number[]; pts: number[][] } {
  const out = { x: [] as number[], entry: [] as number[], pts: [] as number[][] };
  for (const p of paths) {
    const seed = Number(p.slice(4, p.indexOf("?")));
    const n = Number(new URLSearchParams(p.split("?")[1]).get("n"));
    for (let i = 0; i < n; i++) {
      const e = memEvent(seed, i);
      if (e.x > 0.5) { out.x.push(e.x); out.entry.push(i); out.pts.push(e.pts as number[]); }
    }
  }
  return out;
}

async function run(workers: number): Promise<Record<string, { file: string; entries: number }>> {
  const dir = join(tmp, `w${workers}`);
  process.env.HEPFLOW_SNAPSHOT_DIR = dir;
  try {
    const r = await new LocalExecutor().run(processor, dataset, { workers, chunkSize: 60, opener });
    const acc = r.accumulator as unknown as { kept: number; $snapshot: SnapshotPart[] };
    expect(acc.$snapshot.length).toBe(r.chunks);
    return await assembleSnapshots(acc.$snapshot, join(dir, "out"));
  } finally {
    delete process.env.HEPFLOW_SNAPSHOT_DIR;
  }
}

describe("snapshots through the executor", () => {
  it("one file per sample in canonical order, equal to a plain loop, identical for 1 and 2 workers", async () => {
    const one = await run(1);
    const two = await run(2);
    for (const [sample, paths] of Object.entries(files)) {
      const want = expected(paths);
      const got = [];
      for (const r of [one, two]) {
        const f = await openFile(r[sample]!.file);
        const t = await f.tree("Events");
        const c = await t.arrays();
        await f.close();
        const pt = c.Jet_pt as Jagged;
        got.push({
          x: Array.from(c.x as Float64Array), entry: Array.from(c.entry as Int32Array),
          pts: Array.from({ length: pt.length }, (_, i) => Array.from((pt.content as Float32Array).subarray(pt.offsets[i]!, pt.offsets[i + 1]!))),
        });
        expect(r[sample]!.entries).toBe(want.x.length);
      }
      expect(got[0]).toEqual(want);
      expect(got[1]).toEqual(got[0]);
    }
  }, 60_000);
});

describe("hepflow run with a snapshotting processor", () => {
  it("writes OUT/snapshots/<sample>.root and no parts directory", async () => {
    const { spawnSync } = await import("node:child_process");
    const { existsSync, writeFileSync } = await import("node:fs");
    const ds = join(tmp, "ds.json");
    writeFileSync(ds, JSON.stringify({ samples: Object.entries(files).map(([name, f]) => ({ name, treeName: "Events", files: f })) }));
    const out = join(tmp, "run-out");
    const r = spawnSync(process.execPath, [new URL("../../bin/hepflow.js", import.meta.url).pathname, "run", processor, "--dataset", ds, "--out", out,
      "--opener", opener, "--workers", "2", "--chunk-size", "90", "--json"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, ".snapshot-parts"))).toBe(false);
    for (const [sample, paths] of Object.entries(files)) {
      const f = await openFile(join(out, "snapshots", `${sample}.root`));
      const t = await f.tree("Events");
      expect(Array.from((await t.arrays(["x"])).x as Float64Array)).toEqual(expected(paths).x);
      await f.close();
    }
  }, 60_000);
});
