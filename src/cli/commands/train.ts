/** `hepflow train`: train a W-vs-QCD style classifier (GBDT → XGBoost JSON) on a table or ROOT tree; ROC, AUC and rejection into JSON. */
import type { Command } from "commander";

interface TrainCliOptions {
  model: string; features: string; label: string; out: string; metrics?: string; tree: string; seed: string;
  validFraction: string; testFraction: string; maxIter: string; learningRate: string; maxLeaves: string; maxDepth?: string;
  l2: string; minSamplesLeaf: string; maxBins: string; patience: string; classWeight?: string; plot?: string; force?: boolean; json?: boolean;
}

export function register(program: Command): void {
  program
    .command("train <data>")
    .description("train a classifier (--model gbdt → XGBoost JSON) on a CSV/JSON table or ROOT tree; writes the model and ROC, AUC and background rejection at 50 % signal efficiency as JSON")
    .requiredOption("--features <list>", "comma-separated feature columns/branches")
    .requiredOption("--label <name>", "the 0/1 label column (1 = signal)")
    .requiredOption("-o, --out <model.json>", "the model file")
    .option("--model <kind>", "gbdt (mlp: not yet)", "gbdt")
    .option("--metrics <file>", "summary JSON (default: OUT with .metrics.json)")
    .option("--tree <name>", "tree of a ROOT input when DATA has no :TREE", "jets")
    .option("--seed <s>", "seed of the train/validation/test split", "1")
    .option("--valid-fraction <f>", "rows for early stopping", "0.2")
    .option("--test-fraction <f>", "rows for the ROC curve", "0.2")
    .option("--max-iter <n>", "boosting rounds at most", "200")
    .option("--learning-rate <x>", "shrinkage", "0.1")
    .option("--max-leaves <n>", "leaves per tree", "31")
    .option("--max-depth <n>", "depth per tree (default: unlimited)")
    .option("--l2 <x>", "L2 penalty on leaf values", "0")
    .option("--min-samples-leaf <n>", "rows per leaf at least", "20")
    .option("--max-bins <n>", "bins per feature (≤ 255)", "255")
    .option("--patience <n>", "early stopping: rounds without validation improvement (0 = off)", "10")
    .option("--class-weight <w>", "\"balanced\" or W0,W1")
    .option("--plot <file>", "ROC curve (background rejection vs signal efficiency) as .svg or .png")
    .option("--force", "replace existing outputs")
    .option("--json", "print the summary (without the ROC points) as JSON")
    .action(async (data: string, o: TrainCliOptions) => {
      const { HepflowError, claimOutputFile, writeOutputFile } = await import("../../util/index.js");
      if (o.model !== "gbdt") throw new HepflowError("TRAIN_BAD_MODEL", `--model ${o.model}: only gbdt is implemented (the MLP trainer is not written yet)`);
      const { trainClassifier } = await import("../../ml/index.js");
      const { readRows } = await import("./predict-input.js");
      const metrics = o.metrics ?? o.out.replace(/(\.json)?$/i, ".metrics.json");
      const inputs = [data.replace(/:[^:/\\]+$/, "")];
      claimOutputFile(o.out, { force: o.force, inputs });
      claimOutputFile(metrics, { force: o.force, inputs });
      if (o.plot) claimOutputFile(o.plot, { force: o.force, inputs });
      const features = o.features.split(",").map((s) => s.trim()).filter(Boolean);
      const { columns } = await readRows(data, { features: [...features, o.label], tree: o.tree });
      const cw = o.classWeight === undefined ? undefined : o.classWeight === "balanced" ? "balanced" as const : o.classWeight.split(",").map(Number) as [number, number];
      const { modelJson, summary } = trainClassifier(features, columns.slice(0, -1), columns.at(-1)!, {
        seed: Number(o.seed), validFraction: Number(o.validFraction), testFraction: Number(o.testFraction), maxIter: Number(o.maxIter),
        learningRate: Number(o.learningRate), maxLeaves: Number(o.maxLeaves), maxDepth: o.maxDepth === undefined ? undefined : Number(o.maxDepth),
        l2: Number(o.l2), minSamplesLeaf: Number(o.minSamplesLeaf), maxBins: Number(o.maxBins), patience: Number(o.patience), classWeight: cw,
      });
      writeOutputFile(o.out, modelJson, { force: o.force, inputs });
      writeOutputFile(metrics, JSON.stringify(summary, null, 1) + "\n", { force: o.force, inputs });
      if (o.plot) {
        const { rocPlot, writePlot } = await import("../../plot/index.js");
        const { signalEff, backgroundEff } = summary.test.roc;
        const label = `GBDT (AUC ${summary.test.auc.toFixed(3)})`;
        await writePlot(rocPlot([{ label, signalEfficiency: signalEff, backgroundEfficiency: backgroundEff }], { rejection: true }), o.plot);
      }
      const { roc: _roc, ...testFigures } = summary.test;
      if (o.json) { process.stdout.write(JSON.stringify({ ...summary, test: testFigures }, null, 2) + "\n"); return; }
      process.stdout.write([
        `model      ${o.out} (${summary.trees} trees, ${summary.trainSeconds.toFixed(2)} s)`,
        `rows       train ${summary.rows.train}, validation ${summary.rows.valid}, test ${summary.rows.test}`,
        `test AUC   ${summary.test.auc.toFixed(4)}`,
        `rejection  ${summary.test.rejectionAt50.toFixed(1)} at 50 % signal efficiency`,
        `metrics    ${metrics}`,
        ...(o.plot ? [`plot       ${o.plot}`] : []),
      ].join("\n") + "\n");
    });
}
