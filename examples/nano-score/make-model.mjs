// Trains the example's model with hepflow itself and exports it as ONNX: generated AGC ttbar
// (signal, label 1) against W+jets (background, 0) events (`hepflow generate agc`), the
// preselection and six inputs of features.mjs computed by `hepflow skim --define`, an MLP by
// `hepflow train --model mlp -o ttbar_vs_wjets.onnx`.
// Usage (after `npm run build`): node examples/nano-score/make-model.mjs [EVENTS] [WORKDIR]
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURES, PRESELECTION } from "./features.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, "../../bin/hepflow.js");
const events = process.argv[2] ?? "40000";
const work = path.resolve(process.argv[3] ?? "nano-score-work");
mkdirSync(work, { recursive: true });
const hepflow = (...args) => execFileSync(process.execPath, [bin, ...args], { stdio: "inherit" });
hepflow("generate", "agc", "--events", events, "--files-per-sample", "1", "--out", path.join(work, "agc"), "--force");
const defines = FEATURES.flatMap(([name, expr]) => ["--define", `${name}=${expr}`]);
const parts = [
  ["ttbar", 1],
  ["wjets", 0],
].map(([process, label]) => {
  const dir = path.join(work, "agc", process, "nominal");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".root"))
    .map((f) => path.join(dir, f));
  const out = path.join(work, `${process}.root`);
  hepflow("skim", ...files, "--where", PRESELECTION, "--branches", "event", ...defines, "--define", `label=${label}`, "-o", out, "--force");
  return out;
});
const table = path.join(work, "train.root");
hepflow("hadd", table, ...parts, "--force");
hepflow(
  "train",
  `${table}:Events`,
  "--model",
  "mlp",
  "--features",
  FEATURES.map(([n]) => n).join(","),
  "--label",
  "label",
  "--class-weight",
  "balanced",
  "--hidden",
  "32,16",
  "--epochs",
  "40",
  "--seed",
  "7",
  "-o",
  path.join(here, "ttbar_vs_wjets.onnx"),
  "--metrics",
  path.join(work, "ttbar_vs_wjets.metrics.json"),
  "--plots",
  path.join(work, "plots"),
  "--force",
);
