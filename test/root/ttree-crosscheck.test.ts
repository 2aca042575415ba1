import { describe, expect, it } from "vitest";
import { type Jagged, isJagged, type Column } from "../../src/util/index.js";
import { corpusOpener } from "../shared.js";

const open = corpusOpener();

function toNested(col: Column): unknown[] {
  if (isJagged(col)) return Array.from({ length: col.length }, (_, i) => Array.from(col.content as ArrayLike<unknown>).slice(col.offsets[i]!, col.offsets[i + 1]!));
  return Array.from(col as ArrayLike<unknown>);
}

describe("cross-checks where JSROOT is no reference (shared/reference/root/README.md)", () => {
  it("jagged branches without entry offsets equal the same branches with offsets", async () => {
    const a = await (await open("uproot-small-dy-nooffsets.root")).tree("tree");
    const b = await (await open("uproot-small-dy-withoffsets.root")).tree("tree");
    const names = ["nJet", "Jet_pt", "Jet_jetId", "nMuon", "Muon_pt", "Muon_charge"];
    const ca = await a.arrays(names),
      cb = await b.arrays(names);
    for (const n of names) expect(toNested(ca[n]!), n).toEqual(toNested(cb[n]!));
    // Mid-basket ranges must not depend on entry offsets either.
    const ra = await a.arrays(["Jet_pt"], { entryStart: 137, entryStop: 422 });
    expect(toNested(ra.Jet_pt!)).toEqual(toNested(cb.Jet_pt!).slice(137, 422));
  });

  it("Char_t ai1[3] reads as int8 [-14+i, -13+i, -12+i] in every ROOT-version sample", async () => {
    for (const name of ["uproot-sample-5.23.02-zlib.root", "uproot-sample-6.20.04-lz4.root", "uproot-sample-6.08.04-lzma.root"]) {
      const t = await (await open(name)).tree("sample");
      const col = (await t.arrays(["ai1"])).ai1 as Jagged;
      expect(col.content).toBeInstanceOf(Int8Array);
      const nested = toNested(col);
      expect(nested.length).toBe(30);
      nested.forEach((v, i) => expect(v, `${name} entry ${i}`).toEqual([-14 + i, -13 + i, -12 + i]));
    }
  });

  it("all columns of one NanoAOD collection share one offsets object", async () => {
    const t = await (await open("nanoAOD_2015_CMS_Open_Data_ttbar.root")).tree("Events");
    const c = await t.arrays(["Jet_*", "nJet", "Muon_pt", "Muon_eta"]);
    const jet = c.Jet_pt as Jagged;
    expect(isJagged(jet)).toBe(true);
    for (const [n, col] of Object.entries(c)) if (n.startsWith("Jet_")) expect((col as Jagged).offsets, n).toBe(jet.offsets);
    expect((c.Muon_pt as Jagged).offsets).toBe((c.Muon_eta as Jagged).offsets);
    // Offsets are the running sum of nJet.
    const nJet = c.nJet as ArrayLike<number>;
    let acc = 0;
    for (let i = 0; i < nJet.length; i++) {
      acc += nJet[i]!;
      expect(jet.offsets[i + 1]).toBe(acc);
    }
  });

  it("entry ranges starting and stopping mid-basket equal slices of the full read, over many baskets", async () => {
    const t = await (await open("uproot-sample-6.20.04-uncompressed.root")).tree("sample");
    const names = ["i4", "f8", "Ai4", "Af8", "ab", "str", "n", "af4", "Au8"];
    const full = await t.arrays(names);
    for (const [s, e] of [
      [0, 30],
      [3, 4],
      [7, 23],
      [29, 30],
      [12, 12],
      [1, 29],
    ] as const) {
      const part = await t.arrays(names, { entryStart: s, entryStop: e });
      for (const n of names) expect(toNested(part[n]!), `${n} [${s},${e})`).toEqual(toNested(full[n]!).slice(s, e));
    }
  });

  it("iterate yields consecutive chunks that concatenate to the full read", async () => {
    const t = await (await open("uproot-HZZ-zlib.root")).tree("events");
    const full = await t.arrays(["Jet_Px", "MET_px"]);
    const px: unknown[] = [],
      met: unknown[] = [];
    let next = 0;
    for await (const chunk of t.iterate(["Jet_Px", "MET_px"], { stepSize: 700 })) {
      expect(chunk.entryStart).toBe(next);
      next = chunk.entryStop;
      px.push(...toNested(chunk.columns.Jet_Px!));
      met.push(...toNested(chunk.columns.MET_px!));
    }
    expect(next).toBe(t.numEntries);
    expect(px).toEqual(toNested(full.Jet_Px!));
    expect(met).toEqual(toNested(full.MET_px!));
    const bounds = t.clusterBoundaries();
    expect(bounds[0]).toBe(0);
    expect(bounds[bounds.length - 1]).toBe(t.numEntries);
  });

  it("64-bit integers are exact BigInt64/BigUint64 arrays", async () => {
    const t = await (await open("uproot-sample-6.20.04-zlib.root")).tree("sample");
    const c = await t.arrays(["i8", "u8"]);
    expect(c.i8).toBeInstanceOf(BigInt64Array);
    expect(c.u8).toBeInstanceOf(BigUint64Array);
  });

  it("branch metadata: types, counters, byte counts", async () => {
    const t = await (await open("uproot-HZZ.root")).tree("events");
    const px = t.branches.find((b) => b.name === "Jet_Px")!;
    expect(px.typeName).toBe("Float_t[NJet]");
    expect(px.counter).toBe("NJet");
    expect(px.compressedBytes).toBeGreaterThan(0);
    expect(px.uncompressedBytes).toBeGreaterThan(px.compressedBytes);
    const nano = await (await open("nanoAOD_2015_CMS_Open_Data_ttbar.root")).tree("Events");
    expect(nano.branches.length).toBe(947);
    expect(nano.branches.find((b) => b.name === "Jet_pt")!.counter).toBe("nJet");
  });

  it("unsplit TVector2/TVector3 and vector<TLorentzVector> members read as columns equal to the flat HZZ branches", async () => {
    const t = await (await open("uproot-HZZ-objects.root")).tree("events");
    const flat = await (await open("uproot-HZZ.root")).tree("events");
    const c = await t.arrays(["MET.fX", "MET.fY", "MC_lepton.*", "jetp4.fP.fX", "jetp4.fP.fY", "jetp4.fE", "muonp4.fP.fZ"]);
    const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
    // Truth from the reference README: MET.fX/fY equal HZZ MET_px/MET_py, whose sums are these (same doubles, same order).
    expect(sum(c["MET.fX"] as Float64Array)).toBe(577.7299035903998);
    expect(sum(c["MET.fY"] as Float64Array)).toBe(-6370.573567732237);
    const f = await flat.arrays(["MET_px", "MET_py", "Jet_Px", "Jet_Py", "Jet_E", "Muon_Pz"]);
    expect(Array.from(c["MET.fX"] as Float64Array)).toEqual(Array.from(f.MET_px as Float32Array));
    expect(Array.from(c["MET.fY"] as Float64Array)).toEqual(Array.from(f.MET_py as Float32Array));
    for (const n of ["MC_lepton.fX", "MC_lepton.fY", "MC_lepton.fZ"])
      expect(
        (c[n] as Float64Array).every((v) => v === 0),
        n,
      ).toBe(true);
    expect(toNested(c["jetp4.fP.fX"]!)).toEqual(toNested(f.Jet_Px!));
    expect(toNested(c["jetp4.fP.fY"]!)).toEqual(toNested(f.Jet_Py!));
    expect(toNested(c["jetp4.fE"]!)).toEqual(toNested(f.Jet_E!));
    expect(toNested(c["muonp4.fP.fZ"]!)).toEqual(toNested(f.Muon_Pz!));
    expect((c["jetp4.fE"] as Jagged).offsets).toBe((c["jetp4.fP.fX"] as Jagged).offsets);
  });

  it("Double32_t with ranges and truncated mantissas (ROOT's double32 tutorial) agree with the full-precision member", async () => {
    // The tutorial class declares fI<n> as Double32_t //[-pi,pi,n] and fR<n> as //[0,0,n]; fD64 is the exact double.
    const t = await (await open("uproot-demo-double32.root")).tree("T");
    const c = await t.arrays(["fD64", "fF32", "fI32", "fI20", "fI8", "fI2", "fR14", "fR8", "fR2"]);
    const d = c.fD64 as Float64Array;
    expect(d.length).toBe(40000);
    const maxErr = (a: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - d[i]!)), 0);
    const maxRel = (a: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - d[i]!) / Math.max(Math.abs(d[i]!), 1e-300)), 0);
    // Without a range Double32 is stored as a float.
    expect(Array.from(c.fF32 as Float64Array)).toEqual(Array.from(d, (v) => Math.fround(v)));
    // With a range of width 2*pi and n bits, the value is truncated to one of 2^n steps.
    for (const n of [32, 20, 8, 2]) expect(maxErr(c[`fI${n}`] as Float64Array), `fI${n}`).toBeLessThanOrEqual((2 * Math.PI) / 2 ** n + 1e-12);
    // A truncated mantissa of n bits keeps a relative precision of 2^-n.
    for (const n of [14, 8, 2]) expect(maxRel(c[`fR${n}`] as Float64Array), `fR${n}`).toBeLessThanOrEqual(2 ** -n);
    // And the precision really is that coarse (the packing was applied, not skipped).
    expect(maxErr(c.fI8 as Float64Array)).toBeGreaterThan(1e-4);
  });

  it("STL containers: strings, vector<int>, vector<string>, vector<TString>, vector<vector<int>>, vector<vector<double>>", async () => {
    // uproot-stl_containers.root was written so that entry i holds the first i+1 of the counting sequence
    // ("one", "two", ... and 1, 2, ...), nested as the type says (the file's generator in uproot's tests).
    const words = ["one", "two", "three", "four", "five"];
    const t = await (await open("uproot-stl_containers.root")).tree("tree");
    const c = await t.arrays(["string", "tstring", "vector_int32", "vector_string", "vector_tstring", "vector_vector_int32"]);
    expect(c.string).toEqual(words);
    expect(c.tstring).toEqual(words);
    const seq = (n: number) => Array.from({ length: n }, (_, k) => k + 1);
    expect(toNested(c.vector_int32!)).toEqual(words.map((_, i) => seq(i + 1)));
    const vs = c.vector_string as Jagged;
    expect(Array.from({ length: 5 }, (_, i) => (vs.content as string[]).slice(vs.offsets[i]!, vs.offsets[i + 1]!))).toEqual(words.map((_, i) => words.slice(0, i + 1)));
    expect((c.vector_tstring as Jagged).content).toEqual(vs.content);
    const vv = c.vector_vector_int32 as Jagged<Jagged>;
    const entry = (i: number) => Array.from({ length: vv.count(i) }, (_, k) => toNested(vv.content)[vv.offsets[i]! + k]);
    for (let i = 0; i < 5; i++) expect(entry(i)).toEqual(Array.from({ length: i + 1 }, (_, k) => seq(k + 1)));
    const d = await (await open("uproot-vectorVectorDouble.root")).tree("t");
    const x = (await d.arrays(["x"])).x as Jagged<Jagged>;
    const inner = toNested(x.content);
    expect([0, 1, 2].map((i) => inner.slice(x.offsets[i]!, x.offsets[i + 1]!))).toEqual([[], [[], []], [[10], [], [10, 20]]]);
  });

  it("RVec branches (RAdoptAllocator vectors) equal the plain vector<float> branches written beside them", async () => {
    const t = await (await open("uproot-issue-172.root")).tree("events");
    const c = await t.arrays(["rec_part_px", "rec_part_px_VecOps", "rec_part_py", "rec_part_py_VecOps"]);
    expect(toNested(c.rec_part_px_VecOps!)).toEqual(toNested(c.rec_part_px!));
    expect(toNested(c.rec_part_py_VecOps!)).toEqual(toNested(c.rec_part_py!));
    expect((c.rec_part_px as Jagged).content.length).toBeGreaterThan(0);
  });
});
