import type { Command } from "commander";

/** A command module: one file per command exporting `register(program)`. */
export interface CommandModule {
  register(program: Command): void;
}

/**
 * One entry per top-level command: its name, the one-line description `hepflow --help` lists, and
 * a loader. Only the module of the command being run is imported, so `hepflow --help` and a quick
 * `hepflow ls` do not pay for the stats, plot or workflow layers (test/cli/registry.test.ts checks
 * that each description here equals the one its module registers).
 */
export interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<CommandModule>;
}

const entry = (name: string, description: string, load: () => Promise<CommandModule>): CommandEntry => ({ name, description, load });

/** Add one line here per command module. */
export const commands: CommandEntry[] = [
  entry("inspect", "summarise a pyhf JSON workspace: channels, samples, modifiers, parameters", () => import("./inspect.js")),
  entry("fit", "maximum-likelihood fit: best-fit values, uncertainties, twice the NLL", () => import("./fit.js")),
  entry("cls", "hypothesis test of one POI value: CLs, CLs+b, CLb and the expected CLs band", () => import("./cls.js")),
  entry("limit", "CLs upper limit on the POI (observed and expected -2σ…+2σ)", () => import("./limit.js")),
  entry("significance", "discovery p-value p0 and significance Z (q0, asymptotic), observed and expected", () => import("./significance.js")),
  entry("ls", "list a ROOT file: directories, objects, trees with entries, branches with type, counter and compression", () => import("./ls.js")),
  entry("dump", "print branch values of a TTree or RNTuple (jagged as nested lists)", () => import("./dump.js")),
  entry("run", "run a processor module (file or folder with index.mjs) over a dataset on a worker-thread pool", () => import("./run.js")),
  entry("generate", "generate synthetic datasets", () => import("./generate.js")),
  entry("hadd", "merge ROOT files: histograms of the same path are summed, trees of the same schema concatenated", () => import("./hadd.js")),
  entry("build", "build a pyhf workspace from a YAML config and its histogram files (ROOT or JSON)", () => import("./build.js")),
  entry("workspace", "combine, prune or rename pyhf workspaces", () => import("./workspace.js")),
  entry("ranking", "parameter ranking: pre-/post-fit ±1σ impacts on the POI, and the pulls", () => import("./ranking.js")),
  entry("scan", "Δ(−2 ln L) scan in one parameter (default the POI) or two (--y)", () => import("./scan.js")),
  entry("gof", "saturated-model goodness of fit: Δ(2NLL), degrees of freedom, p-value", () => import("./gof.js")),
  entry("yields", "yields per channel and sample, pre-fit and post-fit, with uncertainties", () => import("./yields.js")),
  entry("plot", "draw HEP plots (stacked data/MC with ratio, systematic variations) as PNG, SVG or Vega-Lite", () => import("./plot.js")),
  entry("datacard", "export a workspace to a CMS Combine datacard (datacard.txt) and its shapes file (shapes.root)", () => import("./datacard.js")),
  entry("demo", "generate synthetic AGC NanoAOD, run the ttbar analysis with all systematics, fit, plot, and write OUT/report.html", () => import("./demo.js")),
  entry("cp", "copy a file: local path, root:// or http(s):// source; local path or root:// destination (a directory keeps the name); adler32 checked against the XRootD server", () => import("./cp.js")),
  entry("runs", "list, inspect, compare and move tracked runs (MLflow-compatible store)", () => import("./runs.js")),
  entry("tracking", "the run store as an MLflow tracking server", () => import("./tracking.js")),
  entry("project", "MLflow projects (MLproject files): describe and run entry points as tracked runs", () => import("./project.js")),
  entry("search", "search parameters (random or TPE) for the best objective; the search is a tracked run and each trial a child run", () => import("./search.js")),
  entry("predict", "evaluate a model (XGBoost .json, .onnx, Keras .h5) on rows of a JSON/CSV table or on branches of a ROOT file (FILE.root[:TREE])", () => import("./predict.js")),
  entry("draw", 'histogram an expression (TTree::Draw): FILE[:TREE]... EXPR, 1D or "y:x"; terminal bars unless -o', () => import("./draw.js")),
  entry("skim", "write the events passing a cut, chosen branches and defined columns (TTree or RNTuple)", () => import("./skim.js")),
  entry("prune", "remove channels, samples, modifiers or measurements from a workspace (pyhf prune)", () => import("./prune.js")),
  entry("rename", "rename channels, samples, modifiers (and their parameters) or measurements (pyhf rename)", () => import("./rename.js")),
  entry("combine", "combine two workspaces into one (pyhf combine)", () => import("./combine.js")),
  entry("sort", "sort a workspace's channels, samples, modifiers, measurements and observations by name (pyhf sort)", () => import("./sort.js")),
  entry("patchset", "pyhf patchsets: extract, apply, inspect, verify (pyhf patchset); make one from patch files; a grid's exclusion contour", () => import("./patchset.js")),
  entry("digest", "hash of a workspace, equal to pyhf's digest (pyhf digest)", () => import("./digest.js")),
  entry("xml2json", "convert HistFactory XML and its ROOT histograms into a pyhf JSON workspace (pyhf xml2json)", () => import("./xml2json.js")),
  entry("json2xml", "write a pyhf JSON workspace as HistFactory XML and a ROOT file of histograms (pyhf json2xml)", () => import("./json2xml.js")),
  entry("recast", "RECAST reinterpretation: catalogue entries (recast-atlas format) run as workflows with new signal inputs", () => import("./recast.js")),
  entry("scale", "scale a simulated histogram to cross section × luminosity × k-factor × filter efficiency ÷ sum of weights (-c -s -k -f -l -g)", () => import("./scale.js")),
  entry("ci", "analysis in CI: write a GitHub/GitLab job that runs the workflow with its step cache; check results against a reference", () => import("./ci.js")),
  entry("workflow", "yadage workflows: validate a spec, run it (parallel steps, step cache, resume), draw its DAG", () => import("./workflow.js")),
  entry("serve", "run the data-delivery service: func_adl/qastle queries over datasets, results as ROOT files", () => import("./serve.js")),
  entry("deliver", "deliver the samples of a ServiceX-style spec (YAML) via the delivery service; prints the local files", () => import("./deliver.js")),
  entry("transforms", "list, inspect, cancel or download your transforms on the delivery service", () => import("./transforms.js")),
  entry("cache", "the delivery service's server-side cache (operators): list or remove transforms", () => import("./cache.js")),
  entry("worker", "compute chunks of distributed runs: a BullMQ worker on a Redis queue (hepflow run --executor redis://…)", () => import("./worker.js")),
  entry("ui", "web app over a directory: browse ROOT files, draw expressions, follow runs live, fits, tracked runs, workflows", () => import("./ui.js")),
  entry("train", "train a classifier (--model gbdt → XGBoost JSON) on a CSV/JSON table or ROOT tree; writes the model and ROC, AUC and background rejection at 50 % signal efficiency as JSON", () => import("./train.js")),
];
