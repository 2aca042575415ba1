import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset, parseDataset } from "../../src/analysis/index.js";
import { REFERENCE } from "../shared.js";

describe("datasets", () => {
  it("reads the AGC nanoaod_inputs.json catalogue: 9 entries, first-N files, N_used = sum of nevts", () => {
    const ds = loadDataset(join(REFERENCE, "agc/nanoaod_inputs.json"), { maxFiles: 1 });
    expect(ds.samples.map((s) => s.name)).toEqual([
      "ttbar__nominal",
      "ttbar__scaledown",
      "ttbar__scaleup",
      "ttbar__ME_var",
      "ttbar__PS_var",
      "single_top_s_chan__nominal",
      "single_top_t_chan__nominal",
      "single_top_tW__nominal",
      "wjets__nominal",
    ]);
    // N_used of the first file of each entry, spec §1.3 table
    expect(ds.samples.map((s) => s.nevts)).toEqual([1334428, 1268248, 1278695, 1356800, 1310232, 632000, 1178640, 847600, 1249076]);
    expect(ds.samples[0]!.metadata).toMatchObject({ process: "ttbar", variation: "nominal" });
    expect(ds.samples[0]!.treeName).toBe("Events");
    // spec §1.4: N = 2 gives 18 files and 19,497,435 events
    const two = loadDataset(join(REFERENCE, "agc/nanoaod_inputs.json"), { maxFiles: 2 });
    expect(two.samples.reduce((a, s) => a + s.files.length, 0)).toBe(18);
    expect(two.samples.reduce((a, s) => a + s.nevts!, 0)).toBe(19497435);
  });

  it("rewrites path prefixes and resolves relative paths against the dataset folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "hepflow-ds-"));
    const file = join(dir, "d.json");
    writeFileSync(file, JSON.stringify({ samples: [{ name: "a", files: ["x/f.root", { path: "root://eos//store/g.root", nevts: 5 }], xsec: 2, metadata: { k: 1 } }] }));
    const ds = loadDataset(file, { prefixRewrite: { "root://eos//store": "/data" } });
    expect(ds.samples[0]!.files.map((f) => f.path)).toEqual([join(dir, "x/f.root"), "/data/g.root"]);
    expect(ds.samples[0]!.nevts).toBeUndefined(); // one file has no count
    expect(ds.samples[0]).toMatchObject({ xsec: 2, metadata: { k: 1 }, treeName: "Events" });
  });

  it("names the JSON path of every validation error", () => {
    const bad = (json: unknown, path: RegExp) => expect(() => parseDataset(json, { source: "d.json" })).toThrow(path);
    bad({ samples: [{ name: "a", files: [] }] }, /d\.json: samples\[0\]\.files: .*non-empty/);
    bad({ samples: [{ name: "a", files: [{ path: "f", nevts: -1 }] }] }, /samples\[0\]\.files\[0\]\.nevts/);
    bad({ samples: [{ files: ["f"] }] }, /samples\[0\]\.name/);
    bad({ samples: [{ name: "a", files: ["f"], xsec: "x" }] }, /samples\[0\]\.xsec/);
    bad(
      {
        samples: [
          { name: "a", files: ["f"] },
          { name: "a", files: ["g"] },
        ],
      },
      /"a" appears twice/,
    );
    bad({ ttbar: { nominal: { files: [{ nevts: 3 }] } } }, /ttbar\.nominal\.files\[0\]\.path/);
    bad({ ttbar: [] }, /d\.json: ttbar: /);
    try {
      parseDataset({ samples: 3 });
    } catch (e) {
      expect((e as { code: string }).code).toBe("DATASET_INVALID");
    }
    expect(() => loadDataset("/nonexistent/d.json")).toThrow(/cannot read the dataset file/);
  });
});
