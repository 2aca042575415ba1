import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { HepflowError, type ProgressListener } from "../util/index.js";
import { generateAgc } from "../generate/index.js";
import { LocalExecutor, loadDataset, loadProcessor } from "../analysis/index.js";
import {
  Workspace, buildWorkspace, loadBuilderConfig, templatePath, fit, pulls, ranking, significance, prefitYields, postfitYields,
  type ChannelYields, type FitResult,
} from "../stats/index.js";
import { fitStackPlot, stackFromYields, stackPlot, variationsPlot, writePlot, writeStandardPlots, hist1dFromRoot, type Hist1D } from "../plot/index.js";
import { openFile, type RootFile, type RootHistogram } from "../root/index.js";
import { renderReport, valueWithUncertainty, type ReportPlot, type ReportStage, type ReportTable } from "./report.js";
import { provenance } from "./provenance.js";
import { prepareOutputDir } from "./outdir.js";

/** The analysis luminosity of the AGC (spec §1.3), pb^-1. */
const AGC_LUMINOSITY = 3378;
const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL("../../", import.meta.url)));
const EXAMPLE = path.join(PACKAGE_ROOT, "examples", "agc-ttbar");

export interface DemoOptions {
  out: string;
  /** Simulated events per sample (each process and variation). */
  events?: number;
  /** Luminosity of the generated pseudo-data in pb^-1; the simulation is normalised to the same. */
  dataLuminosity?: number;
  seed?: number;
  workers?: number;
  force?: boolean;
  /** Run on an existing dataset catalogue instead of generating one (no fit-truth check then). */
  dataset?: string;
  /** Run on one NanoAOD file (as ttbar nominal) instead of generating a dataset. */
  input?: string;
  /** Also run the AGC ML variant (processor parameter `ml`) and show its feature plots. */
  ml?: boolean;
  /** The command line, for the report's provenance. */
  command?: string;
  progress?: ProgressListener;
  log?: (line: string) => void;
}

export interface DemoResult {
  outDir: string;
  report: string;
  /** Absent when the selection left too little to fit (e.g. a single real W+jets file). */
  fit?: { poi: string; value: number; uncertainty: number; truth?: number; converged: boolean };
  stages: ReportStage[];
  commands: string[];
}

/**
 * The whole chain on one command: generate (or take) data → AGC selection on all cores →
 * histograms.root → workspace → fit, pulls, ranking, significance → plots → report.html.
 * Every stage is also a CLI command; `commands` lists them so a user can rerun stage by stage.
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

async function runDemoInto(out: string, o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? (() => undefined);
  const events = o.events ?? 40_000;
  const seed = o.seed ?? 1;
  const lumi = o.dataLuminosity ?? 50;
  const stages: ReportStage[] = [];
  const commands: string[] = [];
  const stage = async <T>(name: string, f: () => Promise<T> | T, count?: (r: T) => number | undefined): Promise<T> => {
    log(`[${stages.length + 1}] ${name}`);
    const t0 = performance.now();
    const r = await f();
    stages.push({ name, seconds: (performance.now() - t0) / 1000, events: count?.(r) });
    return r;
  };

  // 1. data
  let catalogue: string;
  let generated = false;
  if (o.dataset) catalogue = path.resolve(o.dataset);
  // URLs (root://, https://) are opened as given; only local paths are made absolute.
  else if (o.input) catalogue = await singleFileCatalogue(/^[a-z][a-z0-9+.-]*:\/\//i.test(o.input) ? o.input : path.resolve(o.input), out);
  else {
    const dataDir = path.join(out, "data");
    await stage("generate synthetic AGC NanoAOD", () => generateAgc({ events, out: dataDir, seed, compression: "zstd:1", dataLuminosity: lumi, workers: o.workers ?? 2, filesPerSample: 2 }), (r) => r.events);
    catalogue = path.join(dataDir, "dataset.json");
    generated = true;
    commands.push(`hepflow generate agc --events ${events} --seed ${seed} --data-lumi ${lumi} --compression zstd:1 --out ${rel(dataDir)}`);
  }

  // 2. selection and histograms: the simulation is normalised to the pseudo-data's luminosity,
  // and the pseudo-data are processed too (processor parameters reach every worker with the work)
  const params = { lumi: generated ? lumi : AGC_LUMINOSITY, data: true, ...(o.ml ? { ml: true } : {}) };
  const dataset = loadDataset(catalogue);
  const mod = await loadProcessor(EXAMPLE);
  const run = await stage("AGC ttbar selection, all systematics", () => new LocalExecutor().run(EXAMPLE, dataset, { workers: o.workers, progress: o.progress, params }), (r) => r.events);
  let printed = "";
  await mod.finalize!(run.accumulator, { outDir: out, dataset, result: run, print: (t: string) => { printed += t; } });
  commands.push(`hepflow run examples/agc-ttbar --dataset ${rel(catalogue)} -P lumi=${params.lumi} -P data=true${o.ml ? " -P ml=true" : ""} --out ${rel(out)}`);
  const histFile = path.join(out, "histograms.root");
  const cutflow = JSON.parse(readFileSync(path.join(out, "cutflow.json"), "utf8")) as Record<string, Record<string, number>>;

  const tables: ReportTable[] = [cutflowTable(cutflow)];
  const plots: ReportPlot[] = [];
  const plotDir = path.join(out, "plots");
  mkdirSync(plotDir, { recursive: true });
  const headline: Array<[string, string]> = [["events processed", run.events.toLocaleString("en-US")]];
  let fitSummary: DemoResult["fit"];

  const names = await withFile(histFile, async (f) => new Set((await f.keys()).map((k) => k.path)));
  const canFit = ["4j1b_data", "4j2b_data", "4j1b_ttbar", "4j2b_ttbar"].every((n) => names.has(n));
  if (!canFit) {
    log("the selection left no data or ttbar in the signal regions: skipping the fit (expected for a small real W+jets file)");
  } else {
    // 3. workspace
    const config = path.join(EXAMPLE, "fit-config.yml");
    const wsFile = path.join(out, "workspace.json");
    const cfg = loadBuilderConfig(config);
    // The example drops empty histograms, as the AGC reference does: with few events a rare process
    // (s-channel single top) may select nothing in a region and then has no template there. Such a
    // sample leaves that region (said in the log) instead of failing the build.
    const objectOf = (p: string) => p.slice(p.lastIndexOf(":") + 1);
    cfg.Samples = cfg.Samples.filter((s) => {
      if (s.Data) return true;
      const regions = cfg.Regions.filter((r) => (s.Regions === undefined || [s.Regions].flat().includes(r.Name)) && names.has(objectOf(templatePath(cfg, r, s, null, histFile))));
      if (regions.length === (s.Regions === undefined ? cfg.Regions.length : [s.Regions].flat().length)) return true;
      log(`no events of "${s.Name}" selected in ${regions.length ? "some regions" : "any region"}: it is left out of ${cfg.Regions.filter((r) => !regions.includes(r)).map((r) => r.Name).join(", ")}`);
      s.Regions = regions.map((r) => r.Name);
      return regions.length > 0;
    });
    const spec = await stage("build workspace", () => buildWorkspace(cfg, { baseDir: out, inputFile: histFile }));
    writeFileSync(wsFile, JSON.stringify(spec, null, 2) + "\n");
    commands.push(`hepflow build examples/agc-ttbar/fit-config.yml --input ${rel(histFile)} -o ${rel(wsFile)}`);

    // 4. inference
    const ws = Workspace.fromJSON(spec, { file: wsFile });
    const model = ws.model();
    const data = ws.data(model);
    const poi = model.config.poiName!;
    const result = await stage("maximum-likelihood fit", () => fit(data, model));
    if (!result.converged) {
      // with few generated events some bins have pseudo-data but no simulated event (zero expected yield)
      const hint = generated ? ` (${events} generated events may be too few for the simulation to populate every bin: try --events 20000 or more)` : "";
      throw new HepflowError("FIT_NOT_CONVERGED", `the demo fit did not converge: ${result.message}${hint}`, { file: wsFile });
    }
    const poiIdx = model.config.poiIndex!;
    const pl = pulls(model, result);
    // AGC spec §8.5: the pulls plot shows the systematics, not the per-bin staterror γ's.
    const statNames = new Set(spec.channels.flatMap((c) => c.samples.flatMap((s) => s.modifiers.filter((m) => m.type === "staterror").map((m) => m.name))));
    const isStat = (name: string) => statNames.has(name.replace(/\[\d+\]$/, ""));
    const rank = await stage("ranking (impacts on ttbar_norm)", () => ranking(model, data, { result }));
    const sig = await stage("discovery significance", () => significance(data, model));
    // No CLs upper limit: ttbar is the dominant process and several bins have no background, so a
    // limit on its normalisation tests nothing (the background-only fits degenerate).
    commands.push(`hepflow fit ${rel(wsFile)} --plots ${rel(plotDir)}`, `hepflow ranking ${rel(wsFile)} --plots ${rel(plotDir)}`, `hepflow significance ${rel(wsFile)}`);
    const truth = generated ? 1 : undefined;
    fitSummary = { poi, value: result.bestfit[poiIdx]!, uncertainty: result.uncertainties[poiIdx]!, truth, converged: result.converged };
    const fitJson = {
      fit: { bestfit: named(result, result.bestfit), uncertainties: named(result, result.uncertainties), twice_nll: result.twiceNll, converged: result.converged },
      truth: truth === undefined ? null : { [poi]: truth },
      // JSON has no infinity: an infinite significance is written as the string "Infinity"
      significance: Object.fromEntries(Object.entries({ p0_obs: sig.p0Obs, z_obs: sig.zObs, p0_exp: sig.p0Exp, z_exp: sig.zExp, q0: sig.q0 }).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)])),
      // snake_case keys, as in `hepflow ranking --json` (one key style across the JSON hepflow writes)
      pulls: pl.map((x) => ({ name: x.name, bestfit: x.bestfit, uncertainty: x.uncertainty, prefit: x.prefit, prefit_width: x.prefitWidth, pull: x.pull, constraint: x.constraint })),
      ranking: rank.impacts.map((x) => ({ name: x.name, bestfit: x.bestfit, uncertainty: x.uncertainty, prefit_up: x.prefitUp, prefit_down: x.prefitDown, postfit_up: x.postfitUp, postfit_down: x.postfitDown, constrained: x.constrained, converged: x.converged })),
    };
    writeFileSync(path.join(out, "results.json"), JSON.stringify(fitJson, null, 2) + "\n");
    headline.push(
      [`${poi} (fit)`, valueWithUncertainty(fitSummary.value, fitSummary.uncertainty).join(" ± ")],
      ...(truth !== undefined ? [[`${poi} (generated)`, truth.toFixed(3)] as [string, string]] : []),
      ["significance (obs / exp)", Number.isFinite(sig.zObs) ? `${sig.zObs.toFixed(1)}σ / ${sig.zExp.toFixed(1)}σ` : "∞: no background in some bins with data"],
    );

    // 5. plots
    // AGC files are CMS Open Data (2015, 13 TeV); generated ones claim no experiment
    const style = { luminosity: (generated ? lumi : AGC_LUMINOSITY) / 1000, energy: 13, ...(generated ? { status: "Synthetic AGC" } : { experiment: "CMS" as const, status: "Open Data" }) };
    const pre = prefitYields(model, data);
    const post = postfitYields(model, data, result);
    await stage("plots", async () => {
      // the fit's bins are the config's rebinning of the 25-bin AGC histograms
      const binning = (channel: string): number[] => {
        const b = cfg.Regions.find((r) => r.Name === channel)?.Binning;
        if (!b) throw new HepflowError("CONFIG_INVALID", `no Binning for region "${channel}"`, { file: config });
        return b;
      };
      for (const [stageName, yields] of [["pre-fit", pre], ["post-fit", post]] as const) {
        for (const ch of yields) {
          const edges = binning(ch.channel);
          const file = `plots/${stageName}_${slug(ch.channel)}.png`;
          await writePlot(fitStackPlot(stageName, stackFromYields(ch, edges, "Pseudo-data"), { ...style, xTitle: ch.channel.startsWith("4j1b") ? "H_T [GeV]" : "m_bjj [GeV]", title: `${stageName} ${ch.channel}` }), path.join(out, file), { scale: 1.5 });
          plots.push({ title: `${stageName[0]!.toUpperCase()}${stageName.slice(1)} ${ch.channel}`, file, caption: "stacked model by process, pseudo-data with Poisson errors, total model uncertainty band, data/model ratio" });
        }
      }
      await withFile(histFile, async (f) => {
      for (const [region, sample, up, down, label] of [["4j2b", "ttbar", "pt_scale_up", undefined, "jet energy scale"], ["4j2b", "ttbar", "btag_var_0_up", "btag_var_0_down", "b-tag NP 1"], ["4j1b", "wjets", "scale_var_up", "scale_var_down", "W+jets scale"]] as const) {
        const h = async (n: string, lbl: string): Promise<Hist1D> => hist1dFromRoot((await f.get(n)) as RootHistogram, lbl);
        const vars = [await h(`${region}_${sample}_${up}`, `${label} up`)];
        if (down) vars.push(await h(`${region}_${sample}_${down}`, `${label} down`));
        const file = `plots/variation_${region}_${sample}_${slug(label)}.png`;
        await writePlot(variationsPlot(await h(`${region}_${sample}`, "nominal"), vars, { ...style, xTitle: region === "4j1b" ? "H_T [GeV]" : "m_bjj [GeV]", title: `${sample} ${region}: ${label}` }), path.join(out, file), { scale: 1.5 });
        plots.push({ title: `${label} variation (${sample}, ${region})`, file });
      }
      });
      for (const p of await writeStandardPlots(plotDir, { fit: result, pulls: pl.filter((p) => !isStat(p.name)), impacts: rank.impacts.slice(0, 15), poiName: poi }, style)) {
        plots.push({ title: path.basename(p, ".png"), file: path.relative(out, p) });
      }
    });

    tables.push(fitTable(result, pl.map((p) => p.name), poi, pl.filter((p) => isStat(p.name)).length));
    tables.push(yieldsTable("Pre-fit yields", pre), yieldsTable("Post-fit yields", post));
  }

  // ML variant: the features of the BDT-chosen jet-parton assignment that the AGC's ML validation
  // model keeps (spec §8.6: Feature0, 1, 2, 4, 5, 6, 7), nominal simulation stacked, pseudo-data on top
  if (o.ml) {
    const mlFile = path.join(out, "histograms_ml.root");
    await stage("ML feature plots", () => withFile(mlFile, async (f) => {
      const names = new Set((await f.keys()).map((k) => k.path));
      const style = { luminosity: (generated ? lumi : AGC_LUMINOSITY) / 1000 };
      for (const [feature, xTitle] of ML_PLOTS) {
        const h = async (n: string, label: string): Promise<Hist1D> => hist1dFromRoot((await f.get(n)) as RootHistogram, label);
        const mc: Hist1D[] = [];
        for (const [proc, label] of ML_PROCESSES) if (names.has(`${feature}_${proc}`)) mc.push(await h(`${feature}_${proc}`, label));
        if (!mc.length) continue;
        const data = names.has(`${feature}_data`) ? await h(`${feature}_data`, "pseudo-data") : undefined;
        const file = `plots/ml_${feature}.png`;
        await writePlot(stackPlot({ mc, data }, { ...style, xTitle, title: `ML: ${feature} (4j2b, BDT-chosen assignment)` }), path.join(out, file), { scale: 1.5 });
        plots.push({ title: `ML feature ${feature}`, file, caption: "chosen jet-parton assignment by the even/odd BDTs, nominal simulation stacked by process, pseudo-data" });
      }
    }));
  }

  // 6. report
  const prov = await provenance({ command: o.command ?? "hepflow demo", seed: generated ? seed : undefined, files: { "dataset catalogue": catalogue, "fit config": path.join(EXAMPLE, "fit-config.yml"), "histograms": histFile } });
  const report = path.join(out, "report.html");
  writeFileSync(report, renderReport({
    title: "hepflow — AGC CMS open-data ttbar analysis",
    summary: generated
      ? `Synthetic CMS NanoAOD (${events.toLocaleString("en-US")} simulated events per sample, pseudo-data at ${lumi} pb⁻¹ drawn from the nominal model with ttbar_norm = 1), selected with the AGC ttbar processor with all systematic variations, fitted with a pyhf-compatible HistFactory model. No CLs limit is set: ttbar dominates both regions and several bins have no background, so a limit on its normalisation would test nothing.`
      : `The AGC ttbar processor with all systematic variations on ${rel(catalogue)}.`,
    headline,
    stages,
    tables,
    plots,
    provenance: prov,
    commands,
  }));
  log(printed.trimEnd());
  return { outDir: out, report, fit: fitSummary, stages, commands };
}

/** The ML features plotted by `demo --ml` (those the AGC's ML validation model keeps), with axis titles. */
const ML_PLOTS: ReadonlyArray<readonly [string, string]> = [
  ["deltar_leptonbtoplep", "ΔR(lepton, b_lep)"], ["deltar_w1w2", "ΔR(W jet 1, W jet 2)"], ["deltar_w1btophad", "ΔR(W jet 1, b_had)"],
  ["mass_leptonbtoplep", "m(lepton, b_lep) [GeV]"], ["mass_w1w2", "m(W jet 1, W jet 2) [GeV]"], ["mass_w1w2btophad", "m(W jets, b_had) [GeV]"], ["pt_w1w2btophad", "p_T(W jets, b_had) [GeV]"],
];
const ML_PROCESSES: ReadonlyArray<readonly [string, string]> = [["wjets", "W+jets"], ["single_top_s_chan", "single top s"], ["single_top_t_chan", "single top t"], ["single_top_tW", "tW"], ["ttbar", "ttbar"]];

/** Opens a ROOT file for the duration of `f` and always closes it. */
async function withFile<T>(file: string, f: (rf: RootFile) => Promise<T>): Promise<T> {
  const rf = await openFile(file);
  try {
    return await f(rf);
  } finally {
    await rf.close();
  }
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r.startsWith("..") ? p : r || ".";
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
}

function named(r: FitResult, v: Float64Array): Record<string, number> {
  return Object.fromEntries(r.parameterNames.map((n, i) => [n, v[i]!]));
}

/** A one-file catalogue in the AGC schema, for `--input FILE` (the file is taken as ttbar nominal). */
async function singleFileCatalogue(file: string, out: string): Promise<string> {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(file) && !existsSync(file)) throw new HepflowError("IO_NOT_FOUND", "input file does not exist", { file });
  const tree = await withFile(file, (f) => f.tree("Events"));
  const cat = { ttbar: { nominal: { nevts_total: tree.numEntries, files: [{ path: file, nevts: tree.numEntries }] } } };
  const p = path.join(out, "dataset.json");
  writeFileSync(p, JSON.stringify(cat, null, 2) + "\n");
  return p;
}


function cutflowTable(cutflow: Record<string, Record<string, number>>): ReportTable {
  const steps = [...new Set(Object.values(cutflow).flatMap((c) => Object.keys(c)))];
  return { title: "Cutflow (events passing each step, unweighted)", columns: ["sample", ...steps], rows: Object.entries(cutflow).map(([s, c]) => [s, ...steps.map((k) => c[k] ?? 0)]) };
}

function fitTable(r: FitResult, nuisance: string[], poi: string, staterrors: number): ReportTable {
  const rows = [poi, ...nuisance].map((n) => {
    const i = r.parameterNames.indexOf(n);
    return [n, ...valueWithUncertainty(r.bestfit[i]!, r.uncertainties[i]!)];
  });
  const stat = staterrors ? `the ${staterrors} staterror γ parameters are listed here and left out of the pulls plot (AGC spec §8.5)` : "no staterror parameters";
  return { title: "Fit results", columns: ["parameter", "best fit", "uncertainty"], rows, note: `twice NLL = ${r.twiceNll.toFixed(3)}; uncertainties from the Hessian at the minimum; ${stat}. Values rounded once, from full precision, to the uncertainty's 2 significant digits.` };
}

function yieldsTable(title: string, ys: ChannelYields[]): ReportTable {
  const rows: Array<Array<string | number>> = [];
  for (const ch of ys) {
    for (const s of ch.samples) rows.push([ch.channel, s.name, ...valueWithUncertainty(s.total, s.uncertainty)]);
    rows.push([ch.channel, "total model", ...valueWithUncertainty(ch.total.total, ch.total.uncertainty)]);
    rows.push([ch.channel, "pseudo-data", ch.data.total, ""]);
  }
  return { title, columns: ["channel", "sample", "yield", "uncertainty"], rows };
}
