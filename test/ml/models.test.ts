// Every reference output of ../shared/reference/ml reproduced by hepflow's three model formats,
// within the tolerances that README states (quoted at each comparison).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, afterAll } from "vitest";
import { REFERENCE } from "../shared.js";
import { loadModel, parseXGBoost, xgboostMargins, xgboostPredict, predictColumns, predictColumnsSync, clearModelCache, cachedModel } from "../../src/ml/index.js";
import { isHepflowError } from "../../src/util/index.js";

const ML = path.join(REFERENCE, "ml");
const AGC = path.join(REFERENCE, "agc");
const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));

/** Largest |got − ref| − (abs + rel·|ref|) over all values: ≤ 0 means every value is within tolerance. */
function worstExcess(got: ArrayLike<number>, ref: ArrayLike<number>, abs: number, rel: number): number {
  expect(got.length).toBe(ref.length);
  let worst = -Infinity;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!) - (abs + rel * Math.abs(ref[i]!)));
  return worst;
}

afterAll(() => clearModelCache());

describe("XGBoost JSON: the AGC jet–parton BDTs against XGBoost 1.7.4", () => {
  const ref = json(path.join(ML, "agc_bdt_reference.json"));
  const rows: number[][] = ref.inputs;
  const x = Float32Array.from(rows.flat());
  for (const name of ["model_even", "model_odd"]) {
    it(`${name}: margins bit-identical, probabilities within 2e-7, on random and threshold-edge rows`, () => {
      const forest = parseXGBoost(json(path.join(AGC, `${name}.json`)), name);
      expect(forest.nFeatures).toBe(20);
      const out = ref.outputs[name];
      // README: "a float32-accumulating implementation should match it exactly"
      const m = xgboostMargins(forest, x, rows.length);
      expect(Array.from(m)).toEqual(out.margin);
      // README: prob abs 2e-7 (XGBoost's float32 logistic vs ours, ≤ 2 ulp)
      expect(worstExcess(xgboostPredict(forest, x, rows.length), out.prob, 2e-7, 0)).toBeLessThanOrEqual(0);
      // the wrong `<=` rule differs on every edge row, so equality above really tests the `<` rule
      const edge = ref.groups.find((g: { name: string }) => g.name === "edge_threshold");
      expect(edge).toBeDefined();
    });
  }

  it("missing values (NaN) follow default_left; a root that is a leaf contributes its value", () => {
    // hand-made two-tree model in the XGBoost 2.x / 3.x spelling of base_score ("[…]")
    const model = {
      version: [2, 1, 0],
      learner: {
        learner_model_param: { base_score: "[2E-1]", num_feature: "2", num_class: "0", num_target: "1" },
        objective: { name: "binary:logistic" },
        gradient_booster: {
          name: "gbtree",
          model: {
            tree_info: [0, 0],
            trees: [
              { left_children: [1, -1, -1], right_children: [2, -1, -1], split_indices: [1, 0, 0], split_conditions: [0.5, -1, 1], default_left: [1, 0, 0] },
              { left_children: [-1], right_children: [-1], split_indices: [0], split_conditions: [0.25], default_left: [0] },
            ],
          },
        },
      },
    };
    const f = parseXGBoost(model);
    const m = xgboostMargins(f, Float32Array.of(0, NaN, 0, 0.5, 0, 0.25), 3);
    const base = Math.fround(Math.log(0.2 / 0.8)); // base_score is a probability: margin offset logit(0.2)
    expect(Array.from(m)).toEqual([Math.fround(Math.fround(base - 1) + 0.25), Math.fround(Math.fround(base + 1) + 0.25), Math.fround(Math.fround(base - 1) + 0.25)]);
  });

  it("multi:softprob: trees by tree_info into classes, softmax over them", () => {
    const leaf = (v: number) => ({ left_children: [-1], right_children: [-1], split_indices: [0], split_conditions: [v], default_left: [0] });
    const f = parseXGBoost({
      learner: {
        learner_model_param: { base_score: "5E-1", num_feature: "1", num_class: "3" },
        objective: { name: "multi:softprob" },
        gradient_booster: { name: "gbtree", model: { tree_info: [0, 1, 2], trees: [leaf(1), leaf(2), leaf(0.5)] } },
      },
    });
    const p = xgboostPredict(f, Float32Array.of(0), 1);
    const e = [Math.exp(1.5), Math.exp(2.5), Math.exp(1)],
      s = e[0]! + e[1]! + e[2]!;
    expect(
      worstExcess(
        p,
        e.map((v) => v / s),
        1e-7,
        0,
      ),
    ).toBeLessThanOrEqual(0);
  });

  it("bad models are HepflowErrors naming the file and place", () => {
    expect(() => parseXGBoost({ nope: 1 }, "m.json")).toThrow(/m\.json: learner/);
    try {
      parseXGBoost({ learner: { learner_model_param: { num_feature: "1" }, objective: { name: "reg:frobnicate" }, gradient_booster: { name: "gbtree", model: { trees: [] } } } }, "m.json");
      expect.unreachable();
    } catch (e) {
      expect(isHepflowError(e, "ML_BAD_XGBOOST")).toBe(true);
    }
  });
});

describe("ONNX through onnxruntime-node, Keras HDF5 through h5wasm", () => {
  const ref = json(path.join(ML, "onnx_reference.json"));
  const rows: number[][] = ref.inputs;
  const x = Float32Array.from(rows.flat());
  const cols = Array.from({ length: 10 }, (_, f) => Float32Array.from(rows, (r) => r[f]!));

  for (const file of ["mlp_w_vs_qcd", "mlp_w_vs_qcd_opset17", "mlp_w_vs_qcd_bn_softmax", "mlp_w_vs_qcd_bn_softmax_opset17"]) {
    it(`${file}.onnx matches torch_f32 and numpy_f64 (rel 1e-6, abs 1e-7)`, async () => {
      const m = await loadModel(path.join(ML, `${file}.onnx`));
      const out = ref.outputs[file.replace("_opset17", "")];
      expect(m.format).toBe("onnx");
      expect(m.nFeatures).toBe(10);
      const y = await m.predict(x, rows.length);
      expect(worstExcess(y, out.torch_f32.flat(), 1e-7, 1e-6)).toBeLessThanOrEqual(0);
      expect(worstExcess(y, out.numpy_f64.flat(), 1e-7, 1e-6)).toBeLessThanOrEqual(0);
      // the column path, batched in odd sizes, returns the last output column
      const col = await predictColumns(m, cols, { batchSize: 77 });
      const k = m.nOutputs - 1;
      expect(Array.from(col)).toEqual(Array.from({ length: rows.length }, (_, r) => y[r * m.nOutputs + k]));
      await m.dispose();
    });
  }

  it("dense_keras2_layout.h5 matches numpy_f64 in float64 (rel 1e-12, abs 1e-15) and torch_f32 (rel 1e-6, abs 1e-7)", async () => {
    const kref = json(path.join(ML, "keras_h5_reference.json"));
    const m = await cachedModel(path.join(ML, "dense_keras2_layout.h5"));
    expect(m.format).toBe("keras");
    const kx = Float32Array.from((kref.inputs as number[][]).flat());
    const y = m.predictSync!(kx, kref.inputs.length);
    expect(worstExcess(y, kref.outputs.numpy_f64.flat(), 1e-15, 1e-12)).toBeLessThanOrEqual(0);
    expect(worstExcess(y, kref.outputs.torch_f32.flat(), 1e-7, 1e-6)).toBeLessThanOrEqual(0);
    expect(cachedModel(path.join(ML, "dense_keras2_layout.h5"))).toBe(cachedModel(path.join(ML, "dense_keras2_layout.h5")));
    const col = predictColumnsSync(
      m,
      Array.from({ length: 10 }, (_, f) => Float64Array.from(kref.inputs as number[][], (r) => r[f]!)),
    );
    expect(worstExcess(col, kref.outputs.torch_f32.flat(), 1e-7, 1e-6)).toBeLessThanOrEqual(0);
  });

  it("a feature count that does not match the model is an error, not a silent wrong number", async () => {
    const m = await cachedModel(path.join(ML, "dense_keras2_layout.h5"));
    await expect(predictColumns(m, cols.slice(0, 9))).rejects.toMatchObject({ code: "ML_SHAPE" });
    await expect(loadModel("/nonexistent/model.json")).rejects.toMatchObject({ code: "ML_NO_MODEL" });
  });
});
