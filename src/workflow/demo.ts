/**
 * `hepflow demo`: the AGC ttbar chain of examples/agc-ttbar/workflow.yml run by the workflow
 * engine, and a report made from the run's step records. The demo's options become the
 * workflow's init parameters; which stages ran, how long they took and the commands to rerun
 * them are what the engine recorded, not a list kept beside this code.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { HepflowError } from "../util/index.js";
import { openFile } from "../root/index.js";
import { renderReport, valueWithUncertainty, type ReportPlot, type ReportStage, type ReportTable } from "./report.js";
import { provenance, sha256File } from "./provenance.js";
import { prepareOutputDir } from "./outdir.js";
import { loadSpec } from "./yadage/load.js";
import { assertValid, validateSpec } from "./yadage/validate.js";
import { runWorkflow, type RunState, type StepEvent, type StepRecord } from "./yadage/engine.js";
import { StepCache } from "./yadage/cache.js";
import { connectStepClient } from "./yadage/remote.js";
import type { HepflowRunner } from "./yadage/packtivity.js";
import type { Json, JsonObject } from "./yadage/types.js";

/** The analysis luminosity of the AGC (spec §1.3), pb^-1. */
const AGC_LUMINOSITY = 3378;
const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));
const EXAMPLE = path.join(PACKAGE_ROOT, "examples", "agc-ttbar");
/** The workflow the demo runs. */
export const DEMO_WORKFLOW = path.join(EXAMPLE, "workflow.yml");

export interface DemoOptions {
  out: string;
  /** Runs the workflow's hepflow steps (the CLI hands in its in-process runner: workflow/ does not import the CLI). */
  hepflow: HepflowRunner;
  /** Simulated events per sample (each process and variation). */
  events?: number;
  /** Luminosity of the generated pseudo-data in pb^-1; the simulation is normalised to the same. */
  dataLuminosity?: number;
  seed?: number;
  /** Worker threads of the generation and the selection (default: the cores). */
  workers?: number;
  force?: boolean;
  /** Run on an existing dataset catalogue instead of generating one (no fit-truth check then). */
  dataset?: string;
  /** Run on one NanoAOD file (as ttbar nominal) instead of generating a dataset. */
  input?: string;
  /** Also run the AGC ML variant (processor parameter `ml`) and show its feature plots. */
  ml?: boolean;
  /** Step cache directory: unchanged steps are served from it (default: no cache). */
  cacheDir?: string;
  /** Every step event (start, done, reused, failed), for live progress. */
  onStep?: (e: StepEvent) => void;
  /** Run the steps on `hepflow worker` processes through this Redis (redis://host:port); they share the file system under their --root, which must contain the demo's output and the example. */
  executor?: string;
  /** The command line, for the report's provenance. */
  command?: string;
  log?: (line: string) => void;
}

export interface DemoResult {
  outDir: string;
  /** The workflow's run directory (OUT/run): one work directory per step, state in _hepflow/. */
  rundir: string;
  report: string;
  /** Absent when the selection left too little to fit (e.g. a single real W+jets file). */
  fit?: { poi: string; value: number; uncertainty: number; truth?: number; converged: boolean };
  /** One per step that ran, from the step records. */
  stages: ReportStage[];
  /** The commands of the steps as they ran. */
  commands: string[];
  state: RunState;
}

/**
 * The whole chain on one command: generate (or take) data → AGC selection on all cores →
 * workspace → fit, ranking, significance, yields → plots, as workflow steps → report.html.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const out = path.resolve(o.out);
  const dir = prepareOutputDir(out, o.force);
  try {
    const result = await runDemoInto(out, o);
    dir.commit();
    return result;
  } catch (e) {
    dir.abort();
    throw e;
  }
}

interface FitJson {
  parameters: string[];
  bestfit: Record<string, number>;
  uncertainties: Record<string, number>;
  twice_nll: number;
  converged: boolean;
  message?: string;
  poi: string;
}

/** Best fit and uncertainty of `name` in the fit step's output (a step's file can be stale or hand-edited). */
function fitted(f: FitJson, name: string): [number, number] {
  const [value, uncertainty] = [f.bestfit[name], f.uncertainties[name]];
  if (value === undefined || uncertainty === undefined) throw new HepflowError("WORKFLOW_PUBLISH", `the fit output has no best fit and uncertainty for "${name}"`);
  return [value, uncertainty];
}
interface RankingJson {
  impacts: JsonObject[];
  pulls: JsonObject[];
}
interface YieldsJson {
  prefit: ChannelJson[];
  postfit: ChannelJson[];
}
interface ChannelJson {
  channel: string;
  samples: Array<{ name: string; total: number; uncertainty: number }>;
  total: { total: number; uncertainty: number };
  data: { total: number };
}

async function runDemoInto(out: string, o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? (() => undefined);
  const events = o.events ?? 40_000;
  const seed = o.seed ?? 1;
  const dataLumi = o.dataLuminosity ?? 50;
  const generated = !o.dataset && !o.input;
  // The demo's inputs: a catalogue given, or a one-file catalogue for --input (in OUT/inputs).
  // URLs (root://, https://) are opened as given; only local paths are made absolute.
  let catalogue = "";
  if (o.dataset) catalogue = path.resolve(o.dataset);
  else if (o.input) catalogue = await singleFileCatalogue(/^[a-z][a-z0-9+.-]*:\/\//i.test(o.input) ? o.input : path.resolve(o.input), path.join(out, "inputs"));
  // the simulation is normalised to the generated pseudo-data's luminosity, real files to the AGC's
  const lumi = generated ? dataLumi : AGC_LUMINOSITY;
  // AGC files are CMS Open Data (2015, 13 TeV); generated ones claim no experiment
  const label = generated ? `--status 'Synthetic AGC' --lumi ${dataLumi / 1000} --energy 13` : `--experiment CMS --status 'Open Data' --lumi ${AGC_LUMINOSITY / 1000} --energy 13`;
  const init: JsonObject = {
    catalogue,
    events,
    seed,
    data_lumi: dataLumi,
    lumi,
    workers: o.workers ?? availableParallelism(),
    ml: Boolean(o.ml),
    processor: EXAMPLE,
    fit_config: path.join(EXAMPLE, "fit-config.yml"),
    label,
  };
  const spec = loadSpec(DEMO_WORKFLOW);
  assertValid(validateSpec(spec, { init, initSource: "hepflow demo" }));
  const rundir = path.join(out, "run");
  const onEvent = (e: StepEvent) => o.onStep?.(e);
  const remote = o.executor ? await connectStepClient({ url: o.executor, spec, warn: (m) => log(`warning: ${m}`) }) : undefined;
  let state: RunState;
  try {
    state = await runWorkflow({
      // here one step at a time: hepflow steps run in this process (each takes over its stdout and
      // working directory), and the selection and generation use all worker threads themselves;
      // on workers, the independent steps run at once
      spec,
      rundir,
      init,
      jobs: remote ? Math.max(2, remote.workers) : 1,
      hepflow: o.hepflow,
      onEvent,
      executor: remote?.execute,
      cache: o.cacheDir ? new StepCache(path.resolve(o.cacheDir)) : undefined,
      warn: (m) => log(`warning: ${m}`),
    }).finally(() => remote?.close());
  } catch (e) {
    const fit = readStateSafe(rundir)?.steps.fit;
    // with few generated events some bins have pseudo-data but no simulated event (zero expected yield)
    if (fit?.status === "failed" && generated)
      throw new HepflowError("FIT_NOT_CONVERGED", `${(e as Error).message}\n(${events} generated events may be too few for the simulation to populate every bin: try --events 20000 or more)`, { file: rundir });
    throw e;
  }
  const steps = Object.values(state.steps).filter((s) => !s.init);
  const step = (id: string): StepRecord | undefined => steps.find((s) => s.id === id && s.status === "done");
  const outputs = (id: string): JsonObject => (step(id)?.result ?? {}) as JsonObject;
  const readJson = <T>(f: Json | undefined): T => JSON.parse(readFileSync(String(f), "utf8")) as T;

  const cutflow = (step("cutflow")?.result ?? {}) as Record<string, Record<string, number>>;
  const selected = Object.values(cutflow).reduce((a, c) => a + (c.all ?? 0), 0);
  const tables: ReportTable[] = [cutflowTable(cutflow)];
  const headline: Array<[string, string]> = [["events processed", selected.toLocaleString("en-US")]];
  let fitSummary: DemoResult["fit"];

  if (!step("fit")) {
    log("the selection left no data or ttbar in the signal regions: the fit stages added no step (expected for a small real W+jets file)");
  } else {
    const f = readJson<FitJson>(outputs("fit").fit);
    if (!f.converged) {
      const hint = generated ? ` (${events} generated events may be too few for the simulation to populate every bin: try --events 20000 or more)` : "";
      throw new HepflowError("FIT_NOT_CONVERGED", `the demo fit did not converge: ${f.message ?? ""}${hint}`, { file: String(outputs("fit").fit) });
    }
    const ws = readJson<{ channels: Array<{ samples: Array<{ modifiers: Array<{ type: string; name: string }> }> }> }>(outputs("workspace").workspace);
    // AGC spec §8.5: the pulls plot shows the systematics, not the per-bin staterror γ's.
    const statNames = new Set(ws.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.filter((m) => m.type === "staterror").map((m) => m.name))));
    const isStat = (name: string) => statNames.has(name.replace(/\[\d+\]$/, ""));
    const rank = readJson<RankingJson>(outputs("ranking").ranking);
    const sig = outputs("significance");
    const poi = f.poi;
    const truth = generated ? 1 : undefined;
    const [value, uncertainty] = fitted(f, poi);
    fitSummary = { poi, value, uncertainty, truth, converged: f.converged };
    const results = {
      fit: { bestfit: f.bestfit, uncertainties: f.uncertainties, twice_nll: f.twice_nll, converged: f.converged },
      truth: truth === undefined ? null : { [poi]: truth },
      significance: sig,
      // the pulls and impacts of the 15 highest-ranked parameters (the ranking step's --top 15)
      pulls: rank.pulls,
      ranking: rank.impacts,
    };
    writeFileSync(path.join(out, "results.json"), JSON.stringify(results, null, 2) + "\n");
    const zObs = Number(sig.z_obs),
      zExp = Number(sig.z_exp);
    headline.push([`${poi} (fit)`, valueWithUncertainty(fitSummary.value, fitSummary.uncertainty).join(" ± ")], ...(truth !== undefined ? [[`${poi} (generated)`, truth.toFixed(3)] as [string, string]] : []), [
      "significance (obs / exp)",
      Number.isFinite(zObs) ? `${zObs.toFixed(1)}σ / ${zExp.toFixed(1)}σ` : "∞: no background in some bins with data",
    ]);
    tables.push(fitTable(f, poi, f.parameters.filter(isStat).length));
    const y = readJson<YieldsJson>(outputs("yields").yields);
    tables.push(yieldsTable("Pre-fit yields", y.prefit), yieldsTable("Post-fit yields", y.postfit));
  }

  // Figures: every PNG a step published, in the order the steps ran.
  const plots: ReportPlot[] = [];
  for (const s of steps) {
    for (const file of [...new Set(leaves(s.result))].filter((x) => /\.png$/i.test(x) && existsSync(x))) {
      plots.push({ title: `${s.id}: ${path.relative(path.join(rundir, s.workdir), file)}`, file: path.relative(out, file), caption: CAPTIONS[s.id] });
    }
  }
  const stages: ReportStage[] = steps.map((s) => ({ name: `${s.id}${s.reused ? ` (${s.reused})` : ""}`, seconds: s.seconds ?? 0, events: s.id === "selection" ? selected : undefined }));
  const shorten = (c: string) => c.split(EXAMPLE).join(rel(EXAMPLE)).split(out).join(rel(out));
  const commands = steps.filter((s) => s.command).map((s) => `# ${s.id}\n${shorten(s.command!)}`);
  const histFile = String(outputs("selection").histograms);
  const prov = await provenance({
    command: o.command ?? "hepflow demo",
    seed: generated ? seed : undefined,
    files: { ...(catalogue ? { "dataset catalogue": catalogue } : {}), "fit config": path.join(EXAMPLE, "fit-config.yml"), histograms: histFile },
  });
  prov.push([`workflow (sha256)`, `${await sha256File(DEMO_WORKFLOW)}  ${rel(DEMO_WORKFLOW)}`], ["init parameters", JSON.stringify(init)], ["run directory", rel(rundir)]);
  const report = path.join(out, "report.html");
  writeFileSync(
    report,
    renderReport({
      title: "hepflow — AGC CMS open-data ttbar analysis",
      summary:
        (generated
          ? `Synthetic CMS NanoAOD (${events.toLocaleString("en-US")} simulated events per sample, pseudo-data at ${dataLumi} pb⁻¹ drawn from the nominal model with ttbar_norm = 1), selected with the AGC ttbar processor with all systematic variations, fitted with a pyhf-compatible HistFactory model. No CLs limit is set: ttbar dominates both regions and several bins have no background, so a limit on its normalisation would test nothing.`
          : `The AGC ttbar processor with all systematic variations on ${rel(catalogue)}.`) + ` Run as the workflow ${rel(DEMO_WORKFLOW)}: ${steps.length} steps in ${rel(rundir)}.`,
      headline,
      stages,
      tables,
      plots,
      provenance: prov,
      commands,
    }),
  );
  return { outDir: out, rundir, report, fit: fitSummary, stages, commands, state };
}

const CAPTIONS: Record<string, string> = {
  variations: "a template with its up/down variations and their ratio to nominal",
  yields: "stacked model by sample, pseudo-data with Poisson errors, total model uncertainty band, data/model ratio",
  plots: "selected events by process (stack) with the (pseudo-)data",
  ml_plots: "chosen jet-parton assignment by the even/odd BDTs, nominal simulation stacked by process, pseudo-data",
};

function readStateSafe(rundir: string): RunState | undefined {
  const f = path.join(rundir, "_hepflow", "state.json");
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as RunState) : undefined;
}

/** Every string leaf of a JSON value. */
function leaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => leaves(x, out));
  return out;
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith("..") ? p : r || ".";
}

/** A one-file catalogue in the AGC schema, for `--input FILE` (the file is taken as ttbar nominal). */
async function singleFileCatalogue(file: string, dir: string): Promise<string> {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(file) && !existsSync(file)) throw new HepflowError("IO_NOT_FOUND", "input file does not exist", { file });
  const rf = await openFile(file);
  let entries: number;
  try {
    entries = (await rf.tree("Events")).numEntries;
  } finally {
    await rf.close();
  }
  const cat = { ttbar: { nominal: { nevts_total: entries, files: [{ path: file, nevts: entries }] } } };
  mkdirSync(dir, { recursive: true });
  const p = path.join(dir, "dataset.json");
  writeFileSync(p, JSON.stringify(cat, null, 2) + "\n");
  return p;
}

function cutflowTable(cutflow: Record<string, Record<string, number>>): ReportTable {
  const steps = [...new Set(Object.values(cutflow).flatMap((c) => Object.keys(c)))];
  return { title: "Cutflow (events passing each step, unweighted)", columns: ["sample", ...steps], rows: Object.entries(cutflow).map(([s, c]) => [s, ...steps.map((k) => c[k] ?? 0)]) };
}

function fitTable(f: FitJson, poi: string, staterrors: number): ReportTable {
  const rows = [poi, ...f.parameters.filter((p) => p !== poi)].map((n) => [n, ...valueWithUncertainty(...fitted(f, n))]);
  const stat = staterrors ? `the ${staterrors} staterror γ parameters are listed here and left out of the pulls plot (AGC spec §8.5)` : "no staterror parameters";
  return {
    title: "Fit results",
    columns: ["parameter", "best fit", "uncertainty"],
    rows,
    note: `twice NLL = ${f.twice_nll.toFixed(3)}; uncertainties from the Hessian at the minimum; ${stat}. Values rounded once, from full precision, to the uncertainty's 2 significant digits.`,
  };
}

function yieldsTable(title: string, ys: ChannelJson[]): ReportTable {
  const rows: Array<Array<string | number>> = [];
  for (const ch of ys) {
    for (const s of ch.samples) rows.push([ch.channel, s.name, ...valueWithUncertainty(s.total, s.uncertainty)]);
    rows.push([ch.channel, "total model", ...valueWithUncertainty(ch.total.total, ch.total.uncertainty)]);
    rows.push([ch.channel, "pseudo-data", ch.data.total, ""]);
  }
  return { title, columns: ["channel", "sample", "yield", "uncertainty"], rows };
}
