// The preselection step of the CMS top+MET seed: keep the events passing a preselection, evaluate
// an ONNX model once per event, and write a slimmer NanoAOD (tree Events, collections with their
// counters) with the score as a new branch, `ttbar_score`. The skim writer (hepflow/expr `skim`)
// does the selection and the writing; the model is evaluated by hepflow/ml on each chunk.
// Usage (after `npm run build`): node examples/nano-score/index.mjs OUT.root IN.root [IN2.root …] [--model M.onnx] [--force]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openFile } from "hepflow/root";
import { compile, skim, toColumn } from "hepflow/expr";
import { cachedModel, predictColumns } from "hepflow/ml";
import { FEATURES, KEEP, PRESELECTION } from "./features.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_MODEL = path.join(here, "ttbar_vs_wjets.onnx");
export const SCORE = "ttbar_score";

/** Skims `inputs` (NanoAOD files) into `output` with the model's score per event; returns the skim summary. */
export async function scoreNano(inputs, output, { model = DEFAULT_MODEL, force = false, treeName = "Events" } = {}) {
  const files = await Promise.all(inputs.map((f) => openFile(f)));
  try {
    const trees = await Promise.all(files.map((f) => f.tree(treeName)));
    const features = FEATURES.map(([name, expr]) => ({ name, expr: compile(expr, trees[0].branches) }));
    const net = await cachedModel(model);
    if (net.nFeatures !== features.length) throw new Error(`${model} takes ${net.nFeatures} inputs, features.mjs defines ${features.length}`);
    return await skim(trees, output, {
      where: PRESELECTION,
      branches: KEEP,
      force,
      inputPaths: inputs,
      computed: [
        {
          name: SCORE,
          branches: [...new Set(features.flatMap((f) => f.expr.branches))],
          // one row per event: the six inputs as columns, evaluated and batched by hepflow/ml
          compute: async (columns, entries) =>
            predictColumns(
              net,
              features.map((f) => toColumn(f.expr.evaluate(columns, { entries, entryStart: 0 }), entries)),
            ),
        },
      ],
    });
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const mi = args.indexOf("--model");
  const model = mi >= 0 ? args[mi + 1] : undefined;
  const rest = args.filter((a, i) => a !== "--force" && (mi < 0 || (i !== mi && i !== mi + 1)));
  const [output, ...inputs] = rest;
  if (!output || !inputs.length) {
    console.error("usage: node examples/nano-score/index.mjs OUT.root IN.root [IN2.root …] [--model M.onnx] [--force]");
    process.exit(2);
  }
  const r = await scoreNano(inputs, output, { model, force });
  console.log(`${output}: ${r.entriesOut} of ${r.entriesIn} events, ${r.branches.length} branches, score in ${SCORE}`);
}
