/**
 * Models as columns: one interface for every model format, loaded once per process (worker
 * thread) and cached by path, fed row-major float32 batches built from columns.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { HepflowError } from "../util/index.js";
import type { NumericArray } from "../util/index.js";

/** A loaded model: predicts rows × nFeatures float32 inputs → rows × nOutputs outputs (row-major). */
export interface Model {
  format: "xgboost" | "onnx" | "keras";
  /** Path the model was loaded from. */
  source: string;
  nFeatures: number;
  nOutputs: number;
  /** Feature names stored in the model, when it has them. */
  featureNames?: string[];
  outputNames: string[];
  /** Evaluate a batch; `x` holds rows × nFeatures float32 values, row-major. */
  predict(x: Float32Array, rows: number): Promise<Float32Array | Float64Array>;
  /** The same, synchronously, for formats evaluated in JS (XGBoost, Keras); absent for ONNX. */
  predictSync?(x: Float32Array, rows: number): Float32Array | Float64Array;
  dispose(): Promise<void>;
}

export type ModelFormat = Model["format"];

/** Which format a file is, from its extension, else from its first bytes. */
export async function detectFormat(path: string): Promise<ModelFormat> {
  const lower = path.toLowerCase();
  if (lower.endsWith(".onnx")) return "onnx";
  if (lower.endsWith(".h5") || lower.endsWith(".hdf5")) return "keras";
  const head = await readHead(path, 8);
  if (head[0] === 0x89 && head[1] === 0x48 && head[2] === 0x44 && head[3] === 0x46) return "keras"; // "\x89HDF"
  if (lower.endsWith(".json") || head[0] === 0x7b /* { */) return "xgboost";
  throw new HepflowError("ML_UNKNOWN_FORMAT", "cannot tell the model format; use .json (XGBoost), .onnx or .h5 (Keras)", { file: path });
}

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const { open } = await import("node:fs/promises");
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new HepflowError("ML_NO_MODEL", `cannot open the model file (${(e as Error).message})`, { file: path }, { cause: e });
  }
  try {
    const buf = new Uint8Array(n);
    await fh.read(buf, 0, n, 0);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Load a model of any supported format. */
export async function loadModel(path: string, opts: { format?: ModelFormat } = {}): Promise<Model> {
  const format = opts.format ?? (await detectFormat(path));
  if (format === "xgboost") {
    const { parseXGBoost, xgboostModel } = await import("./xgboost.js");
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      throw new HepflowError("ML_NO_MODEL", `cannot read the model file (${(e as Error).message})`, { file: path }, { cause: e });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new HepflowError("ML_BAD_XGBOOST", `not valid JSON (${(e as Error).message})`, { file: path }, { cause: e });
    }
    return xgboostModel(parseXGBoost(json, path), path);
  }
  if (format === "onnx") return (await import("./onnx.js")).loadOnnx(path);
  return (await import("./keras.js")).loadKeras(path);
}

const cache = new Map<string, Promise<Model>>();

/**
 * The model at `path`, loaded once per thread and shared by every chunk that asks for it: call
 * this from a processor's `process()` as often as you like.
 */
export function cachedModel(path: string, opts: { format?: ModelFormat } = {}): Promise<Model> {
  const key = resolve(path);
  let m = cache.get(key);
  if (!m) {
    m = loadModel(key, opts);
    cache.set(key, m);
    m.catch(() => cache.delete(key));
  }
  return m;
}

/** Forget cached models (tests; long-lived services that swap models). */
export async function clearModelCache(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const m of all) await (await m.catch(() => undefined))?.dispose();
}

/**
 * Row-major float32 batch from one column per feature (each of length `rows`): the layout every
 * model takes. Values are rounded to float32 here, once (XGBoost compares float32 thresholds).
 */
export function featureMatrix(columns: readonly ArrayLike<number>[], rows?: number): Float32Array {
  const nf = columns.length;
  const n = rows ?? columns[0]?.length ?? 0;
  for (const [f, c] of columns.entries()) {
    if (c.length !== n) throw new HepflowError("ML_SHAPE", `feature column ${f} has ${c.length} values, expected ${n}`);
  }
  const x = new Float32Array(n * nf);
  for (const [f, c] of columns.entries()) {
    // every column holds n values (checked above)
    for (let r = 0, i = f; r < n; r++, i += nf) x[i] = c[r]!;
  }
  return x;
}

/** Options of {@link predictColumns}. */
export interface PredictOptions {
  /** Rows per model call; bounds memory for big chunks and ONNX tensors (default 65 536). */
  batchSize?: number;
  /** Which output column to return for multi-output models (default: the last, i.e. the "signal" class). */
  output?: number;
}

/**
 * Evaluate a model on columns (one per feature, in the model's feature order) and return the
 * score column: the library does the batching, so processors only name their features.
 */
export async function predictColumns(model: Model, columns: readonly ArrayLike<number>[], opts: PredictOptions = {}): Promise<Float32Array> {
  checkFeatures(model, columns.length);
  const rows = columns[0]?.length ?? 0;
  const out = new Float32Array(rows);
  const batch = Math.max(1, opts.batchSize ?? 65536);
  const k = opts.output ?? model.nOutputs - 1;
  if (!(k >= 0 && k < model.nOutputs)) throw new HepflowError("ML_SHAPE", `output ${k} does not exist; the model has ${model.nOutputs}`, { file: model.source });
  for (let start = 0; start < rows; start += batch) {
    const n = Math.min(batch, rows - start);
    const x = featureMatrix(
      columns.map((c) => sliceOf(c, start, start + n)),
      n,
    );
    const y = await model.predict(x, n);
    for (let r = 0; r < n; r++) out[start + r] = y[r * model.nOutputs + k]!;
  }
  return out;
}

/** Synchronous {@link predictColumns} for models evaluated in JS (XGBoost, Keras). */
export function predictColumnsSync(model: Model, columns: readonly ArrayLike<number>[], opts: PredictOptions = {}): Float32Array {
  if (!model.predictSync) throw new HepflowError("ML_ASYNC_ONLY", `${model.format} models are evaluated asynchronously; use predictColumns`, { file: model.source });
  checkFeatures(model, columns.length);
  const rows = columns[0]?.length ?? 0;
  const k = opts.output ?? model.nOutputs - 1;
  const y = model.predictSync(featureMatrix(columns, rows), rows);
  if (model.nOutputs === 1 && y instanceof Float32Array) return y;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = y[r * model.nOutputs + k]!;
  return out;
}

function checkFeatures(model: Model, n: number): void {
  if (n !== model.nFeatures) throw new HepflowError("ML_SHAPE", `the model takes ${model.nFeatures} features, ${n} were given`, { file: model.source });
}

function sliceOf(c: ArrayLike<number>, a: number, b: number): ArrayLike<number> {
  if (a === 0 && b === c.length) return c;
  const s = (c as NumericArray).subarray;
  if (typeof s === "function") return (c as Float64Array).subarray(a, b);
  return Array.prototype.slice.call(c, a, b) as number[];
}
