import { afterAll, describe, expect, it } from "vitest";
import { RootFile } from "../../src/root/file.js";
import { Jagged, type Column, type Columns } from "../../src/util/index.js";
import type { TreeLike } from "../../src/root/treelike.js";
import type { RNTuple } from "../../src/root/rntuple/index.js";
import { rootFile } from "../shared.js";

const open: RootFile[] = [];
afterAll(async () => {
  for (const f of open) await f.close();
});

async function ntuple(file: string, name = "ntuple"): Promise<TreeLike> {
  const f = await RootFile.open(rootFile(file));
  open.push(f);
  return f.tree(name);
}

async function read(file: string, name = "ntuple"): Promise<Columns> {
  return (await ntuple(file, name)).arrays();
}

/** Entry i of a jagged column as a plain array. */
function entry(c: Column, i: number): unknown[] {
  if (!(c instanceof Jagged)) throw new Error("not jagged");
  const out: unknown[] = [];
  for (let j = c.offsets[i]!; j < c.offsets[i + 1]!; j++) {
    out.push(c.content instanceof Jagged ? entry(c.content, j) : (c.content as ArrayLike<unknown>)[j]);
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("RNTuple feature files (values follow the patterns ROOT's tests wrote)", () => {
  it("reads int and float scalars (split, zigzag)", async () => {
    const t = await ntuple("test_int_float_rntuple_v1-0-0-0.root");
    expect(t.kind).toBe("RNTuple");
    expect(t.numEntries).toBe(10);
    const c = await t.arrays();
    expect(Array.from(c.one_integers as Int32Array)).toEqual(range(10).map((i) => 9 - i));
    // Written as i * 1.1 in single precision: compare with Math.fround of the same product.
    expect(Array.from(c.two_floats as Float32Array)).toEqual(range(10).map((i) => Math.fround((9 - i) * 1.1)));
  });

  it("unpacks bit-packed booleans", async () => {
    const c = await read("test_bit_rntuple_v1-0-0-0.root");
    expect(c.one_bit).toBeInstanceOf(Uint8Array);
    expect(Array.from(c.one_bit as Uint8Array)).toEqual(range(10).map((i) => (i % 3 === 0 ? 1 : 0)));
  });

  it("keeps 16/32/64-bit extremes exact through zigzag split encoding", async () => {
    const c = await read("test_splitint_rntuple_v1-0-1-0.root");
    const i64 = c.int64 as BigInt64Array;
    expect(i64).toBeInstanceOf(BigInt64Array);
    expect(i64[5]).toBe(9223372036854775807n);
    expect(i64[0]).toBe(0n);
    expect(i64[2]).toBe(-1n);
    expect(i64[4]).toBe(-(2n ** 62n));
    expect(Array.from(c.int16 as Int16Array).slice(0, 6)).toEqual([0, 1, -1, 16384, -16384, 32767]);
    expect(Array.from(c.int32 as Int32Array).slice(0, 6)).toEqual([0, 1, -1, 2 ** 30, -(2 ** 30), 2 ** 31 - 1]);
  });

  it("decodes Real32Trunc and Real32Quant to within their stated precision", async () => {
    const t = await ntuple("test_float_types_rntuple_v1-0-0-0.root");
    const c = await t.arrays();
    const exact = c.trunc31 as Float32Array; // 31 of 32 bits: the reference value for the others
    const bits = new Uint32Array(Float32Array.from(exact).buffer);
    for (const n of [10, 16, 24]) {
      // Truncation keeps the top n bits: exactly the reference with the low 32-n bits cleared.
      const mask = (0xffffffff << (32 - n)) >>> 0;
      const want = new Float32Array(Uint32Array.from(bits, (b) => (b & mask) >>> 0).buffer);
      expect(Array.from(c[`trunc${n}`] as Float32Array)).toEqual(Array.from(want));
    }
    expect(exact[0]).toBeCloseTo(1.2345679, 6);
    const ranges = new Map(t.branches.map((b) => [b.name, b]));
    expect(ranges.get("quant16")?.detail).toBe("Real32Quant(16)");
    // A quantized value lies within half a quantization step of the truth, step = (max - min) / (2^n - 1)
    // with the column's declared range; plus 2e-7 for the final rounding to float32 (values are ~1-2).
    const schema = (t as RNTuple).schema;
    for (const n of [8, 16, 20, 24, 25, 32]) {
      const q = c[`quant${n}`] as Float32Array;
      const field = schema.fields.find((f) => f.name === `quant${n}`)!;
      const col = schema.columns.find((k) => k.fieldId === field.id)!;
      const step = (col.max! - col.min!) / (2 ** n - 1);
      for (const e of [0, 3]) expect(Math.abs(q[e]! - exact[e]!)).toBeLessThanOrEqual(step / 2 + 2e-7);
    }
  });

  it("reads both column representations (Real32 in one cluster, Real16 in another)", async () => {
    const t = await ntuple("test_multiple_representations_rntuple_v1-0-0-0.root");
    expect(t.branches[0]!.detail).toBe("Real32 | Real16");
    expect(t.clusterBoundaries()).toEqual([0, 1, 2, 3]);
    expect(Array.from((await t.arrays()).real as Float32Array)).toEqual([1, 2, 3]);
  });

  it("zero-fills columns added by schema extension before they started", async () => {
    const c = await read("test_extension_columns_rntuple_v1-0-0-0.root");
    const f = c.float_field as Float32Array;
    expect(Array.from(c.int_field as Int32Array)).toEqual(range(600).map((e) => e % 200));
    for (let e = 0; e < 600; e++) expect(f[e]).toBe(e < 200 ? 0 : (e % 200) + 0.5);
    for (const e of [0, 399]) expect(entry(c.intvec_field!, e)).toEqual([]);
    for (const e of [400, 401, 599]) expect(entry(c.intvec_field!, e)).toEqual([e - 400, e - 399]);
  });

  it("reads strings, vectors, arrays, nested vectors, variants, tuples and pairs", async () => {
    const c = await read("test_stl_containers_rntuple_v1-0-0-0.root");
    const words = ["one", "two", "three", "four", "five"];
    expect(c.string).toEqual(words);
    for (let i = 0; i < 5; i++) {
      expect(entry(c.vector_int32!, i)).toEqual(range(i + 1).map((k) => k + 1));
      expect(entry(c.vector_string!, i)).toEqual(words.slice(0, i + 1));
      expect(entry(c.array_float!, i)).toEqual([i + 1, i + 1, i + 1]);
    }
    expect(entry(c.vector_vector_int32!, 2)).toEqual([[1], [2], [3]]);
    expect(c["tuple_int32_string._1"] as string[]).toEqual(words);
    expect(Array.from(c["pair_int32_string._0"] as Int32Array)).toEqual([1, 2, 3, 4, 5]);
    // A variant alternative is a list of 0 or 1 values per entry; exactly one alternative is set per entry here.
    const v0 = c["variant_int32_string._0"] as Jagged,
      v1 = c["variant_int32_string._1"] as Jagged;
    for (let i = 0; i < 5; i++) expect(v0.count(i) + v1.count(i)).toBe(1);
    expect(Array.from(v0.content as Int32Array)).toEqual([1, 4, 5]);
    expect(v1.content).toEqual(["two", "three"]);
    // Members of one collection share one offsets object.
    expect((c["array_lv.pt"] as Jagged).offsets).toBe((c["array_lv.mass"] as Jagged).offsets);
    expect(
      entry(c["vector_variant_int64_string._0"]!, 4)
        .flat()
        .every((x) => typeof x === "bigint"),
    ).toBe(true);
  });

  it("flattens nested records and base classes", async () => {
    const c = await read("test_nested_structs_rntuple_v1-0-0-0.root");
    expect(Array.from(c["my_struct.i"] as Int32Array)).toEqual(range(10));
    expect(Array.from(c["my_struct.sub_struct.i"] as Int32Array)).toEqual(range(10).map((i) => i + 1));
    expect(Array.from(c["my_struct.sub_struct.sub_sub_struct.i"] as Int32Array)).toEqual(range(10).map((i) => i + 2));
    for (const i of range(10)) expect(entry(c["my_struct.sub_struct.sub_sub_struct.v"]!, i)).toEqual([i, i + 1]);
    const inh = await read("test_class_inheritance_rntuple_v1-0-0-1.root", "rntpl");
    expect(Array.from(inh["grandchild.base_a1"] as Int32Array)).toEqual(range(10));
    expect(Array.from(inh["grandchild.child_1"] as Int32Array)).toEqual(range(10).map((i) => 2 * i));
    expect(Array.from(inh["grandchild.grandchild_1"] as Int32Array)).toEqual(range(10).map((i) => 3 * i));
    expect(Array.from(inh["child.child_2"] as Float64Array)).toEqual(range(10).map((i) => 20 * i));
  });

  it("reads atomics, bitsets and invalid variants", async () => {
    const c = await read("test_atomic_bitset_rntuple_v1-0-0-0.root");
    expect(Array.from(c.atomic_int as Int32Array)).toEqual([1, 2, 3]);
    const bits = c.bitset as Jagged;
    expect(bits.offsets[3]).toBe(3 * 42);
    const e = await read("test_emptystruct_invalidvar_rntuple_v1-0-0-0.root");
    // Entry 1 holds the invalid (valueless) variant: neither alternative.
    expect(entry(e["variant._0"]!, 1)).toEqual([]);
    expect(entry(e["variant._1.i"]!, 1)).toEqual([]);
    expect(entry(e["variant._0"]!, 0)).toEqual([1]);
    expect(entry(e["variant._1.i"]!, 2)).toEqual([2]);
  });

  it("stitches collections across clusters and cluster groups", async () => {
    const c = await read("test_multiple_cluster_groups_rntuple_v1-0-0-0.root");
    expect(Array.from(c.one as Int32Array)).toEqual(range(1000));
    for (const i of [0, 99, 100, 449, 450, 999]) expect(entry(c.int_vector!, i)).toEqual([i, i + 1]);
    const t = await ntuple("test_index_multicluster_rntuple_v1-0-0-0.root");
    expect(t.clusterBoundaries()).toEqual([0, 86, 172, 200]);
    const all = (await t.arrays()).int_vector as Jagged;
    expect(all.offsets[200]).toBe((all.content as Int16Array).length);
    // A range inside the second cluster equals the same entries of the full read.
    const part = (await t.arrays("int_vector", { entryStart: 90, entryStop: 180 })).int_vector!;
    for (let i = 0; i < 90; i++) expect(entry(part, i)).toEqual(entry(all, i + 90));
  });

  it("reads a range deep into a 10^8-entry RNTuple without reading the rest", async () => {
    const t = await ntuple("test_int_multicluster_rntuple_v1-0-0-0.root");
    expect(t.numEntries).toBe(1e8);
    // Written as 2 for the first half of the entries and 1 for the second (JSROOT's sum 1.5e8 agrees).
    const c = await t.arrays("one_integers", { entryStart: 5e7 - 2, entryStop: 5e7 + 2 });
    expect(Array.from(c.one_integers as Int16Array)).toEqual([2, 2, 1, 1]);
    const end = await t.arrays("one_integers", { entryStart: 1e8 - 3 });
    expect(Array.from(end.one_integers as Int16Array)).toEqual([1, 1, 1]);
  });
});

/** A column as plain nested JS arrays, entry by entry, to compare reads independently of offsets layout. */
function plain(c: Column): unknown[] {
  if (c instanceof Jagged) return range(c.length).map((i) => entry(c, i));
  return Array.from(c as ArrayLike<unknown>);
}

describe("RNTuple entry ranges equal the same entries of a full read", () => {
  const cases: [string, string][] = [
    ["test_stl_containers_rntuple_v1-0-0-0.root", "ntuple"],
    ["test_extension_columns_rntuple_v1-0-0-0.root", "ntuple"],
    ["test_multiple_cluster_groups_rntuple_v1-0-0-0.root", "ntuple"],
    ["test_index_multicluster_rntuple_v1-0-0-0.root", "ntuple"],
    ["test_emptystruct_invalidvar_rntuple_v1-0-0-0.root", "ntuple"],
    ["test_atomic_bitset_rntuple_v1-0-0-0.root", "ntuple"],
    ["test_multiple_representations_rntuple_v1-0-0-0.root", "ntuple"],
    ["test_class_inheritance_rntuple_v1-0-0-1.root", "rntpl"],
    ["Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events"],
    ["uproot-physlite-rntuple_v1-0-0-0.root", "EventData"],
  ];
  for (const [file, name] of cases) {
    it(file, async () => {
      const t = await ntuple(file, name);
      const full = await t.arrays();
      const n = t.numEntries;
      // Ranges that start and end inside clusters, cross cluster and schema-extension boundaries, and single entries.
      const ranges = [
        [1, n],
        [0, Math.max(1, n - 1)],
        [Math.floor(n / 3), Math.ceil((2 * n) / 3)],
        [n - 1, n],
        [199, 201],
        [399, 402],
        [85, 173],
      ].filter(([a, b]) => a! >= 0 && b! <= n && a! < b!);
      for (const [a, b] of ranges) {
        const part = await t.arrays(undefined, { entryStart: a, entryStop: b });
        for (const key of Object.keys(full)) {
          expect(plain(part[key]!), `${key} [${a}, ${b})`).toEqual(plain(full[key]!).slice(a, b));
        }
      }
    });
  }
});

describe("RNTuple: NanoAOD converted by RNTupleImporter", () => {
  it("exposes the TTree branch names with one shared offsets object per collection", async () => {
    const t = await ntuple("Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events");
    expect(t.branches.map((b) => b.name).sort()).toEqual(["Muon_charge", "Muon_eta", "Muon_mass", "Muon_phi", "Muon_pt", "nMuon"]);
    expect(t.branches.find((b) => b.name === "Muon_pt")?.counter).toBe("nMuon");
    const c = await t.arrays();
    const pt = c.Muon_pt as Jagged<Float32Array>,
      eta = c.Muon_eta as Jagged<Float32Array>;
    const n = c.nMuon as Uint32Array;
    expect(pt.length).toBe(1000);
    for (const name of ["Muon_eta", "Muon_phi", "Muon_mass", "Muon_charge"]) expect((c[name] as Jagged).offsets).toBe(pt.offsets);
    for (let i = 0; i < 1000; i++) expect(pt.count(i)).toBe(n[i]);
    // Physics: reconstructed muons have pt > 0, lie in the tracker (|eta| < 2.5 < 3), mass is the muon mass, charge ±1.
    expect(pt.content.every((x) => x > 0)).toBe(true);
    expect(eta.content.every((x) => Math.abs(x) < 3)).toBe(true);
    expect((c.Muon_mass as Jagged<Float32Array>).content.every((m) => Math.abs(m - 0.10566) < 1e-4)).toBe(true);
    expect((c.Muon_charge as Jagged<Int32Array>).content.every((q) => q === 1 || q === -1)).toBe(true);
  });

  it("reads every NanoAOD field with consistent collection counts", async () => {
    const t = await ntuple("cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root", "Events");
    const c = await t.arrays();
    expect(Object.keys(c).length).toBe(t.branches.length);
    expect(Object.keys(c).some((k) => k.startsWith("_collection"))).toBe(false);
    for (const b of t.branches) {
      if (!b.counter) continue;
      const col = c[b.name] as Jagged,
        counts = c[b.counter] as Uint32Array;
      for (let i = 0; i < t.numEntries; i++) expect(col.count(i)).toBe(counts[i]);
      expect(col.offsets).toBe((c[t.branches.find((o) => o.counter === b.counter)!.name] as Jagged).offsets);
    }
    const event = c.event as BigUint64Array;
    expect(event).toBeInstanceOf(BigUint64Array);
    expect(event[0]).toBe(44727241n);
    const pt = c.Jet_pt as Jagged<Float32Array>;
    expect(pt.content.length).toBeGreaterThan(0);
    expect(pt.content.every((x) => x > 0)).toBe(true);
  });

  it("iterates in chunks that concatenate to the full read", async () => {
    const t = await ntuple("Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events");
    const full = (await t.arrays(["Muon_pt", "nMuon"])).Muon_pt as Jagged<Float32Array>;
    const chunks: Jagged<Float32Array>[] = [];
    for await (const chunk of t.iterate("Muon_*", { stepSize: 300 })) {
      expect(Object.keys(chunk.columns).sort()).toEqual(["Muon_charge", "Muon_eta", "Muon_mass", "Muon_phi", "Muon_pt"]);
      chunks.push(chunk.columns.Muon_pt as Jagged<Float32Array>);
    }
    expect(chunks.map((c) => c.length)).toEqual([300, 300, 300, 100]);
    const joined = chunks.flatMap((c) => Array.from(c.content));
    expect(joined).toEqual(Array.from(full.content));
  });

  it("iterates across clusters and cluster groups, chunks never larger than a step", async () => {
    const t = await ntuple("test_multiple_cluster_groups_rntuple_v1-0-0-0.root");
    const full = await t.arrays();
    const seen: unknown[] = [];
    let next = 0;
    for await (const chunk of t.iterate(undefined, { stepSize: 130 })) {
      expect(chunk.entryStart).toBe(next);
      expect(chunk.entryStop - chunk.entryStart).toBeLessThanOrEqual(130);
      next = chunk.entryStop;
      seen.push(...plain(chunk.columns.int_vector!));
    }
    expect(next).toBe(1000);
    expect(seen).toEqual(plain(full.int_vector!));
  });

  it("names the unknown field when a selection matches nothing", async () => {
    const t = await ntuple("Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root", "Events");
    await expect(t.arrays("Electron_pt")).rejects.toMatchObject({ code: "ROOT_NOT_FOUND" });
  });
});
