/**
 * Queries on real CMS NanoAOD (200 events of the AGC production, ../shared/data/root): results are
 * compared with an explicit per-event loop over the same branches, and schema errors point into
 * the lambda the user wrote.
 */
import { describe, expect, it } from "vitest";
import { openFile } from "../../src/root/index.js";
import { FromTree, parsePython, runQuery, CompiledQuery, isUprootRaw, queryTree } from "../../src/query/index.js";
import { isJagged, isHepflowError, type Jagged } from "../../src/util/index.js";

const FILE = new URL("../../../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root", import.meta.url).pathname;

async function collect(q: ReturnType<typeof FromTree>): Promise<{ rows: number; cols: Record<string, number[][] | number[]> }> {
  const tree = await (await openFile(FILE)).tree("Events");
  const cols: Record<string, (number[] | number)[]> = {};
  let rows = 0;
  for await (const ch of runQuery(tree, q.ast)) {
    rows += ch.rows;
    for (const [k, c] of Object.entries(ch.columns)) {
      const list = (cols[k] ??= []);
      if (isJagged(c)) for (let i = 0; i < ch.rows; i++) list.push(Array.from((c.content as Float32Array).subarray(c.offsets[i]!, c.offsets[i + 1]!)));
      else list.push(...Array.from(c as Float32Array));
    }
  }
  return { rows, cols: cols as Record<string, number[][] | number[]> };
}

describe("queries on CMS NanoAOD", () => {
  it("event filter + collection filter + reductions match a per-event loop", async () => {
    const q = FromTree("Events")
      .Where((e, { cut }) => e.Jet.Where((j: any) => j.pt > cut && Math.abs(j.eta) < 2.4).Count() >= 2, { cut: 30 })
      .Select(
        (e, { cut }) => ({
          pt: e.Jet.Where((j: any) => j.pt > cut && Math.abs(j.eta) < 2.4).Select((j: any) => j.pt),
          ht: e.Jet.Where((j: any) => j.pt > cut && Math.abs(j.eta) < 2.4)
            .Select((j: any) => j.pt)
            .Sum(),
          lead: e.Jet.First().pt,
          nmu: e.Muon.Count(),
          met: e.MET_pt,
        }),
        { cut: 30 },
      );
    const got = await collect(q);
    const tree = await (await openFile(FILE)).tree("Events");
    const a = await tree.arrays(["Jet_pt", "Jet_eta", "nMuon", "MET_pt"]);
    const pt = a.Jet_pt as Jagged<Float32Array>,
      eta = a.Jet_eta as Jagged<Float32Array>;
    const want = { pt: [] as number[][], ht: [] as number[], lead: [] as number[], nmu: [] as number[], met: [] as number[] };
    const f30 = Math.fround(30),
      f24 = Math.fround(2.4);
    for (let i = 0; i < tree.numEntries; i++) {
      const sel: number[] = [];
      for (let k = pt.offsets[i]!; k < pt.offsets[i + 1]!; k++) if (pt.content[k]! > f30 && Math.abs(eta.content[k]!) < f24) sel.push(pt.content[k]!);
      if (sel.length < 2) continue;
      want.pt.push(sel);
      want.ht.push(sel.reduce((s, x) => s + x, 0));
      want.lead.push(pt.content[pt.offsets[i]!]!);
      want.nmu.push((a.nMuon as Uint32Array)[i]!);
      want.met.push((a.MET_pt as Float32Array)[i]!);
    }
    expect(want.pt.length).toBeGreaterThan(10);
    expect(got.rows).toBe(want.pt.length);
    expect(got.cols.pt).toEqual(want.pt);
    got.cols.ht!.forEach((x, i) => expect(x as number).toBeCloseTo(want.ht[i]!, 3)); // float64 sum of float32 values
    expect(got.cols.lead).toEqual(want.lead);
    expect(got.cols.nmu).toEqual(want.nmu);
    expect(got.cols.met).toEqual(want.met);
  });

  it("SelectMany flattens to one row per jet; Take stops early", async () => {
    const got = await collect(
      FromTree("Events")
        .SelectMany((e) => e.Jet.Select((j: any) => ({ pt: j.pt, eta: j.eta })))
        .Take(50),
    );
    const tree = await (await openFile(FILE)).tree("Events");
    const a = await tree.arrays(["Jet_pt"]);
    expect(got.rows).toBe(50);
    expect(got.cols.pt).toEqual(Array.from((a.Jet_pt as Jagged<Float32Array>).content.subarray(0, 50)));
  });

  it("an unknown branch is an error pointing into the lambda, with close names", async () => {
    const tree = await (await openFile(FILE)).tree("Events");
    const q = FromTree().Select((e) => ({ pt: e.Electron.Select((el: any) => el.ptt) }));
    let err: unknown;
    try {
      new CompiledQuery(q.ast, tree.branches);
    } catch (e) {
      err = e;
    }
    expect(isHepflowError(err, "QUERY_UNKNOWN_BRANCH")).toBe(true);
    const lines = (err as Error).message.split("\n");
    expect(lines[0]).toMatch(/the collection has no attribute "ptt" \(line 1, column \d+\)/);
    expect(lines[1]!.slice(lines[2]!.indexOf("^"), lines[2]!.lastIndexOf("^") + 1)).toBe("el.ptt");
    expect(lines[3]).toMatch(/did you mean: pt\b/);
    // the same in Python syntax points into the Python text
    const src = "FromTree('Events').Where(lambda e: e.nMuonn >= 2)";
    expect(() => new CompiledQuery(parsePython(src), tree.branches, src)).toThrow(/no branch or collection "nMuonn" \(line 1, column 36\)[\s\S]*did you mean: nMuon/);
  });

  it("mixing collections and per-element event filters are type errors", async () => {
    const tree = await (await openFile(FILE)).tree("Events");
    expect(() => new CompiledQuery(FromTree().Select((e) => e.Jet_pt + e.Muon_pt).ast, tree.branches)).toThrow(/different collections/);
    expect(() => new CompiledQuery(FromTree().Where((e) => e.Jet_pt > 30).ast, tree.branches)).toThrow(/one true\/false per event/);
  });

  it("UprootRaw: filter_name globs and an expression-language cut select the same events and branches as a loop", async () => {
    const text = "[{'treename': 'Events', 'filter_name': ['Jet_pt', 'MET_*', '/nJ.*/'], 'cut': 'nJet >= 4 && MET_pt > 20'}]";
    const ast = parsePython(text);
    expect(isUprootRaw(ast)).toBe(true);
    expect(queryTree(ast)).toBe("Events");
    const tree = await (await openFile(FILE)).tree("Events");
    const cq = new CompiledQuery(ast, tree.branches, text);
    const want = tree.branches.map((b) => b.name).filter((n) => n === "Jet_pt" || /^MET_/.test(n) || /^nJ/.test(n));
    expect(want).toContain("nJet");
    expect(cq.plan.columns.map((c) => c.name).sort()).toEqual(want.sort());
    const a = await tree.arrays(["nJet", "MET_pt", "Jet_pt"]);
    let rows = 0,
      jets = 0;
    for await (const ch of runQuery(tree, ast, { source: text })) {
      rows += ch.rows;
      jets += (ch.columns.Jet_pt as Jagged).content.length;
    }
    let wantRows = 0,
      wantJets = 0;
    const nJet = a.nJet as Uint32Array,
      met = a.MET_pt as Float32Array;
    for (let i = 0; i < nJet.length; i++)
      if (nJet[i]! >= 4 && met[i]! > 20) {
        wantRows++;
        wantJets += nJet[i]!;
      }
    expect(wantRows).toBeGreaterThan(0);
    expect(rows).toBe(wantRows);
    expect(jets).toBe(wantJets);
    // the ServiceX example spec's UprootRaw query is recognised (tree CollectionTree)
    expect(queryTree(parsePython('[{"treename":"CollectionTree", "filter_name": "AnalysisElectronsAuxDyn.pt"}]'))).toBe("CollectionTree");
    expect(() => new CompiledQuery(parsePython("[{'treename': 'Events', 'filter_name': '/(a+)+$/'}]"), tree.branches)).toThrow(/beyond what this service accepts/);
    expect(() => new CompiledQuery(parsePython("[{'treename': 'Events', 'filter_name': 'Nope_*'}]"), tree.branches)).toThrow(/matches no branch/);
  });
});
