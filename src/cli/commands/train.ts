/** `hepflow train`: train a W-vs-QCD style classifier (GBDT → XGBoost JSON, MLP → Keras HDF5) on a table or ROOT tree; ROC, AUC, rejection, score distributions, learning curve and importances into JSON and plots. */
import type { Command } from "commander";
import { track, trackOptions } from "./track-options.js";

interface TrainCliOptions {
  model: string;
  features: string;
  label: string;
  out: string;
  metrics?: string;
  tree: string;
  seed: string;
  validFraction: string;
  testFraction: string;
  maxIter: string;
  learningRate?: string;
  maxLeaves: string;
  maxDepth?: string;
  l2?: string;
  minSamplesLeaf: string;
  maxBins: string;
  patience: string;
  classWeight?: string;
  hidden: string;
  activation: string;
  epochs: string;
  batchSize: string;
  plot?: string;
  plots?: string;
  force?: boolean;
  json?: boolean;
  track?: boolean;
}

export function register(program: Command): void {
  trackOptions(
    program
      .command("train <data>")
      .description(
        "train a classifier (--model gbdt → XGBoost JSON, --model mlp → ONNX or Keras HDF5) on a CSV/JSON table or ROOT tree; writes the model and ROC, AUC, background rejection at 50 % signal efficiency, score distributions, learning curve and feature importances as JSON",
      )
      .requiredOption("--features <list>", "comma-separated feature columns/branches")
      .requiredOption("--label <name>", "the 0/1 label column (1 = signal)")
      .requiredOption("-o, --out <model>", "the model file (gbdt: .json, XGBoost; mlp: .onnx, or .h5 for Keras HDF5)")
      .option("--model <kind>", "gbdt or mlp", "gbdt")
      .option("--metrics <file>", "summary JSON (default: OUT with .metrics.json)")
      .option("--tree <name>", "tree of a ROOT input when DATA has no :TREE", "jets")
      .option("--seed <s>", "seed of the train/validation/test split (and of the MLP's weights and batches)", "1")
      .option("--valid-fraction <f>", "rows for early stopping", "0.2")
      .option("--test-fraction <f>", "rows for the ROC curve", "0.2")
      .option("--patience <n>", "early stopping: rounds/epochs without validation improvement (0 = off)", "10")
      .option("--class-weight <w>", '"balanced" or W0,W1')
      .option("--learning-rate <x>", "shrinkage (gbdt, default 0.1) or Adam step (mlp, default 0.001)")
      .option("--l2 <x>", "L2 penalty on leaf values (gbdt, default 0) or weights (mlp α, default 1e-4)")
      .option("--max-iter <n>", "gbdt: boosting rounds at most", "200")
      .option("--max-leaves <n>", "gbdt: leaves per tree", "31")
      .option("--max-depth <n>", "gbdt: depth per tree (default: unlimited)")
      .option("--min-samples-leaf <n>", "gbdt: rows per leaf at least", "20")
      .option("--max-bins <n>", "gbdt: bins per feature (≤ 255)", "255")
      .option("--hidden <list>", "mlp: hidden-layer widths", "64,32")
      .option("--activation <f>", "mlp: relu or tanh", "relu")
      .option("--epochs <n>", "mlp: epochs at most", "100")
      .option("--batch-size <n>", "mlp: rows per Adam step", "256")
      .option("--plot <file>", "ROC curve (background rejection vs signal efficiency) as .svg or .png")
      .option("--plots <dir>", "roc, scores (train vs test), learning-curve and importance plots as PNG into DIR")
      .option("--force", "replace existing outputs")
      .option("--json", "print the summary (without the ROC points and score histograms) as JSON"),
  ).action(async (data: string, o: TrainCliOptions) => {
    const { HepflowError, claimOutputFile, writeOutputFile } = await import("../../util/index.js");
    if (o.model !== "gbdt" && o.model !== "mlp") throw new HepflowError("TRAIN_BAD_MODEL", `--model ${o.model}: gbdt or mlp`);
    // the file's extension is how loadModel tells formats apart: a Keras file named .json would not load
    if (o.model === "gbdt" && !/\.json$/i.test(o.out)) throw new HepflowError("TRAIN_BAD_OUTPUT", `-o ${o.out}: a GBDT is saved as XGBoost JSON; name it .json`);
    if (o.model === "mlp" && !/\.(onnx|h5|hdf5)$/i.test(o.out)) throw new HepflowError("TRAIN_BAD_OUTPUT", `-o ${o.out}: an MLP is saved as ONNX (.onnx) or Keras HDF5 (.h5)`);
    const num = (flag: string, v: string | undefined): number | undefined => {
      if (v === undefined) return undefined;
      const x = Number(v);
      if (!Number.isFinite(x)) throw new HepflowError("TRAIN_BAD_OPTION", `${flag} ${v}: not a number`);
      return x;
    };
    const { trainClassifier, saveTrainedModel } = await import("../../ml/index.js");
    const { readRows } = await import("./predict-input.js");
    const metrics = o.metrics ?? o.out.replace(/(\.json|\.h5|\.hdf5|\.onnx)?$/i, ".metrics.json");
    const inputs = [data.replace(/:[^:/\\]+$/, "")];
    const plotNames = ["roc", "scores", "learning_curve", "importance"];
    claimOutputFile(o.out, { force: o.force, inputs });
    claimOutputFile(metrics, { force: o.force, inputs });
    if (o.plot) claimOutputFile(o.plot, { force: o.force, inputs });
    if (o.plots) {
      const { join } = await import("node:path");
      for (const p of plotNames) claimOutputFile(join(o.plots, `${p}.png`), { force: o.force, inputs });
    }
    const features = o.features
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const { columns } = await readRows(data, { features: [...features, o.label], tree: o.tree });
    const cw = o.classWeight === undefined ? undefined : o.classWeight === "balanced" ? ("balanced" as const) : (o.classWeight.split(",").map(Number) as [number, number]);
    const hidden = o.hidden.split(",").map((s) => Number(s.trim()));
    if (o.model === "mlp" && hidden.some((h) => !(Number.isInteger(h) && h > 0))) throw new HepflowError("TRAIN_BAD_OPTION", `--hidden ${o.hidden}: comma-separated positive integers`);
    const { model, summary } = await trainClassifier(features, columns.slice(0, -1), columns.at(-1)!, {
      model: o.model,
      seed: num("--seed", o.seed),
      validFraction: num("--valid-fraction", o.validFraction),
      testFraction: num("--test-fraction", o.testFraction),
      maxIter: num("--max-iter", o.maxIter),
      learningRate: num("--learning-rate", o.learningRate),
      maxLeaves: num("--max-leaves", o.maxLeaves),
      maxDepth: num("--max-depth", o.maxDepth),
      l2: num("--l2", o.l2),
      minSamplesLeaf: num("--min-samples-leaf", o.minSamplesLeaf),
      maxBins: num("--max-bins", o.maxBins),
      patience: num("--patience", o.patience),
      classWeight: cw,
      hidden,
      activation: o.activation as "relu" | "tanh",
      maxEpochs: num("--epochs", o.epochs),
      batchSize: num("--batch-size", o.batchSize),
    });
    await saveTrainedModel(model, o.out, (p, text) => writeOutputFile(p, text, { force: true, inputs }));
    writeOutputFile(metrics, JSON.stringify(summary, null, 1) + "\n", { force: o.force, inputs });
    const name = o.model === "gbdt" ? "GBDT" : "MLP";
    const written: string[] = [];
    if (o.plot || o.plots) {
      const { rocPlot, scoreDistributionPlot, learningCurvePlot, importancePlot, writePlot } = await import("../../plot/index.js");
      const { signalEff, backgroundEff } = summary.test.roc;
      const roc = rocPlot([{ label: `${name} (AUC ${summary.test.auc.toFixed(3)})`, signalEfficiency: signalEff, backgroundEfficiency: backgroundEff }], { rejection: true });
      if (o.plot) {
        await writePlot(roc, o.plot);
        written.push(o.plot);
      }
      if (o.plots) {
        const { join } = await import("node:path");
        const { mkdirSync } = await import("node:fs");
        mkdirSync(o.plots, { recursive: true });
        const lc = summary.learningCurve;
        const specs = [
          roc,
          scoreDistributionPlot(summary.scores.edges, summary.scores.train, summary.scores.test, { xTitle: `${name} output` }),
          learningCurvePlot(lc.trainLoss, lc.validLoss, { unit: lc.unit, best: o.model === "gbdt" ? (summary.trees ?? lc.trainLoss.length) - 1 : summary.bestEpoch }),
          importancePlot(summary.importance, { xTitle: summary.importanceKind === "total_gain" ? "Total split gain" : "Test AUC loss when permuted" }),
        ];
        for (const [k, spec] of specs.entries()) {
          const f = join(o.plots, `${plotNames[k]}.png`);
          await writePlot(spec, f);
          written.push(f);
        }
      }
    }
    const { roc: _roc, ...testFigures } = summary.test;
    const { scores: _scores, ...brief } = summary;
    await track(
      {
        command: "train",
        params: {
          data,
          model: o.model,
          features: o.features,
          label: o.label,
          seed: o.seed,
          ...(o.model === "gbdt" ? { max_iter: o.maxIter, max_leaves: o.maxLeaves } : { hidden: o.hidden, epochs: o.epochs, batch_size: o.batchSize }),
          learning_rate: o.learningRate,
          l2: o.l2,
          patience: o.patience,
          class_weight: o.classWeight,
        },
        metrics: {
          test_auc: summary.test.auc,
          train_auc: summary.train.auc,
          rejection_at_50: summary.test.rejectionAt50,
          train_seconds: summary.trainSeconds,
          ...(summary.trees !== undefined ? { trees: summary.trees } : { epochs: summary.epochs, best_epoch: summary.bestEpoch }),
        },
        history: { train_loss: summary.learningCurve.trainLoss, valid_loss: summary.learningCurve.validLoss },
        artifacts: [{ path: o.out }, { path: metrics }, ...written.map((p) => ({ path: p, as: `plots/${p.replace(/^.*[\\/]/, "")}` }))],
        inputs,
      },
      o.track,
    );
    if (o.json) {
      process.stdout.write(JSON.stringify({ ...brief, test: testFigures }, null, 2) + "\n");
      return;
    }
    const size = summary.trees !== undefined ? `${summary.trees} trees` : `${summary.architecture!.join("-")}, epoch ${summary.bestEpoch! + 1} of ${summary.epochs}`;
    process.stdout.write(
      [
        `model      ${o.out} (${size}, ${summary.trainSeconds.toFixed(2)} s)`,
        `rows       train ${summary.rows.train}, validation ${summary.rows.valid}, test ${summary.rows.test}`,
        `test AUC   ${summary.test.auc.toFixed(4)} (train ${summary.train.auc.toFixed(4)})`,
        `rejection  ${summary.test.rejectionAt50.toFixed(1)} at 50 % signal efficiency`,
        `metrics    ${metrics}`,
        ...written.map((p) => `plot       ${p}`),
      ].join("\n") + "\n",
    );
  });
}
