/**
 * Signal grids (runGrid, `hepflow cls|limit --patchset --all`) on the sbottom RegionC likelihood:
 * the point pyhf computed (sbottom_1100_650_60) must reproduce its CLs and upper limit, and the
 * table must not depend on the number of workers. Tolerance: CLs and limits 1e-5 relative, as in
 * reference.test.ts (RegionC's SLSQP optima sit ~1e-9 above ours in twice-NLL).
 */
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { mkdtempSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runGrid } from "../../src/stats/index.js";
import type { PatchSet } from "../../src/stats/index.js";
import { REFERENCE } from "../shared.js";

const DIR = path.join(REFERENCE, "stats", "sbottom-regionC");
const read = (f: string) => JSON.parse(readFileSync(path.join(DIR, f), "utf8"));
const close = (a: number, e: number, rel: number, what: string) => {
  if (!(Math.abs(a - e) <= rel * Math.abs(e))) expect.fail(`${what}: ${a} vs pyhf ${e}`);
};
const names = ["sbottom_1100_650_60", "sbottom_1000_131_1", "sbottom_1300_450_60"];
const patchset: PatchSet = {
  metadata: { description: "three RegionC points", digests: {}, labels: ["m_sbottom", "m_neutralino2", "m_neutralino1"], references: {} },
  patches: names.map((n) => ({ metadata: { name: n, values: n.split("_").slice(1).map(Number) }, patch: read(`patch.${n}.json`) })),
  version: "1.0.0",
};

describe("signal grids", () => {
  it("every point on worker threads; pyhf's CLs and limit at the reference point; worker-count independent", async () => {
    const bkg = read("BkgOnly.json");
    const two = await runGrid(bkg, patchset, { workers: 2, limits: true });
    const one = await runGrid(bkg, patchset, { workers: 1, limits: true });
    expect(two).toEqual(one);
    expect(two.map((r) => r.name)).toEqual(names);
    expect(two[0]!.values).toEqual([1100, 650, 60]);
    for (const n of ["sbottom_1100_650_60", "sbottom_1300_450_60"]) {
      const ref = read(`${n}.expected.json`).cases[0];
      const row = two.find((r) => r.name === n)!;
      expect(row.converged).toBe(true);
      close(row.CLs_obs, ref.hypotest.CLs_obs, 1e-5, `${n} CLs_obs`);
      // deep tails (CLs < 1e-3) at 1e-4, as reference.test.ts: they amplify the optimum's last digits
      row.CLs_exp.forEach((v, k) => close(v, ref.hypotest.CLs_exp[k], ref.hypotest.CLs_exp[k] < 1e-3 ? 1e-4 : 1e-5, `${n} CLs_exp[${k}]`));
      close(row.upper_limit_obs!, ref.upper_limit_root.obs, 1e-5, `${n} UL obs`);
      row.upper_limit_exp!.forEach((v, k) => close(v, ref.upper_limit_root.exp[k], 1e-5, `${n} UL exp[${k}]`));
    }
  }, 240_000);

  it("`hepflow cls BkgOnly.json --patchset P --all --json` prints the table; bad option combinations are usage errors", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "hepflow-grid-"));
    const ps = path.join(dir, "patchset.json");
    writeFileSync(ps, JSON.stringify({ ...patchset, patches: patchset.patches.slice(0, 1) }));
    const bin = path.resolve(__dirname, "../../bin/hepflow.js");
    const r = spawnSync(process.execPath, [bin, "cls", path.join(DIR, "BkgOnly.json"), "--patchset", ps, "--all", "--json"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const ref = read("sbottom_1100_650_60.expected.json").cases[0];
    expect(out.points[0].name).toBe("sbottom_1100_650_60");
    close(out.points[0].CLs_obs, ref.hypotest.CLs_obs, 1e-5, "CLI CLs_obs");
    const bad = spawnSync(process.execPath, [bin, "cls", path.join(DIR, "BkgOnly.json"), "--all"], { encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--all needs --patchset/);
  }, 120_000);
});
