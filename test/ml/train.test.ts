// Jet generator shapes, the GBDT trainer's XGBoost JSON loaded and scored by XGBoost 1.7 itself
// (Debian python3-xgboost), and its AUC against scikit-learn's HistGradientBoostingClassifier on
// the same CSV. /usr/bin/python3 with xgboost and sklearn is required: without it these fail.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateJets, jetsToCsv, JET_FEATURES } from "../../src/generate/index.js";
import { backgroundRejection, parseXGBoost, rocCurve, trainGbdt, xgboostMargins, xgboostPredict } from "../../src/ml/index.js";
import type { GbdtData } from "../../src/ml/index.js";

const PYTHON = "/usr/bin/python3"; // Debian's python3-xgboost / python3-sklearn; a pyenv python3 has neither
const dir = mkdtempSync(path.join(tmpdir(), "hepflow-train-"));

function python(script: string, ...args: string[]): unknown {
  // one thread, as our trainer: OpenMP on the shared 2-core machine otherwise measures the neighbours
  const r = spawnSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: "1" } });
  if (r.error || r.status !== 0) throw new Error(`${PYTHON} failed (install python3-xgboost python3-sklearn): ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (a: ArrayLike<number>) => {
  const s = Float64Array.from(a).sort();
  return s[s.length >> 1]!;
};
const where = (a: Float32Array, keep: (i: number) => boolean) => a.filter((_, i) => keep(i));

function toData(s: ReturnType<typeof generateJets>, from: number, to: number, order: Uint32Array): GbdtData {
  const F = JET_FEATURES.length,
    x = new Float32Array((to - from) * F),
    y = new Uint8Array(to - from);
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    JET_FEATURES.forEach((f, j) => {
      x[(k - from) * F + j] = s.columns[f][i]!;
    });
    y[k - from] = s.label[i]!;
  }
  return { x, y, rows: to - from, nFeatures: F };
}

describe("generate jets", () => {
  const s = generateJets({ signal: 20000, background: 20000, seed: 5 });
  const w = (i: number) => s.label[i] === 1,
    q = (i: number) => s.label[i] === 0;
  it("is reproducible for a seed and differs between seeds", () => {
    expect(Array.from(generateJets({ signal: 100, background: 0, seed: 5 }).columns.mass)).toEqual(Array.from(s.columns.mass.subarray(0, 100)));
    expect(generateJets({ signal: 100, background: 100, seed: 6 }).columns.mass[0]).not.toBe(s.columns.mass[0]);
  });
  it("W jets peak at the W mass, shifting up with pT; QCD mass falls steeply; τ21 and D2 separate", () => {
    const c = s.columns;
    const inPeak = (i: number) => w(i) && Math.abs(c.mass[i]! - 80) < 25;
    const mLow = median(where(c.mass, (i) => inPeak(i) && c.pt[i]! < 400)),
      mHigh = median(where(c.mass, (i) => inPeak(i) && c.pt[i]! > 600));
    expect(mLow).toBeGreaterThan(76);
    expect(mHigh).toBeLessThan(86);
    expect(mHigh - mLow).toBeGreaterThan(1); // the pT-dependent shift (model: +1.6 GeV per e-fold in pT)
    // ≥ 80 % of W jets within ±25 GeV of the peak; QCD counts fall in every 20 GeV bin above 20 GeV
    expect(where(c.mass, inPeak).length / 20000).toBeGreaterThan(0.8);
    const hq = new Array(10).fill(0);
    c.mass.forEach((m, i) => {
      if (q(i) && m >= 20 && m < 220) hq[Math.floor((m - 20) / 20)]++;
    });
    for (let k = 1; k < hq.length; k++) expect(hq[k]).toBeLessThan(hq[k - 1]);
    expect(median(where(c.tau21, w))).toBeLessThan(0.4);
    expect(median(where(c.tau21, q))).toBeGreaterThan(0.5);
    expect(median(where(c.d2, w))).toBeLessThan(median(where(c.d2, q)));
    // τ2 = τ21 τ1 and τ3 = τ32 τ2 hold per jet (float32 rounding)
    for (let i = 0; i < s.n; i += 97) expect(c.tau2[i]).toBeCloseTo(c.tau21[i]! * c.tau1[i]!, 6);
  });
});

describe("GBDT trainer against XGBoost 1.7 and scikit-learn", () => {
  const s = generateJets({ signal: 30000, background: 30000, seed: 11 });
  // seeded interleaving: the generator emits W jets first
  const order = Uint32Array.from({ length: s.n }, (_, i) => i).sort((a, b) => ((a * 2654435761) >>> 0) - ((b * 2654435761) >>> 0));
  const train = toData(s, 0, 40000, order),
    test = toData(s, 40000, 60000, order);
  const opts = { maxIter: 100, learningRate: 0.1, maxLeaves: 31, minSamplesLeaf: 20, l2: 0, maxBins: 255, patience: 0 };
  const r = trainGbdt(train, undefined, opts);
  const model = path.join(dir, "gbdt.json");
  writeFileSync(model, r.modelJson);
  const csv = (d: GbdtData, f: string) => {
    const p = path.join(dir, f);
    writeFileSync(p, jetsToCsv({ n: d.rows, label: d.y, columns: Object.fromEntries(JET_FEATURES.map((name, j) => [name, Float32Array.from({ length: d.rows }, (_, k) => d.x[k * d.nFeatures + j]!)])) as never }));
    return p;
  };
  const trainCsv = csv(train, "train.csv"),
    testCsv = csv(test, "test.csv");
  const forest = parseXGBoost(JSON.parse(readFileSync(model, "utf8")), model);
  const ours = xgboostPredict(forest, test.x, test.rows);
  const margin = xgboostMargins(forest, test.x, test.rows);

  it("XGBoost 1.7 loads the model and scores it as our evaluator does", () => {
    const out = python(
      `
import sys, json, numpy as np, xgboost as xgb
d = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, dtype=np.float32)
b = xgb.Booster(); b.load_model(sys.argv[1])
m = xgb.DMatrix(d[:, :-1])
print(json.dumps({"version": xgb.__version__, "trees": len(b.get_dump()), "prob": b.predict(m).tolist(), "margin": b.predict(m, output_margin=True).tolist()}))
`,
      model,
      testCsv,
    ) as { version: string; trees: number; prob: number[]; margin: number[] };
    expect(out.version.startsWith("1.7")).toBe(true);
    expect(out.trees).toBe(r.trees);
    // margins: both sum float32 leaf values in tree order, so they agree to float32 rounding of the
    // base margin (1 ulp at |margin| ≲ 30 is ≤ 4e-6); probabilities within 1e-6
    let dm = 0,
      dp = 0;
    for (let i = 0; i < test.rows; i++) {
      dm = Math.max(dm, Math.abs(out.margin[i]! - margin[i]!));
      dp = Math.max(dp, Math.abs(out.prob[i]! - ours[i]!));
    }
    expect(dm).toBeLessThan(4e-6);
    expect(dp).toBeLessThan(1e-6);
  });

  it("missing values (NaN): the learned default directions route rows in XGBoost as in our evaluator", () => {
    // mass missing in every 7th training and test jet, τ21 in every 11th
    const holes = (d: GbdtData): GbdtData => {
      const x = d.x.slice();
      for (let r = 0; r < d.rows; r++) {
        if (r % 7 === 0) x[r * d.nFeatures + 2] = NaN;
        if (r % 11 === 0) x[r * d.nFeatures + 6] = NaN;
      }
      return { ...d, x };
    };
    const tr = holes(toData(s, 0, 20000, order)),
      te = holes(test);
    const m = trainGbdt(tr, te, { ...opts, maxIter: 30 });
    const doc = JSON.parse(m.modelJson);
    expect(doc.learner.gradient_booster.model.trees.some((t: { default_left: number[] }) => t.default_left.includes(1))).toBe(true);
    const file = path.join(dir, "nan.json");
    writeFileSync(file, m.modelJson);
    const ourMargin = xgboostMargins(parseXGBoost(doc, file), te.x, te.rows);
    // the trainer routed validation rows by bin index; its last validation loss must be the one of the saved thresholds
    let loss = 0;
    for (let i = 0; i < te.rows; i++) {
      const p = 1 / (1 + Math.exp(-ourMargin[i]!));
      loss -= te.y[i] ? Math.log(p) : Math.log(1 - p);
    }
    expect(loss / te.rows).toBeCloseTo(m.validLoss.at(-1)!, 6);
    const out = python(
      `
import sys, json, numpy as np, xgboost as xgb
d = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, dtype=np.float32)
b = xgb.Booster(); b.load_model(sys.argv[1])
print(json.dumps({"n_nan": int(np.isnan(d).sum()), "margin": b.predict(xgb.DMatrix(d[:, :-1]), output_margin=True).tolist()}))
`,
      file,
      csv(te, "test-nan.csv"),
    ) as { n_nan: number; margin: number[] };
    expect(out.n_nan).toBe(Math.ceil(te.rows / 7) + Math.ceil(te.rows / 11));
    let dm = 0;
    for (let i = 0; i < te.rows; i++) dm = Math.max(dm, Math.abs(out.margin[i]! - ourMargin[i]!));
    expect(dm).toBeLessThan(4e-6);
  });

  it("test AUC within 0.005 of HistGradientBoostingClassifier with the same settings; AUC and rejection equal sklearn's metrics", () => {
    const ourScores = path.join(dir, "ours.txt");
    writeFileSync(ourScores, Array.from(ours).join("\n") + "\n");
    const sk = python(
      `
import sys, json, time, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score, roc_curve
tr = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1); te = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
ours = np.loadtxt(sys.argv[3])
c = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=20, l2_regularization=0.0, max_bins=255, early_stopping=False)
t = time.process_time(); c.fit(tr[:, :-1], tr[:, -1]); t = time.process_time() - t
p = c.predict_proba(te[:, :-1])[:, 1]
fpr, tpr, _ = roc_curve(te[:, -1], ours)
print(json.dumps({"auc": roc_auc_score(te[:, -1], p), "seconds": t, "auc_ours": roc_auc_score(te[:, -1], ours), "eb50_ours": float(np.interp(0.5, tpr, fpr))}))
`,
      trainCsv,
      testCsv,
      ourScores,
    ) as { auc: number; seconds: number; auc_ours: number; eb50_ours: number };
    const roc = rocCurve(ours, test.y);
    console.log(`GBDT test AUC: hepflow ${roc.auc.toFixed(5)} (${r.seconds.toFixed(2)} s), sklearn HGB ${sk.auc.toFixed(5)} (${sk.seconds.toFixed(2)} s); rejection@50% ${backgroundRejection(roc, 0.5).toFixed(1)}`);
    expect(Math.abs(roc.auc - sk.auc_ours)).toBeLessThan(1e-9); // same scores, same ties convention
    expect(backgroundRejection(roc, 0.5)).toBeCloseTo(1 / sk.eb50_ours, 6);
    expect(Math.abs(roc.auc - sk.auc)).toBeLessThan(0.005);
    expect(roc.auc).toBeGreaterThan(0.85); // and both actually separate W from QCD
  });

  it("early stopping keeps the best validation round; balanced class weights move the base score to 0.5", () => {
    const valid = toData(s, 50000, 60000, order);
    const es = trainGbdt(toData(s, 0, 50000, order), valid, { maxIter: 400, learningRate: 0.3, patience: 5 });
    const best = es.validLoss.indexOf(Math.min(...es.validLoss));
    expect(es.trees).toBe(best + 1);
    expect(es.validLoss.length).toBe(best + 1 + 5);
    // rows 22000–39999 in generation order: 8000 W jets, then 10000 QCD jets
    const mixed = toData(
      s,
      22000,
      40000,
      Uint32Array.from({ length: s.n }, (_, i) => i),
    );
    const baseScore = (cw?: "balanced") => JSON.parse(trainGbdt(mixed, undefined, { maxIter: 1, patience: 0, classWeight: cw }).modelJson).learner.learner_model_param.base_score;
    expect(baseScore()).toBe("4.44444448E-1"); // float32(8/18)
    expect(baseScore("balanced")).toBe("5.00000000E-1");
  });
});
