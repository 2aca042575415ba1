import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { REFERENCE } from "../shared.js";
import { runCli } from "../helpers/cli.js";

const DIR = path.join(REFERENCE, "stats");
const WS = path.join(DIR, "docs_2bin_1channel.json");
const expected = JSON.parse(readFileSync(path.join(DIR, "docs_2bin_1channel.expected.json"), "utf8"));
const ref = expected.cases[0];

const run = runCli;
afterEach(() => vi.restoreAllMocks());

// CLI numbers come from the same library calls the reference tests check; here 1e-5 relative
// (the reference precision) confirms the wiring and the JSON contract
const near = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * Math.abs(b));

describe("hepflow inference commands", () => {
  it("cls --json has exactly the documented keys and pyhf's numbers", async () => {
    const j = JSON.parse(await run("cls", WS, "--mu", "1", "--json"));
    expect(Object.keys(j).sort()).toEqual(["clb_obs", "cls_exp", "cls_obs", "clsb_obs", "mu", "test_stat"]);
    near(j.cls_obs, ref.hypotest.CLs_obs);
    ref.hypotest.CLs_exp.forEach((v: number, i: number) => near(j.cls_exp[i], v));
    near(j.test_stat, ref.hypotest.test_stat_value);
    expect(j.mu).toBe(1);
  });

  it("limit --json, fit --json and significance --json follow the contract", async () => {
    const l = JSON.parse(await run("limit", WS, "--json"));
    expect(Object.keys(l).sort()).toEqual(["cl", "exp", "obs"]);
    near(l.obs, ref.upper_limit_root.obs);
    expect(l.cl).toBe(0.95);
    const f = JSON.parse(await run("fit", WS, "--json"));
    expect(Object.keys(f).sort()).toEqual(["bestfit", "converged", "twice_nll", "uncertainties"]);
    expect(Object.keys(f.bestfit)).toEqual(expected.model.par_names);
    near(f.twice_nll, ref.mle.twice_nll);
    expect(f.converged).toBe(true);
    const s = JSON.parse(await run("significance", WS, "--json"));
    expect(Object.keys(s).sort()).toEqual(["p0_exp", "p0_obs", "z_exp", "z_obs"]);
    near(s.p0_exp, ref.discovery.p0_exp[2]);
  });

  it("applies --patch and --fix, and prints readable tables by default", async () => {
    const table = await run("fit", WS, "--fix", "uncorr_bkguncrt[0]=1.1");
    expect(table).toMatch(/uncorr_bkguncrt\[0\]\s+1\.10000\s+0\.00000\s+fixed/);
    const inspect = await run("inspect", WS);
    expect(inspect).toMatch(/singlechannel\s+2/);
    await expect(run("fit", WS, "--fix", "nope=1")).rejects.toThrow(/no parameter "nope"/);
    await expect(run("cls", WS, "--test-stat", "zz")).rejects.toThrow(/unknown test statistic/);
    await expect(run("fit", WS, "--patch", path.join(DIR, "missing.json"))).rejects.toThrow(/cannot read/);
  });
});
