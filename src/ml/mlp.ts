/**
 * A multilayer-perceptron classifier trained with TensorFlow.js on its WebAssembly backend
 * (@tensorflow/tfjs-node downloads a native binary at install time and cannot be used offline).
 * The settings mirror scikit-learn's MLPClassifier so the two can be compared: Adam, mini-batches
 * reshuffled every epoch, L2 penalty α/2·ΣW²/batch, logistic output, Glorot-uniform weights.
 * Everything random (initial weights, batch order) comes from the seed through our own xorshift
 * generator and the WASM backend runs single-threaded, so a seed reproduces a network bit for bit.
 * Inputs are standardised with the training split's mean and standard deviation; the result
 * carries them so the saved model (a Keras file with a leading BatchNormalization layer holding
 * them) takes raw features.
 */
import { HepflowError } from "../util/index.js";
import { KERAS_BN_EPSILON } from "./keras.js";
import type { DenseSpec } from "./keras.js";
import { shuffledIndices } from "./metrics.js";

export interface MlpOptions {
  /** Hidden-layer widths (default [64, 32]). */
  hidden?: number[];
  activation?: "relu" | "tanh";
  /** Adam step size (default 1e-3, sklearn's learning_rate_init). */
  learningRate?: number;
  batchSize?: number;
  /** Epochs at most (default 100). */
  maxEpochs?: number;
  /** Stop after this many epochs without a validation-loss improvement > tol (default 10; 0 = off). */
  patience?: number;
  tol?: number;
  /** L2 penalty α (sklearn's alpha, default 1e-4). */
  l2?: number;
  /** Weight per class [background, signal]; "balanced" equalises the class sums. */
  classWeight?: [number, number] | "balanced";
  /** Seed of the initial weights and of the batch order (default 1). */
  seed?: number;
  onEpoch?: (epoch: number, trainLoss: number, validLoss: number | undefined) => void;
}

/** Rows × nFeatures float32 features (row-major) and 0/1 labels. */
export interface MlpData {
  x: Float32Array;
  y: Uint8Array;
  rows: number;
  nFeatures: number;
}

export interface MlpResult {
  /** Dense layers of the network on standardised inputs; the last has one sigmoid output. */
  layers: DenseSpec[];
  /** Training-split mean and standard deviation per feature (x_std = (x − mean) / std). */
  standardize: { mean: Float32Array; std: Float32Array };
  /** Epochs run and the epoch (0-based) whose weights were kept. */
  epochs: number;
  bestEpoch: number;
  /** Weighted log-loss per epoch on the training and validation splits (without the L2 term). */
  trainLoss: number[];
  validLoss: number[];
  seconds: number;
}

let backendReady: Promise<typeof import("@tensorflow/tfjs")> | undefined;

/** TensorFlow.js on the single-threaded WASM backend, initialised once per process. */
export function tfWasm(): Promise<typeof import("@tensorflow/tfjs")> {
  backendReady ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // one thread: hepflow parallelises over processes, and threads would make sums order-dependent
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend("wasm"))) throw new HepflowError("ML_NO_BACKEND", "the TensorFlow.js WASM backend did not initialise");
    await tf.ready();
    return tf;
  })();
  return backendReady;
}

/** xorshift32 uniform numbers in [0, 1) from a seed. */
function uniform(seed: number): () => number {
  let x = (seed * 2246822519 + 374761393) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function check(d: MlpData, what: string): void {
  if (d.x.length !== d.rows * d.nFeatures || d.y.length !== d.rows) throw new HepflowError("ML_SHAPE", `${what}: ${d.x.length} values and ${d.y.length} labels for ${d.rows} rows × ${d.nFeatures} features`);
  for (let i = 0; i < d.x.length; i++) {
    if (!Number.isFinite(d.x[i]!)) throw new HepflowError("ML_NAN", `${what}: row ${Math.floor(i / d.nFeatures)}, feature ${i % d.nFeatures} is ${d.x[i]}; an MLP needs finite inputs (drop or impute missing values first)`);
  }
}

/** Class weights per row (normalised to mean 1 over the training rows, so the loss scale and step size do not change). */
function rowWeights(y: Uint8Array, cw: MlpOptions["classWeight"], trainY: Uint8Array): Float32Array {
  let w0 = 1,
    w1 = 1;
  const n1 = trainY.reduce((s, v) => s + v, 0),
    n0 = trainY.length - n1;
  if (cw === "balanced") {
    w0 = trainY.length / (2 * Math.max(1, n0));
    w1 = trainY.length / (2 * Math.max(1, n1));
  } else if (cw) [w0, w1] = cw;
  if (!(w0 > 0 && w1 > 0)) throw new HepflowError("ML_BAD_OPTION", `class weights must be positive, got ${w0}, ${w1}`);
  const mean = (w0 * n0 + w1 * n1) / trainY.length;
  return Float32Array.from(y, (v) => (v ? w1 : w0) / mean);
}

/** Trains on `train`, early-stopping on `valid` if given; returns the best epoch's network. */
export async function trainMlp(train: MlpData, valid: MlpData | undefined, o: MlpOptions = {}): Promise<MlpResult> {
  check(train, "training data");
  if (valid) check(valid, "validation data");
  const hidden = o.hidden ?? [64, 32],
    act = o.activation ?? "relu";
  const lr = o.learningRate ?? 1e-3,
    batch = Math.max(1, Math.min(o.batchSize ?? 256, train.rows)),
    maxEpochs = o.maxEpochs ?? 100;
  const patience = valid ? (o.patience ?? 10) : 0,
    tol = o.tol ?? 1e-4,
    alpha = o.l2 ?? 1e-4,
    seed = o.seed ?? 1;
  if (hidden.some((h) => !(Number.isInteger(h) && h > 0))) throw new HepflowError("ML_BAD_OPTION", `hidden layer widths must be positive integers, got ${hidden.join(",")}`);
  if (act !== "relu" && act !== "tanh") throw new HepflowError("ML_BAD_OPTION", `activation ${String(act)}: relu or tanh`);
  const F = train.nFeatures;
  const tf = await tfWasm();
  const t0 = performance.now();

  // standardisation from the training split, in float64 (sklearn's StandardScaler: population std)
  const mean = new Float64Array(F),
    sd = new Float64Array(F);
  for (let r = 0; r < train.rows; r++) for (let f = 0; f < F; f++) mean[f]! += train.x[r * F + f]!;
  for (let f = 0; f < F; f++) mean[f]! /= train.rows;
  for (let r = 0; r < train.rows; r++) for (let f = 0; f < F; f++) sd[f]! += (train.x[r * F + f]! - mean[f]!) ** 2;
  // at least √ε of the Keras BatchNormalization that stores them (a constant feature then stays 0)
  for (let f = 0; f < F; f++) sd[f] = Math.sqrt(Math.max(sd[f]! / train.rows, KERAS_BN_EPSILON));
  const standardize = { mean: Float32Array.from(mean), std: Float32Array.from(sd) };
  const scaled = (d: MlpData) => Float32Array.from(d.x, (v, i) => (v - standardize.mean[i % F]!) / standardize.std[i % F]!);

  // Glorot-uniform weights (Keras' and sklearn's choice), zero biases
  const rnd = uniform(seed);
  const widths = [F, ...hidden, 1];
  const kernels = widths.slice(1).map((nOut, l) => {
    const nIn = widths[l]!,
      lim = Math.sqrt(6 / (nIn + nOut));
    return tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: nIn * nOut }, () => (2 * rnd() - 1) * lim),
        [nIn, nOut],
      ),
      true,
      `kernel_${l}`,
    );
  });
  const biases = widths.slice(1).map((nOut, l) => tf.variable(tf.zeros([nOut]), true, `bias_${l}`));
  const vars = [...kernels, ...biases];
  const hiddenAct = (z: import("@tensorflow/tfjs").Tensor) => (act === "relu" ? tf.relu(z) : tf.tanh(z));
  const logits = (x: import("@tensorflow/tfjs").Tensor) => {
    let h = x;
    kernels.forEach((k, l) => {
      h = tf.add(tf.matMul(h, k), biases[l]!);
      if (l < kernels.length - 1) h = hiddenAct(h);
    });
    return h as import("@tensorflow/tfjs").Tensor2D;
  };
  // weighted mean log-loss from logits, stable: max(z,0) − z·y + log(1 + e^−|z|)
  const lossOf = (z: import("@tensorflow/tfjs").Tensor, y: import("@tensorflow/tfjs").Tensor, w: import("@tensorflow/tfjs").Tensor) => tf.mean(tf.mul(w, tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))));

  const upload = (d: MlpData) => ({
    x: tf.tensor2d(scaled(d), [d.rows, F]),
    y: tf.tensor2d(Float32Array.from(d.y), [d.rows, 1]),
    w: tf.tensor2d(rowWeights(d.y, o.classWeight, train.y), [d.rows, 1]),
    rows: d.rows,
  });
  const T = upload(train),
    V = valid ? upload(valid) : undefined;
  const evalLoss = (D: typeof T): number => {
    let s = 0;
    for (let a = 0; a < D.rows; a += 16384) {
      const n = Math.min(16384, D.rows - a);
      s += tf.tidy(() => lossOf(logits(D.x.slice([a, 0], [n, F])), D.y.slice([a, 0], [n, 1]), D.w.slice([a, 0], [n, 1])).dataSync()[0]!) * n;
    }
    return s / D.rows;
  };

  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const trainLoss: number[] = [],
    validLoss: number[] = [];
  let best = Infinity,
    bestEpoch = -1,
    bad = 0;
  let bestWeights = vars.map((v) => v.dataSync().slice());
  try {
    for (let epoch = 0; epoch < maxEpochs; epoch++) {
      const order = shuffledIndices(train.rows, seed * 7919 + epoch + 1);
      for (let a = 0; a < train.rows; a += batch) {
        const n = Math.min(batch, train.rows - a);
        const idx = tf.tensor1d(Int32Array.from(order.subarray(a, a + n)), "int32");
        opt.minimize(
          () => {
            const xb = tf.gather(T.x, idx),
              yb = tf.gather(T.y, idx),
              wb = tf.gather(T.w, idx);
            let l = lossOf(logits(xb), yb, wb);
            if (alpha > 0) l = tf.add(l, tf.mul((0.5 * alpha) / n, tf.addN(kernels.map((k) => tf.sum(tf.square(k))))));
            return l as import("@tensorflow/tfjs").Scalar;
          },
          false,
          vars,
        );
        idx.dispose();
      }
      const tl = evalLoss(T),
        vl = V ? evalLoss(V) : undefined;
      trainLoss.push(tl);
      if (vl !== undefined) validLoss.push(vl);
      o.onEpoch?.(epoch, tl, vl);
      if (!Number.isFinite(tl)) throw new HepflowError("ML_DIVERGED", `training loss became ${tl} in epoch ${epoch}; lower --learning-rate`);
      const watched = vl ?? tl;
      if (watched < best - tol || bestEpoch < 0) {
        best = Math.min(best, watched);
        bestEpoch = epoch;
        bad = 0;
        bestWeights = vars.map((v) => v.dataSync().slice());
      } else if (patience > 0 && ++bad >= patience) break;
      if (patience === 0) {
        bestEpoch = epoch;
        bestWeights = vars.map((v) => v.dataSync().slice());
      }
    }
  } finally {
    for (const t of [T.x, T.y, T.w, V?.x, V?.y, V?.w]) t?.dispose();
    vars.forEach((v) => v.dispose());
    opt.dispose();
  }
  const L = kernels.length;
  const layers: DenseSpec[] = widths.slice(1).map((nOut, l) => ({
    kernel: Float32Array.from(bestWeights[l]!),
    bias: Float32Array.from(bestWeights[L + l]!),
    nIn: widths[l]!,
    nOut,
    activation: l === L - 1 ? "sigmoid" : act,
  }));
  return { layers, standardize, epochs: trainLoss.length, bestEpoch, trainLoss, validLoss, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Probabilities of the network with TensorFlow.js (float32, as trained), for raw (unstandardised)
 * rows: the reference the saved Keras file is checked against, and fast for permutation importance.
 */
export async function mlpPredictTf(r: Pick<MlpResult, "layers" | "standardize">, x: Float32Array, rows: number): Promise<Float32Array> {
  const tf = await tfWasm();
  const F = r.standardize.mean.length;
  if (x.length !== rows * F) throw new HepflowError("ML_SHAPE", `batch has ${x.length} values, expected ${rows} × ${F}`);
  return tf.tidy(() => {
    let h: import("@tensorflow/tfjs").Tensor = tf.div(tf.sub(tf.tensor2d(x, [rows, F]), tf.tensor1d(r.standardize.mean)), tf.tensor1d(r.standardize.std));
    for (const l of r.layers) {
      h = tf.add(tf.matMul(h, tf.tensor2d(l.kernel, [l.nIn, l.nOut])), tf.tensor1d(l.bias));
      h = l.activation === "relu" ? tf.relu(h) : l.activation === "tanh" ? tf.tanh(h) : l.activation === "sigmoid" ? tf.sigmoid(h) : h;
    }
    return h.dataSync() as Float32Array;
  });
}
