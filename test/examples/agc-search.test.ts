// A tiny AGC parameter search end to end: `hepflow project run examples/agc-ttbar -e search` with
// a few trials on a small generated dataset (100 000 events per simulated sample; with 40 000 some trials have bins with data and no simulation, and their fit cannot start). Needs the
// compiled dist/ (npx tsc -p .): the trials run the CLI.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TrackingStore, runProject } from "../../src/tracking/index.js";

const PROJECT = new URL("../../examples/agc-ttbar", import.meta.url).pathname;
const tmp = () => mkdtempSync(path.join(tmpdir(), "hepflow-agc-search-"));

describe("AGC search entry point (issue 19)", () => {
  it("runs trials as child runs of the search, within the AGC's space, and reports the best with a table and plots", async () => {
    const store = new TrackingStore(tmp());
    let log = "";
    const r = await runProject(store, PROJECT, {
      entry: "search",
      stdio: "pipe",
      onOutput: (c) => (log += c),
      params: { max_runs: "4", parallel: "2", events: "100000", data_lumi: "10", data_dir: tmp(), seed: "3" },
    });
    expect(r.exitCode, log).toBe(0);
    const search = store.getRun(r.runId);
    expect(search.info.status).toBe("FINISHED");
    const trials = store.children(r.runId).map((c) => store.getRun(c.runId));
    expect(trials).toHaveLength(4);
    // a trial may fail honestly on this small dataset (a W+jets variation template with one event
    // gives a zero normalisation factor, which the fit refuses); the search carries on without it
    const finished = trials.filter((t) => t.info.status === "FINISHED");
    expect(finished.length, log).toBeGreaterThanOrEqual(3);
    for (const t of trials) expect(t.tags["mlflow.project.entryPoint"]).toBe("ttbar");
    for (const t of finished) {
      // the AGC's hyperopt space: num-bins 15..49, pt-threshold 20..29 GeV (whole GeV)
      const bins = Number(t.params["num-bins"]),
        pt = Number(t.params["pt-threshold"]);
      expect(Number.isInteger(bins) && bins >= 15 && bins <= 49).toBe(true);
      expect(Number.isInteger(pt) && pt >= 20 && pt <= 29).toBe(true);
      // the entry point mapped them onto the processor parameters, and they reached the processor
      const used = JSON.parse(store.readArtifact(t.info.runId, "parameters.json").toString()) as Record<string, unknown>;
      expect(JSON.stringify(used)).toContain(`"num_bins":${bins}`);
      expect(JSON.stringify(used)).toContain(`"pt_threshold":${pt}`);
      const hists = JSON.parse(store.readArtifact(t.info.runId, "histograms.json").toString()) as Record<string, { contents: number[] }>;
      expect(hists["4j2b_ttbar"]!.contents).toHaveLength(bins + 2);
      // the fit inside the trial logged the objective
      const u = t.metrics.ttbar_norm_uncertainty!.value;
      expect(u).toBeGreaterThan(0.05);
      expect(u).toBeLessThan(1);
    }
    const best = finished.reduce((a, b) => (b.metrics.ttbar_norm_uncertainty!.value < a.metrics.ttbar_norm_uncertainty!.value ? b : a));
    expect(search.tags["hepflow.search.best_run"]).toBe(best.info.runId);
    expect(log).toMatch(/best: trial \d+/);
    expect(log).toContain(`num-bins=${best.params["num-bins"]}  pt-threshold=${best.params["pt-threshold"]}`);
    const plots = store.listArtifacts(r.runId).map((a) => a.path);
    expect(plots).toEqual(expect.arrayContaining(["plots/objective_vs_trial.svg", "plots/params_vs_objective.svg"]));
    store.close();
  }, 300_000);
});
