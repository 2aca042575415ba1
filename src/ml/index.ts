/** Models as columns: XGBoost JSON, ONNX and Keras HDF5 models behind one interface, plus training. */
export type { Model, ModelFormat, PredictOptions } from "./model.js";
export { loadModel, cachedModel, clearModelCache, detectFormat, featureMatrix, predictColumns, predictColumnsSync } from "./model.js";
export type { XGBoostForest } from "./xgboost.js";
export { parseXGBoost, xgboostMargins, xgboostPredict, xgboostModel } from "./xgboost.js";
export { loadKeras, writeKeras, KERAS_BN_EPSILON } from "./keras.js";
export type { DenseSpec, WriteKerasOptions } from "./keras.js";
export { loadOnnx } from "./onnx.js";
export { writeOnnx } from "./onnx-write.js";
export { trainGbdt } from "./gbdt.js";
export type { GbdtOptions, GbdtData, GbdtResult } from "./gbdt.js";
export { rocCurve, backgroundRejection, shuffledIndices } from "./metrics.js";
export type { Roc } from "./metrics.js";
export { trainMlp, mlpPredictTf, tfWasm } from "./mlp.js";
export type { MlpOptions, MlpData, MlpResult } from "./mlp.js";
export { trainClassifier, saveTrainedModel } from "./train.js";
export type { TrainOptions, TrainSummary, TrainedModel, ScoreHistograms } from "./train.js";
