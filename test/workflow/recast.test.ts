/**
 * RECAST: catalogue entries in recast-atlas's format (the public ones in ../shared/data/yadage
 * parse), and the sbottom entry, whose CLs values must equal pyhf's for the two RegionC points
 * pyhf computed (../shared/reference/stats/sbottom-regionC; tolerance 1e-5 relative, 1e-4 for
 * CLs below 1e-3, as test/stats/grid.test.ts: the deep tails amplify the optimum's last digits).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REFERENCE, SHARED } from "../shared.js";
import { runCli } from "../helpers/cli.js";
import { readState } from "../../src/workflow/index.js";

const CATALOGUE = path.join(SHARED, "data/yadage/recast-atlas/src/recastatlas/data/catalogue");
const SB = path.join(REFERENCE, "stats", "sbottom-regionC");
const close = (a: number, e: number, what: string) => {
  const rel = Math.abs(e) < 1e-3 ? 1e-4 : 1e-5;
  if (!(Math.abs(a - e) <= rel * Math.abs(e))) expect.fail(`${what}: ${a} vs pyhf ${e}`);
};
interface Row {
  name: string;
  values: number[];
  CLs_obs: number;
  CLs_exp: number[];
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "hepflow-recast-"));
});

describe("catalogue", () => {
  it("lists the built-in entry and every recast-atlas catalogue entry", async () => {
    const list = JSON.parse(await runCli("recast", "ls", "--json", "--catalogue", CATALOGUE)) as Array<{ name: string; examples: string[] }>;
    expect(list.map((e) => e.name)).toEqual(["hepflow/sbottom-regionC", "hepflow/vhbb", "atlas/atlas-conf-2018-041", "testing/busyboxtest", "examples/checkmate1", "examples/checkmate2", "examples/rome"]);
    expect(list.find((e) => e.name === "examples/rome")!.examples).toEqual(["default", "newsignal"]);
  });

  it("describe shows the init parameters; a remote toplevel is a clear error", async () => {
    const d = JSON.parse(await runCli("recast", "describe", "sbottom-regionC", "--json")) as { init_parameters: string[]; results: unknown[] };
    expect(d.init_parameters).toEqual(["background", "patches", "labels"]);
    expect(d.results).toHaveLength(3);
    await expect(runCli("recast", "run", "examples/rome", "--catalogue", CATALOGUE, "-o", path.join(work, "rome"))).rejects.toThrow(
      /\/spec\/toplevel: the workflow lives at github:reanahub\/reana-demo-atlas-recast@master, which this machine cannot fetch/,
    );
    await expect(runCli("recast", "describe", "nosuch")).rejects.toThrow(/no catalogue entry "nosuch"; entries: hepflow\/sbottom-regionC, hepflow\/vhbb/);
  });
});

describe("sbottom reinterpretation", () => {
  it("the small example: a multistep stage over two patch partitions, pyhf's CLs at the reference points, grid table and contour", async () => {
    const out = path.join(work, "small");
    const cache = path.join(work, "cache");
    const printed = JSON.parse(await runCli("recast", "run", "sbottom-regionC", "--example", "small", "-o", out, "--cache-dir", cache, "--quiet", "--json")) as Array<{
      name: string;
      exists: boolean;
      value?: { points: Row[]; excluded: number };
    }>;
    expect(printed.map((r) => r.exists)).toEqual([true, true, true]);
    const grid = printed[0]!.value!;
    expect(grid.points).toHaveLength(12);
    const steps = readState(out).steps;
    expect(Object.keys(steps).filter((k) => !steps[k]!.init)).toEqual(["grid_0", "grid_1", "contour"]);
    for (const n of ["sbottom_1100_650_60", "sbottom_1300_450_60"]) {
      const ref = JSON.parse(readFileSync(path.join(SB, `${n}.expected.json`), "utf8")).cases[0].hypotest;
      const row = grid.points.find((p) => p.name === n)!;
      close(row.CLs_obs, ref.CLs_obs, `${n} CLs_obs`);
      row.CLs_exp.forEach((v, k) => close(v, ref.CLs_exp[k], `${n} CLs_exp[${k}]`));
    }
    expect(grid.excluded).toBe(grid.points.filter((p) => p.CLs_obs < 0.05).length);
    const table = readFileSync(path.join(out, "contour/grid.txt"), "utf8").trim().split("\n");
    expect(table).toHaveLength(2 + 12 + 1);
    expect(table.at(-1)).toBe(`${grid.excluded} of 12 points excluded at 95% CL (CLs, mu = 1)`);
    expect(readFileSync(path.join(out, "contour/exclusion.png")).subarray(1, 4).toString()).toBe("PNG");
    // The same run again is served from the step cache.
    await runCli("recast", "run", "sbottom-regionC", "--example", "small", "-o", path.join(work, "small2"), "--cache-dir", cache, "--quiet");
    const again = Object.values(readState(path.join(work, "small2")).steps).filter((s) => !s.init);
    expect(again.map((s) => s.reused)).toEqual(["cache", "cache", "cache"]);
    for (const s of again) expect(s.seconds!).toBeLessThan(0.5);
  }, 240_000);

  it("a new signal model: -p patches overrides the example; -p of an unknown name is refused", async () => {
    const out = path.join(work, "new");
    const patches = ["1300_450_60", "1100_650_60", "1200_850_60"].map((p) => path.join(SB, `patch.sbottom_${p}.json`));
    await runCli("recast", "run", "sbottom-regionC", "--example", "small", "-p", `patches=[${patches.join(", ")}]`, "-o", out, "--no-cache", "--quiet");
    const grid = JSON.parse(readFileSync(path.join(out, "contour/grid.json"), "utf8")) as { points: Row[] };
    expect(grid.points.map((p) => p.name).sort()).toEqual(["sbottom_1100_650_60", "sbottom_1200_850_60", "sbottom_1300_450_60"]);
    await expect(runCli("recast", "run", "sbottom-regionC", "-p", "patchez=[x.json]", "-o", path.join(work, "bad"), "--quiet")).rejects.toThrow(/init parameter "patchez" is not read by any stage \(did you mean "patches"\?\)/);
  }, 240_000);

  it("patchset make names the file without values", async () => {
    const f = path.join(SB, "BkgOnly.json");
    await expect(runCli("patchset", "make", f, "-o", path.join(work, "ps.json"))).rejects.toThrow(`${f}: no values in the file name`);
  });
});

describe("VH(bb)-style reinterpretation", () => {
  it("generate → selection ∥ Σw → scale_to_lumi_xsec → limit; twice the cross section halves the limit on mu", async () => {
    const out = path.join(work, "vhbb");
    const printed = JSON.parse(await runCli("recast", "run", "vhbb", "-o", out, "--no-cache", "--quiet", "--json")) as Array<{ exists: boolean; value?: { obs: number; exp: number[]; converged: boolean } }>;
    expect(printed.map((r) => r.exists)).toEqual([true, true, true]);
    const steps = readState(out).steps;
    expect(Object.keys(steps).filter((k) => !steps[k]!.init)).toEqual(["signal", "external", "sumw", "selection", "scaling", "statistics"]);
    // Σw published by fromyaml-pub (a draw of a constant weighted by genWeight) = the generator's own sum.
    const gen = JSON.parse(await runCli("generate", "dijet", "--out", path.join(work, "gen"), "--no-external", "--json")) as { sumOfWeights: number };
    expect(Math.abs((steps.scaling!.parameters as { sumw: number }).sumw - gen.sumOfWeights)).toBeLessThan(1e-6 * gen.sumOfWeights);
    // The scaled signal: selected Σw × σ × L × k × ε / Σw_total.
    const sel = JSON.parse(readFileSync(path.join(out, "selection/mjj.json"), "utf8")) as { integral: number };
    const factor = (0.002 * 1000 * 140 * 1.2 * 0.58) / gen.sumOfWeights;
    const scaledLine = readFileSync(path.join(out, "_hepflow/logs/scaling.log"), "utf8");
    expect(Number(/\(([\d.]+) events\)/.exec(scaledLine)![1])).toBeCloseTo(sel.integral * factor, 2);
    const first = printed[0]!.value!;
    expect(first.converged).toBe(true);
    expect(first.exp[0]!).toBeLessThan(first.exp[2]!);
    expect(first.exp[2]!).toBeLessThan(first.exp[4]!);
    // The signal template is linear in σ, so the limit on mu times σ is invariant (root finding: 1e-3).
    await runCli("recast", "run", "vhbb", "-p", "xsec=0.004", "-o", path.join(work, "vhbb2"), "--no-cache", "--quiet");
    const second = JSON.parse(readFileSync(path.join(work, "vhbb2/statistics/limit.json"), "utf8")) as { obs: number; exp: number[] };
    expect(Math.abs(second.obs * 2 - first.obs)).toBeLessThan(1e-3 * first.obs);
    second.exp.forEach((v, k) => expect(Math.abs(v * 2 - first.exp[k]!)).toBeLessThan(1e-3 * first.exp[k]!));
    for (const png of ["limits.png", "results.png"])
      expect(
        readFileSync(path.join(out, "statistics", png))
          .subarray(1, 4)
          .toString(),
      ).toBe("PNG");
  }, 240_000);

  it("a new signal file: -p signal_file=… skips the generation (the case without a step to run)", async () => {
    const sig = path.join(work, "newsig");
    await runCli("generate", "dijet", "--out", sig, "--no-external", "--mass", "180", "--seed", "5");
    const out = path.join(work, "vhbb-new");
    await runCli("recast", "run", "vhbb", "-p", `signal_file=${path.join(sig, "signal.root")}`, "-o", out, "--no-cache", "--quiet");
    const steps = readState(out).steps;
    expect(steps.signal!.result).toEqual({ signal_file: path.join(sig, "signal.root") });
    expect(steps.signal!.command).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(out, "statistics/limit.json"), "utf8")).converged).toBe(true);
  }, 240_000);
});
