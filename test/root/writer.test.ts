import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { rmSync, mkdtempSync, readdirSync, writeFileSync, existsSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openFile as jsrootOpen } from "jsroot/io";
import { treeProcess, TSelector } from "jsroot/tree";
import { createFile, updateFile, openFile, type RootHistogram, type BranchSpec, type LeafType } from "../../src/root/index.js";
import { rootFile } from "../shared.js";
import { Hist, Regular, StrCategory, toRoot } from "../../src/hist/index.js";
import { Jagged, isHepflowError, type Columns } from "../../src/util/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "hepflow-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const out = (name: string): string => path.join(dir, name);

function th1(className: string, name: string, edges?: Float64Array, labels?: string[]): RootHistogram {
  const nbins = labels ? labels.length : edges ? edges.length - 1 : 10;
  const contents = new Float64Array(nbins + 2).map((_, i) => ((i * 7) % 11) + (className === "TH1I" ? 0 : 0.25));
  return {
    className,
    name,
    title: `title of ${name}`,
    dimension: 1,
    xaxis: { nbins, xmin: 0, xmax: 50, title: "H_{T} [GeV]", ...(edges ? { edges } : {}), ...(labels ? { labels } : {}) },
    contents,
    sumw2: contents.map((v) => v * 1.5),
    entries: 123,
    stats: { tsumw: 10.5, tsumw2: 20.25, tsumwx: 300.125, tsumwx2: 4000.5 },
  };
}

function th2(className: string): RootHistogram {
  const nx = 3,
    ny = 4;
  const contents = new Float64Array((nx + 2) * (ny + 2)).map((_, i) => i + 0.5);
  return {
    className,
    name: "h2",
    title: "two dims",
    dimension: 2,
    xaxis: { nbins: nx, xmin: -1, xmax: 2, title: "x" },
    yaxis: { nbins: ny, xmin: 0, xmax: 10, title: "y", edges: new Float64Array([0, 1, 2, 5, 10]) },
    contents,
    sumw2: contents.map((v) => v * v),
    entries: 30,
    stats: { tsumw: 1, tsumw2: 2, tsumwx: 3, tsumwx2: 4, tsumwy: 5, tsumwy2: 6, tsumwxy: 7 },
  };
}

/** Reads a tree entirely with JSROOT's own TTree machinery (independent of hepflow's reader). */
async function jsrootRows(file: string, tree: string, branches: string[]): Promise<Record<string, unknown>[]> {
  const f = await jsrootOpen(file);
  const t = await f.readObject(tree);
  const sel = new TSelector();
  for (const b of branches) sel.addBranch(b);
  const rows: Record<string, unknown>[] = [];
  sel.Process = function (this: { tgtobj: Record<string, unknown> }) {
    const row: Record<string, unknown> = {};
    for (const b of branches) {
      const v = this.tgtobj[b];
      row[b] = ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v as ArrayLike<unknown>) : v;
    }
    rows.push(row);
  };
  await treeProcess(t, sel);
  return rows;
}

describe("histogram writing", () => {
  const file = out("hists.root");
  const hists = [
    { path: "h_d", h: th1("TH1D", "h_d") },
    { path: "h_f", h: th1("TH1F", "h_f") },
    { path: "h_i", h: th1("TH1I", "h_i") },
    { path: "sub/dir/h_var", h: th1("TH1D", "h_var", new Float64Array([0, 1, 3, 7, 15, 50])) },
    { path: "sub/h_lab", h: th1("TH1D", "h_lab", undefined, ["4j1b", "4j2b", "other"]) },
    { path: "h2d", h: { ...th2("TH2D"), name: "h2d" } },
    { path: "h2f", h: { ...th2("TH2F"), name: "h2f" } },
  ];
  beforeAll(async () => {
    const w = await createFile(file, { compression: "zlib:4" });
    w.mkdir("sub/dir");
    for (const { path: p, h } of hists) w.putHistogram(p, h);
    await w.close();
  });

  it("JSROOT reads every histogram with identical values", async () => {
    const f = await jsrootOpen(file);
    for (const { path: p, h } of hists) {
      const o = await f.readObject(p);
      expect(o._typename).toBe(h.className);
      expect(o.fTitle).toBe(h.title);
      expect(o.fXaxis.fTitle).toBe(h.xaxis.title);
      expect(o.fXaxis.fNbins).toBe(h.xaxis.nbins);
      expect(o.fEntries).toBe(h.entries);
      expect(o.fTsumw).toBe(h.stats.tsumw);
      expect(o.fTsumwx2).toBe(h.stats.tsumwx2);
      // TH1F stores float32: the test values (multiples of 0.25 below 2^20) are exact in float32.
      expect(Array.from(o.fArray)).toEqual(Array.from(h.contents));
      expect(Array.from(o.fSumw2)).toEqual(Array.from(h.sumw2!));
      if (h.xaxis.edges) expect(Array.from(o.fXaxis.fXbins)).toEqual(Array.from(h.xaxis.edges));
      if (h.xaxis.labels) expect(o.fXaxis.fLabels.arr.map((s: { fString: string; fUniqueID: number }) => [s.fString, s.fUniqueID])).toEqual(h.xaxis.labels.map((l, i) => [l, i + 1]));
      if (h.yaxis) {
        expect(Array.from(o.fYaxis.fXbins)).toEqual(Array.from(h.yaxis.edges!));
        expect(o.fTsumwxy).toBe(h.stats.tsumwxy);
      }
    }
  });

  it("hepflow's reader gets the same histograms back", async () => {
    const f = await openFile(file);
    expect((await f.keys()).map((k) => k.path).sort()).toEqual(["h2d", "h2f", "h_d", "h_f", "h_i", "sub", "sub/dir", "sub/dir/h_var", "sub/h_lab"]);
    for (const { path: p, h } of hists) {
      const r = (await f.get(p)) as RootHistogram;
      expect(r.className).toBe(h.className);
      expect(Array.from(r.contents)).toEqual(Array.from(h.contents));
      expect(Array.from(r.sumw2!)).toEqual(Array.from(h.sumw2!));
      expect(r.entries).toBe(h.entries);
      expect(r.xaxis.title).toBe(h.xaxis.title);
    }
    await f.close();
  });

  it("writes what hist/ makes of a filled Hist (the analysis output path) and JSROOT agrees with the Hist", async () => {
    const h = new Hist([Regular(25, 50, 550, { label: "m_{bjj} [GeV]" }), StrCategory(["4j1b", "4j2b"])], { storage: "weight" });
    const x = Float64Array.from({ length: 1000 }, (_, i) => 40 + ((i * 7.3) % 530));
    const region = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? "4j1b" : "4j2b"));
    const w = Float64Array.from({ length: 1000 }, (_, i) => 0.5 + (i % 5) * 0.25);
    h.fill([x, region], { weight: w });
    const rh = toRoot(h, "mbjj", { title: "trijet mass" });
    const file = out("fromhist.root");
    const wr = await createFile(file);
    wr.putHistogram("mbjj", rh);
    await wr.close();
    const o = await (await jsrootOpen(file)).readObject("mbjj");
    expect(o._typename).toBe(rh.className);
    // Compare with sums computed here from the fill inputs, bin by bin (x in-range bins, both regions).
    for (const [r, ry] of [
      ["4j1b", 1],
      ["4j2b", 2],
    ] as const) {
      for (let bx = 1; bx <= 25; bx++) {
        let sw = 0,
          sw2 = 0;
        for (let i = 0; i < 1000; i++)
          if (region[i] === r && Math.floor((x[i]! - 50) / 20) === bx - 1 && x[i]! >= 50) {
            sw += w[i]!;
            sw2 += w[i]! * w[i]!;
          }
        const g = bx + 27 * ry;
        expect(o.fArray[g]).toBeCloseTo(sw, 12);
        expect(o.fSumw2[g]).toBeCloseTo(sw2, 12);
      }
    }
    expect(o.fYaxis.fLabels.arr.map((l: { fString: string }) => l.fString)).toEqual(["4j1b", "4j2b"]);
    expect(o.fXaxis.fTitle).toBe("m_{bjj} [GeV]");
  });

  it("rejects a histogram with the wrong number of bins", async () => {
    const w = await createFile(out("bad.root"));
    const h = th1("TH1D", "bad");
    expect(() => w.putHistogram("bad", { ...h, contents: new Float64Array(3) })).toThrow(/expected 12/);
    w.abort();
    expect(existsSync(out("bad.root"))).toBe(false);
  });
});

function makeChunk(start: number, n: number): Columns {
  const off = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) off[i + 1] = off[i]! + ((start + i) % 5);
  const m = off[n]!;
  // Element k of entry e holds e*10 + k (+0.5 for floats), so any entry can be checked on its own.
  const elem = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let k = off[i]!; k < off[i + 1]!; k++) elem[k] = (start + i) * 10 + (k - off[i]!);
  return {
    run: new Uint32Array(n).map((_, i) => 1000 + start + i),
    event: new BigUint64Array(n).map((_, i) => BigInt(start + i) * 1000003n),
    weight: new Float64Array(n).map((_, i) => (start + i) / 8),
    i8: new Int8Array(n).map((_, i) => ((start + i) % 200) - 100),
    u16: new Uint16Array(n).map((_, i) => (start + i) * 3),
    i64: new BigInt64Array(n).map((_, i) => BigInt(start + i) - 50n),
    flag: new Uint8Array(n).map((_, i) => ((start + i) % 3 === 0 ? 1 : 0)),
    label: Array.from({ length: n }, (_, i) => `ev${start + i}`),
    Jet_pt: new Jagged(
      off,
      Float32Array.from(elem, (v) => v + 0.5),
    ),
    Jet_jetId: new Jagged(
      off,
      Int32Array.from(elem, (v) => v % 7),
    ),
  };
}

const SCHEMA = [
  { name: "run", type: "u32" },
  { name: "event", type: "u64" },
  { name: "weight", type: "f64" },
  { name: "i8", type: "i8" },
  { name: "u16", type: "u16" },
  { name: "i64", type: "i64" },
  { name: "flag", type: "bool" },
  { name: "label", type: "string" },
  { name: "nJet", type: "u32" },
  { name: "Jet_pt", type: "f32", counter: "nJet" },
  { name: "Jet_jetId", type: "i32", counter: "nJet" },
] as const;

describe("tree writing", () => {
  const chunks = [makeChunk(0, 40), makeChunk(40, 3), makeChunk(43, 57)];
  const expected = (i: number): Record<string, unknown> => {
    const c = makeChunk(i, 1);
    const jp = c.Jet_pt as Jagged;
    return {
      run: (c.run as Uint32Array)[0],
      weight: (c.weight as Float64Array)[0],
      i8: (c.i8 as Int8Array)[0],
      u16: (c.u16 as Uint16Array)[0],
      flag: (c.flag as Uint8Array)[0] === 1,
      label: (c.label as string[])[0],
      nJet: jp.count(0),
      Jet_pt: Array.from(jp.content as Float32Array),
    };
  };
  for (const compression of ["zlib:1", "lz4:4", "zstd:3", "lzma:1", "none"]) {
    it(`writes many baskets with ${compression}, read back by JSROOT and hepflow`, async () => {
      const file = out(`tree-${compression.replace(":", "")}.root`);
      const w = await createFile(file, { compression });
      const t = w.writeTree(
        "Events",
        SCHEMA.map((s) => ({ ...s })),
        { entriesPerBasket: 16 },
      );
      for (const c of chunks) t.write(c);
      await w.close();
      const rows = await jsrootRows(file, "Events", ["run", "weight", "i8", "u16", "flag", "label", "nJet", "Jet_pt"]);
      expect(rows.length).toBe(100);
      for (let i = 0; i < 100; i++) expect(rows[i]).toEqual(expected(i));
      const f = await openFile(file);
      const tree = await f.tree("Events");
      expect(tree.numEntries).toBe(100);
      expect(tree.clusterBoundaries()).toEqual([0, 16, 32, 48, 64, 80, 96, 100]);
      const a = await tree.arrays();
      expect(Array.from(a.event as BigUint64Array).slice(0, 3)).toEqual([0n, 1000003n, 2000006n]);
      expect(Array.from(a.i64 as BigInt64Array).slice(98)).toEqual([48n, 49n]);
      const jid = a.Jet_jetId as Jagged;
      const all = chunks.flatMap((c) => Array.from((c.Jet_jetId as Jagged).content as Int32Array));
      expect(Array.from(jid.content as Int32Array)).toEqual(all);
      expect((a.label as string[])[77]).toBe("ev77");
      await f.close();
    });
  }

  it("rejects chunks that do not match the schema", async () => {
    const w = await createFile(out("badtree.root"));
    const t = w.writeTree("T", [
      { name: "a", type: "f32" },
      { name: "b", type: "i32" },
    ]);
    expect(() => t.write({ a: new Float32Array(3) })).toThrow(/no column for branch b/);
    expect(() => t.write({ a: new Float32Array(3), b: new Int32Array(2) })).toThrow(/has 2 entries/);
    const c = w.writeTree("C", [
      { name: "n", type: "i32" },
      { name: "v", type: "f32", counter: "n" },
    ]);
    expect(() => c.write({ n: new Int32Array([1, 2]), v: new Jagged(new Int32Array([0, 1, 2]), new Float32Array(2)) })).toThrow(/entry 1 of the chunk: v has 1 elements but n says 2/);
    w.abort();
  });
});

describe("std::vector branches", () => {
  it("writes vector<float/double/int/bool/Long64_t> branches that JSROOT and hepflow read back", async () => {
    const file = out("vectors.root");
    const w = await createFile(file, { compression: "zstd:2" });
    const types = [
      ["vf", "f32"],
      ["vd", "f64"],
      ["vi", "i32"],
      ["vb", "bool"],
      ["vl", "i64"],
    ] as const;
    const t = w.writeTree("T", [...types.map(([name, type]) => ({ name, type, vector: true })), { name: "x", type: "i32" as const }], { entriesPerBasket: 7 });
    const n = 40;
    const off = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) off[i + 1] = off[i]! + (i % 4);
    const m = off[n]!;
    const cols: Columns = {
      vf: new Jagged(
        off,
        Float32Array.from({ length: m }, (_, i) => i + 0.5),
      ),
      vd: new Jagged(
        off,
        Float64Array.from({ length: m }, (_, i) => i / 3),
      ),
      vi: new Jagged(
        off,
        Int32Array.from({ length: m }, (_, i) => -i),
      ),
      vb: new Jagged(
        off,
        Uint8Array.from({ length: m }, (_, i) => i % 2),
      ),
      vl: new Jagged(
        off,
        BigInt64Array.from({ length: m }, (_, i) => BigInt(i) * 10000000000n),
      ),
      x: Int32Array.from({ length: n }, (_, i) => i),
    };
    t.write(cols);
    await w.close();
    const rows = await jsrootRows(file, "T", ["vf", "vd", "vi", "x"]);
    expect(rows.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const sl = (name: string): number[] => Array.from(((cols[name] as Jagged).content as Float64Array).subarray(off[i]!, off[i + 1]!));
      expect(rows[i]).toEqual({ vf: sl("vf"), vd: sl("vd"), vi: sl("vi"), x: i });
    }
    const f = await openFile(file);
    const tree = await f.tree("T");
    expect(tree.branches.map((b) => b.typeName)).toEqual(["vector<float>", "vector<double>", "vector<int>", "vector<bool>", "vector<Long64_t>", "Int_t"]);
    const a = await tree.arrays();
    for (const [name] of types) {
      expect(Array.from((a[name] as Jagged).offsets)).toEqual(Array.from(off));
      expect(Array.from((a[name] as Jagged).content as Float64Array).map(Number)).toEqual(Array.from((cols[name] as Jagged).content as Float64Array).map(Number));
    }
    await f.close();
  });
});

describe("update mode and failures", () => {
  it("adds and replaces objects while keeping the others", async () => {
    const file = out("upd.root");
    const w = await createFile(file);
    w.putHistogram("keep", th1("TH1D", "keep"));
    w.putHistogram("replace", th1("TH1D", "replace"));
    const t = w.writeTree("T", [{ name: "x", type: "f32" }]);
    t.write({ x: new Float32Array([1, 2, 3]) });
    await w.close();
    const u = await updateFile(file);
    u.mkdir("new");
    u.putHistogram("new/added", th1("TH1F", "added"));
    const repl = th1("TH1D", "replace");
    repl.contents = repl.contents.map((v) => v * 2);
    u.putHistogram("replace", repl);
    await u.close();
    const f = await jsrootOpen(file);
    expect(Array.from((await f.readObject("replace")).fArray)).toEqual(Array.from(repl.contents));
    expect(Array.from((await f.readObject("keep")).fArray)).toEqual(Array.from(th1("TH1D", "keep").contents));
    expect((await f.readObject("new/added"))._typename).toBe("TH1F");
    expect((await jsrootRows(file, "T", ["x"])).map((r) => r.x)).toEqual([1, 2, 3]);
    const hf = await openFile(file);
    expect((await hf.keys()).map((k) => `${k.path};${k.cycle}`).sort()).toEqual(["T;1", "keep;1", "new/added;1", "new;1", "replace;2"]);
    await hf.close();
  });

  it("updates a file written by ROOT, keeping its objects and streamer infos readable", async () => {
    const file = out("root-written.root");
    copyFileSync(rootFile("uproot-histograms.root"), file);
    const before = await jsrootOpen(file);
    const one = await before.readObject("one");
    const u = await updateFile(file);
    u.putHistogram("added", th1("TH1D", "added"));
    await u.close();
    const f = await jsrootOpen(file);
    const again = await f.readObject("one");
    expect(again._typename).toBe(one._typename);
    expect(Array.from(again.fArray)).toEqual(Array.from(one.fArray));
    expect((await f.readObject("three"))._typename).toBe("TH1F");
    expect(Array.from((await f.readObject("added")).fArray)).toEqual(Array.from(th1("TH1D", "added").contents));
    const hf = await openFile(file);
    expect((await hf.keys()).map((k) => k.path).sort()).toEqual(["added", "one", "three", "two"]);
    await hf.close();
  });

  it("turns a disk error into a HepflowError and leaves no output file", async () => {
    const target = out("nodir/sub/x.root");
    let err: unknown;
    try {
      await createFile(target);
    } catch (e) {
      err = e;
    }
    expect(isHepflowError(err, "ROOT_WRITE_IO")).toBe(true);
    expect(existsSync(target)).toBe(false);
  });

  it("leaves no file behind when writing is abandoned midway", async () => {
    const file = out("abandoned.root");
    const w = await createFile(file);
    w.putHistogram("h", th1("TH1D", "h"));
    w.abort();
    expect(readdirSync(dir).filter((n) => n.startsWith("abandoned"))).toEqual([]);
  });

  it("update refuses a file that is not ROOT", async () => {
    const file = out("notroot.root");
    writeFileSync(file, "hello world, not a ROOT file at all".repeat(5));
    await expect(updateFile(file)).rejects.toThrow(/not a ROOT file/);
  });
});

describe("large files", () => {
  it("uses 64-bit seeks past 2 GiB (sparse file: the writer skips ahead instead of writing 2 GiB)", async () => {
    const file = out("big.root");
    const w = await createFile(file, { compression: "zlib:1" });
    w.putHistogram("small", th1("TH1D", "small"));
    w.mkdir("d");
    // Jump the append position past 2^31 so every later key, basket and record needs 64-bit seeks.
    w.end = 2 ** 31 + 12345;
    w.putHistogram("d/big", th1("TH1F", "big"));
    const t = w.writeTree(
      "d/Events",
      SCHEMA.map((s) => ({ ...s })),
      { entriesPerBasket: 30 },
    );
    t.write(makeChunk(0, 100));
    await w.close();
    const f = await jsrootOpen(file);
    expect(Array.from((await f.readObject("d/big")).fArray)).toEqual(Array.from(th1("TH1F", "big").contents));
    expect(Array.from((await f.readObject("small")).fArray)).toEqual(Array.from(th1("TH1D", "small").contents));
    const rows = await jsrootRows(file, "d/Events", ["run", "Jet_pt"]);
    expect(rows.map((r) => r.run)).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    const hf = await openFile(file);
    expect(hf.header.version).toBeGreaterThan(1000000);
    const a = await (await hf.tree("d/Events")).arrays(["label"]);
    expect((a.label as string[])[99]).toBe("ev99");
    await hf.close();
  });
});

describe("snapshot of real NanoAOD", () => {
  it("rewrites the CMS open-data NanoAOD branches from the reader's columns without changing a value", async () => {
    const src = await openFile(rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root"));
    const tree = await src.tree("Events");
    const TYPES: Record<string, LeafType> = { Bool_t: "bool", UChar_t: "u8", Char_t: "i8", Short_t: "i16", UShort_t: "u16", Int_t: "i32", UInt_t: "u32", Long64_t: "i64", ULong64_t: "u64", Float_t: "f32", Double_t: "f64" };
    const schema: BranchSpec[] = [];
    for (const b of tree.branches) {
      const type = TYPES[b.typeName.replace(/\[.*\]$/, "")];
      if (type) schema.push(b.counter ? { name: b.name, type, counter: b.counter } : { name: b.name, type });
    }
    // Most of the file's 947 branches are plain numbers or counted collections.
    expect(schema.length).toBeGreaterThan(900);
    const file = out("snapshot.root");
    const w = await createFile(file, { compression: "lz4" });
    const t = w.writeTree("Events", schema, { entriesPerBasket: 64 });
    const names = schema.map((s) => s.name);
    for await (const chunk of tree.iterate(names, { stepSize: 50 })) t.write(chunk.columns);
    await w.close();
    const original = await tree.arrays(names);
    await src.close();
    const copy = await openFile(file);
    const again = await (await copy.tree("Events")).arrays(names);
    for (const n of names) {
      const a = original[n]!,
        b = again[n]!;
      if (a instanceof Jagged) {
        expect(Array.from((b as Jagged).offsets)).toEqual(Array.from(a.offsets));
        expect(Array.from((b as Jagged).content as Float64Array)).toEqual(Array.from(a.content as Float64Array));
      } else {
        expect([n, Array.from(b as Float64Array)]).toEqual([n, Array.from(a as Float64Array)]);
      }
    }
    await copy.close();
    const rows = await jsrootRows(file, "Events", ["nJet", "Jet_pt", "event"]);
    const jpt = original.Jet_pt as Jagged;
    expect(rows.map((r) => r.Jet_pt)).toEqual(Array.from({ length: jpt.length }, (_, i) => Array.from((jpt.content as Float32Array).subarray(jpt.offsets[i]!, jpt.offsets[i + 1]!))));
  }, 60_000);
});

describe("streaming", () => {
  it("writes an empty tree that both readers open", async () => {
    const file = out("empty.root");
    const w = await createFile(file);
    w.writeTree("T", [
      { name: "n", type: "i32" },
      { name: "v", type: "f32", counter: "n" },
    ]);
    await w.close();
    expect((await (await jsrootOpen(file)).readObject("T")).fEntries).toBe(0);
    const f = await openFile(file);
    const a = await (await f.tree("T")).arrays();
    expect(Array.from((a.v as Jagged).offsets)).toEqual([0]);
    await f.close();
  });

  it("lets callers reuse their arrays after write() and accepts one-entry chunks", async () => {
    const file = out("reuse.root");
    const w = await createFile(file);
    const t = w.writeTree("T", [{ name: "x", type: "i32" }], { entriesPerBasket: 10 });
    const buf = new Int32Array(3);
    for (let i = 0; i < 25; i++) {
      // The same 3-entry buffer is refilled each time: buffered entries must have been copied.
      buf[0] = 3 * i;
      buf[1] = 3 * i + 1;
      buf[2] = 3 * i + 2;
      t.write({ x: buf });
    }
    for (let i = 75; i < 80; i++) t.write({ x: new Int32Array([i]) });
    expect(t.length).toBe(80);
    await w.close();
    const rows = await jsrootRows(file, "T", ["x"]);
    expect(rows.map((r) => r.x)).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });
});
