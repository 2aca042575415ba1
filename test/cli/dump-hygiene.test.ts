// Issue 14 item 5 (output hygiene) on the real files of ../shared/data/root: float32 at float32
// precision, "did you mean" for names, `dump FILE` with one tree, `dump FILE:hist`, and `ls` naming
// baskets embedded in the TTree key. References: JSROOT's reading (../shared/reference/root).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliOutcome } from "../helpers/cli.js";
import { REFERENCE, rootFile } from "../shared.js";

const run = runCliOutcome;
const ref = (name: string) => JSON.parse(readFileSync(path.join(REFERENCE, "root", `${name}.json`), "utf8"));
const HZZ = rootFile("uproot-HZZ.root");
const NANO = rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root");
const HISTS = rootFile("uproot-histograms.root");

describe("dump prints float32 columns at float32 precision", () => {
  it("MET_px (Float_t): the shortest decimal that reads back as the stored float32", async () => {
    const head: number[] = ref("uproot-HZZ.root").trees[0].branches.find((b: { name: string }) => b.name === "MET_px").paths["."].head;
    const { out, error } = await run("dump", `${HZZ}:events`, "-b", "MET_px", "-n", "3");
    expect(error).toBeUndefined();
    const printed = out
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split("\t")[1]!);
    printed.forEach((s, i) => {
      expect(Math.fround(Number(s))).toBe(head[i]); // exact: JSROOT's value is the float32 widened
      expect(s.replace(/^-|\.|e.*$/g, "").replace(/^0+/, "").length).toBeLessThanOrEqual(9); // ≤ 9 digits, never a double's 17
      const digits = s.replace(/^-|\.|e.*$/g, "").replace(/^0+/, "").length;
      if (digits > 1) expect(Math.fround(Number(Number(s).toPrecision(digits - 1)))).not.toBe(head[i]); // and no shorter one would do
    });
    expect(printed[0]).toBe("5.912771");
  });

  it("--json gives the same short values; a jagged float32 column too", async () => {
    const { out } = await run("dump", `${HZZ}:events`, "-b", "Jet_Px", "-n", "2", "--json");
    const j = JSON.parse(out);
    expect(j.values).toEqual([[], [-38.874714]]);
    expect(Math.fround(j.values[1][0])).toBe(ref("uproot-HZZ.root").trees[0].branches.find((b: { name: string }) => b.name === "Jet_Px").paths["."].first_nonempty.values[0]);
  });
});

describe("did you mean", () => {
  it("a branch, an object and an RNTuple field", async () => {
    expect((await run("dump", `${NANO}:Events`, "-b", "Jet_PT")).error?.message).toMatch(/no branch matches "Jet_PT" in tree Events \(did you mean "Jet_pt"/);
    expect((await run("dump", `${HZZ}:evnts`)).error?.message).toContain('no object "evnts" in / (did you mean "events"?)');
    expect((await run("dump", `${rootFile("test_int_float_rntuple_v1-0-0-0.root")}:ntuple`, "-b", "one_integer")).error?.message).toContain('(did you mean "one_integers"?)');
  });
});

describe("dump FILE and dump FILE:histogram", () => {
  it("a file with one tree needs no tree name", async () => {
    const a = await run("dump", HZZ, "-n", "3", "-b", "NJet");
    expect(a.error).toBeUndefined();
    expect(a.out).toBe((await run("dump", `${HZZ}:events`, "-n", "3", "-b", "NJet")).out);
  });

  it("a file without a tree says so and lists its histograms", async () => {
    expect((await run("dump", HISTS)).error?.message).toContain("holds no tree (histograms: one, two, three); name the object");
  });

  it("a TH1F: edges, contents and errors equal JSROOT's, flow bins included", async () => {
    const want = ref("uproot-histograms.root").histograms.find((h: { path: string }) => h.path === "one");
    const j = JSON.parse((await run("dump", `${HISTS}:one`, "--json")).out);
    expect(j).toMatchObject({ className: "TH1F", title: "numero uno", entries: want.entries });
    expect(j.axes).toHaveLength(1);
    expect(j.axes[0].nbins).toBe(want.xaxis.nbins);
    // edges: xmin + i·(xmax − xmin)/nbins, as ROOT's TAxis computes them; 1e-12 for the rounding of that formula
    j.axes[0].edges.forEach((e: number, i: number) => expect(Math.abs(e - (want.xaxis.xmin + (i * (want.xaxis.xmax - want.xaxis.xmin)) / want.xaxis.nbins))).toBeLessThan(1e-12));
    expect(j.contents).toEqual(want.contents);
    j.errors.forEach((e: number, i: number) => expect(Math.abs(e - want.errors[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, want.errors[i])));
    const text = (await run("dump", `${HISTS}:one`)).out.trim().split("\n");
    expect(text).toHaveLength(2 + want.contents.length);
    expect(text[1]!.trim().split(/\s+/)).toEqual(["x", "bin", "x", "low", "x", "high", "content", "error"]);
    expect(text[2]!.trim().split(/\s+/)).toEqual(["underflow", "-inf", "-3", "0", "0"]);
    expect(text[3]!.trim().split(/\s+/)).toEqual(["1", "-3", "-2.4", "68", "8.24621"]);
  });
});

describe("ls and baskets embedded in the TTree key", () => {
  it("names them with their size instead of a ratio of 1.00", async () => {
    // NanoAOD of 200 events: `run` (UInt_t) has no basket on disk (JSROOT: 0 baskets, fTotBytes 0)
    const run0 = ref("nanoAOD_2015_CMS_Open_Data_ttbar.root").trees[0].branches.find((b: { name: string }) => b.name === "run");
    expect(run0).toMatchObject({ baskets: 0, tot_bytes: 0 });
    const { out } = await run("ls", NANO);
    const line = out.split("\n").find((l) => /^\s+run\s/.test(l))!;
    expect(line).toMatch(/\s800\s+800 B in tree key$/); // 200 entries × 4 bytes
    expect(line).not.toMatch(/1\.00/);
    const j = JSON.parse((await run("ls", NANO, "--json")).out);
    const ev = j.entries.find((e: { path: string }) => e.path === "Events").branches.find((b: { name: string }) => b.name === "event");
    expect(ev).toMatchObject({ compressedBytes: 0, uncompressedBytes: 0, embeddedBytes: 1600 }); // ULong64_t × 200
    // a branch written in baskets of its own still shows its ratio (HZZ Jet_Px: JSROOT fTotBytes / fZipBytes)
    const hzz = (await run("ls", HZZ)).out.split("\n").find((l) => /^\s+Jet_Px\s/.test(l))!;
    expect(hzz).toContain((20859 / 14171).toFixed(2));
  });
});
