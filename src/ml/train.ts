/**
 * Training a signal/background classifier end to end: seeded train/validation/test split, the
 * GBDT trainer, and the figures of merit on the test split (ROC, AUC, background rejection at
 * 50 % signal efficiency), as one JSON-ready summary.
 */
import { HepflowError } from "../util/index.js";
import { trainGbdt } from "./gbdt.js";
import type { GbdtData, GbdtOptions } from "./gbdt.js";
import { backgroundRejection, rocCurve, shuffledIndices } from "./metrics.js";
import { parseXGBoost, xgboostPredict } from "./xgboost.js";

export interface TrainOptions extends GbdtOptions {
  /** Fractions of the rows held out for validation (early stopping) and for the test (default 0.2 each). */
  validFraction?: number;
  testFraction?: number;
  seed?: number;
}

/** What `hepflow train` writes next to the model. */
export interface TrainSummary {
  model: "gbdt";
  features: string[];
  rows: { train: number; valid: number; test: number };
  trees: number;
  trainSeconds: number;
  test: { auc: number; rejectionAt50: number; roc: { signalEff: number[]; backgroundEff: number[] } };
  learningCurve: { trainLoss: number[]; validLoss: number[] };
  importance: Record<string, number>;
}

/** Row-major float32 batch of the given rows of `columns`. */
function gather(columns: ArrayLike<number>[], label: ArrayLike<number>, idx: Uint32Array): GbdtData {
  const F = columns.length, x = new Float32Array(idx.length * F), y = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const r = idx[k]!;
    for (let f = 0; f < F; f++) x[k * F + f] = columns[f]![r]!;
    const l = label[r]!;
    if (l !== 0 && l !== 1) throw new HepflowError("ML_BAD_LABEL", `label of row ${r} is ${l}, expected 0 or 1`);
    y[k] = l;
  }
  return { x, y, rows: idx.length, nFeatures: F };
}

/** Every n-th point of a curve (ends kept), so the JSON stays small. */
function thin(a: number[], every: number): number[] {
  return a.filter((_, i) => i % every === 0 || i === a.length - 1);
}

/** Splits, trains a GBDT and scores the test split; returns the XGBoost JSON text and the summary. */
export function trainClassifier(features: string[], columns: ArrayLike<number>[], label: ArrayLike<number>, o: TrainOptions = {}): { modelJson: string; summary: TrainSummary } {
  const n = label.length, vf = o.validFraction ?? 0.2, tf = o.testFraction ?? 0.2;
  if (!(vf >= 0 && tf > 0 && vf + tf < 1)) throw new HepflowError("ML_BAD_OPTION", `validation (${vf}) and test (${tf}) fractions must be ≥ 0, > 0 and sum below 1`);
  const idx = shuffledIndices(n, o.seed ?? 1);
  const nTest = Math.round(n * tf), nValid = Math.round(n * vf);
  const test = gather(columns, label, idx.subarray(0, nTest));
  const valid = nValid > 0 ? gather(columns, label, idx.subarray(nTest, nTest + nValid)) : undefined;
  const train = gather(columns, label, idx.subarray(nTest + nValid));
  const r = trainGbdt(train, valid, { ...o, featureNames: features, patience: valid ? o.patience : 0 });
  // test scores through the inference path from the saved text, as a user of the model gets them
  const score = xgboostPredict(parseXGBoost(JSON.parse(r.modelJson)), test.x, test.rows);
  const roc = rocCurve(score, test.y);
  const every = Math.max(1, Math.floor(roc.signalEff.length / 500));
  return { modelJson: r.modelJson, summary: {
    model: "gbdt", features, rows: { train: train.rows, valid: valid?.rows ?? 0, test: test.rows }, trees: r.trees, trainSeconds: r.seconds,
    test: { auc: roc.auc, rejectionAt50: backgroundRejection(roc, 0.5), roc: { signalEff: thin(roc.signalEff, every), backgroundEff: thin(roc.backgroundEff, every) } },
    learningCurve: { trainLoss: r.trainLoss, validLoss: r.validLoss },
    importance: Object.fromEntries(features.map((f, k) => [f, r.importance[k]!])),
  } };
}
