/**
 * Writes a trained Dense network as an ONNX model (opset 13, IR 7): the protobuf is encoded here
 * because the graph is a handful of nodes (Sub, Div, Gemm, Relu/Tanh, Sigmoid) and no protobuf
 * library is among hepflow's dependencies. Only the fields onnxruntime and onnx.checker need are
 * written; field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto,
 * ValueInfoProto, TypeProto).
 */
import { writeFileSync } from "node:fs";
import { HepflowError } from "../util/index.js";
import type { DenseSpec } from "./keras.js";

/** Protobuf wire encoding: varints, length-delimited fields, nested messages. */
class Pb {
  private parts: Uint8Array[] = [];
  private len = 0;
  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }
  private varint(v: number): this {
    const out: number[] = [];
    // non-negative integers below 2^53 only (sizes, enum values, dims)
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return this.push(Uint8Array.from(out));
  }
  private tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    return this.tag(field, 2).varint(b.length).push(b);
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT

function tensor(name: string, dims: number[], data: Float32Array): Pb {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT).str(8, name);
  // raw_data: little-endian float32, whatever the host's byte order
  const raw = new Uint8Array(data.length * 4);
  const dv = new DataView(raw.buffer);
  data.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return t.bytes(9, raw);
}

function valueInfo(name: string, dims: (number | string)[]): Pb {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === "number" ? new Pb().int(1, d) : new Pb().str(2, d));
  const tensorType = new Pb().int(1, FLOAT).msg(2, shape);
  return new Pb().str(1, name).msg(2, new Pb().msg(1, tensorType));
}

function node(op: string, inputs: string[], outputs: string[], name: string): Pb {
  const n = new Pb();
  for (const i of inputs) n.str(1, i);
  for (const o of outputs) n.str(2, o);
  return n.str(3, name).str(4, op);
}

const OPS: Record<string, string> = { relu: "Relu", tanh: "Tanh", sigmoid: "Sigmoid" };

/**
 * Writes `layers` (kernels nIn × nOut, as Keras and hepflow store them) as ONNX: input
 * "features" float32 [batch, nIn], output "score" [batch, nOut]; with `standardize`, the graph
 * first computes (x − mean) / std so the model takes raw features. Feature names go into
 * metadata_props ("features", comma-separated).
 */
export function writeOnnx(path: string, layers: DenseSpec[], opts: { standardize?: { mean: Float32Array; std: Float32Array }; featureNames?: string[]; producerVersion?: string } = {}): void {
  if (!layers.length) throw new HepflowError("ML_SHAPE", "a network needs at least one layer", { file: path });
  const g = new Pb();
  const nodes: Pb[] = [],
    inits: Pb[] = [];
  let cur = "features";
  const nIn = layers[0]!.nIn;
  if (opts.standardize) {
    const { mean, std } = opts.standardize;
    if (mean.length !== nIn || std.length !== nIn) throw new HepflowError("ML_SHAPE", `standardisation has ${mean.length} means and ${std.length} widths for ${nIn} inputs`, { file: path });
    inits.push(tensor("input_mean", [nIn], mean), tensor("input_std", [nIn], std));
    nodes.push(node("Sub", [cur, "input_mean"], ["centred"], "standardize_sub"), node("Div", ["centred", "input_std"], ["standardized"], "standardize_div"));
    cur = "standardized";
  }
  layers.forEach((l, i) => {
    if (i > 0 && l.nIn !== layers[i - 1]!.nOut) throw new HepflowError("ML_SHAPE", `layer ${i} takes ${l.nIn} inputs, layer ${i - 1} gives ${layers[i - 1]!.nOut}`, { file: path });
    const last = i === layers.length - 1;
    inits.push(tensor(`dense_${i}_kernel`, [l.nIn, l.nOut], l.kernel), tensor(`dense_${i}_bias`, [l.nOut], l.bias));
    const z = `dense_${i}`;
    nodes.push(node("Gemm", [cur, `dense_${i}_kernel`, `dense_${i}_bias`], [l.activation === "linear" && last ? "score" : z], `gemm_${i}`));
    cur = z;
    if (l.activation !== "linear") {
      const op = OPS[l.activation];
      if (!op) throw new HepflowError("ML_SHAPE", `activation ${l.activation} has no ONNX export here (relu, tanh, sigmoid, linear)`, { file: path });
      const out = last ? "score" : `${z}_${l.activation}`;
      nodes.push(node(op, [z], [out], `${l.activation}_${i}`));
      cur = out;
    }
  });
  for (const n of nodes) g.msg(1, n);
  g.str(2, "hepflow_mlp");
  for (const t of inits) g.msg(5, t);
  g.msg(11, valueInfo("features", ["batch", nIn]));
  g.msg(12, valueInfo("score", ["batch", layers.at(-1)!.nOut]));
  const m = new Pb()
    .int(1, 7)
    .str(2, "hepflow")
    .str(3, opts.producerVersion ?? "0")
    .msg(7, g)
    .msg(8, new Pb().str(1, "").int(2, 13));
  if (opts.featureNames) m.msg(14, new Pb().str(1, "features").str(2, opts.featureNames.join(",")));
  writeFileSync(path, m.finish());
}
