import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REFERENCE } from "../shared.js";
import { runCli } from "../helpers/cli.js";

const DIR = path.join(REFERENCE, "stats");
const WS = path.join(DIR, "validation_2bin_2channel.json");
const ref = JSON.parse(readFileSync(path.join(DIR, "validation_2bin_2channel.expected.json"), "utf8")).cases[0];
const tmp = mkdtempSync(path.join(tmpdir(), "hepflow-postfit-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const run = runCli;
// pyhf's reference values are converged to ~4e-11 in twice-NLL; CLI fits to ~1e-9: 1e-6 absolute on Δ(2NLL)
const TOL = 1e-6;

describe("post-fit CLI commands", () => {
  it("scan --json: Δ(2NLL) at μ = 1 is pyhf's fixed-POI minus free twice-NLL", async () => {
    const j = JSON.parse(await run("scan", WS, "--range", "0:1", "--points", "3", "--json"));
    expect(j.parameter).toBe("mu");
    expect(j.values).toEqual([0, 0.5, 1]);
    expect(Math.abs(j.twice_nll_min - ref.mle.twice_nll)).toBeLessThan(TOL);
    expect(Math.abs(j.delta_twice_nll[2] - (ref.fixed_poi_fit.twice_nll - ref.mle.twice_nll))).toBeLessThan(TOL);
  });
  it("ranking --json lists every non-POI parameter with impacts and pulls", async () => {
    const j = JSON.parse(await run("ranking", WS, "--json"));
    expect(j.poi).toBe("mu");
    expect(Math.abs(j.poi_bestfit - ref.mle.poi_hat)).toBeLessThan(1e-4);
    expect(j.impacts.map((x: { name: string }) => x.name).sort()).toEqual(["uncorr_bkguncrt_control[0]", "uncorr_bkguncrt_control[1]", "uncorr_bkguncrt_signal[0]", "uncorr_bkguncrt_signal[1]"]);
    expect(j.pulls).toHaveLength(4);
    for (const k of ["prefit_up", "prefit_down", "postfit_up", "postfit_down"]) expect(j.impacts.every((x: Record<string, number>) => Number.isFinite(x[k]))).toBe(true);
  });
  it("gof --plots writes gof.png and residuals.png with the label asked for", async () => {
    const dir = path.join(tmp, "gof-plots");
    await run("gof", WS, "--plots", dir, "--experiment", "ATLAS", "--status", "Internal");
    for (const f of ["gof.png", "residuals.png"]) expect(readFileSync(path.join(dir, f)).subarray(1, 4).toString()).toBe("PNG");
  });
  it("gof and yields --json have their documented keys", async () => {
    const g = JSON.parse(await run("gof", WS, "--json"));
    expect(Object.keys(g).sort()).toEqual(["converged", "delta_twice_nll", "message", "ndof", "p_value", "twice_nll_fit", "twice_nll_saturated"]);
    expect(g.converged).toBe(true);
    // 4 bins, the only unconstrained parameter is mu
    expect(g.ndof).toBe(3);
    const y = JSON.parse(await run("yields", WS, "--json"));
    expect(y.prefit.map((c: { channel: string }) => c.channel).sort()).toEqual(["control", "signal"]);
    const sig = y.prefit.find((c: { channel: string }) => c.channel === "signal");
    expect(sig.total.bins).toEqual([110, 185]);
    expect(sig.data.bins).toEqual([110, 155]);
    expect(y.postfit).toHaveLength(2);
  });
  it("build, workspace prune/rename and datacard write their files", async () => {
    const out = path.join(tmp, "agc.json");
    await run("build", path.join(REFERENCE, "agc", "cabinetry_config.yml"), "--input", path.join(REFERENCE, "agc", "histos_1_file_per_process.json"), "-o", out);
    const ws = JSON.parse(readFileSync(out, "utf8"));
    expect(ws.channels.map((c: { name: string }) => c.name)).toEqual(["4j1b CR", "4j2b SR"]);
    const pruned = path.join(tmp, "pruned.json");
    await run("workspace", "prune", out, "--channel", "4j1b CR", "-o", pruned);
    const renamed = path.join(tmp, "renamed.json");
    await run("workspace", "rename", pruned, "--channel", "4j2b SR=SR", "-o", renamed);
    expect(JSON.parse(readFileSync(renamed, "utf8")).channels.map((c: { name: string }) => c.name)).toEqual(["SR"]);
    const dc = path.join(tmp, "dc");
    const j = JSON.parse(await run("datacard", renamed, "-o", dc, "--json"));
    expect(j.unmapped).toEqual([]);
    expect(existsSync(path.join(dc, "datacard.txt")) && existsSync(path.join(dc, "shapes.root"))).toBe(true);
  });
  it("a malformed config fails with the key path", async () => {
    const bad = path.join(tmp, "bad.yml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(bad, "General: {Measurement: m, POI: mu, InputPath: 'x.json:{RegionPath}'}\nRegions: [{Name: SR, Binnig: [0, 1]}]\nSamples: [{Name: d, Data: true}, {Name: s}]\nNormFactors: [{Name: mu}]\n");
    await expect(run("build", bad, "-o", path.join(tmp, "x.json"))).rejects.toMatchObject({ code: "CONFIG_INVALID", object: "Regions[0].Binnig" });
  });
});
