// `hepflow generate jets` and `hepflow train` end to end: the files they write, the output rule,
// the ROOT path, and the saved model scored again by `hepflow predict`.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../../bin/hepflow.js", import.meta.url).pathname;
const cli = (args: string[], cwd: string, env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000, cwd, env: { ...process.env, ...env } });
const FEATURES = "pt,eta,mass,tau1,tau2,tau3,tau21,tau32,d2,nconst";

describe("hepflow generate jets / train", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hepflow-train-cli-"));
  it("CSV: trains, writes model, metrics and ROC plot; refuses to overwrite without --force", () => {
    expect(cli(["generate", "jets", "-o", "jets.csv", "--signal", "4000", "--background", "4000", "--seed", "3"], dir).status).toBe(0);
    const r = cli(["train", "jets.csv", "--features", FEATURES, "--label", "label", "-o", "m.json", "--plot", "roc.svg", "--json"], dir);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows).toEqual({ train: 4800, valid: 1600, test: 1600 });
    const metrics = JSON.parse(readFileSync(path.join(dir, "m.metrics.json"), "utf8"));
    expect(metrics.test.auc).toBe(out.test.auc);
    expect(metrics.test.auc).toBeGreaterThan(0.85);
    expect(metrics.test.roc.signalEff[0]).toBe(0);
    expect(metrics.test.roc.signalEff.at(-1)).toBe(1);
    expect(metrics.learningCurve.validLoss.length).toBeGreaterThanOrEqual(metrics.trees);
    expect(readFileSync(path.join(dir, "roc.svg"), "utf8")).toContain("<svg");
    const again = cli(["train", "jets.csv", "--features", FEATURES, "--label", "label", "-o", "m.json"], dir);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/exists.*--force/);
    // the saved model through the inference path
    const p = cli(["predict", "m.json", "jets.csv", "--limit", "5", "--json"], dir);
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).scores).toHaveLength(5);
  });
  it("MLP: Keras HDF5 model scored again by predict, the four plots, a tracked run with the loss per epoch", () => {
    const r = cli(["train", "jets.csv", "--model", "mlp", "--hidden", "16", "--epochs", "3", "--batch-size", "32", "--features", FEATURES, "--label", "label", "-o", "w.h5", "--plots", "plots", "--track", "--json"], dir, {
      HEPFLOW_TRACKING_DIR: path.join(dir, "runs"),
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ model: "mlp", architecture: [10, 16, 1], epochs: 3, importanceKind: "permutation_auc" });
    expect(out.test.auc).toBeGreaterThan(0.85);
    for (const p of ["roc", "scores", "learning_curve", "importance"])
      expect(
        readFileSync(path.join(dir, "plots", `${p}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe("PNG");
    const p = cli(["predict", "w.h5", "jets.csv", "--limit", "4", "--json"], dir);
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ format: "keras", features: FEATURES.split(",") });
    const runId = /tracked run ([0-9a-f]{32})/.exec(r.stderr)?.[1];
    expect(runId, r.stderr).toBeDefined();
    const show = JSON.parse(cli(["runs", "show", runId!, "--json", "--tracking-dir", path.join(dir, "runs")], dir).stdout);
    expect(show.params).toMatchObject({ model: "mlp", hidden: "16" });
    expect(show.metrics.test_auc.value).toBe(out.test.auc);
    expect(show.metrics.valid_loss.step).toBe(2); // the latest of the 3 epochs
  });
  it("ROOT: the jets TTree trains too; unknown models and bad labels are clear errors", () => {
    expect(cli(["generate", "jets", "-o", "jets.root", "--signal", "2000", "--background", "2000"], dir).status).toBe(0);
    const r = cli(["train", "jets.root", "--features", "mass,tau21,d2", "--label", "label", "-o", "r.json"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, "r.metrics.json"))).toBe(true);
    const mlp = cli(["train", "jets.csv", "--model", "svm", "--features", FEATURES, "--label", "label", "-o", "x.json"], dir);
    expect(mlp.status).not.toBe(0);
    expect(mlp.stderr).toMatch(/--model svm: gbdt or mlp/);
    const wrongExt = cli(["train", "jets.csv", "--model", "mlp", "--features", FEATURES, "--label", "label", "-o", "x.json"], dir);
    expect(wrongExt.status).not.toBe(0);
    expect(wrongExt.stderr).toMatch(/an MLP is saved as ONNX \(\.onnx\) or Keras HDF5/);
    const badLabel = cli(["train", "jets.csv", "--features", "mass", "--label", "nconst", "-o", "y.json"], dir);
    expect(badLabel.status).not.toBe(0);
    expect(badLabel.stderr).toMatch(/label of row \d+ is \d+, expected 0 or 1/);
  });
});
