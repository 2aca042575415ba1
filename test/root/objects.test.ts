import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RootHistogram } from "../../src/root/index.js";
import { HepflowError } from "../../src/util/index.js";
import { REFERENCE, corpusOpener } from "../shared.js";

const open = corpusOpener();

/** Sum of the in-range bins (no under/overflow) of a 1D/2D global-bin array. */
function innerSum(h: RootHistogram, a: Float64Array): number {
  const nx = h.xaxis.nbins,
    ny = h.yaxis?.nbins ?? 0;
  let s = 0;
  for (let g = 0; g < a.length; g++) {
    const x = g % (nx + 2),
      y = Math.floor(g / (nx + 2)) % (ny + 2);
    if (x >= 1 && x <= nx && (h.dimension === 1 || (y >= 1 && y <= ny))) s += a[g]!;
  }
  return s;
}

describe("readObject: histograms", () => {
  it("TH1F agree with JSROOT's reading of uproot-histograms.root", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: JSROOT's reference JSON; field types vary per histogram
    const ref = JSON.parse(readFileSync(path.join(REFERENCE, "root", "uproot-histograms.root.json"), "utf8")) as { histograms: Array<Record<string, any>> };
    const f = await open("uproot-histograms.root");
    for (const r of ref.histograms) {
      const h = (await f.get(r.path)) as RootHistogram;
      expect(h.className).toBe(r.typename);
      expect(h.title).toBe(r.title);
      expect(h.dimension).toBe(1);
      expect(h.xaxis.nbins).toBe(r.xaxis.nbins);
      expect(h.xaxis.xmin).toBe(r.xaxis.xmin);
      expect(h.xaxis.xmax).toBe(r.xaxis.xmax);
      expect(Array.from(h.contents)).toEqual(r.raw_array);
      expect(h.entries).toBe(r.entries);
      expect(h.stats.tsumw).toBe(r.tsumw);
      expect(h.stats.tsumw2).toBe(r.tsumw2);
      expect(h.stats.tsumwx).toBe(r.tsumwx);
      expect(h.stats.tsumwx2).toBe(r.tsumwx2);
      if (r.sumw2.length) expect(Array.from(h.sumw2!)).toEqual(r.sumw2);
      else expect(h.sumw2).toBeUndefined();
    }
  });

  it("TH2F and TProfile: bin arrays match the axes and the stored running sums", async () => {
    const f = await open("uproot-hepdata-example.root");
    const h2 = (await f.get("hpxpy")) as RootHistogram;
    expect(h2.className).toBe("TH2F");
    expect(h2.dimension).toBe(2);
    expect(h2.contents.length).toBe((h2.xaxis.nbins + 2) * (h2.yaxis!.nbins + 2));
    // Unit-weight fills (tsumw == tsumw2): the in-range contents sum to tsumw exactly.
    expect(h2.stats.tsumw).toBe(h2.stats.tsumw2);
    expect(innerSum(h2, h2.contents)).toBe(h2.stats.tsumw);
    const p = (await f.get("hprof")) as RootHistogram;
    expect(p.className).toBe("TProfile");
    expect(p.profile).toBeDefined();
    expect(p.profile!.binEntries.length).toBe(p.xaxis.nbins + 2);
    expect(innerSum(p, p.profile!.binEntries)).toBe(p.stats.tsumw);
  });

  it("TH1D with Sumw2 from a Geant4 file and 200 TH1D in one file", async () => {
    const f = await open("uproot-from-geant4.root");
    const h = (await f.get("edep_inner")) as RootHistogram;
    expect(h.sumw2!.length).toBe(h.xaxis.nbins + 2);
    expect(innerSum(h, h.sumw2!)).toBe(h.stats.tsumw2);
    const g = await open("uproot-issue-880.root");
    let n = 0;
    for (const k of await g.keys()) {
      if (!/^TH[12]D$/.test(k.className)) continue;
      const hh = (await g.get(k.path)) as RootHistogram;
      const ncell = (hh.xaxis.nbins + 2) * (hh.yaxis ? hh.yaxis.nbins + 2 : 1);
      expect(hh.contents.length, k.path).toBe(ncell);
      n++;
    }
    expect(n).toBeGreaterThan(100);
  });
});

describe("readObject: other classes", () => {
  it("returns members by name, strings as strings, and names the class when it cannot read one", async () => {
    const f = await open("uproot-issue243-new.root");
    const param = (await f.get("normalization")) as Record<string, unknown>;
    expect(param._class).toBe("TParameter<double>");
    expect(param.fName).toBe("normalization");
    expect(param.fVal).toBe(20000);
    const s = await open("string-example.root");
    const strKey = (await s.keys()).find((k) => k.className === "string");
    expect(strKey).toBeDefined();
    expect(typeof (await s.get(strKey!.path))).toBe("string");
    const bad = await open("uproot-issue-861.root");
    const err = await bad.get("Energy/Calibration_0").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HepflowError);
    expect((err as HepflowError).message).toContain("CalibrationCoefficient");
  });
});
