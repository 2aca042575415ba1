import { describe, expect, it, afterAll } from "vitest";
import { rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openFile as jsrootOpen } from "jsroot/io";
import { createFile, hadd, openFile, type RootHistogram } from "../../src/root/index.js";
import { Jagged, type Columns } from "../../src/util/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "hepflow-hadd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hist(scale: number): RootHistogram {
  const contents = Float64Array.from({ length: 7 }, (_, i) => i * scale);
  return {
    className: "TH1D",
    name: "h",
    title: "t",
    dimension: 1,
    xaxis: { nbins: 5, xmin: 0, xmax: 5, title: "x" },
    contents,
    sumw2: contents.map((v) => v * scale),
    entries: 10 * scale,
    stats: { tsumw: scale, tsumw2: scale, tsumwx: 2 * scale, tsumwx2: 3 * scale },
  };
}

function chunk(start: number, n: number): Columns {
  const off = Int32Array.from({ length: n + 1 }, (_, i) => i * 2);
  return {
    x: Float64Array.from({ length: n }, (_, i) => start + i),
    Jet_pt: new Jagged(
      off,
      Float32Array.from({ length: 2 * n }, (_, i) => start * 2 + i),
    ),
  };
}

describe("hadd", () => {
  it("sums histograms and concatenates trees; JSROOT and hepflow read the result", async () => {
    const inputs: string[] = [];
    for (let f = 0; f < 3; f++) {
      const p = path.join(dir, `in${f}.root`);
      const w = await createFile(p);
      w.mkdir("plots");
      w.putHistogram("plots/h", hist(f + 1));
      const t = w.writeTree(
        "Events",
        [
          { name: "x", type: "f64" },
          { name: "nJet", type: "i32" },
          { name: "Jet_pt", type: "f32", counter: "nJet" },
        ],
        { entriesPerBasket: 4 },
      );
      t.write(chunk(f * 10, 10));
      await w.close();
      inputs.push(p);
    }
    const out = path.join(dir, "merged.root");
    const r = await hadd(out, inputs);
    expect(r).toEqual({ histograms: 1, trees: 1, entries: 30 });
    const js = await jsrootOpen(out);
    const h = await js.readObject("plots/h");
    // 1 + 2 + 3 = 6 times the unit histogram; sumw2 is sum of scale^2 = 14 times i.
    expect(Array.from(h.fArray)).toEqual(Array.from({ length: 7 }, (_, i) => 6 * i));
    expect(Array.from(h.fSumw2)).toEqual(Array.from({ length: 7 }, (_, i) => 14 * i));
    expect(h.fEntries).toBe(60);
    const f = await openFile(out);
    const a = await (await f.tree("Events")).arrays();
    expect(Array.from(a.x as Float64Array)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(Array.from((a.Jet_pt as Jagged).content as Float32Array)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    await f.close();
  });

  it("refuses histograms with different binning", async () => {
    const a = path.join(dir, "a.root"),
      b = path.join(dir, "b.root");
    for (const [p, nb] of [
      [a, 5],
      [b, 6],
    ] as const) {
      const w = await createFile(p);
      const h = hist(1);
      w.putHistogram("h", { ...h, xaxis: { ...h.xaxis, nbins: nb }, contents: new Float64Array(nb + 2), sumw2: new Float64Array(nb + 2) });
      await w.close();
    }
    await expect(hadd(path.join(dir, "bad.root"), [a, b])).rejects.toThrow(/different class or binning/);
  });
});
