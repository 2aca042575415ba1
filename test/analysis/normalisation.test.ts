import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalExecutor, parseDataset, rescaleHistograms } from "../../src/analysis/index.js";
import type { Accumulator, Dataset } from "../../src/analysis/index.js";
import { generateAgc } from "../../src/generate/index.js";
import { Hist, Regular, toAccumulator } from "../../src/hist/index.js";
import type { HistAccumulator } from "../../src/hist/index.js";

const here = new URL(".", import.meta.url).pathname;
const processor = join(here, "fixtures/xsecproc.mjs");
const XSEC = 729.84;
const LUMI = 10; // as in the fixture

let good: string[];
let truncated: string;
let corrupt: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "hepflow-norm-"));
  await generateAgc({ events: 6000, out: dir, filesPerSample: 2, dataLuminosity: 0.001, seed: 11 });
  good = [0, 1].map((i) => join(dir, `ttbar/nominal/synthetic_ttbar_nominal_000${i}.root`));
  // a truncated copy (the file cannot be opened) and a copy with garbage over its baskets
  // (it opens, but reading the chunk fails)
  const bytes = readFileSync(good[1]!);
  truncated = join(dir, "truncated.root");
  writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
  corrupt = join(dir, "corrupt.root");
  const bad = Buffer.from(bytes);
  for (let i = Math.floor(bad.length * 0.1); i < Math.floor(bad.length * 0.8); i++) bad[i] = (i * 7919) & 255;
  writeFileSync(corrupt, bad);
}, 60_000);

const ds = (samples: { name: string; xsec?: number; files: string[] }[]): Dataset => parseDataset({ samples: samples.map((s) => ({ ...s, treeName: "Events", files: s.files.map((path) => ({ path, nevts: 3000 })) })) });

const hist = (acc: Accumulator | undefined, sample: string) => (acc as Record<string, Record<string, HistAccumulator>>).njet![sample]!;
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

describe("normalisation when events are lost (--continue-on-failure)", () => {
  it("reports events processed vs expected per sample and rescales simulation histograms to the effective nevts", async () => {
    const lossy = ds([
      { name: "ttbar", xsec: XSEC, files: [good[0]!, good[1]!, corrupt, truncated] },
      { name: "data", files: [good[0]!, truncated] },
    ]);
    // the same good files alone, with the catalogue counting only them: the physics answer
    const clean = ds([
      { name: "ttbar", xsec: XSEC, files: [good[0]!, good[1]!] },
      { name: "data", files: [good[0]!] },
    ]);
    const ref = await new LocalExecutor().run(processor, clean, { workers: 0 });
    expect(ref.warnings).toEqual([]);
    expect(ref.samples.ttbar).toMatchObject({ nevts: 6000, processed: 6000, effectiveNevts: 6000, scale: 1 });

    for (const workers of [0, 2]) {
      const r = await new LocalExecutor().run(processor, lossy, { workers, onFailure: "continue", retries: 0 });
      expect(r.failures.map((f) => [f.sample, f.file, f.entryStart, f.entryStop])).toEqual([
        ["ttbar", corrupt, 0, 3000],
        ["ttbar", truncated, undefined, undefined],
        ["data", truncated, undefined, undefined],
      ]);
      expect(r.samples.ttbar).toEqual({ nevts: 12000, entries: 9000, processed: 6000, failedEntries: 3000, unopenedFiles: 1, effectiveNevts: 6000, scale: 2 });
      expect(r.samples.data).toMatchObject({ nevts: 6000, processed: 3000, effectiveNevts: 3000, scale: 1 });
      expect(r.warnings).toHaveLength(2);
      expect(r.warnings[0]).toMatch(/sample ttbar: 3000 of 9000 entries failed and 1 file\(s\) could not be opened; its histograms were rescaled by 2 \(nevts 12000 → 6000 effective\)/);
      expect(r.warnings[1]).toMatch(/sample data: .*not rescaled.*50% low/);

      const h = hist(r.accumulator, "ttbar");
      // Exact equality: the lost share is one half, so the weights xsec·L/12000 are exactly half
      // of xsec·L/6000 and the rescale by 2 (and 4 for sumw2) is exact in binary floating point.
      expect(Array.from(h.sumw as Float64Array)).toEqual(Array.from(hist(ref.accumulator, "ttbar").sumw as Float64Array));
      expect(Array.from(h.sumw2 as Float64Array)).toEqual(Array.from(hist(ref.accumulator, "ttbar").sumw2 as Float64Array));
      // the normalised yield is xsec × L; 6000 equal float64 additions err by < 6000·2⁻⁵³ ≈ 7e-13 relative
      expect(sum(h.sumw as Float64Array)).toBeCloseTo(XSEC * LUMI, 6);
      // data is counted, not normalised: unit weights, only the file that was read
      expect(sum(hist(r.accumulator, "data").sumw as Float64Array)).toBe(3000);
      // counters report what was processed
      expect((r.accumulator as Record<string, Record<string, number>>).events).toEqual({ ttbar: 6000, data: 3000 });
    }
  }, 60_000);

  it("loses only the share of the failed files when the catalogue does not give nevts", async () => {
    const noCounts = parseDataset({ samples: [{ name: "ttbar", xsec: XSEC, treeName: "Events", files: [good[0]!, corrupt, truncated] }] });
    const r = await new LocalExecutor().run(processor, noCounts, { workers: 0, onFailure: "continue", retries: 0 });
    // nevts counts the entries of the files that opened (good + corrupt); the unopened file was never in it
    expect(r.samples.ttbar).toEqual({ nevts: 6000, entries: 6000, processed: 3000, failedEntries: 3000, unopenedFiles: 1, effectiveNevts: 3000, scale: 2 });
    expect(sum(hist(r.accumulator, "ttbar").sumw as Float64Array)).toBeCloseTo(XSEC * LUMI, 6);
  }, 30_000);
});

describe("rescaleHistograms", () => {
  it("scales sums of weights by f and sums of squared weights by f², leaving counters alone", () => {
    const h = new Hist([Regular(2, 0, 2)], { storage: "weight" });
    h.fill(Float64Array.of(0.5, 1.5, 1.5), { weight: Float64Array.of(1, 2, 3) });
    const d = new Hist([Regular(2, 0, 2)]);
    d.fill(Float64Array.of(0.5));
    const out = rescaleHistograms({ w: toAccumulator(h), d: toAccumulator(d), n: 3, list: [toAccumulator(h)], label: "x" }, 3) as Record<string, unknown>;
    const w = out.w as HistAccumulator;
    // layout: underflow, bin 0, bin 1, overflow
    expect(Array.from(w.sumw as Float64Array)).toEqual([0, 3, 15, 0]);
    expect(Array.from(w.sumw2 as Float64Array)).toEqual([0, 9, 117, 0]);
    expect(Array.from((out.d as HistAccumulator).values as Float64Array)).toEqual([0, 3, 0, 0]);
    expect(Array.from((out.list as HistAccumulator[])[0]!.sumw as Float64Array)).toEqual([0, 3, 15, 0]);
    expect(out.n).toBe(3);
    expect(out.label).toBe("x");
  });

  it("refuses int storage, whose unweighted counts cannot be rescaled", () => {
    const h = new Hist([Regular(2, 0, 2)], { storage: "int" });
    h.fill(Float64Array.of(0.5));
    expect(() => rescaleHistograms({ h: toAccumulator(h) }, 2)).toThrow(/int storage cannot be rescaled/);
  });
});
