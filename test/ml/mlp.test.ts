// The MLP trainer (TensorFlow.js, WASM backend): seeds reproduce a network, the saved Keras HDF5
// file scores through the inference path as TensorFlow.js did, early stopping keeps the best
// epoch, class weights act, and the test AUC is within 0.005 of scikit-learn's MLPClassifier
// with the same settings on the same jets (/usr/bin/python3 with Debian python3-sklearn is
// required: without it this fails).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateJets, jetsToCsv, JET_FEATURES } from "../../src/generate/index.js";
import { loadModel, mlpPredictTf, rocCurve, saveTrainedModel, shuffledIndices, trainClassifier, trainMlp } from "../../src/ml/index.js";
import type { MlpData } from "../../src/ml/index.js";

const PYTHON = "/usr/bin/python3"; // Debian's python3-sklearn; a pyenv python3 has none
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-mlp-"));
const F = JET_FEATURES.length;

const s = generateJets({ signal: 6000, background: 6000, seed: 11 });
const order = shuffledIndices(s.n, 11);
function take(a: number, b: number, sample = s, idx = order): MlpData {
  const x = new Float32Array((b - a) * F),
    y = new Uint8Array(b - a);
  for (let k = a; k < b; k++) {
    const i = idx[k]!;
    JET_FEATURES.forEach((f, j) => {
      x[(k - a) * F + j] = sample.columns[f][i]!;
    });
    y[k - a] = sample.label[i]!;
  }
  return { x, y, rows: b - a, nFeatures: F };
}
const train = take(0, 9000),
  test = take(9000, 12000);

describe("MLP trainer", () => {
  it("a seed reproduces the network bit for bit; another seed gives another network", async () => {
    const small = take(0, 2000);
    const a = await trainMlp(small, undefined, { hidden: [16], maxEpochs: 2, seed: 4 });
    const b = await trainMlp(small, undefined, { hidden: [16], maxEpochs: 2, seed: 4 });
    const c = await trainMlp(small, undefined, { hidden: [16], maxEpochs: 2, seed: 5 });
    expect(Array.from(a.layers[0]!.kernel)).toEqual(Array.from(b.layers[0]!.kernel));
    expect(a.trainLoss).toEqual(b.trainLoss);
    expect(Array.from(c.layers[0]!.kernel)).not.toEqual(Array.from(a.layers[0]!.kernel));
  });

  it("early stopping keeps the best validation epoch; the saved Keras file scores as TensorFlow.js, standardisation included", async () => {
    const valid = take(0, 1500, s, order.subarray(9000)),
      tr = take(0, 3000);
    const r = await trainMlp(tr, valid, { hidden: [32, 16], maxEpochs: 40, patience: 2, tol: 0, learningRate: 0.01, seed: 2 });
    // stopped: `patience` epochs after the best one, none of them better
    expect(r.epochs).toBeLessThan(40);
    expect(r.epochs).toBe(r.bestEpoch + 1 + 2);
    expect(Math.min(...r.validLoss)).toBe(r.validLoss[r.bestEpoch]);
    const file = path.join(dir, "m.h5");
    await saveTrainedModel({ format: "keras", mlp: r, features: [...JET_FEATURES] }, file, () => {
      throw new Error("a Keras model is not text");
    });
    const m = await loadModel(file);
    expect(m.format).toBe("keras");
    expect(m.featureNames).toEqual([...JET_FEATURES]);
    const want = await mlpPredictTf(r, valid.x, valid.rows);
    const got = m.predictSync!(valid.x, valid.rows);
    // float64 Keras evaluator vs float32 TensorFlow.js: 3 layers of ≤ 32-term float32 sums and a
    // sigmoid; measured max |Δp| ≈ 2e-7, so 2e-6 leaves a margin without hiding a wrong layer
    let maxDiff = 0;
    for (let i = 0; i < valid.rows; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
    expect(maxDiff).toBeLessThan(2e-6);
    // the kept epoch's weights: the saved model's validation log-loss is the best one recorded
    let ll = 0;
    for (let i = 0; i < valid.rows; i++) {
      const p = Math.min(1 - 1e-12, Math.max(1e-12, got[i]!));
      ll -= valid.y[i] ? Math.log(p) : Math.log(1 - p);
    }
    expect(ll / valid.rows).toBeCloseTo(r.validLoss[r.bestEpoch]!, 5);
  });

  it("ONNX export: onnx.checker (Debian python3-onnx) accepts the file and onnxruntime scores it as TensorFlow.js", async () => {
    const tr = take(0, 2000);
    const r = await trainMlp(tr, undefined, { hidden: [16, 8], maxEpochs: 2, seed: 6 });
    const file = path.join(dir, "m.onnx");
    await saveTrainedModel({ format: "keras", mlp: r, features: [...JET_FEATURES] }, file, () => {
      throw new Error("an ONNX model is not text");
    });
    const chk = spawnSync(
      PYTHON,
      [
        "-c",
        `
import sys, json, onnx
m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True)
print(json.dumps({"ops": [n.op_type for n in m.graph.node], "meta": {p.key: p.value for p in m.metadata_props}, "opset": m.opset_import[0].version}))
`,
        file,
      ],
      { encoding: "utf8" },
    );
    if (chk.error || chk.status !== 0) throw new Error(`onnx.checker failed (install python3-onnx): ${chk.error?.message ?? chk.stderr}`);
    expect(JSON.parse(chk.stdout)).toEqual({ ops: ["Sub", "Div", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Sigmoid"], meta: { features: JET_FEATURES.join(",") }, opset: 13 });
    const m = await loadModel(file);
    expect(m).toMatchObject({ format: "onnx", nFeatures: F, nOutputs: 1, featureNames: [...JET_FEATURES] }); // from metadata_props
    const got = await m.predict(test.x, test.rows),
      want = await mlpPredictTf(r, test.x, test.rows);
    // both float32; they differ only in summation order (measured max |Δp| 1.2e-7)
    let maxDiff = 0;
    for (let i = 0; i < test.rows; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
    expect(maxDiff).toBeLessThan(1e-6);
    await m.dispose();
  });

  it("balanced class weights raise the scores of a minority signal; non-finite inputs are refused", async () => {
    // 1 signal jet per 4: unweighted the mean score tracks the 20 % prior, balanced it moves towards 0.5
    const bkg = generateJets({ signal: 500, background: 2000, seed: 9 });
    const idx = shuffledIndices(bkg.n, 9);
    const d = take(0, bkg.n, bkg, idx);
    const plain = await trainMlp(d, undefined, { hidden: [16], maxEpochs: 4, batchSize: 32, seed: 1 });
    const bal = await trainMlp(d, undefined, { hidden: [16], maxEpochs: 4, batchSize: 32, seed: 1, classWeight: "balanced" });
    const mean = async (r: typeof plain) => (await mlpPredictTf(r, d.x, d.rows)).reduce((a, v) => a + v, 0) / d.rows;
    expect(await mean(plain)).toBeLessThan(0.3);
    expect(await mean(bal)).toBeGreaterThan((await mean(plain)) + 0.1);
    const bad = take(0, 100);
    bad.x[5 * F + 2] = NaN;
    await expect(trainMlp(bad, undefined, { maxEpochs: 1 })).rejects.toThrow(/row 5, feature 2 is NaN/);
  });

  it("test AUC within 0.005 of sklearn MLPClassifier with the same settings; summary carries curves, scores, importances", async () => {
    // (64, 32) ReLU, Adam 1e-3, batch 256, α = 1e-4, 20 epochs, no early stopping, standardised inputs
    const t0 = process.cpuUsage();
    const r = await trainMlp(train, undefined, { hidden: [64, 32], maxEpochs: 20, patience: 0, l2: 1e-4, learningRate: 1e-3, batchSize: 256, seed: 3 });
    const cpu = process.cpuUsage(t0);
    const auc = rocCurve(await mlpPredictTf(r, test.x, test.rows), test.y).auc;
    const csv = (d: MlpData, f: string) => {
      const p = path.join(dir, f);
      writeFileSync(p, jetsToCsv({ n: d.rows, label: d.y, columns: Object.fromEntries(JET_FEATURES.map((name, j) => [name, Float32Array.from({ length: d.rows }, (_, k) => d.x[k * F + j]!)])) as never }));
      return p;
    };
    const py = spawnSync(
      PYTHON,
      [
        "-c",
        `
import sys, json, time, warnings, numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import roc_auc_score
warnings.filterwarnings("ignore")  # ConvergenceWarning: max_iter reached on purpose
tr = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1); te = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
t = time.process_time()
sc = StandardScaler().fit(tr[:, :-1])
c = MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu", solver="adam", alpha=1e-4, batch_size=256, learning_rate_init=1e-3, max_iter=20, shuffle=True, random_state=3, tol=0, n_iter_no_change=10**9)
c.fit(sc.transform(tr[:, :-1]), tr[:, -1]); t = time.process_time() - t
print(json.dumps({"auc": roc_auc_score(te[:, -1], c.predict_proba(sc.transform(te[:, :-1]))[:, 1]), "seconds": t}))
`,
        csv(train, "train.csv"),
        csv(test, "test.csv"),
      ],
      { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" } },
    );
    if (py.error || py.status !== 0) throw new Error(`${PYTHON} failed (install python3-sklearn): ${py.error?.message ?? py.stderr}`);
    const sk = JSON.parse(py.stdout) as { auc: number; seconds: number };
    console.log(`MLP test AUC: hepflow ${auc.toFixed(5)} (${((cpu.user + cpu.system) / 1e6).toFixed(2)} CPU s), sklearn MLPClassifier ${sk.auc.toFixed(5)} (${sk.seconds.toFixed(2)} CPU s)`);
    expect(auc).toBeGreaterThan(0.9);
    expect(Math.abs(auc - sk.auc)).toBeLessThan(0.005);

    // the end-to-end summary on a small sample: one entry per epoch, normalisable score histograms, one importance per feature
    const few = generateJets({ signal: 1500, background: 1500, seed: 2 });
    const { summary } = await trainClassifier(
      [...JET_FEATURES],
      JET_FEATURES.map((f) => few.columns[f]),
      few.label,
      { model: "mlp", hidden: [16], maxEpochs: 4, batchSize: 64, patience: 0 },
    );
    expect(summary.learningCurve).toMatchObject({ unit: "epoch" });
    expect(summary.learningCurve.trainLoss).toHaveLength(4);
    expect(summary.learningCurve.validLoss).toHaveLength(4);
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(summary.scores.test.signal) + sum(summary.scores.test.background)).toBe(summary.rows.test);
    expect(sum(summary.scores.train.signal) + sum(summary.scores.train.background)).toBe(summary.rows.train);
    expect(summary.importanceKind).toBe("permutation_auc");
    // the mass and the N-subjettiness (τ21 = τ2/τ1: the network may use any of the three) carry the
    // separation (single-variable AUCs 0.872, 0.785, docs/ml.md), η none (0.501): permuting η costs
    // little (600 test jets: permutation noise ~0.01 in AUC)
    const top = Object.entries(summary.importance).sort((a, b) => b[1] - a[1])[0]!;
    expect(["mass", "tau1", "tau2", "tau21"]).toContain(top[0]);
    expect(Math.abs(summary.importance.eta!)).toBeLessThan(0.3 * top[1]);
  }, 60_000);
});
