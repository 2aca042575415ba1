import { describe, expect, it } from "vitest";
import { parseTypeName } from "../../src/root/ttree/streamed.js";
import { HepflowError, isJagged, type Column } from "../../src/util/index.js";
import type { TTree } from "../../src/root/index.js";
import { corpusOpener } from "../shared.js";

const open = corpusOpener();

/** A column as nested JS lists (test-side only), numbers as numbers, to compare with uproot's `to_list()` values. */
function toList(col: Column): unknown[] {
  if (isJagged(col)) {
    const inner = toList(col.content);
    return Array.from({ length: col.length }, (_, i) => inner.slice(col.offsets[i]!, col.offsets[i + 1]!));
  }
  return Array.from(col as ArrayLike<unknown>, (v) => (typeof v === "bigint" ? Number(v) : v));
}

const one = ["one", "two", "three", "four", "five"];
/** [[1], [1, 2], ..., [1..5]]: the pattern uproot's tests assert for most containers of uproot-stl_containers.root. */
const ramp = [1, 2, 3, 4, 5].map((n) => Array.from({ length: n }, (_, i) => i + 1));
const sortedSets = [["one"], ["one", "two"], ["one", "three", "two"], ["four", "one", "three", "two"], ["five", "four", "one", "three", "two"]];

// Expected values: scikit-hep/uproot5 tests/test_0034_generic_objects_in_ttrees.py (test_awkward_*), which asserts
// literal values for every branch of uproot-stl_containers.root.
describe("STL containers read through their streamers into columns (uproot-stl_containers.root)", () => {
  const cases: [string, unknown[]][] = [
    ["string", one],
    ["tstring", one],
    ["vector_vector_string", ramp.map((r) => r.map((n) => one.slice(0, n)))],
    ["vector_vector_tstring", ramp.map((r) => r.map((n) => one.slice(0, n)))],
    ["vector_set_int32", ramp.map((r) => r.map((n) => ramp[n - 1]))],
    ["vector_set_string", [1, 2, 3, 4, 5].map((n) => sortedSets.slice(0, n))],
    ["set_int32", ramp],
    ["set_string", sortedSets],
    ["map_int32_int16.first", ramp],
    ["map_int32_int16.second", ramp],
    ["map_int32_vector_int16.second", ramp.map((r) => r.map((n) => ramp[n - 1]))],
    ["map_int32_vector_string.second", ramp.map((r) => r.map((n) => one.slice(0, n)))],
    ["map_int32_set_string.second", [1, 2, 3, 4, 5].map((n) => sortedSets.slice(0, n))],
    ["map_string_int16.first", sortedSets],
    ["map_string_int16.second", [[1], [1, 2], [1, 3, 2], [4, 1, 3, 2], [5, 4, 1, 3, 2]]],
    ["map_string_vector_int16.second", [[[1]], [[1], [1, 2]], [[1], [1, 2, 3], [1, 2]], [[1, 2, 3, 4], [1], [1, 2, 3], [1, 2]], [[1, 2, 3, 4, 5], [1, 2, 3, 4], [1], [1, 2, 3], [1, 2]]]],
    [
      "map_string_set_string.second",
      [
        [["one"]],
        [["one"], ["one", "two"]],
        [["one"], ["one", "three", "two"], ["one", "two"]],
        [["four", "one", "three", "two"], ["one"], ["one", "three", "two"], ["one", "two"]],
        [["five", "four", "one", "three", "two"], ["four", "one", "three", "two"], ["one"], ["one", "three", "two"], ["one", "two"]],
      ],
    ],
    ["map_int32_vector_vector_int16.second", ramp.map((r) => r.map((n) => ramp.slice(0, n)))],
  ];
  for (const [name, expected] of cases) {
    it(name, async () => {
      const t = await (await open("uproot-stl_containers.root")).tree("tree");
      const col = (await t.arrays([name]))[name]!;
      expect(toList(col)).toEqual(expected);
    });
  }

  it("numbers inside containers stay typed arrays (int32 keys, int16 values) and the map halves share offsets", async () => {
    const t = await (await open("uproot-stl_containers.root")).tree("tree");
    const cols = await t.arrays(["map_int32_int16.first", "map_int32_int16.second", "vector_set_int32"]);
    const k = cols["map_int32_int16.first"]!,
      v = cols["map_int32_int16.second"]!,
      vs = cols.vector_set_int32!;
    if (!isJagged(k) || !isJagged(v) || !isJagged(vs) || !isJagged(vs.content)) throw new Error("expected jagged columns");
    expect(k.content).toBeInstanceOf(Int32Array);
    expect(v.content).toBeInstanceOf(Int16Array);
    expect(Array.from(k.offsets)).toEqual(Array.from(v.offsets));
    expect(vs.content.content).toBeInstanceOf(Int32Array);
  });

  it("reads a range that starts mid-basket", async () => {
    const t = await (await open("uproot-stl_containers.root")).tree("tree");
    const col = (await t.arrays(["map_string_int16.second"], { entryStart: 2, entryStop: 4 }))["map_string_int16.second"]!;
    expect(toList(col)).toEqual([
      [1, 3, 2],
      [4, 1, 3, 2],
    ]);
  });
});

describe("other STL layouts in the corpus", () => {
  // scikit-hep/uproot5 tests, test_add_support_for_bitset, asserts these bools.
  it("bitset<8> and bitset<16> (uproot-issue-40.root) as jagged booleans", async () => {
    const t = await (await open("uproot-issue-40.root")).tree("tree");
    const cols = await t.arrays(["bitset8", "bitset16"]);
    expect(toList(cols.bitset8!)).toEqual([[1, 0, 1, 0, 1, 0, 0, 0]]);
    expect(toList(cols.bitset16!)).toEqual([[0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0]]);
  });

  // scikit-hep/uproot5 tests/test_0637_setup_tests_for_AwkwardForth.py test_00: py[0]["0"][0] == "expskin_FluxUnisim".
  it("map<string,vector<double>> keys (issue367b.root)", async () => {
    const t = await (await open("issue367b.root")).tree("tree");
    const cols = await t.arrays(["weights.first", "weights.second"], { entryStop: 2 });
    const keys = toList(cols["weights.first"]!) as string[][];
    expect(keys[0]![0]).toBe("expskin_FluxUnisim");
    // Every key has one list of weights.
    const values = toList(cols["weights.second"]!) as number[][][];
    expect(values.map((v) => v.length)).toEqual(keys.map((k) => k.length));
  });

  // scikit-hep/uproot5 tests/test_0637_setup_tests_for_AwkwardForth.py test_04: py[0][0][0] == 2, py[0][3][2] == 589824.
  it("vector<vector<unsigned int>> inside a split object (uproot-issue-123a.root m_uints)", async () => {
    const t = await (await open("uproot-issue-123a.root")).tree("POOLContainerForm");
    const col = (await t.arrays(["m_uints"], { entryStop: 2 })).m_uints!;
    const v = toList(col) as number[][][];
    expect(v[0]![0]![0]).toBe(2);
    expect(v[0]![3]![2]).toBe(589824);
    if (!isJagged(col) || !isJagged(col.content)) throw new Error("expected doubly jagged");
    expect(col.content.content).toBeInstanceOf(Uint32Array);
  });

  it("a TObject base written as its own branch gives fUniqueID and fBits columns (uproot-issue371.root)", async () => {
    const t = await (await open("uproot-issue371.root")).tree("Header");
    const cols = await t.arrays(["Header.TObject.fUniqueID", "Header.TObject.fBits"]);
    expect(Array.from(cols["Header.TObject.fUniqueID"] as Uint32Array)).toEqual([0]);
    // kNotDeleted | kIsOnHeap (TObject.h: 0x02000000 | 0x01000000): what every heap-allocated TObject carries,
    // the same value uproot's tests/test_0569 asserts for MCTruthEvent/TObject/fBits of uproot-issue-569.root.
    expect(Array.from(cols["Header.TObject.fBits"] as Uint32Array)).toEqual([0x03000000]);
  });

  // scikit-hep/uproot5 tests/test_0637_setup_tests_for_AwkwardForth.py test_23/test_24 (E/Evt/trks/trks.usr_names, trks.rec_stages).
  it("vector members of a split collection are doubly jagged, one list per item (uproot-issue390.root trks)", async () => {
    const t = await (await open("uproot-issue390.root")).tree("E");
    const cols = await t.arrays(["trks.rec_stages", "trks.usr_names", "trks.E"], { entryStop: 2 });
    const stages = cols["trks.rec_stages"]!,
      energy = cols["trks.E"]!;
    if (!isJagged(stages) || !isJagged(stages.content) || !isJagged(energy)) throw new Error("expected doubly jagged");
    expect(stages.content.content).toBeInstanceOf(Int32Array);
    // The outer lists line up with the collection's other members.
    expect(Array.from(stages.offsets)).toEqual(Array.from(energy.offsets));
    const v = toList(stages) as number[][][];
    expect(v[0]![1]!.at(-1)).toBe(5);
    // The printed value of entry 1 in the same uproot test: [1, 3, 5, 4], [1, 3, 5], then [1, 3] ... and [1] ...
    expect(v[1]!.slice(0, 3)).toEqual([
      [1, 3, 5, 4],
      [1, 3, 5],
      [1, 3],
    ]);
    expect((toList(cols["trks.usr_names"]!) as string[][][])[0]![0]).toEqual([]);
  });

  // scikit-hep/uproot5 tests/test_0637_setup_tests_for_AwkwardForth.py test_30, test_33, test_36.
  it("split map members, map values and vector<string> members match uproot's assertions", async () => {
    const m = await (await open("uproot-issue243-new.root")).tree("triggerList");
    const first = toList((await m.arrays(["triggerMap.first"], { entryStop: 16 }))["triggerMap.first"]!) as string[][];
    expect(first[0]).toEqual([]);
    expect(first[15]).toEqual(["HLT_2j35_bmv2c2060_split_2j35_L14J15.0ETA25", "HLT_j100_2j55_bmv2c2060_split"]);
    const w = toList((await (await (await open("uproot-issue367b.root")).tree("tree")).arrays(["weights.second"], { entryStop: 2 }))["weights.second"]!) as number[][][];
    expect(w[0]![4]!.at(-1)).toBe(1.0);
    const names = toList((await (await (await open("uproot-issue371.root")).tree("Model")).arrays(["Model.samplerNamesUnique"], { entryStop: 2 }))["Model.samplerNamesUnique"]!) as string[][];
    expect(names[0]!.at(-1)).toBe("MP_F_99.");
  });

  // scikit-hep/uproot5 tests/test_0637_setup_tests_for_AwkwardForth.py test_35, test_37, test_38, test_39.
  it("objects inside STL containers and unsplit objects become member columns (uproot-issue371.root, uproot-issue399.root)", async () => {
    const f = await open("uproot-issue371.root");
    const pos = (await (await f.tree("Model")).arrays(["Model.staPos.fZ"], { entryStop: 1 }))["Model.staPos.fZ"]!;
    if (!isJagged(pos)) throw new Error("expected jagged");
    expect(pos.content).toBeInstanceOf(Float64Array);
    // vector<TVector3>: py[0][555]["fZ"] == 100.94856572890848 (exact: the same double).
    expect((pos.content as Float64Array)[pos.offsets[0]! + 555]).toBe(100.94856572890848);
    // map<int, ParticleInfo>, written member-wise: py[0, "1", 0, "name"] == "anti_alpha"; its key is that PDG id.
    const g = await (await f.tree("Geant4Data")).arrays(["Geant4Data.particles.first", "Geant4Data.particles.second.name"], { entryStop: 1 });
    expect((toList(g["Geant4Data.particles.second.name"]!) as string[][])[0]![0]).toBe("anti_alpha");
    expect((toList(g["Geant4Data.particles.first"]!) as number[][])[0]![0]).toBe(-1000020040);
    // An unsplit BDSOutputROOTEventSampler<float>: py[0]["zp"][0] == approx(0.9999998807907104); a float32 holds it exactly.
    const zp = (await (await f.tree("Event")).arrays(["PRBHF_46.zp"], { entryStop: 1 }))["PRBHF_46.zp"]!;
    expect((toList(zp) as number[][])[0]![0]).toBe(0.9999998807907104);
    // uproot-issue399.root: py[-1][1]["0"] == -1000020030.
    const keys = toList((await (await (await open("uproot-issue399.root")).tree("Geant4Data")).arrays(["Geant4Data.particles.first"]))["Geant4Data.particles.first"]!) as number[][];
    expect(keys.at(-1)![1]).toBe(-1000020030);
  });

  // scikit-hep/uproot (uproot3) tests/test_issues.py test_issue213: fMCHits.fPosition .x of the first entries.
  it("TVector3 members of a split TClonesArray are jagged by the collection's counter (uproot-issue213.root)", async () => {
    const t = await (await open("uproot-issue213.root")).tree("T");
    const x = (await t.arrays(["fMCHits.fPosition.fX"], { entryStop: 45 }))["fMCHits.fPosition.fX"]!;
    if (!isJagged(x)) throw new Error("expected jagged");
    expect(x.content).toBeInstanceOf(Float64Array);
    const at: Record<number, number[]> = {
      7: [42.17024612426758, 50.63192367553711],
      11: [43.292755126953125],
      20: [42.15415954589844],
      21: [41.60139083862305],
      22: [42.95103454589844],
      24: [41.55511474609375],
      31: [42.549156188964844],
      35: [42.80044174194336, 46.136253356933594],
      40: [41.58171081542969],
      43: [42.741485595703125],
      44: [41.228477478027344],
    };
    const expected = Array.from({ length: 45 }, (_, i) => at[i] ?? []);
    expect(toList(x)).toEqual(expected);
  });

  // scikit-hep/uproot5 tests/test_0034_generic_objects_in_ttrees.py asserts entry 5's SliceI16 ... SliceU64 == [5, 5, 5, 5, 5];
  // oxyroot's doc test for the same file: entry i holds i % 10 values, all equal to i.
  it("counted pointer arrays (`short* fSlice; //[fN]`) are jagged by their count (uproot-small-evnt-tree-fullsplit.root)", async () => {
    const t = await (await open("uproot-small-evnt-tree-fullsplit.root")).tree("tree");
    const cols = await t.arrays(["SliceI16", "SliceU32", "SliceI64", "SliceF64"]);
    for (const [name, type] of [
      ["SliceI16", Int16Array],
      ["SliceU32", Uint32Array],
      ["SliceI64", BigInt64Array],
      ["SliceF64", Float64Array],
    ] as const) {
      const col = cols[name]!;
      if (!isJagged(col)) throw new Error(`${name} not jagged`);
      expect(col.content, name).toBeInstanceOf(type);
      expect(toList(col), name).toEqual(Array.from({ length: 100 }, (_, i) => Array.from({ length: i % 10 }, () => i)));
    }
  });

  // scikit-hep/uproot5 tests/test_0637_setup_tests_for_AwkwardForth.py test_32: T/data/name, py[-1] == "two" for entry_stop=2.
  it("char* members of split objects (uproot-issue31.root)", async () => {
    const t = await (await open("uproot-issue31.root")).tree("T");
    expect((await t.arrays(["name"], { entryStop: 2 })).name).toEqual(["one", "two"]);
  });

  // Cross-check (no reference values needed): the same 100 events written unsplit (one Event object per
  // entry, read through its streamer) and fully split (one branch per member, read by the fast paths).
  it("an unsplit user class reads into the same member columns as its fully split twin (uproot-small-evnt-tree-*)", async () => {
    const whole = await (await open("uproot-small-evnt-tree-nosplit.root")).tree("tree");
    const split = await (await open("uproot-small-evnt-tree-fullsplit.root")).tree("tree");
    const members = whole.branches.map((b) => b.name).filter((n) => n.startsWith("evt."));
    expect(members.length).toBe(41);
    const a = await whole.arrays(members);
    const splitName = (m: string) => {
      const n = m.slice(4);
      return split.branches.some((b) => b.name === n) ? n : `${n}[10]`;
    };
    const b = await split.arrays(members.map(splitName));
    for (const m of members) expect(toList(a[m]!), m).toEqual(toList(b[splitName(m)]!));
    // scikit-hep/uproot5 tests/test_0034_generic_objects_in_ttrees.py: entry 5's StdStr == "std-005".
    expect((a["evt.StdStr"] as string[])[5]).toBe("std-005");
  });

  // scikit-hep/uproot5 tests/test_0034_generic_objects_in_ttrees.py test_gohep_output_file: a file written by groot
  // without the TLeaf* streamer infos; the reader falls back to ROOT's own layouts (streamers/builtin.ts).
  it("leaves whose streamer infos the file lacks (uproot-issue413.root)", async () => {
    const t = await (await open("uproot-issue413.root")).tree("mytree");
    const c = await t.arrays(["I32", "F64", "Str", "ArrF64", "N", "SliF64"]);
    expect(toList(c.I32!)).toEqual([0, 1, 2, 3, 4]);
    expect(toList(c.F64!)).toEqual([0, 1, 2, 3, 4]);
    expect(c.Str).toEqual(["evt-0", "evt-1", "evt-2", "evt-3", "evt-4"]);
    expect(toList(c.ArrF64!)).toEqual([0, 1, 2, 3, 4].map((i) => [i, i + 1, i + 2, i + 3, i + 4]));
    expect(toList(c.N!)).toEqual([0, 1, 2, 3, 4]);
    expect(toList(c.SliF64!)).toEqual([[], [1], [2, 3], [3, 4, 5], [4, 5, 6, 7]]);
  });

  it("corrupt bytes inside a container end in a HepflowError naming file and branch", async () => {
    const t = await (await open("uproot-stl_containers.root")).tree("tree");
    // Read one container type as another: sizes run past the entry, which must be reported, not thrown raw.
    const b = (t as TTree).branch("map_string_vector_string.second");
    const saved = b.interp;
    try {
      (b as { interp: unknown }).interp = { ...saved, node: parseTypeName("vector<vector<vector<double>>>"), part: undefined };
      const err = await t.arrays(["map_string_vector_string.second"]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HepflowError);
      expect((err as Error).message).toContain("uproot-stl_containers.root");
      expect((err as Error).message).toContain("map_string_vector_string.second");
    } finally {
      (b as { interp: unknown }).interp = saved;
    }
  });
});

describe("type names", () => {
  it("parses nested STL names, allocators and std:: prefixes", () => {
    expect(parseTypeName("std::map<std::string, std::vector<float> >")).toEqual({ t: "map", key: { t: "string" }, value: { t: "seq", item: { t: "num", dtype: "f32" } } });
    expect(parseTypeName("vector<float,ROOT::Detail::VecOps::RAdoptAllocator<float> >")).toEqual({ t: "seq", item: { t: "num", dtype: "f32" } });
    expect(parseTypeName("bitset<256>")).toEqual({ t: "bitset" });
    expect(parseTypeName("vector<TVector3>")).toBeUndefined();
  });
});
