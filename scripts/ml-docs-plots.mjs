// The training plots of docs/ml.md: 100 000 generated W/QCD jets (seed 7), `hepflow train` with
// the GBDT and the MLP defaults and --plots, and one ROC plot with both curves.
// Usage (after `npm run build`): node scripts/ml-docs-plots.mjs WORKDIR   (writes docs/images/ml-*.png)
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rocPlot, writePlot } from "../dist/plot/index.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin/hepflow.js"),
  images = path.join(root, "docs/images");
const work = path.resolve(process.argv[2] ?? "ml-docs-work");
mkdirSync(work, { recursive: true });
const hepflow = (...a) => execFileSync(process.execPath, [bin, ...a], { cwd: work, stdio: "inherit" });
const FEATURES = "pt,eta,mass,tau1,tau2,tau3,tau21,tau32,d2,nconst";
hepflow("generate", "jets", "-o", "jets.csv", "--signal", "50000", "--background", "50000", "--seed", "7", "--force");
hepflow("train", "jets.csv", "--features", FEATURES, "--label", "label", "-o", "gbdt.json", "--plots", "gbdt", "--force");
hepflow("train", "jets.csv", "--model", "mlp", "--features", FEATURES, "--label", "label", "-o", "mlp.onnx", "--plots", "mlp", "--force");
const curves = ["gbdt", "mlp"].map((m) => {
  const s = JSON.parse(readFileSync(path.join(work, `${m}.metrics.json`), "utf8"));
  return { label: `${m === "gbdt" ? "GBDT" : "MLP"} (AUC ${s.test.auc.toFixed(4)})`, signalEfficiency: s.test.roc.signalEff, backgroundEfficiency: s.test.roc.backgroundEff };
});
await writePlot(rocPlot(curves, { rejection: true }), path.join(images, "ml-roc.png"));
for (const m of ["gbdt", "mlp"]) for (const p of ["scores", "learning_curve", "importance"]) copyFileSync(path.join(work, m, `${p}.png`), path.join(images, `ml-${m}-${p}.png`));
