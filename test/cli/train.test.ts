// `hepflow generate jets` and `hepflow train` end to end: the files they write, the output rule,
// the ROOT path, and the saved model scored again by `hepflow predict`.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../../bin/hepflow.js", import.meta.url).pathname;
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000, cwd });
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
  it("ROOT: the jets TTree trains too; mlp and bad labels are clear errors", () => {
    expect(cli(["generate", "jets", "-o", "jets.root", "--signal", "2000", "--background", "2000"], dir).status).toBe(0);
    const r = cli(["train", "jets.root", "--features", "mass,tau21,d2", "--label", "label", "-o", "r.json"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, "r.metrics.json"))).toBe(true);
    const mlp = cli(["train", "jets.csv", "--model", "mlp", "--features", FEATURES, "--label", "label", "-o", "x.json"], dir);
    expect(mlp.stderr).toMatch(/only gbdt/);
    const badLabel = cli(["train", "jets.csv", "--features", "mass", "--label", "nconst", "-o", "y.json"], dir);
    expect(badLabel.status).not.toBe(0);
    expect(badLabel.stderr).toMatch(/label of row \d+ is \d+, expected 0 or 1/);
  });
});
