import { describe, expect, it } from "vitest";
import { EventChunk, withRecordViews, mergeAccumulators } from "../../src/analysis/index.js";
import { Jagged } from "../../src/util/index.js";
import type { Columns } from "../../src/util/index.js";

function chunk() {
  const offsets = Int32Array.from([0, 2, 2, 3]);
  const cols: Columns = { Jet_pt: new Jagged(offsets, Float32Array.from([50, 40, 30])), Jet_eta: new Jagged(offsets, Float32Array.from([0.1, -1, 2])), nJet: Uint32Array.from([2, 0, 1]), MET: Float32Array.from([1, 2, 3]) };
  const requests: string[][] = [];
  const c = new EventChunk(
    10,
    13,
    Object.keys(cols),
    async (names) => {
      requests.push(names);
      return Object.fromEntries(names.map((n) => [n, cols[n]!]));
    },
    "mem",
  );
  return { c, requests, cols };
}

describe("EventChunk", () => {
  it("reads only requested columns, each once, and gives record views without copies", async () => {
    const { c, requests, cols } = chunk();
    const ev = withRecordViews(c);
    await ev.load("Jet_*");
    await ev.load("Jet_pt", "MET");
    expect(requests).toEqual([["Jet_pt", "Jet_eta"], ["MET"]]);
    expect(ev.Jet!.pt).toBe(cols.Jet_pt); // same object: no copy
    expect(ev.MET).toBe(cols.MET);
    expect(Object.keys(ev.Jet!).sort()).toEqual(["eta", "pt"]);
    expect(ev.length).toBe(3);
    expect(ev.loaded).toEqual(["Jet_pt", "Jet_eta", "MET"]);
    const jets = ev.zip("Jet"); // array-layer Collection of the loaded fields
    expect(Object.keys(jets).sort()).toEqual(["eta", "pt"]);
    expect(jets.pt!.content).toBe((cols.Jet_pt as Jagged).content);
    expect(() => ev.zip("Muon")).toThrow(/no jagged "Muon_\*" column is loaded/);
  });

  it("says how to fix an unloaded or unknown column", async () => {
    const { c } = chunk();
    const ev = withRecordViews(c);
    expect(() => ev.Jet!.pt).toThrow(/column "Jet_pt" was not loaded; .*await events.load\("Jet_pt"\)/);
    expect(() => c.column("Jet_mass")).toThrow(/no branch "Jet_mass"/);
    await expect(c.load("Muon_*")).rejects.toThrow(/no branch matches "Muon_\*"/);
  });
});

describe("accumulators", () => {
  it("add numbers and typed arrays, concatenate lists, merge records, and reject mismatches", () => {
    const a = { n: 1, h: Float64Array.from([1, 2]), l: [1], c: { x: 1 }, label: "t" };
    const b = { n: 2, h: Float64Array.from([10, 20]), l: [2], c: { y: 5 }, label: "t" };
    const m = mergeAccumulators(a, b) as typeof a & { c: { y: number } };
    expect(m.n).toBe(3);
    expect(Array.from(m.h)).toEqual([11, 22]);
    expect(m.l).toEqual([1, 2]);
    expect(m.c).toEqual({ x: 1, y: 5 });
    expect(Array.from(a.h)).toEqual([1, 2]); // inputs untouched
    expect(() => mergeAccumulators({ h: new Float64Array(2) }, { h: new Float64Array(3) })).toThrow(/accumulator\.h: cannot add Float64Array\(2\) and Float64Array\(3\)/);
    expect(() => mergeAccumulators({ s: "a" }, { s: "b" })).toThrow(/ACCUMULATOR|cannot merge/);
  });
});
