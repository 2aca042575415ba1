/**
 * ONNX models through onnxruntime-node (its CPU runtime ships inside the npm package). One
 * session per model and thread, single intra-op thread: hepflow parallelises over chunks.
 */
import { HepflowError, onlyItem } from "../util/index.js";
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
  const input = onlyItem(session.inputNames);
  if (input === undefined) throw new HepflowError("ML_BAD_ONNX", `the model has ${session.inputNames.length} inputs; only single-input models [batch, features] are supported`, { file: path });
  const [output] = session.outputNames;
  if (output === undefined) throw new HepflowError("ML_BAD_ONNX", "the model has no outputs", { file: path });
  const meta = (session as unknown as { inputMetadata?: { name?: string; shape?: (number | string)[]; type?: string }[] }).inputMetadata?.[0];
  const outMeta = (session as unknown as { outputMetadata?: { shape?: (number | string)[] }[] }).outputMetadata?.[0];
  const shape = meta?.shape;
  const nFeatures = Array.isArray(shape) && typeof shape[shape.length - 1] === "number" ? (shape[shape.length - 1] as number) : NaN;
  if (!Number.isInteger(nFeatures)) throw new HepflowError("ML_BAD_ONNX", `input "${input}" has no fixed feature dimension (shape ${JSON.stringify(shape)})`, { file: path });
  const oshape = outMeta?.shape;
  let nOutputs = Array.isArray(oshape) && oshape.length >= 2 && typeof oshape[oshape.length - 1] === "number" ? (oshape[oshape.length - 1] as number) : 1;
  const featureNames = await metadataFeatures(path, nFeatures);
  const model: Model = {
    format: "onnx",
    source: path,
    nFeatures,
    nOutputs,
    ...(featureNames ? { featureNames } : {}),
    outputNames: nOutputs === 1 ? [output] : Array.from({ length: nOutputs }, (_, i) => `${output}_${i}`),
    async predict(x, rows) {
      if (x.length !== rows * nFeatures) throw new HepflowError("ML_SHAPE", `batch has ${x.length} values, expected ${rows} × ${nFeatures}`, { file: path });
      if (rows === 0) return new Float32Array(0);
      const res = await session.run({ [input]: new ort.Tensor("float32", x, [rows, nFeatures]) }, [output]);
      const t = res[output];
      if (t === undefined) throw new HepflowError("ML_BAD_ONNX", `onnxruntime returned no output "${output}"`, { file: path });
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

/**
 * Feature names from the model's metadata_props entry "features" (comma-separated, as
 * writeOnnx stores them), when it names exactly nFeatures; onnxruntime-node does not expose
 * metadata_props, so the top-level ModelProto fields are scanned here (wire format only).
 */
async function metadataFeatures(path: string, nFeatures: number): Promise<string[] | undefined> {
  const { readFile, stat } = await import("node:fs/promises");
  if ((await stat(path)).size > 256 * 1024 * 1024) return undefined; // a huge graph: not worth reading twice
  const b = await readFile(path);
  let at = 0;
  const varint = (): number => {
    let v = 0,
      m = 1,
      c: number;
    do {
      c = b[at++]!;
      v += (c & 0x7f) * m;
      m *= 128;
    } while (c & 0x80 && at < b.length);
    return v;
  };
  const entries: Record<string, string> = {};
  while (at < b.length) {
    const tag = varint(),
      field = Math.floor(tag / 8),
      wire = tag % 8;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const len = varint(),
        end = at + len;
      if (field === 14) {
        let key = "",
          value = "";
        while (at < end) {
          const t = varint(),
            l = varint();
          const s = b.subarray(at, at + l).toString("utf8");
          if (t === ((1 << 3) | 2)) key = s;
          else if (t === ((2 << 3) | 2)) value = s;
          at += l;
        }
        entries[key] = value;
      }
      at = end;
    } else return undefined; // groups or garbage: no names
  }
  const names = entries.features?.split(",");
  return names && names.length === nFeatures ? names : undefined;
}
