/**
 * An MLflow client written by someone else against MLflow's REST API (the npm package `mlflow`,
 * a Node.js client of the 2.0 API), pointed at `hepflow tracking serve`. The official Python client
 * cannot be installed here (PyPI is out of reach); this is the nearest real client the npm registry has.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { TrackingStore, serveTracking } from "../../src/tracking/index.js";

const require = createRequire(import.meta.url);
const MLflow = require("mlflow") as new (o: {
  endpoint: string;
  headers?: Record<string, string>;
}) => {
  Experiments: { create(o: object): Promise<{ experiment_id: string }>; get(o: object): Promise<{ experiment: { name: string } }> };
  // biome-ignore lint/suspicious/noExplicitAny: the untyped mlflow client returns whatever the REST API sends
  Runs: Record<string, (o: object) => Promise<Record<string, any>>>;
  Metrics: { getHistory(o: object): Promise<{ metrics: Array<{ value: number; step: number }> }> };
  Artifacts: { list(o: object): Promise<{ files?: Array<{ path: string }> }> };
};

const store = new TrackingStore(mkdtempSync(path.join(tmpdir(), "hepflow-mlc-")));
const { app, url } = await serveTracking(store, { port: 0, token: "t0k" });
afterAll(async () => {
  await app.close();
  store.close();
});

describe("the npm `mlflow` client against hepflow tracking serve", () => {
  it("creates an experiment and a run, logs, reads back, searches and ends the run", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined); // the client prints every request body
    const c = new MLflow({ endpoint: url, headers: { Authorization: "Bearer t0k" } });
    const { experiment_id } = await c.Experiments.create({ name: "agc-client" });
    expect((await c.Experiments.get({ experiment_id })).experiment.name).toBe("agc-client");
    const { run } = await c.Runs.create!({ experiment_id, start_time: 1700000000000, tags: [{ key: "mlflow.runName", value: "client-run" }] });
    const run_id = run.info.run_id;
    await c.Runs.logParameter!({ run_id, key: "num_bins", value: "25" });
    for (let step = 0; step < 3; step++) await c.Runs.logMetric!({ run_id, key: "unc", value: 0.3 - 0.1 * step, timestamp: 1700000000000 + step, step });
    await c.Runs.logBatch!({ run_id, metrics: [{ key: "events_per_s", value: 1e6, timestamp: 1700000000100, step: 0 }], params: [{ key: "pt_threshold", value: "30" }], tags: [{ key: "stage", value: "fit" }] });
    await c.Runs.setTag!({ run_id, key: "who", value: "client" });
    const got = await c.Runs.get!({ run_id });
    expect(got.run.info.run_name).toBe("client-run");
    expect(Object.fromEntries(got.run.data.params.map((p: { key: string; value: string }) => [p.key, p.value]))).toEqual({ num_bins: "25", pt_threshold: "30" });
    const hist = await c.Metrics.getHistory({ run_id, metric_key: "unc" });
    expect(hist.metrics.map((m) => [m.step, +m.value.toFixed(12)])).toEqual([
      [0, 0.3],
      [1, 0.2],
      [2, 0.1],
    ]);
    const found = await c.Runs.search!({ experiment_ids: [experiment_id], filter: "params.num_bins = '25' and metrics.unc < 0.15" });
    expect(found.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([run_id]);
    const up = await c.Runs.update!({ run_id, status: "FINISHED", end_time: 1700000001000 });
    expect(up.run_info.status).toBe("FINISHED");
    expect(store.getRunInfo(run_id).endTime).toBe(1700000001000);
    expect((await c.Artifacts.list({ run_id })).files ?? []).toEqual([]);
    await expect(c.Runs.get!({ run_id: "does-not-exist" })).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST/);
    await expect(new MLflow({ endpoint: url }).Experiments.get({ experiment_id })).rejects.toThrow(/401|UNAUTHENTICATED/);
  });
});
