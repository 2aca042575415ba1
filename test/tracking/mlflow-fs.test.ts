import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { TrackingStore, exportMlflow, importMlflow } from "../../src/tracking/index.js";
import { SHARED } from "../shared.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "hepflow-mlfs-"));
/** The real MLflow 1.27 file store (two runs of experiment 1, "dl_model_chapter02"). */
const FIXTURE = path.join(SHARED, "data", "mlflow", "Practical-Deep-Learning-at-Scale-with-MLFlow", "chapter02", "mlruns");

function files(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const f = path.join(dir, n);
    if (statSync(f).isDirectory()) out.push(...files(f, `${prefix}${n}/`));
    else out.push(prefix + n);
  }
  return out;
}
const parseMetricLines = (t: string) =>
  t
    .trim()
    .split("\n")
    .map((l) =>
      l
        .trim()
        .split(/\s+/)
        .map((x) => (x === "nan" ? NaN : Number(x))),
    );

describe("MLflow file store", () => {
  it("imports the real MLflow 1.27 store and exports it back file for file", () => {
    const s = new TrackingStore(tmp());
    const sum = importMlflow(s, FIXTURE);
    expect(sum.runs).toBe(2);
    const runIds = readdirSync(path.join(FIXTURE, "1")).filter((n) => n !== "meta.yaml");
    const exp = s.getExperimentByName("dl_model_chapter02")!;
    expect(exp.experimentId).toBe("1");
    for (const id of runIds) {
      const src = path.join(FIXTURE, "1", id);
      const meta = YAML.parse(readFileSync(path.join(src, "meta.yaml"), "utf8"));
      const run = s.getRun(id);
      expect(run.info.status).toBe("FINISHED"); // status: 3
      expect(run.info.startTime).toBe(meta.start_time);
      expect(run.info.endTime).toBe(meta.end_time);
      expect(run.info.userId).toBe(meta.user_id);
      expect(run.params.lr).toBe(readFileSync(path.join(src, "params", "lr"), "utf8"));
      expect(run.tags["mlflow.runName"]).toBe(readFileSync(path.join(src, "tags", "mlflow.runName"), "utf8"));
      for (const key of readdirSync(path.join(src, "metrics"))) {
        const lines = parseMetricLines(readFileSync(path.join(src, "metrics", key), "utf8"));
        expect(
          s
            .metricHistory(id, key)
            .map((m) => [m.timestamp, m.value, m.step])
            .sort((a, b) => a[2]! - b[2]! || a[0]! - b[0]!),
        ).toEqual(lines.sort((a, b) => a[2]! - b[2]! || a[0]! - b[0]!));
      }
      expect(s.listArtifacts(id).map((a) => a.path)).toEqual(files(path.join(src, "artifacts")));
    }
    // export → every params/tags/artifacts file byte-identical, metric lines equal as numbers, meta fields equal
    const out = tmp();
    exportMlflow(s, out);
    for (const id of runIds) {
      const a = path.join(FIXTURE, "1", id),
        b = path.join(out, "1", id);
      expect(files(b)).toEqual(files(a));
      for (const f of files(a)) {
        if (f === "meta.yaml") {
          const ma = YAML.parse(readFileSync(path.join(a, f), "utf8")),
            mb = YAML.parse(readFileSync(path.join(b, f), "utf8"));
          delete ma.artifact_uri;
          delete mb.artifact_uri; // absolute paths: where each store lives
          // MLflow 1.27 kept the run name only in the mlflow.runName tag (and an empty legacy "name");
          // MLflow >= 2 writes run_name, which is what the exporter writes
          expect(mb.run_name).toBe(readFileSync(path.join(a, "tags", "mlflow.runName"), "utf8"));
          expect(ma.name).toBe("");
          delete ma.name;
          delete mb.run_name;
          expect(mb).toEqual(ma);
        } else if (f.startsWith("metrics/")) expect(parseMetricLines(readFileSync(path.join(b, f), "utf8"))).toEqual(parseMetricLines(readFileSync(path.join(a, f), "utf8")));
        else expect(readFileSync(path.join(b, f)).equals(readFileSync(path.join(a, f)))).toBe(true);
      }
    }
    const em = YAML.parse(readFileSync(path.join(out, "1", "meta.yaml"), "utf8"));
    expect(em.name).toBe("dl_model_chapter02");
    expect(em.experiment_id).toBe("1");
    expect(readFileSync(path.join(out, "1", "meta.yaml"), "utf8")).toMatch(/experiment_id: "1"|experiment_id: '1'/); // a string, as MLflow writes it
    s.close();
  });

  it("round-trips hepflow runs through the MLflow layout with nothing lost", () => {
    const a = new TrackingStore(tmp());
    const parent = a.startRun({ experimentName: "search", runName: "tpe" });
    a.logParams(parent.runId, { algo: "tpe", "nested/key": "x" });
    const child = a.startRun({ experimentId: parent.experimentId, parentRunId: parent.runId });
    a.logMetrics(child.runId, [
      { key: "unc", value: 0.25, step: 0, timestamp: 1 },
      { key: "unc", value: NaN, step: 1, timestamp: 2 },
      { key: "unc", value: -Infinity, step: 2, timestamp: 3 },
      { key: "sub/dir", value: 1e-300, timestamp: 4 },
    ]);
    const f = path.join(tmp(), "ws.json");
    writeFileSync(f, '{"channels": []}');
    a.logArtifact(child.runId, f, "fit/ws.json");
    a.logInput(child.runId, f);
    a.endRun(child.runId, "KILLED");
    a.endRun(parent.runId, "FAILED");
    a.deleteRun(child.runId);
    const out = tmp();
    exportMlflow(a, out);
    expect(() => exportMlflow(a, out)).toThrow(/--force/);
    const b = new TrackingStore(tmp());
    importMlflow(b, out);
    for (const id of [parent.runId, child.runId]) {
      const ra = a.getRun(id),
        rb = b.getRun(id);
      expect({ ...rb.info, artifactUri: "" }).toEqual({ ...ra.info, artifactUri: "" });
      expect(rb.params).toEqual(ra.params);
      expect(rb.tags).toEqual(ra.tags);
      expect(b.allMetrics(id)).toEqual(a.allMetrics(id));
      expect(b.listArtifacts(id)).toEqual(a.listArtifacts(id));
      expect(b.listInputs(id)).toEqual(a.listInputs(id));
    }
    expect(b.children(parent.runId).map((r) => r.runId)).toEqual([child.runId]);
    expect(importMlflow(b, out).skipped.sort()).toEqual([parent.runId, child.runId].sort()); // second import: nothing duplicated
    a.close();
    b.close();
  });
});
