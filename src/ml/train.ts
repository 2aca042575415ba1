/**
 * Training a signal/background classifier end to end: seeded train/validation/test split, the
 * GBDT or MLP trainer, and the figures of merit on the test split (ROC, AUC, background rejection
 * at 50 % signal efficiency, score distributions of train and test for the overtraining check,
 * learning curve, feature importances), as one JSON-ready summary.
 */
import { HepflowError, itemAt } from "../util/index.js";
import { trainGbdt } from "./gbdt.js";
import type { GbdtData, GbdtOptions } from "./gbdt.js";
import { backgroundRejection, rocCurve, shuffledIndices } from "./metrics.js";
import type { MlpOptions, MlpResult } from "./mlp.js";
import { parseXGBoost, xgboostPredict } from "./xgboost.js";

export interface TrainOptions extends GbdtOptions, Omit<MlpOptions, "classWeight" | "patience" | "tol" | "l2" | "learningRate"> {
  model?: "gbdt" | "mlp";
  /** Fractions of the rows held out for validation (early stopping) and for the test (default 0.2 each). */
  validFraction?: number;
  testFraction?: number;
  /** Seed of the split (and of the MLP's weights and batch order). */
  seed?: number;
  /** Bins of the score distributions in [0, 1] (default 40). */
  scoreBins?: number;
}

/** Score histograms (counts) of signal and background on one split. */
export interface ScoreHistograms {
  signal: number[];
  background: number[];
}

/** What `hepflow train` writes next to the model. */
export interface TrainSummary {
  model: "gbdt" | "mlp";
  features: string[];
  rows: { train: number; valid: number; test: number };
  /** GBDT: trees kept. */
  trees?: number;
  /** MLP: layer widths (inputs … output), epochs run and the 0-based epoch kept. */
  architecture?: number[];
  epochs?: number;
  bestEpoch?: number;
  trainSeconds: number;
  test: { auc: number; rejectionAt50: number; roc: { signalEff: number[]; backgroundEff: number[] } };
  /** AUC on the training split: much above the test AUC means overtraining. */
  train: { auc: number };
  /** Score distributions of the training and test splits on common bins of [0, 1]. */
  scores: { edges: number[]; train: ScoreHistograms; test: ScoreHistograms };
  /** Weighted log-loss per boosting round (GBDT) or epoch (MLP), on the training and validation splits. */
  learningCurve: { unit: "round" | "epoch"; trainLoss: number[]; validLoss: number[] };
  /** GBDT: total split gain per feature; MLP: test-AUC loss when the feature's values are permuted among the test rows. */
  importance: Record<string, number>;
  importanceKind: "total_gain" | "permutation_auc";
}

/** The trained model, to be saved with {@link saveTrainedModel}. */
export type TrainedModel = { format: "xgboost"; json: string } | { format: "keras"; mlp: MlpResult; features: string[] };

/** Row-major float32 batch of the given rows of `columns`. */
function gather(columns: ArrayLike<number>[], label: ArrayLike<number>, idx: Uint32Array): GbdtData {
  const F = columns.length,
    x = new Float32Array(idx.length * F),
    y = new Uint8Array(idx.length);
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

function histograms(score: ArrayLike<number>, y: Uint8Array, bins: number): ScoreHistograms {
  const h = { signal: new Array<number>(bins).fill(0), background: new Array<number>(bins).fill(0) };
  for (let i = 0; i < score.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(score[i]! * bins)));
    (y[i] ? h.signal : h.background)[b]!++;
  }
  return h;
}

/** Test-AUC drop per feature when its column is shuffled among the test rows (seeded), the model-agnostic importance. */
async function permutationImportance(predict: (x: Float32Array) => Promise<ArrayLike<number>>, test: GbdtData, auc: number, seed: number): Promise<number[]> {
  const F = test.nFeatures,
    out: number[] = [];
  for (let f = 0; f < F; f++) {
    const perm = shuffledIndices(test.rows, seed * 31 + f + 1);
    const x = test.x.slice();
    for (let r = 0; r < test.rows; r++) x[r * F + f] = test.x[perm[r]! * F + f]!;
    out.push(auc - rocCurve(await predict(x), test.y).auc);
  }
  return out;
}

/** Splits, trains a GBDT or an MLP and scores the splits; returns the model and the summary. */
export async function trainClassifier(features: string[], columns: ArrayLike<number>[], label: ArrayLike<number>, o: TrainOptions = {}): Promise<{ model: TrainedModel; summary: TrainSummary }> {
  const n = label.length,
    vf = o.validFraction ?? 0.2,
    tf = o.testFraction ?? 0.2,
    kind = o.model ?? "gbdt";
  if (kind !== "gbdt" && kind !== "mlp") throw new HepflowError("TRAIN_BAD_MODEL", `model ${String(kind)}: gbdt or mlp`);
  if (!(vf >= 0 && tf > 0 && vf + tf < 1)) throw new HepflowError("ML_BAD_OPTION", `validation (${vf}) and test (${tf}) fractions must be ≥ 0, > 0 and sum below 1`);
  const seed = o.seed ?? 1,
    bins = o.scoreBins ?? 40;
  const idx = shuffledIndices(n, seed);
  const nTest = Math.round(n * tf),
    nValid = Math.round(n * vf);
  const test = gather(columns, label, idx.subarray(0, nTest));
  const valid = nValid > 0 ? gather(columns, label, idx.subarray(nTest, nTest + nValid)) : undefined;
  const train = gather(columns, label, idx.subarray(nTest + nValid));

  let model: TrainedModel, predict: (x: Float32Array, rows: number) => Promise<ArrayLike<number>>;
  let specific: Partial<TrainSummary>, curve: { trainLoss: number[]; validLoss: number[] }, seconds: number, gain: number[] | undefined;
  if (kind === "gbdt") {
    const r = trainGbdt(train, valid, { ...o, featureNames: features, patience: valid ? o.patience : 0 });
    // scores through the inference path from the saved text, as a user of the model gets them
    const forest = parseXGBoost(JSON.parse(r.modelJson));
    predict = async (x, rows) => xgboostPredict(forest, x, rows);
    model = { format: "xgboost", json: r.modelJson };
    specific = { trees: r.trees };
    curve = r;
    seconds = r.seconds;
    gain = r.importance;
  } else {
    const { trainMlp, mlpPredictTf } = await import("./mlp.js");
    const r = await trainMlp(train, valid, {
      hidden: o.hidden,
      activation: o.activation,
      batchSize: o.batchSize,
      maxEpochs: o.maxEpochs,
      seed,
      onEpoch: o.onEpoch,
      learningRate: o.learningRate ?? 1e-3,
      patience: o.patience,
      tol: o.tol,
      l2: o.l2 ?? 1e-4,
      classWeight: o.classWeight,
    });
    predict = (x, rows) => mlpPredictTf(r, x, rows);
    model = { format: "keras", mlp: r, features };
    specific = { architecture: [features.length, ...r.layers.map((l) => l.nOut)], epochs: r.epochs, bestEpoch: r.bestEpoch };
    curve = r;
    seconds = r.seconds;
  }
  const testScore = await predict(test.x, test.rows),
    trainScore = await predict(train.x, train.rows);
  const roc = rocCurve(testScore, test.y);
  const importance = gain ?? (await permutationImportance((x) => predict(x, test.rows), test, roc.auc, seed));
  const every = Math.max(1, Math.floor(roc.signalEff.length / 500));
  return {
    model,
    summary: {
      model: kind,
      features,
      rows: { train: train.rows, valid: valid?.rows ?? 0, test: test.rows },
      ...specific,
      trainSeconds: seconds,
      test: { auc: roc.auc, rejectionAt50: backgroundRejection(roc, 0.5), roc: { signalEff: thin(roc.signalEff, every), backgroundEff: thin(roc.backgroundEff, every) } },
      train: { auc: rocCurve(trainScore, train.y).auc },
      scores: { edges: Array.from({ length: bins + 1 }, (_, i) => i / bins), train: histograms(trainScore, train.y, bins), test: histograms(testScore, test.y, bins) },
      learningCurve: { unit: kind === "gbdt" ? "round" : "epoch", trainLoss: curve.trainLoss, validLoss: curve.validLoss },
      importance: Object.fromEntries(features.map((f, k) => [f, itemAt(importance, k, `importance of ${f}`, "ML_SHAPE")])),
      importanceKind: gain ? "total_gain" : "permutation_auc",
    },
  };
}

/**
 * Writes a trained model: XGBoost JSON text; an MLP as ONNX (`.onnx`) or as a Keras HDF5 file
 * (otherwise), with the standardisation as the graph's first step / the first layer.
 */
export async function saveTrainedModel(model: TrainedModel, path: string, write: (path: string, text: string) => void): Promise<void> {
  if (model.format === "xgboost") {
    write(path, model.json);
    return;
  }
  if (/\.onnx$/i.test(path)) {
    const { writeOnnx } = await import("./onnx-write.js");
    writeOnnx(path, model.mlp.layers, { standardize: model.mlp.standardize, featureNames: model.features });
    return;
  }
  const { writeKeras } = await import("./keras.js");
  await writeKeras(path, model.mlp.layers, { standardize: model.mlp.standardize, featureNames: model.features, name: "hepflow_mlp" });
}
