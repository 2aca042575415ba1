import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TrackingStore } from "../../src/tracking/index.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "hepflow-track-"));
const DIST_TRACKING = fileURLToPath(new URL("../../dist/tracking/index.js", import.meta.url));

describe("run store", () => {
  it("keeps MLflow's data model: runs, immutable params, metric histories, tags, artifacts, children, inputs", () => {
    const s = new TrackingStore(tmp());
    const run = s.startRun({ experimentName: "agc", runName: "nominal", source: "hepflow run x" });
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(run.status).toBe("RUNNING");
    expect(run.experimentId).toBe("1"); // "0" is MLflow's Default experiment
    expect(run.hepflowVersion).toMatch(/^\d+\.\d+\.\d+/);
    s.logParams(run.runId, { num_bins: 25, pt_threshold: "25" });
    s.logParams(run.runId, { num_bins: "25" }); // same value again: allowed, as in MLflow
    expect(() => s.logParams(run.runId, { num_bins: 30 })).toThrow(/cannot change/);
    s.logMetric(run.runId, "loss", 3, { step: 0, timestamp: 10 });
    s.logMetric(run.runId, "loss", 1, { step: 2, timestamp: 5 });
    s.logMetric(run.runId, "loss", 2, { step: 1, timestamp: 20 });
    s.logMetric(run.runId, "nan", NaN);
    expect(s.metricHistory(run.runId, "loss").map((m) => [m.step, m.value])).toEqual([
      [0, 3],
      [1, 2],
      [2, 1],
    ]);
    const full = s.getRun(run.runId);
    expect(full.metrics.loss!.value).toBe(1); // latest = highest step
    expect(Number.isNaN(full.metrics.nan!.value)).toBe(true);
    expect(full.tags["mlflow.runName"]).toBe("nominal");
    s.setTags(run.runId, { stage: "fit" });
    const dir = tmp();
    const f = path.join(dir, "a.txt");
    writeFileSync(f, "hello");
    const a1 = s.logArtifact(run.runId, f, "plots/a.txt");
    const a2 = s.logArtifact(run.runId, new TextEncoder().encode("hello"), "copy.txt");
    expect(a1.digest).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"); // sha256("hello")
    expect(a2.digest).toBe(a1.digest); // content-addressed: stored once
    expect(s.listArtifacts(run.runId).map((a) => a.path)).toEqual(["copy.txt", "plots/a.txt"]);
    expect(s.readArtifact(run.runId, "plots/a.txt").toString()).toBe("hello");
    s.logInput(run.runId, f);
    expect(s.runsUsingDigest(a1.digest)).toEqual([run.runId]);
    const child = s.startRun({ experimentId: run.experimentId, parentRunId: run.runId, runName: "trial-0" });
    expect(s.children(run.runId).map((c) => c.runId)).toEqual([child.runId]);
    expect(s.getRun(child.runId).tags["mlflow.parentRunId"]).toBe(run.runId);
    s.endRun(run.runId, "FINISHED");
    expect(s.getRunInfo(run.runId).status).toBe("FINISHED");
    expect(s.getRunInfo(run.runId).endTime).toBeGreaterThan(0);
    s.deleteRun(run.runId);
    expect(s.getRunInfo(child.runId).lifecycleStage).toBe("deleted");
    expect(s.searchRuns({}).length).toBe(0);
    expect(s.searchRuns({ viewType: "DELETED_ONLY" }).length).toBe(2);
    s.restoreRun(run.runId);
    expect(s.searchRuns({}).length).toBe(2);
    expect(() => s.getRun("ffff")).toThrow(/no run/);
    expect(() => s.logMetric(run.runId, "../x", 1)).toThrow(/invalid metric name/);
    s.close();
  });

  it("searches with MLflow's filter subset, order by and max results", () => {
    const s = new TrackingStore(tmp());
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = s.startRun({ runName: `r${i}`, startTime: 1000 + i });
      s.logParams(r.runId, { bins: String(20 + 5 * (i % 3)), algo: i % 2 ? "tpe" : "rand" });
      s.logMetrics(r.runId, { unc: 0.1 * (6 - i) });
      if (i !== 5) s.logMetrics(r.runId, { other: i });
      if (i < 3) s.endRun(r.runId);
      ids.push(r.runId);
    }
    const names = (f: string, order?: string[], max?: number) => s.searchRuns({ filter: f, orderBy: order, maxResults: max }).map((r) => r.info.runName);
    // expected sets worked out by hand from the loop above
    expect(names("metrics.unc < 0.35 and params.bins = '25'")).toEqual(["r4"]);
    expect(names("params.algo = 'tpe'", ["metrics.unc ASC"])).toEqual(["r5", "r3", "r1"]);
    expect(names("attributes.status = 'FINISHED'", ["metrics.unc DESC"])).toEqual(["r0", "r1", "r2"]);
    expect(names("", ["metrics.other DESC"])).toEqual(["r4", "r3", "r2", "r1", "r0", "r5"]); // missing last
    expect(names("", undefined, 2)).toEqual(["r5", "r4"]); // default: newest first
    expect(names("tags.`mlflow.runName` LIKE 'r%' and metrics.unc >= 0.5")).toEqual(["r1", "r0"]);
    expect(names("tags.mlflow.runName ILIKE 'R2'")).toEqual(["r2"]);
    expect(names(`attributes.run_id IN ('${ids[0]}', '${ids[2]}')`)).toEqual(["r2", "r0"]);
    expect(names("attributes.start_time > 1003")).toEqual(["r5", "r4"]);
    expect(() => s.searchRuns({ filter: "metrics.unc < 1 or params.x = '1'" })).toThrow(/OR is not supported/);
    expect(() => s.searchRuns({ filter: "metrics.unc < 'a'" })).toThrow(/number/);
    expect(() => s.searchRuns({ filter: "params.x < 3" })).toThrow(/quoted string/);
    expect(() => s.searchRuns({ filter: "foo.x = '1'" })).toThrow(/unknown entity/);
    s.close();
  });

  it("loses nothing when 8 processes log 1000 metrics each at once", async () => {
    const dir = tmp();
    const s = new TrackingStore(dir);
    const run = s.startRun({ runName: "shared" });
    const script = `
      import { TrackingStore } from ${JSON.stringify(DIST_TRACKING)};
      const s = new TrackingStore(process.argv[1]);
      const w = Number(process.argv[3]); // with -e, argv[1] is the first argument
      for (let i = 0; i < 1000; i++) s.logMetric(process.argv[2], "m" + w, i, { step: i });
      s.close();`;
    const procs = Array.from(
      { length: 8 },
      (_, w) =>
        new Promise<number>((resolve, reject) => {
          const p = spawn(process.execPath, ["--input-type=module", "-e", script, dir, run.runId, String(w)], { stdio: ["ignore", "ignore", "pipe"] });
          let err = "";
          p.stderr.on("data", (b) => (err += b));
          p.on("error", reject);
          p.on("exit", (code) => (code === 0 ? resolve(code) : reject(new Error(`writer ${w} exited ${code}: ${err}`))));
        }),
    );
    await Promise.all(procs);
    for (let w = 0; w < 8; w++) {
      const h = s.metricHistory(run.runId, `m${w}`);
      expect(h.length).toBe(1000);
      expect(h.map((m) => m.value)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }
    s.close();
  });
});
