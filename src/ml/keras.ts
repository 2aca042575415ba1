/**
 * Keras HDF5 models (the Keras 2 `model.save("m.h5")` layout) read with h5wasm and evaluated in
 * float64 in JS: Sequential stacks of Dense, Activation, Dropout, Flatten and BatchNormalization.
 * Also writes that layout, so networks trained by hepflow load in Keras and back here.
 */
import { HepflowError } from "../util/index.js";
import type { Model } from "./model.js";

type Activation = (x: Float64Array, rows: number, width: number) => void;

const elementwise =
  (f: (v: number) => number): Activation =>
  (x) => {
    for (let i = 0; i < x.length; i++) x[i] = f(x[i]!);
  };
const ACTIVATIONS: Record<string, Activation> = {
  linear: () => {},
  relu: elementwise((v) => Math.max(v, 0)),
  sigmoid: elementwise((v) => 1 / (1 + Math.exp(-v))),
  tanh: elementwise(Math.tanh),
  elu: elementwise((v) => (v > 0 ? v : Math.expm1(v))),
  selu: elementwise((v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v))),
  softplus: elementwise((v) => (v > 30 ? v : Math.log1p(Math.exp(v)))),
  softsign: elementwise((v) => v / (1 + Math.abs(v))),
  swish: elementwise((v) => v / (1 + Math.exp(-v))),
  silu: elementwise((v) => v / (1 + Math.exp(-v))),
  exponential: elementwise(Math.exp),
  hard_sigmoid: elementwise((v) => Math.min(1, Math.max(0, 0.2 * v + 0.5))),
  softmax: (x, rows, w) => {
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let j = 0; j < w; j++) max = Math.max(max, x[r * w + j]!);
      let s = 0;
      for (let j = 0; j < w; j++) s += x[r * w + j] = Math.exp(x[r * w + j]! - max);
      for (let j = 0; j < w; j++) x[r * w + j]! /= s;
    }
  },
};

/** One evaluated layer: maps rows × inWidth → rows × outWidth. */
type Layer = { width: number; apply(x: Float64Array, rows: number): Float64Array };

function dense(kernel: Float32Array | Float64Array, bias: Float32Array | Float64Array | undefined, nIn: number, nOut: number, act: Activation): Layer {
  const k = Float64Array.from(kernel); // (in, out) row-major, as Keras stores it
  const b = bias ? Float64Array.from(bias) : new Float64Array(nOut);
  return {
    width: nOut,
    apply(x, rows) {
      const y = new Float64Array(rows * nOut);
      for (let r = 0; r < rows; r++) {
        const yo = r * nOut,
          xo = r * nIn;
        for (let j = 0; j < nOut; j++) y[yo + j] = b[j]!;
        for (let i = 0; i < nIn; i++) {
          const v = x[xo + i]!;
          if (v === 0) continue;
          const ko = i * nOut;
          for (let j = 0; j < nOut; j++) y[yo + j]! += v * k[ko + j]!;
        }
      }
      act(y, rows, nOut);
      return y;
    },
  };
}

const bad = (file: string, object: string, msg: string) => new HepflowError("ML_BAD_KERAS", msg, { file, object });

interface LayerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

/** Strings in Keras files are variable-length (h5py 3) or fixed-length (h5py 2): accept both, and bytes. */
function str(v: unknown): string {
  if (typeof v === "string") return v.replace(/\0+$/, "");
  if (v instanceof Uint8Array) return new TextDecoder().decode(v).replace(/\0+$/, "");
  return String(v);
}
function strList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(str);
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [str(v)];
  if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 0) return [];
  return [str(v)];
}

/** Load a Keras 2 HDF5 model file (`model.save("m.h5")`). */
export async function loadKeras(path: string): Promise<Model> {
  const h5 = (await import("h5wasm/node")).default;
  await h5.ready;
  let f: InstanceType<typeof h5.File>;
  try {
    f = new h5.File(path, "r");
  } catch (e) {
    throw bad(path, "/", `cannot open as HDF5 (${(e as Error).message})`);
  }
  try {
    const cfgAttr = f.attrs.model_config;
    if (!cfgAttr) throw bad(path, "/model_config", "no model_config attribute: not a Keras model file (weights-only files need their architecture)");
    let cfg: { class_name?: string; config?: { layers?: LayerConfig[] } | LayerConfig[] };
    try {
      cfg = JSON.parse(str(cfgAttr.value));
    } catch (e) {
      throw bad(path, "/model_config", `model_config is not JSON (${(e as Error).message})`);
    }
    if (cfg.class_name !== "Sequential") throw bad(path, "/model_config", `only Sequential models are supported, this is a ${String(cfg.class_name)}`);
    const layers = Array.isArray(cfg.config) ? cfg.config : (cfg.config?.layers ?? []);
    const weightsRoot = f.get("model_weights") ? "model_weights" : "";

    const weightsOf = (name: string): Map<string, { value: Float32Array | Float64Array; shape: number[] }> => {
      const g = f.get(weightsRoot ? `${weightsRoot}/${name}` : name) as { attrs: Record<string, { value: unknown }> } | null;
      if (!g) throw bad(path, `/${weightsRoot}/${name}`, `no weights group for layer "${name}"`);
      const out = new Map<string, { value: Float32Array | Float64Array; shape: number[] }>();
      for (const wn of strList(g.attrs.weight_names?.value)) {
        const ds = f.get(`${weightsRoot ? weightsRoot + "/" : ""}${name}/${wn}`) as { value: unknown; shape: number[] } | null;
        if (!ds) throw bad(path, `/${weightsRoot}/${name}/${wn}`, "weight dataset listed in weight_names is missing");
        const value = ds.value;
        if (!(value instanceof Float32Array || value instanceof Float64Array)) throw bad(path, `/${weightsRoot}/${name}/${wn}`, "weights must be float32 or float64");
        // "dense/kernel:0" → "kernel"
        out.set(wn.replace(/^.*\//, "").replace(/:\d+$/, ""), { value, shape: ds.shape });
      }
      return out;
    };

    let width = -1;
    // the inputs of the first Dense layer's kernel: the model's features
    let denseInputs: number | undefined;
    const built: Layer[] = [];
    for (const [i, l] of layers.entries()) {
      const c = l.config ?? {};
      const name = String(c.name ?? `layer ${i}`);
      const place = `/model_config: layers[${i}] (${name})`;
      const shape = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
      if (width < 0 && Array.isArray(shape)) width = shape.slice(1).reduce<number>((a, b) => a * (b ?? NaN), 1);
      switch (l.class_name) {
        case "InputLayer":
        case "Dropout":
        case "GaussianNoise":
        case "GaussianDropout":
        case "AlphaDropout":
          break; // identities at inference
        case "Flatten":
          break; // rows are already flat
        case "Dense": {
          const w = weightsOf(name);
          const kernel = w.get("kernel"),
            bias = w.get("bias");
          if (kernel?.shape.length !== 2) throw bad(path, place, "Dense layer without a 2-D kernel");
          const [nIn, nOut] = kernel.shape as [number, number];
          if (width >= 0 && nIn !== width) throw bad(path, place, `kernel takes ${nIn} inputs but the previous layer gives ${width}`);
          denseInputs ??= nIn;
          const act = ACTIVATIONS[String(c.activation ?? "linear")];
          if (!act) throw bad(path, place, `activation "${String(c.activation)}" is not supported`);
          if (c.use_bias !== false && !bias) throw bad(path, place, "use_bias is set but there is no bias");
          built.push(dense(kernel.value, bias?.value, nIn, nOut, act));
          width = nOut;
          break;
        }
        case "Activation": {
          const act = ACTIVATIONS[String(c.activation)];
          if (!act) throw bad(path, place, `activation "${String(c.activation)}" is not supported`);
          const w = width;
          built.push({
            width: w,
            apply: (x, rows) => {
              act(x, rows, w);
              return x;
            },
          });
          break;
        }
        case "BatchNormalization": {
          const w = weightsOf(name);
          const mean = w.get("moving_mean"),
            variance = w.get("moving_variance");
          if (!mean || !variance) throw bad(path, place, "BatchNormalization without moving_mean / moving_variance");
          const n = mean.value.length;
          const eps = Number(c.epsilon ?? 1e-3);
          const gamma = w.get("gamma")?.value,
            beta = w.get("beta")?.value;
          const scale = new Float64Array(n),
            shift = new Float64Array(n);
          for (let j = 0; j < n; j++) {
            scale[j] = (gamma ? gamma[j]! : 1) / Math.sqrt(variance.value[j]! + eps);
            shift[j] = (beta ? beta[j]! : 0) - mean.value[j]! * scale[j]!;
          }
          built.push({
            width: n,
            apply: (x) => {
              for (let i = 0; i < x.length; i++) x[i] = x[i]! * scale[i % n]! + shift[i % n]!;
              return x;
            },
          });
          width = n;
          break;
        }
        default:
          throw bad(path, place, `layer type ${l.class_name} is not supported (Dense, Activation, Dropout, Flatten, BatchNormalization are)`);
      }
    }
    const nFeatures = built.length && denseInputs !== undefined ? denseInputs : width;
    if (!built.length) throw bad(path, "/model_config", "the model has no layers with weights");
    const nOutputs = width;
    const run = (x: Float32Array, rows: number): Float64Array => {
      if (x.length !== rows * nFeatures) throw new HepflowError("ML_SHAPE", `batch has ${x.length} values, expected ${rows} × ${nFeatures}`, { file: path });
      let y: Float64Array = Float64Array.from(x);
      for (const l of built) y = l.apply(y, rows);
      return y;
    };
    let featureNames: string[] | undefined;
    const fa = f.attrs.hepflow_features;
    if (fa) {
      try {
        featureNames = JSON.parse(str(fa.value)) as string[];
      } catch {
        throw bad(path, "/hepflow_features", "hepflow_features is not a JSON list");
      }
      if (!Array.isArray(featureNames) || featureNames.length !== nFeatures) throw bad(path, "/hepflow_features", `hepflow_features names ${Array.isArray(featureNames) ? featureNames.length : "no"} features; the model takes ${nFeatures}`);
    }
    return {
      format: "keras",
      source: path,
      nFeatures,
      nOutputs,
      ...(featureNames ? { featureNames } : {}),
      outputNames: nOutputs === 1 ? ["score"] : Array.from({ length: nOutputs }, (_, i) => `output_${i}`),
      predictSync: run,
      predict: async (x, rows) => run(x, rows),
      dispose: async () => {},
    };
  } finally {
    f.close();
  }
}

/** A Dense layer to write: kernel row-major (nIn × nOut), as Keras stores it. */
export interface DenseSpec {
  kernel: Float32Array;
  bias: Float32Array;
  nIn: number;
  nOut: number;
  activation: string;
}

/**
 * Keras' smallest BatchNormalization epsilon for its fused kernel (cuDNN's limit). A standardisation
 * layer stores moving_variance = std² − ε with this ε, so std must be at least √ε.
 */
export const KERAS_BN_EPSILON = 1.001e-5;

/** Options of {@link writeKeras}. */
export interface WriteKerasOptions {
  name?: string;
  /** Input standardisation (x − mean) / std, written as a leading BatchNormalization layer (center and scale off). */
  standardize?: { mean: Float32Array; std: Float32Array };
  /** Input feature names, stored as the root attribute `hepflow_features` (JSON list) and read back by loadKeras. */
  featureNames?: string[];
}

/**
 * Write a Sequential Dense network in the Keras 2.12 HDF5 layout (attributes, model_config JSON,
 * model_weights/<layer>/<layer>/kernel:0 …), readable by Keras' `load_model` and by loadKeras.
 */
export async function writeKeras(path: string, layers: DenseSpec[], opts: WriteKerasOptions = {}): Promise<void> {
  const h5 = (await import("h5wasm/node")).default;
  await h5.ready;
  const [first] = layers;
  if (first === undefined) throw new HepflowError("ML_SHAPE", "a Keras model needs at least one Dense layer", { file: path });
  const st = opts.standardize;
  if (st) {
    if (st.mean.length !== first.nIn || st.std.length !== first.nIn) throw new HepflowError("ML_SHAPE", `standardisation has ${st.mean.length} means and ${st.std.length} widths for ${first.nIn} inputs`, { file: path });
    st.std.forEach((s, f) => {
      if (!(s * s >= KERAS_BN_EPSILON * (1 - 1e-6))) throw new HepflowError("ML_SHAPE", `standard deviation of input ${f} is ${s}, below √ε of Keras' BatchNormalization`, { file: path });
    });
  }
  const layerName = (i: number) => (i === 0 ? "dense" : `dense_${i}`);
  const names = layers.map((_, i) => layerName(i));
  const bnName = "standardize";
  const config = {
    class_name: "Sequential",
    config: {
      name: opts.name ?? "sequential",
      layers: [
        { class_name: "InputLayer", config: { batch_input_shape: [null, first.nIn], dtype: "float32", sparse: false, ragged: false, name: "dense_input" } },
        ...(st
          ? [
              {
                class_name: "BatchNormalization",
                config: {
                  name: bnName,
                  trainable: false,
                  dtype: "float32",
                  batch_input_shape: [null, first.nIn],
                  axis: [1],
                  momentum: 0.99,
                  epsilon: KERAS_BN_EPSILON,
                  center: false,
                  scale: false,
                  moving_mean_initializer: { class_name: "Zeros", config: {} },
                  moving_variance_initializer: { class_name: "Ones", config: {} },
                  beta_regularizer: null,
                  gamma_regularizer: null,
                  beta_constraint: null,
                  gamma_constraint: null,
                },
              },
            ]
          : []),
        ...layers.map((l, i) => ({
          class_name: "Dense",
          config: {
            name: names[i],
            trainable: true,
            dtype: "float32",
            ...(i === 0 && !st ? { batch_input_shape: [null, l.nIn] } : {}),
            units: l.nOut,
            activation: l.activation,
            use_bias: true,
            kernel_initializer: { class_name: "GlorotUniform", config: { seed: null } },
            bias_initializer: { class_name: "Zeros", config: {} },
            kernel_regularizer: null,
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
          },
        })),
      ],
    },
  };
  const f = new h5.File(path, "w");
  try {
    f.create_attribute("backend", "tensorflow");
    f.create_attribute("keras_version", "2.12.0");
    f.create_attribute("model_config", JSON.stringify(config));
    if (opts.featureNames) f.create_attribute("hepflow_features", JSON.stringify(opts.featureNames));
    const mw = f.create_group("model_weights");
    mw.create_attribute("layer_names", st ? [bnName, ...names] : names);
    if (st) {
      const g = mw.create_group(bnName);
      g.create_attribute("weight_names", [`${bnName}/moving_mean:0`, `${bnName}/moving_variance:0`]);
      const inner = g.create_group(bnName);
      const n = st.mean.length;
      inner.create_dataset({ name: "moving_mean:0", data: Float32Array.from(st.mean), shape: [n], dtype: "<f" });
      inner.create_dataset({ name: "moving_variance:0", data: Float32Array.from(st.std, (s) => Math.max(0, s * s - KERAS_BN_EPSILON)), shape: [n], dtype: "<f" });
    }
    mw.create_attribute("backend", "tensorflow");
    mw.create_attribute("keras_version", "2.12.0");
    layers.forEach((l, i) => {
      const n = layerName(i);
      const g = mw.create_group(n);
      g.create_attribute("weight_names", [`${n}/kernel:0`, `${n}/bias:0`]);
      const inner = g.create_group(n);
      inner.create_dataset({ name: "kernel:0", data: l.kernel, shape: [l.nIn, l.nOut], dtype: "<f" });
      inner.create_dataset({ name: "bias:0", data: l.bias, shape: [l.nOut], dtype: "<f" });
    });
  } finally {
    f.close();
  }
}
