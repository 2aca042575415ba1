// GBDT training, CPU seconds (user + system) and test AUC: hepflow's trainer side by side with
// scikit-learn's HistGradientBoostingClassifier (Debian python3-sklearn, OMP_NUM_THREADS=1) with
// the same settings (100 rounds, learning rate 0.1, 31 leaves, 20 rows per leaf, 255 bins, no L2,
// no early stopping) on the same generated W-vs-QCD jets (HEPFLOW_BENCH_JETS per class, default
// 50000; 80 % train, 20 % test). Build first.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateJets, jetsToCsv, JET_FEATURES } from "../dist/generate/index.js";
import { rocCurve, shuffledIndices, trainGbdt, parseXGBoost, xgboostPredict } from "../dist/ml/index.js";

const PYTHON = process.env.HEPFLOW_PYTHON ?? "/usr/bin/python3";
const PER_CLASS = Number(process.env.HEPFLOW_BENCH_JETS ?? 50000);
const line = (o) => console.log(JSON.stringify(o));
const s = generateJets({ signal: PER_CLASS, background: PER_CLASS, seed: 2 });
const order = shuffledIndices(s.n, 2);
const F = JET_FEATURES.length;
const take = (a, b) => {
  const x = new Float32Array((b - a) * F),
    y = new Uint8Array(b - a);
  for (let k = a; k < b; k++) {
    const i = order[k];
    JET_FEATURES.forEach((f, j) => {
      x[(k - a) * F + j] = s.columns[f][i];
    });
    y[k - a] = s.label[i];
  }
  return { x, y, rows: b - a, nFeatures: F };
};
const nTrain = Math.round(0.8 * s.n);
const train = take(0, nTrain),
  test = take(nTrain, s.n);
const c0 = process.cpuUsage();
const r = trainGbdt(train, undefined, { maxIter: 100, learningRate: 0.1, maxLeaves: 31, minSamplesLeaf: 20, l2: 0, maxBins: 255, patience: 0 });
const c = process.cpuUsage(c0);
const auc = rocCurve(xgboostPredict(parseXGBoost(JSON.parse(r.modelJson)), test.x, test.rows), test.y).auc;
line({ case: "gbdt-train-wqcd", impl: "hepflow", train_rows: train.rows, features: F, rounds: r.trees, cpu_seconds: +((c.user + c.system) / 1e6).toFixed(3), test_auc: +auc.toFixed(5) });

const dir = mkdtempSync(join(tmpdir(), "hepflow-bench-train-"));
const csv = (d, f) => {
  const p = join(dir, f);
  writeFileSync(p, jetsToCsv({ n: d.rows, label: d.y, columns: Object.fromEntries(JET_FEATURES.map((name, j) => [name, Float32Array.from({ length: d.rows }, (_, k) => d.x[k * F + j])])) }));
  return p;
};
const py = `
import sys, json, time, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
tr = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1); te = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
c = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20, l2_regularization=0.0, max_bins=255, early_stopping=False)
t = time.process_time(); c.fit(tr[:, :-1], tr[:, -1]); t = time.process_time() - t
print(json.dumps({"cpu_seconds": round(t, 3), "test_auc": round(roc_auc_score(te[:, -1], c.predict_proba(te[:, :-1])[:, 1]), 5), "rounds": int(c.n_iter_)}))
`;
const p = spawnSync(PYTHON, ["-c", py, csv(train, "train.csv"), csv(test, "test.csv")], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1" } });
if (p.status !== 0) {
  console.error(p.stderr);
  process.exit(1);
}
line({ case: "gbdt-train-wqcd", impl: "sklearn HistGradientBoostingClassifier 1 thread", train_rows: train.rows, features: F, ...JSON.parse(p.stdout) });

// MLP: hepflow's TensorFlow.js (WASM, one thread) trainer against sklearn's MLPClassifier (numpy
// BLAS, one thread) with the same settings: (64, 32) ReLU, Adam 1e-3, batch 256, α = 1e-4,
// HEPFLOW_BENCH_EPOCHS epochs (default 30), no early stopping, inputs standardised on the training rows.
const { trainMlp, mlpPredictTf } = await import("../dist/ml/index.js");
const EPOCHS = Number(process.env.HEPFLOW_BENCH_EPOCHS ?? 30);
const m0 = process.cpuUsage();
const mr = await trainMlp(train, undefined, { hidden: [64, 32], maxEpochs: EPOCHS, patience: 0, l2: 1e-4, learningRate: 1e-3, batchSize: 256, seed: 3 });
const m = process.cpuUsage(m0);
const mauc = rocCurve(await mlpPredictTf(mr, test.x, test.rows), test.y).auc;
line({ case: "mlp-train-wqcd", impl: "hepflow tfjs-wasm", train_rows: train.rows, features: F, epochs: mr.epochs, cpu_seconds: +((m.user + m.system) / 1e6).toFixed(3), test_auc: +mauc.toFixed(5) });
const pyMlp = `
import sys, json, time, warnings, numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import roc_auc_score
warnings.filterwarnings("ignore")
tr = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1); te = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
t = time.process_time()
sc = StandardScaler().fit(tr[:, :-1])
c = MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu", solver="adam", alpha=1e-4, batch_size=256, learning_rate_init=1e-3, max_iter=${EPOCHS}, shuffle=True, random_state=3, tol=0, n_iter_no_change=10**9)
c.fit(sc.transform(tr[:, :-1]), tr[:, -1]); t = time.process_time() - t
print(json.dumps({"cpu_seconds": round(t, 3), "test_auc": round(roc_auc_score(te[:, -1], c.predict_proba(sc.transform(te[:, :-1]))[:, 1]), 5), "epochs": int(c.n_iter_)}))
`;
const q = spawnSync(PYTHON, ["-c", pyMlp, join(dir, "train.csv"), join(dir, "test.csv")], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" } });
if (q.status !== 0) {
  console.error(q.stderr);
  process.exit(1);
}
line({ case: "mlp-train-wqcd", impl: "sklearn MLPClassifier 1 thread", train_rows: train.rows, features: F, ...JSON.parse(q.stdout) });
