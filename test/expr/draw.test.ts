import { describe, expect, it } from "vitest";
import { compile, draw } from "../../src/expr/index.js";
import { isHepflowError, type Jagged } from "../../src/util/index.js";
import { corpusOpener } from "../shared.js";
import { runCli } from "../helpers/cli.js";

const open = corpusOpener();
const NANO = "nanoAOD_2015_CMS_Open_Data_ttbar.root";

/** Fills collected with plain loops: [x, weight] per fill, from columns read directly. */
type Fill = [number, number];
type Cols = Record<string, unknown>;
const J = (c: Cols, k: string) => c[k] as Jagged<Float32Array>;
const F = (c: Cols, k: string) => c[k] as ArrayLike<number>;
const f32 = Math.fround;

const CASES: Array<{ file: string; tree: string; x: string; where?: string; weight?: string; branches: string[]; fills: (c: Cols, n: number) => Fill[] }> = [
  {
    file: NANO,
    tree: "Events",
    x: "Jet_pt",
    where: "nJet>=4",
    branches: ["Jet_pt", "nJet"],
    fills: (c, n) => {
      const out: Fill[] = [],
        j = J(c, "Jet_pt");
      for (let e = 0; e < n; e++) if (F(c, "nJet")[e]! >= 4) for (let i = j.offsets[e]!; i < j.offsets[e + 1]!; i++) out.push([j.content[i]!, 1]);
      return out;
    },
  },
  {
    file: NANO,
    tree: "Events",
    x: "Jet_pt[0]",
    branches: ["Jet_pt"],
    fills: (c, n) => {
      const out: Fill[] = [],
        j = J(c, "Jet_pt");
      for (let e = 0; e < n; e++) if (j.offsets[e + 1]! > j.offsets[e]!) out.push([j.content[j.offsets[e]!]!, 1]);
      return out;
    },
  },
  {
    file: NANO,
    tree: "Events",
    x: "Sum$(Jet_pt[abs(Jet_eta) < 2.4])",
    where: "Jet_pt[1] > 20",
    branches: ["Jet_pt", "Jet_eta"],
    fills: (c, n) => {
      const out: Fill[] = [],
        p = J(c, "Jet_pt"),
        eta = J(c, "Jet_eta");
      for (let e = 0; e < n; e++) {
        const a = p.offsets[e]!,
          b = p.offsets[e + 1]!;
        if (b - a < 2 || !(p.content[a + 1]! > 20)) continue;
        let s = 0;
        for (let i = a; i < b; i++) if (Math.abs(eta.content[i]!) < f32(2.4)) s += p.content[i]!;
        out.push([s, 1]);
      }
      return out;
    },
  },
  {
    file: NANO,
    tree: "Events",
    x: "nJet",
    where: "Jet_pt > 30",
    branches: ["Jet_pt", "nJet"],
    fills: (c, n) => {
      // ROOT repeats a per-event variable once per passing element of the selection
      const out: Fill[] = [],
        p = J(c, "Jet_pt");
      for (let e = 0; e < n; e++) for (let i = p.offsets[e]!; i < p.offsets[e + 1]!; i++) if (p.content[i]! > 30) out.push([F(c, "nJet")[e]!, 1]);
      return out;
    },
  },
  {
    file: NANO,
    tree: "Events",
    x: "sqrt(Jet_pt * Jet_mass)",
    where: "Jet_eta > 0 && nMuon == 0",
    weight: "genWeight",
    branches: ["Jet_pt", "Jet_mass", "Jet_eta", "nMuon", "genWeight"],
    fills: (c, n) => {
      const out: Fill[] = [],
        p = J(c, "Jet_pt"),
        m = J(c, "Jet_mass"),
        eta = J(c, "Jet_eta");
      for (let e = 0; e < n; e++) {
        if (F(c, "nMuon")[e] !== 0) continue;
        for (let i = p.offsets[e]!; i < p.offsets[e + 1]!; i++) if (eta.content[i]! > 0) out.push([f32(Math.sqrt(f32(p.content[i]! * m.content[i]!))), F(c, "genWeight")[e]!]);
      }
      return out;
    },
  },
  {
    file: "uproot-HZZ.root",
    tree: "events",
    x: "Jet_Px",
    where: "NJet>=2",
    branches: ["Jet_Px", "NJet"],
    fills: (c, n) => {
      const out: Fill[] = [],
        j = J(c, "Jet_Px");
      for (let e = 0; e < n; e++) if (F(c, "NJet")[e]! >= 2) for (let i = j.offsets[e]!; i < j.offsets[e + 1]!; i++) out.push([j.content[i]!, 1]);
      return out;
    },
  },
  {
    file: "uproot-HZZ.root",
    tree: "events",
    x: "Alt$(Muon_Px[1], -999)",
    where: "MET_px > 0 or not (NMuon >= 1)",
    branches: ["Muon_Px", "MET_px", "NMuon"],
    fills: (c, n) => {
      const out: Fill[] = [],
        j = J(c, "Muon_Px");
      for (let e = 0; e < n; e++) {
        if (!(F(c, "MET_px")[e]! > 0 || !(F(c, "NMuon")[e]! >= 1))) continue;
        out.push([j.offsets[e + 1]! - j.offsets[e]! > 1 ? j.content[j.offsets[e]! + 1]! : -999, 1]);
      }
      return out;
    },
  },
];

describe("draw against plain loops on real files", () => {
  for (const c of CASES) {
    it(`${c.x}${c.where ? ` | ${c.where}` : ""}${c.weight ? ` * ${c.weight}` : ""} (${c.file})`, async () => {
      const f = await open(c.file);
      const tree = await f.tree(c.tree);
      const cols = await tree.arrays(c.branches);
      const all = c.fills(cols, tree.numEntries);
      // NaN values (sqrt of a negative jet mass) are counted apart, not filled
      const fills = all.filter(([x]) => !Number.isNaN(x));
      const lo = -1000,
        hi = 1000,
        bins = 400;
      const h = await draw([tree], c.x, { where: c.where, weight: c.weight, bins, range: [lo, hi], stepSize: 70 });
      const expect1 = new Float64Array(bins);
      let sw = 0,
        sx = 0;
      for (const [x, w] of fills) {
        const b = Math.floor((x - lo) * (bins / (hi - lo)));
        if (b >= 0 && b < bins) {
          expect1[b]! += w;
          sw += w;
          sx += w * x;
        }
      }
      expect(h.entries).toBe(fills.length);
      expect(h.nan).toBe(all.length - fills.length);
      // weights are float32 genWeights summed in float64 in both: equal up to summation order (1e-9 relative)
      for (let b = 0; b < bins; b++) expect(h.values[b]).toBeCloseTo(expect1[b]!, 6);
      expect(h.integral).toBeCloseTo(sw, 6);
      if (sw !== 0) expect(h.x.mean).toBeCloseTo(sx / sw, 6);
    });
  }
});

describe("expression types and errors", () => {
  const names = [
    { name: "nJet", typeName: "UInt_t" },
    { name: "Jet_pt", typeName: "Float_t[nJet]" },
    { name: "Jet_eta", typeName: "Float_t[nJet]" },
    { name: "Jet_id", typeName: "Bool_t[nJet]" },
  ];
  it("keeps integers, float32 and booleans", async () => {
    const f = await open(NANO);
    const tree = await f.tree("Events");
    const cols = await tree.arrays(["nJet", "Jet_pt", "Jet_eta"], { entryStart: 0, entryStop: 20 });
    const kind = (s: string) => compile(s, names).evaluate(cols).kind;
    expect(kind("nJet + 1")).toBe("int");
    expect(kind("nJet / 2")).toBe("f64");
    expect(kind("Jet_pt * 1.03")).toBe("f32");
    expect(kind("Jet_pt * nJet")).toBe("f64");
    expect(kind("Jet_pt > 30 && Jet_eta < 2")).toBe("bool");
    const v = compile("Jet_pt * 1.03", names).evaluate(cols);
    const pt = cols.Jet_pt as Jagged<Float32Array>;
    if (v.shape !== "jagged") throw new Error("expected jagged");
    for (let i = 0; i < pt.content.length; i++) expect(v.data[i]).toBe(f32(pt.content[i]! * f32(1.03)));
  });
  it("points at the character and suggests close names", () => {
    try {
      compile("Jet_pt > 30 && Jet_etaa < 2", names);
      throw new Error("no error");
    } catch (e) {
      expect(isHepflowError(e, "EXPR_UNKNOWN_NAME")).toBe(true);
      expect((e as Error).message).toContain("at character 16");
      expect((e as Error).message).toContain("Jet_eta");
    }
    expect(() => compile("sqrt(Jet_pt", names)).toThrow(/expected "\)"/);
    expect(() => compile("Jet_pt = 3", names)).toThrow(/"=="/);
    expect(() => compile("sqr(Jet_pt)", names)).toThrow(/sqrt/);
  });
  it("refuses mixing two collections", async () => {
    const f = await open(NANO);
    const tree = await f.tree("Events");
    const e = compile("Jet_pt - Muon_pt", tree.branches);
    const cols = await tree.arrays(e.branches);
    expect(() => e.evaluate(cols)).toThrow(/different sizes/);
  });
});

describe("hepflow draw", () => {
  it("prints a terminal histogram", async () => {
    const out = await runCli("draw", `../shared/data/root/${NANO}:Events`, "Jet_pt", "--where", "nJet>=4");
    expect(out).toMatch(/│/);
    expect(out).toMatch(/entries 285 /); // 285 jets in events with ≥ 4 jets, counted by the loop case above
  });
});
