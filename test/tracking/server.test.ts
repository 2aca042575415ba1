/**
 * Protocol tests for the MLflow REST subset, written from MLflow's REST API reference (docs/api_reference
 * rest-api.rst: request fields, response fields, error codes) — not from our own responses.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TrackingStore, buildTrackingServer, serveTracking } from "../../src/tracking/index.js";

const store = new TrackingStore(mkdtempSync(path.join(tmpdir(), "hepflow-srv-")));
const app = await buildTrackingServer(store);
afterAll(async () => {
  await app.close();
  store.close();
});

const API = "/api/2.0/mlflow";
async function post(p: string, payload: unknown) {
  const r = await app.inject({ method: "POST", url: API + p, payload: payload as object });
  return { status: r.statusCode, body: JSON.parse(r.body || "{}") };
}
async function get(p: string, query: Record<string, string>) {
  const r = await app.inject({ method: "GET", url: API + p, query });
  return { status: r.statusCode, body: JSON.parse(r.body || "{}") };
}

describe("MLflow REST API subset", () => {
  let expId = "";
  let runId = "";

  it("experiments/create, get, get-by-name, search", async () => {
    const c = await post("/experiments/create", { name: "agc", tags: [{ key: "team", value: "iris-hep" }] });
    expect(c.status).toBe(200);
    expect(typeof c.body.experiment_id).toBe("string"); // CreateExperiment.Response: experiment_id STRING
    expId = c.body.experiment_id;
    const dup = await post("/experiments/create", { name: "agc" });
    expect(dup.status).toBe(400);
    expect(dup.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const missingName = await post("/experiments/create", {});
    expect(missingName.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const g = await get("/experiments/get", { experiment_id: expId });
    expect(g.body.experiment).toMatchObject({ experiment_id: expId, name: "agc", lifecycle_stage: "active", tags: [{ key: "team", value: "iris-hep" }] });
    expect(typeof g.body.experiment.artifact_location).toBe("string");
    expect(typeof g.body.experiment.creation_time).toBe("number");
    const nf = await get("/experiments/get", { experiment_id: "999" });
    expect(nf.status).toBe(404);
    expect(nf.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(typeof nf.body.message).toBe("string");
    expect((await get("/experiments/get-by-name", { experiment_name: "agc" })).body.experiment.experiment_id).toBe(expId);
    expect((await get("/experiments/get-by-name", { experiment_name: "nope" })).body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    const s = await post("/experiments/search", { max_results: 10, filter: "name = 'agc'" });
    expect(s.body.experiments.map((e: { name: string }) => e.name)).toEqual(["agc"]);
    const all = await post("/experiments/search", { max_results: 1 });
    expect(all.body.experiments.length).toBe(1); // Default + agc, one per page
    expect(typeof all.body.next_page_token).toBe("string");
    const page2 = await post("/experiments/search", { max_results: 1, page_token: all.body.next_page_token });
    expect(page2.body.experiments.length).toBe(1);
    expect(page2.body.experiments[0].experiment_id).not.toBe(all.body.experiments[0].experiment_id);
  });

  it("runs/create, log-parameter, log-metric, set-tag, log-batch, get, update", async () => {
    const c = await post("/runs/create", { experiment_id: expId, start_time: 1700000000000, run_name: "trial-1", tags: [{ key: "mlflow.user", value: "alice" }], user_id: "alice" });
    expect(c.status).toBe(200);
    const info = c.body.run.info;
    runId = info.run_id;
    expect(info).toMatchObject({ experiment_id: expId, run_name: "trial-1", status: "RUNNING", start_time: 1700000000000, lifecycle_stage: "active", user_id: "alice" });
    expect(info.run_uuid).toBe(info.run_id);
    expect(info.artifact_uri).toBe(`mlflow-artifacts:/${expId}/${runId}/artifacts`);
    expect((await post("/runs/create", { experiment_id: "12345" })).body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");

    expect((await post("/runs/log-parameter", { run_id: runId, key: "num_bins", value: "25" })).body).toEqual({});
    const change = await post("/runs/log-parameter", { run_id: runId, key: "num_bins", value: "30" });
    expect(change.status).toBe(400);
    expect(change.body.error_code).toBe("INVALID_PARAMETER_VALUE"); // params are immutable
    expect((await post("/runs/log-metric", { run_id: runId, key: "unc", value: 0.5, timestamp: 1, step: 0 })).status).toBe(200);
    expect((await post("/runs/log-metric", { run_id: runId, key: "unc", value: "NaN", timestamp: "2", step: "1" })).status).toBe(200); // proto3 JSON spellings
    expect((await post("/runs/log-metric", { run_id: runId, key: "unc", value: 0.5 })).body.error_code).toBe("INVALID_PARAMETER_VALUE"); // timestamp required
    expect((await post("/runs/log-metric", { run_id: runId, key: "unc", value: "abc", timestamp: 1 })).body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await post("/runs/log-metric", { run_id: "nope", key: "unc", value: 1, timestamp: 1 })).status).toBe(404);
    expect((await post("/runs/set-tag", { run_id: runId, key: "stage", value: "fit" })).status).toBe(200);
    const batch = await post("/runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "unc", value: 0.25, timestamp: 3, step: 2 },
        { key: "events_per_s", value: 1e6, timestamp: 3, step: 0 },
      ],
      params: [{ key: "pt_threshold", value: "25" }],
      tags: [{ key: "stage", value: "done" }],
    });
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual({});
    const tooMany = await post("/runs/log-batch", { run_id: runId, params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "1" })) });
    expect(tooMany.body.error_code).toBe("INVALID_PARAMETER_VALUE"); // at most 100 params per batch
    const g = await get("/runs/get", { run_id: runId });
    const data = g.body.run.data;
    const byKey = (xs: Array<{ key: string }>) => Object.fromEntries(xs.map((x) => [x.key, x]));
    expect(byKey(data.params)).toEqual({ num_bins: { key: "num_bins", value: "25" }, pt_threshold: { key: "pt_threshold", value: "25" } });
    expect(byKey(data.metrics).unc).toEqual({ key: "unc", value: 0.25, timestamp: 3, step: 2 }); // latest = highest step
    expect((byKey(data.tags).stage as { key: string; value: string }).value).toBe("done");
    const h = await get("/metrics/get-history", { run_id: runId, metric_key: "unc" });
    expect(h.body.metrics).toEqual([
      { key: "unc", value: 0.5, timestamp: 1, step: 0 },
      { key: "unc", value: "NaN", timestamp: 2, step: 1 },
      { key: "unc", value: 0.25, timestamp: 3, step: 2 },
    ]);
    const u = await post("/runs/update", { run_id: runId, status: "FINISHED", end_time: 1700000005000 });
    expect(u.body.run_info).toMatchObject({ run_id: runId, status: "FINISHED", end_time: 1700000005000 });
    expect((await post("/runs/update", { run_id: runId, status: "DONE" })).body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await get("/runs/get", { run_id: "0000" })).body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  it("runs/search with filter, order_by, max_results and page tokens", async () => {
    for (let i = 0; i < 3; i++) {
      const r = (await post("/runs/create", { experiment_id: expId, start_time: 1700000010000 + i, run_name: `s${i}` })).body.run.info.run_id;
      await post("/runs/log-batch", { run_id: r, metrics: [{ key: "unc", value: 0.1 * (i + 1), timestamp: 5, step: 0 }], params: [{ key: "num_bins", value: String(20 + i) }] });
    }
    const s = await post("/runs/search", { experiment_ids: [expId], filter: "metrics.unc < 0.28", order_by: ["metrics.unc ASC"], max_results: 2 });
    expect(s.body.runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(["s0", "s1"]);
    expect(typeof s.body.next_page_token).toBe("string"); // trial-1 (0.25) is the third match
    const p2 = await post("/runs/search", { experiment_ids: [expId], filter: "metrics.unc < 0.28", order_by: ["metrics.unc ASC"], max_results: 2, page_token: s.body.next_page_token });
    expect(p2.body.runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(["trial-1"]);
    expect(p2.body.next_page_token).toBeUndefined();
    const p = await post("/runs/search", { experiment_ids: [expId], filter: "params.num_bins = '21' and attributes.status = 'RUNNING'" });
    expect(p.body.runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(["s1"]);
    const bad = await post("/runs/search", { experiment_ids: [expId], filter: "metrics.unc <" });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await post("/runs/search", { experiment_ids: [expId], max_results: 0 })).body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("uploads, lists and downloads proxied artifacts", async () => {
    const base = `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts`;
    const up = await app.inject({ method: "PUT", url: `${base}/plots/pulls.svg`, payload: Buffer.from("<svg/>"), headers: { "content-type": "image/svg+xml" } });
    expect(up.statusCode).toBe(200);
    await app.inject({ method: "PUT", url: `${base}/model.json`, payload: '{"a": 1}', headers: { "content-type": "application/json" } });
    const down = await app.inject({ method: "GET", url: `${base}/plots/pulls.svg` });
    expect(down.body).toBe("<svg/>");
    expect(store.readArtifact(runId, "model.json").toString()).toBe('{"a": 1}'); // stored as sent, not re-serialised
    const ls = await app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts", query: { path: `${expId}/${runId}/artifacts` } });
    expect(JSON.parse(ls.body).files).toEqual([
      { path: "model.json", is_dir: false, file_size: 8 },
      { path: "plots", is_dir: true },
    ]);
    const sub = await app.inject({ method: "GET", url: "/api/2.0/mlflow-artifacts/artifacts", query: { path: `${expId}/${runId}/artifacts/plots` } });
    expect(JSON.parse(sub.body).files).toEqual([{ path: "pulls.svg", is_dir: false, file_size: 6 }]);
    const missing = await app.inject({ method: "GET", url: `${base}/nope.txt` });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    const escaped = await app.inject({ method: "PUT", url: `${base}/../../x`, payload: "x" });
    expect(escaped.statusCode).toBeGreaterThanOrEqual(400);
  });

  it("answers unknown endpoints with ENDPOINT_NOT_FOUND and non-JSON bodies with an error", async () => {
    const r = await post("/runs/frobnicate", {});
    expect(r.status).toBe(404);
    expect(r.body.error_code).toBe("ENDPOINT_NOT_FOUND");
    const bad = await app.inject({ method: "POST", url: `${API}/runs/create`, payload: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error_code).toBeDefined();
  });

  it("binds 127.0.0.1 by default and demands a token for any other address", async () => {
    await expect(serveTracking(store, { host: "0.0.0.0", port: 0 })).rejects.toThrow(/--token/);
    const { app: live, url } = await serveTracking(store, { port: 0, token: "s3cret" });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const noAuth = await fetch(`${url}${API}/experiments/get?experiment_id=0`);
      expect(noAuth.status).toBe(401);
      const ok = await fetch(`${url}${API}/experiments/get?experiment_id=0`, { headers: { authorization: "Bearer s3cret" } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { experiment: { name: string } }).experiment.name).toBe("Default");
    } finally {
      await live.close();
    }
  });
});
