import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../helpers/cli.js";
import { closeStores, openStore } from "../../src/tracking/index.js";
import { SHARED } from "../shared.js";

const WS = path.join(SHARED, "reference", "stats", "simplemodels_uncorrelated_background.json");
let dir = "";
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "hepflow-cli-track-"));
  process.env.HEPFLOW_TRACKING_DIR = path.join(dir, "runs");
});
afterEach(() => {
  closeStores();
  delete process.env.HEPFLOW_RUN_ID;
});

describe("tracking from the command line", () => {
  it("autologs a fit with --track (and not without), with the numbers it prints", async () => {
    await runCli("fit", WS, "--json");
    expect(existsSync(path.join(dir, "runs", "runs.db"))).toBe(false); // fit tracks only when asked
    const printed = JSON.parse(await runCli("fit", WS, "--json", "--track"));
    const s = openStore();
    const run = s.searchRuns({ filter: "attributes.run_name = 'fit'" })[0]!;
    expect(run.info.status).toBe("FINISHED");
    expect(run.params.workspace).toBe(WS);
    expect(run.metrics.mu_bestfit!.value).toBe(printed.bestfit.mu);
    expect(run.metrics.mu_uncertainty!.value).toBe(printed.uncertainties.mu);
    expect(run.metrics.twice_nll!.value).toBe(printed.twice_nll);
    expect(run.metrics.uncorr_bkguncrt_0_bestfit!.value).toBe(printed.bestfit["uncorr_bkguncrt[0]"]); // [0] → _0: MLflow key rules
    expect(s.listInputs(run.info.runId).map((i) => i.path)).toEqual([WS]);
    // inside a tracked run (a project or search trial), a command logs into that run instead
    const outer = s.startRun({ runName: "outer" });
    process.env.HEPFLOW_RUN_ID = outer.runId;
    await runCli("fit", WS, "--json", "--mu", "1");
    expect(s.getRun(outer.runId).params.mu).toBe("1");
    expect(s.getRunInfo(outer.runId).status).toBe("RUNNING"); // not ended by the command
    delete process.env.HEPFLOW_RUN_ID;
    await runCli("fit", WS, "--json", "--no-track");
    expect(s.searchRuns({}).length).toBe(2);
  });

  it("runs ls/show/diff/rm/restore/export/import", async () => {
    const s = openStore();
    const a = s.startRun({ runName: "alpha" }),
      b = s.startRun({ runName: "beta" });
    s.logParams(a.runId, { bins: 25 });
    s.logParams(b.runId, { bins: 30 });
    s.logMetrics(a.runId, { unc: 0.2 });
    s.logMetrics(b.runId, { unc: 0.1 });
    const ls = await runCli("runs", "ls", "--filter", "metrics.unc < 0.15", "--columns", "name,params.bins,metrics.unc");
    expect(ls).toMatch(/beta\s+30\s+0\.1/);
    expect(ls).not.toMatch(/alpha/);
    expect(await runCli("runs", "show", a.runId.slice(0, 8))).toMatch(/bins\s+25/);
    const diff = await runCli("runs", "diff", a.runId, b.runId);
    expect(diff).toMatch(/params\.bins\s+25\s+30/);
    expect(diff).toMatch(/metrics\.unc\s+0\.2\s+0\.1/);
    await runCli("runs", "rm", a.runId);
    expect(await runCli("runs", "ls")).not.toMatch(/alpha/);
    expect(await runCli("runs", "ls", "--deleted")).toMatch(/alpha/);
    await runCli("runs", "restore", a.runId);
    const out = path.join(dir, "mlruns");
    expect(await runCli("runs", "export", "--mlflow", out)).toMatch(/exported 2 run/);
    expect(
      readdirSync(path.join(out, "0"))
        .filter((n) => n !== "meta.yaml")
        .sort(),
    ).toEqual([a.runId, b.runId].sort());
    process.env.HEPFLOW_TRACKING_DIR = path.join(dir, "other");
    expect(await runCli("runs", "import", out)).toMatch(/imported 2 run/);
    expect(openStore().getRun(b.runId).metrics.unc!.value).toBe(0.1);
  });

  it("searches a real command's objective: hepflow fit at fixed mu, minimising twice_nll", async () => {
    const out = await runCli("search", "-S", "mu=uniform(0, 2)", "--command", `hepflow fit ${WS} --mu {mu}`, "--objective", "twice_nll", "--algo", "random", "--max-runs", "4", "--parallel", "2", "--seed", "1");
    const s = openStore();
    const search = s.searchRuns({ filter: "tags.`hepflow.search.best_run` LIKE '%'" })[0]!;
    const trials = s.children(search.info.runId).map((c) => s.getRun(c.runId));
    expect(trials.length).toBe(4);
    for (const t of trials) expect(Number(t.params.mu)).toBe(Number(JSON.parse(t.tags["hepflow.search.params"]!).mu));
    // the profile of -2 ln L rises with mu above the best fit (mu-hat = 0 at its bound here), so the
    // smallest mu tried must be the best trial
    const byMu = [...trials].sort((x, y) => Number(x.params.mu) - Number(y.params.mu));
    for (let i = 1; i < byMu.length; i++) expect(byMu[i]!.metrics.twice_nll!.value).toBeGreaterThan(byMu[i - 1]!.metrics.twice_nll!.value);
    expect(search.tags["hepflow.search.best_run"]).toBe(byMu[0]!.info.runId);
    expect(out).toMatch(/best: trial \d+/);
  });
});
