/** `hepflow predict MODEL INPUT`: evaluate an XGBoost JSON, ONNX or Keras HDF5 model on table rows or ROOT branches. */
import type { Command } from "commander";

interface PredictCliOptions {
  json?: boolean;
  features?: string;
  tree: string;
  limit?: string;
  margin?: boolean;
}

export function register(program: Command): void {
  program
    .command("predict <model> <input>")
    .description("evaluate a model (XGBoost .json, .onnx, Keras .h5) on rows of a JSON/CSV table or on branches of a ROOT file (FILE.root[:TREE])")
    .option("--features <list>", "comma-separated feature columns/branches in the model's order (default: the model's feature names, else all table columns)")
    .option("--tree <name>", "tree of a ROOT input when INPUT has no :TREE", "Events")
    .option("--limit <n>", "evaluate only the first n rows")
    .option("--json", "print {model, format, features, outputs, rows, scores} as JSON")
    .action(async (modelPath: string, input: string, o: PredictCliOptions) => {
      const { loadModel, predictColumns } = await import("../../ml/index.js");
      const { readRows } = await import("./predict-input.js");
      const { printJson } = await import("../json.js");
      const model = await loadModel(modelPath);
      try {
        const wanted = o.features
          ? o.features
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
          : model.featureNames;
        const limit = o.limit === undefined ? undefined : Number(o.limit);
        const { features, columns, rows } = await readRows(input, { features: wanted, tree: o.tree, limit, nFeatures: model.nFeatures });
        const scores = await Promise.all(model.outputNames.map((_, k) => predictColumns(model, columns, { output: k })));
        if (o.json) {
          printJson({ model: modelPath, format: model.format, features, outputs: model.outputNames, rows, scores: Array.from({ length: rows }, (_, r) => scores.map((s) => s[r])) });
          return;
        }
        const lines = [model.outputNames.join(",")];
        for (let r = 0; r < rows; r++) lines.push(scores.map((s) => String(s[r])).join(","));
        process.stdout.write(lines.join("\n") + "\n");
      } finally {
        await model.dispose();
      }
    });
}
