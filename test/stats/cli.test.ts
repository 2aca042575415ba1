import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
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
  it("a pyhf cls command line gives pyhf's keys and values", async () => {
    const j = JSON.parse(await run("cls", WS, "--test-poi", "1", "--calctype", "asymptotics", "--backend", "numpy", "--json"));
    expect(Object.keys(j).sort()).toEqual(["CLb_obs", "CLs_exp", "CLs_obs", "CLsb_obs", "calctype", "converged", "poi", "test_poi", "test_stat", "test_stat_value"]);
    near(j.CLs_obs, ref.hypotest.CLs_obs);
    near(j.CLsb_obs, ref.hypotest.CLsb_obs);
    near(j.CLb_obs, ref.hypotest.CLb_obs);
    ref.hypotest.CLs_exp.forEach((v: number, i: number) => near(j.CLs_exp[i], v));
    near(j.test_stat_value, ref.hypotest.test_stat_value);
    expect(j.test_poi).toBe(1);
  });

  it("a fit that cannot succeed exits non-zero and names the bad bin by JSON path", async () => {
    const bad = JSON.parse(readFileSync(WS, "utf8"));
    bad.channels[0].samples[0].data[0] = -100;
    const file = path.join(tmpdir(), `hepflow-neg-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(bad));
    await expect(run("fit", file, "--json")).rejects.toThrow(/\$\.channels\[0\]\.samples\[0\]\.data\[0\]/);
    await expect(run("cls", file, "--json")).rejects.toThrow(/FIT_FAILED|non-finite/);
  });

  it("measurement errors name their key path; an unknown measurement parameter is an error", async () => {
    const ws = JSON.parse(readFileSync(WS, "utf8"));
    const file = path.join(tmpdir(), `hepflow-meas-${process.pid}.json`);
    ws.measurements[0].config.parameters = [{ name: "mu", bounds: [[5, 1]] }];
    writeFileSync(file, JSON.stringify(ws));
    await expect(run("fit", file)).rejects.toThrow(/\$\.measurements\[0\]\.config\.parameters\[0\]\.bounds\[0\]/);
    ws.measurements[0].config.parameters = [{ name: "mu", inits: [20], bounds: [[0, 10]] }];
    writeFileSync(file, JSON.stringify(ws));
    await expect(run("fit", file)).rejects.toThrow(/parameters\[0\]\.inits\[0\]/);
    ws.measurements[0].config.parameters = [{ name: "lumii", inits: [1] }];
    writeFileSync(file, JSON.stringify(ws));
    await expect(run("fit", file)).rejects.toThrow(/parameters\[0\][\s\S]*no modifier uses/);
    ws.measurements[0].config.parameters = [];
    ws.measurements[0].config.poi = "mu_missing";
    writeFileSync(file, JSON.stringify(ws));
    await expect(run("cls", file)).rejects.toThrow(/\$\.measurements\[0\]\.config\.poi/);
  });

  it("digest equals pyhf's (documented example and Python's json.dumps of the file)", async () => {
    const { workspaceDigest } = await import("../../src/stats/index.js");
    // pyhf.utils.digest docstring: {'a': 2.0, 'b': 3.0, 'c': 1.0}
    expect(workspaceDigest('{"a": 2.0, "b": 3.0, "c": 1.0}')).toBe("a38f6093800189b79bc22ef677baf90c75705af2cfc7ff594159eca54eaa7928");
    const out = await run("digest", WS);
    const py = execFileSync("python3", ["-c", "import json,hashlib,sys; print(hashlib.sha256(json.dumps(json.load(open(sys.argv[1])),sort_keys=True,ensure_ascii=False).encode('utf8')).hexdigest())", WS], { encoding: "utf8" }).trim();
    expect(out.trim()).toBe(`sha256:${py}`);
  });

  it("limit --json, fit --json and significance --json follow the contract", async () => {
    const l = JSON.parse(await run("limit", WS, "--json"));
    expect(Object.keys(l).sort()).toEqual(["cl", "converged", "exp", "obs"]);
    near(l.obs, ref.upper_limit_root.obs);
    expect(l.cl).toBe(0.95);
    const f = JSON.parse(await run("fit", WS, "--json"));
    expect(Object.keys(f).sort()).toEqual(["bestfit", "converged", "correlation", "covariance", "message", "mle_parameters", "mle_uncertainties", "parameters", "poi", "twice_nll", "uncertainties"]);
    expect(f.correlation.length).toBe(expected.model.par_names.length);
    expect(Object.keys(f.bestfit)).toEqual(expected.model.par_names);
    near(f.twice_nll, ref.mle.twice_nll);
    expect(f.converged).toBe(true);
    const s = JSON.parse(await run("significance", WS, "--json"));
    expect(Object.keys(s).sort()).toEqual(["converged", "p0_exp", "p0_obs", "q0", "z_exp", "z_obs"]);
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
