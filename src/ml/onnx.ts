/**
 * ONNX models through onnxruntime-node (its CPU runtime ships inside the npm package). One
 * session per model and thread, single intra-op thread: hepflow parallelises over chunks.
 */
import { HepflowError } from "../util/index.js";
import type { Model } from "./model.js";

/** Load an ONNX model with one float32 input [batch, nFeatures] and one or more float32 outputs [batch, k]. */
export async function loadOnnx(path: string, opts: { threads?: number } = {}): Promise<Model> {
  let ort: typeof import("onnxruntime-node");
  try {
    ort = (await import("onnxruntime-node")).default ?? (await import("onnxruntime-node"));
  } catch (e) {
    throw new HepflowError("ML_NO_RUNTIME", `onnxruntime-node does not load (${(e as Error).message}); reinstall it with \`npm ci\``, { file: path }, { cause: e });
  }
  let session: import("onnxruntime-node").InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, { intraOpNumThreads: opts.threads ?? 1, interOpNumThreads: 1, executionProviders: ["cpu"] });
  } catch (e) {
    throw new HepflowError("ML_BAD_ONNX", `onnxruntime cannot load the model (${(e as Error).message})`, { file: path }, { cause: e });
  }
  if (session.inputNames.length !== 1) throw new HepflowError("ML_BAD_ONNX", `the model has ${session.inputNames.length} inputs; only single-input models [batch, features] are supported`, { file: path });
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  const meta = (session as unknown as { inputMetadata?: { name?: string; shape?: (number | string)[]; type?: string }[] }).inputMetadata?.[0];
  const outMeta = (session as unknown as { outputMetadata?: { shape?: (number | string)[] }[] }).outputMetadata?.[0];
  const shape = meta?.shape;
  const nFeatures = Array.isArray(shape) && typeof shape[shape.length - 1] === "number" ? (shape[shape.length - 1] as number) : NaN;
  if (!Number.isInteger(nFeatures)) throw new HepflowError("ML_BAD_ONNX", `input "${input}" has no fixed feature dimension (shape ${JSON.stringify(shape)})`, { file: path });
  const oshape = outMeta?.shape;
  let nOutputs = Array.isArray(oshape) && oshape.length >= 2 && typeof oshape[oshape.length - 1] === "number" ? (oshape[oshape.length - 1] as number) : 1;
  const model: Model = {
    format: "onnx", source: path, nFeatures, nOutputs,
    outputNames: nOutputs === 1 ? [output] : Array.from({ length: nOutputs }, (_, i) => `${output}_${i}`),
    async predict(x, rows) {
      if (x.length !== rows * nFeatures) throw new HepflowError("ML_SHAPE", `batch has ${x.length} values, expected ${rows} × ${nFeatures}`, { file: path });
      if (rows === 0) return new Float32Array(0);
      const res = await session.run({ [input]: new ort.Tensor("float32", x, [rows, nFeatures]) }, [output]);
      const t = res[output]!;
      if (t.type !== "float32") throw new HepflowError("ML_BAD_ONNX", `output "${output}" is ${t.type}, expected float32`, { file: path });
      const data = t.data as Float32Array;
      if (data.length !== rows * nOutputs) {
        // the declared output shape was symbolic: take it from the first result
        if (data.length % rows !== 0) throw new HepflowError("ML_BAD_ONNX", `output "${output}" has ${data.length} values for ${rows} rows`, { file: path });
        nOutputs = model.nOutputs = data.length / rows;
      }
      return data;
    },
    dispose: () => session.release(),
  };
  return model;
}
