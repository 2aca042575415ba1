import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LocalExecutor, RedisExecutor, assembleSnapshots, parseDataset, type ExecutorOptions, type SnapshotPart } from "../../src/analysis/index.js";
import { isHepflowError } from "../../src/util/index.js";
import { startRedis, startWorker } from "../helpers/redis.js";
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
      if (e.x > 0.5) {
        out.x.push(e.x);
        out.entry.push(i);
        out.pts.push(e.pts as number[]);
      }
    }
  }
  return out;
}

type Assembled = Record<string, { file: string; entries: number }>;

/** Runs the snapshotting processor with the part folder as an executor option (no process-wide setting). */
async function run(workers: number): Promise<Assembled> {
  const dir = join(tmp, `w${workers}`);
  const r = await new LocalExecutor().run(processor, dataset, { workers, chunkSize: 60, opener, snapshotDir: dir });
  const acc = r.accumulator as unknown as { kept: number; $snapshot: SnapshotPart[] };
  expect(acc.$snapshot.length).toBe(r.chunks);
  for (const p of acc.$snapshot) expect(p.file.startsWith(join(dir, "parts") + "/"), p.file).toBe(true);
  return assembleSnapshots(acc.$snapshot, join(dir, "out"));
}

/** Each sample's snapshot equals a plain loop over its events in file order. */
async function expectCanonical(results: Assembled[]): Promise<void> {
  for (const [sample, paths] of Object.entries(files)) {
    const want = expected(paths);
    const got = [];
    for (const r of results) {
      const f = await openFile(r[sample]!.file);
      const t = await f.tree("Events");
      const c = await t.arrays();
      await f.close();
      const pt = c.Jet_pt as Jagged;
      got.push({
        x: Array.from(c.x as Float64Array),
        entry: Array.from(c.entry as Int32Array),
        pts: Array.from({ length: pt.length }, (_, i) => Array.from((pt.content as Float32Array).subarray(pt.offsets[i]!, pt.offsets[i + 1]!))),
      });
      expect(r[sample]!.entries).toBe(want.x.length);
    }
    for (const g of got) expect(g).toEqual(want);
  }
}

describe("snapshots through the executor", () => {
  it("one file per sample in canonical order, equal to a plain loop, identical for 0 (in-thread), 1 and 2 workers", async () => {
    await expectCanonical([await run(0), await run(1), await run(2)]);
  }, 60_000);

  it("a snapshot without a part folder is refused with SNAPSHOT_DIR", async () => {
    for (const workers of [0, 1]) {
      const err = await new LocalExecutor().run(processor, dataset, { workers, chunkSize: 400, opener, retries: 0 }).catch((e: unknown) => e);
      expect(isHepflowError(err, "CHUNK_FAILED"), String(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(/no snapshot directory/);
    }
  }, 60_000);
});

describe("snapshots through the Redis executor", () => {
  it("the part folder travels with the jobs to a `hepflow worker` process; outside its root a snapshot fails clearly", async () => {
    // The worker resolves paths inside its --root: a private root with copies of the fixtures
    // (memtree's import of dist/ made absolute so that the copy finds it).
    const root = join(tmp, "redis-root");
    mkdirSync(root, { recursive: true });
    const dist = pathToFileURL(new URL("../../dist/util/index.js", import.meta.url).pathname).href;
    writeFileSync(join(root, "memtree.mjs"), readFileSync(opener, "utf8").replace("../../../dist/util/index.js", dist));
    writeFileSync(join(root, "snapproc.mjs"), readFileSync(processor, "utf8"));
    const redis = await startRedis();
    const worker = await startWorker(redis.url, { root });
    try {
      const base: ExecutorOptions = { chunkSize: 60, opener: join(root, "memtree.mjs"), chunkTimeoutMs: 20_000 };
      const dir = join(root, "run", ".snapshot-parts");
      const r = await new RedisExecutor({ url: redis.url, root }).run(join(root, "snapproc.mjs"), dataset, { ...base, snapshotDir: dir });
      const acc = r.accumulator as unknown as { $snapshot: SnapshotPart[] };
      expect(acc.$snapshot.length).toBe(r.chunks);
      for (const p of acc.$snapshot) expect(p.file.startsWith(join(dir, "parts") + "/"), p.file).toBe(true);
      await expectCanonical([await assembleSnapshots(acc.$snapshot, join(root, "run", "snapshots"))]);
      // a part folder outside the workers' root is not sent: the worker refuses to snapshot
      const err = await new RedisExecutor({ url: redis.url, root }).run(join(root, "snapproc.mjs"), dataset, { ...base, retries: 0, chunkSize: 400, snapshotDir: join(tmp, "elsewhere") }).catch((e: unknown) => e);
      expect(String((err as Error).message)).toMatch(/no snapshot directory/);
    } finally {
      await worker.stop();
      await redis.stop();
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
    const r = spawnSync(process.execPath, [new URL("../../bin/hepflow.js", import.meta.url).pathname, "run", processor, "--dataset", ds, "--out", out, "--opener", opener, "--workers", "2", "--chunk-size", "90", "--json"], {
      encoding: "utf8",
    });
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
