import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFile, decompressionTotals, openFile } from "../../src/root/index.js";
import { Jagged } from "../../src/util/index.js";
import { rootFile } from "../shared.js";

/** What `f` decompressed, from the reader's own totals. */
async function decompressedBy(f: () => Promise<unknown>): Promise<{ objects: number; compressedBytes: number }> {
  const before = { ...decompressionTotals };
  await f();
  return { objects: decompressionTotals.objects - before.objects, compressedBytes: decompressionTotals.compressedBytes - before.compressedBytes };
}

// Opening a file decompresses its streamer infos and the TTree object: only the reads are counted.
async function iterateAll(file: string, tree: string, names: string[], stepSize: number): Promise<{ objects: number; compressedBytes: number; steps: Array<[number, number]> }> {
  const f = await openFile(file);
  const t = await f.tree(tree);
  const steps: Array<[number, number]> = [];
  const counted = await decompressedBy(async () => {
    for await (const c of t.iterate(names, { stepSize })) steps.push([c.entryStart, c.entryStop]);
  });
  await f.close();
  return { ...counted, steps };
}

async function readAll(file: string, tree: string, names: string[]): Promise<{ objects: number; compressedBytes: number }> {
  const f = await openFile(file);
  const t = await f.tree(tree);
  const counted = await decompressedBy(() => t.arrays(names));
  await f.close();
  return counted;
}

describe("iterate decompresses every basket once", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hepflow-iterate-once-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("over a ROOT-written file whose branches have baskets inside one cluster (uproot-HZZ-zlib)", async () => {
    const file = rootFile("uproot-HZZ-zlib.root");
    const names = ["NJet", "Jet_Px", "Jet_Py", "MET_px", "Muon_Px", "EventWeight"];
    const once = await readAll(file, "events", names);
    const { steps, ...stepped } = await iterateAll(file, "events", names, 700);
    expect(once.objects).toBeGreaterThan(names.length); // some branches have two baskets
    expect(stepped).toEqual(once);
    // steps of 700 entries, consecutive, covering the tree
    expect(steps.map(([a, b]) => b - a)).toEqual([700, 700, 700, 321]);
  });

  it("over a multi-cluster file with steps that do not divide the clusters", async () => {
    const file = path.join(dir, "clusters.root");
    const w = await createFile(file, { compression: "zstd:1" });
    const t = w.writeTree(
      "T",
      [
        { name: "n", type: "i32" },
        { name: "v", type: "f32", counter: "n" },
        { name: "x", type: "f64" },
      ],
      { entriesPerBasket: 1000 },
    );
    for (let first = 0; first < 10_000; first += 1000) {
      const n = Int32Array.from({ length: 1000 }, (_, i) => (first + i) % 4);
      const offsets = new Int32Array(1001);
      for (let i = 0; i < 1000; i++) offsets[i + 1] = offsets[i]! + n[i]!;
      t.write({
        n,
        v: new Jagged(
          offsets,
          Float32Array.from({ length: offsets[1000]! }, (_, i) => first + i),
        ),
        x: Float64Array.from({ length: 1000 }, (_, i) => (first + i) * 0.5),
      });
    }
    await w.close();
    const names = ["n", "v", "x"];
    const once = await readAll(file, "T", names);
    expect(once.objects).toBe(30); // 10 clusters × 3 branches
    for (const step of [2500, 700, 1000, 20_000]) {
      const { steps, ...stepped } = await iterateAll(file, "T", names, step);
      expect(stepped, `stepSize ${step}`).toEqual(once);
      expect(steps[0]![0]).toBe(0);
      expect(steps.at(-1)![1]).toBe(10_000);
      for (let i = 1; i < steps.length; i++) expect(steps[i]![0]).toBe(steps[i - 1]![1]);
      for (const [a, b] of steps) expect(b - a).toBeLessThanOrEqual(step);
    }
  });
});
