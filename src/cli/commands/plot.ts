/** `hepflow plot stack|variations HISTFILE`: control plots from a file of histograms (AGC JSON or ROOT), written as PNG/SVG/Vega-Lite. */
import path from "node:path";
import type { Command } from "commander";
import { fillTemplate, hist2dPlot, histogramPlot, openHistogramFile, stackPlot, variationsPlot, writePlot, type Hist1D, type Hist1DPlotOptions, type HistogramFile } from "../../plot/index.js";
import { HepflowError, claimOutputFile } from "../../util/index.js";
import { addLabelOptions, labelStyle, type LabelCliOptions } from "./label-options.js";

interface CommonOptions extends LabelCliOptions {
  out: string;
  format: string;
  log?: boolean;
  xTitle?: string;
  scale: string;
  json?: boolean;
  force?: boolean;
}

interface StackOptions extends CommonOptions {
  regions: string;
  samples: string;
  data?: string;
  labels?: string;
  key: string;
  skipMissing?: boolean;
}
interface VariationsOptions extends CommonOptions {
  region: string;
  sample: string;
  variations: string;
  key: string;
  nominalKey: string;
}

const list = (s: string | undefined): string[] =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

function common(cmd: Command): Command {
  return addLabelOptions(cmd)
    .option("-o, --out <dir>", "output directory", "plots")
    .option("--format <ext>", "png, svg or vl.json (the Vega-Lite spec)", "png")
    .option("--log", "logarithmic y axis")
    .option("--x-title <title>", "x-axis title with units, e.g. 'm_bjj [GeV]'")
    .option("--scale <f>", "PNG pixel scale", "2")
    .option("--json", "machine-readable list of written files")
    .option("--force", "replace plot files that already exist");
}

async function styleOf(o: CommonOptions): Promise<Hist1DPlotOptions> {
  return { ...(await labelStyle(o)), logY: o.log, xTitle: o.xTitle };
}

function outFile(o: CommonOptions, name: string): string {
  const ext = o.format.replace(/^\./, "");
  if (!["png", "svg", "vl.json"].includes(ext)) throw new HepflowError("CLI_BAD_OPTION", `--format must be png, svg or vl.json, not '${o.format}'`);
  const file = path.join(o.out, `${name}.${ext}`);
  claimOutputFile(file, { force: o.force });
  return file;
}

async function report(o: CommonOptions, written: { plot: string; file: string }[]): Promise<void> {
  if (o.json) process.stdout.write(JSON.stringify({ written }, null, 2) + "\n");
  else for (const w of written) process.stdout.write(`${w.plot.padEnd(30)} ${w.file}\n`);
}

async function withFile<T>(file: string, run: (f: HistogramFile) => Promise<T>): Promise<T> {
  const f = await openHistogramFile(file);
  try {
    return await run(f);
  } finally {
    await f.close();
  }
}

export function register(program: Command): void {
  const plot = program.command("plot").description("draw HEP plots (stacked data/MC with ratio, systematic variations) as PNG, SVG or Vega-Lite");

  common(
    plot
      .command("stack <histfile>")
      .description("stacked MC by sample with data and a data/MC ratio panel, one plot per region")
      .requiredOption("--regions <list>", "comma-separated regions, e.g. 4j1b,4j2b")
      .requiredOption("--samples <list>", "comma-separated MC samples, bottom of the stack first")
      .option("--data <sample>", "data sample name (e.g. pseudodata)")
      .option("--labels <list>", "legend labels for the samples, same order")
      .option("--key <template>", "histogram name from {region} and {sample}", "{region}_{sample}")
      .option("--skip-missing", "a sample (or the data) without a histogram in a region is left out of that region's plot; a region with no sample at all is skipped"),
  ).action(async (histfile: string, o: StackOptions) => {
    const style = await styleOf(o);
    const samples = list(o.samples);
    const labels = list(o.labels);
    if (labels.length > 0 && labels.length !== samples.length) throw new HepflowError("CLI_BAD_OPTION", `--labels has ${labels.length} entries for ${samples.length} samples`);
    const written = await withFile(histfile, async (f) => {
      const out: { plot: string; file: string }[] = [];
      // with few events a rare process may fill nothing in a region (and then has no histogram there)
      const present = o.skipMissing ? new Set(await f.names()) : undefined;
      const has = (name: string) => !present || present.has(name);
      for (const region of list(o.regions)) {
        const mc: Hist1D[] = [];
        const drawn = samples.filter((sample) => has(fillTemplate(o.key, { region, sample })));
        const [firstSample] = drawn;
        if (firstSample === undefined) continue;
        for (const sample of drawn) mc.push(await f.get(fillTemplate(o.key, { region, sample }), labels[samples.indexOf(sample)] ?? sample));
        const dataKey = o.data ? fillTemplate(o.key, { region, sample: o.data }) : undefined;
        const data = dataKey && has(dataKey) ? await f.get(dataKey, "Data") : undefined;
        const xTitle = style.xTitle ?? (await f.axisTitle(fillTemplate(o.key, { region, sample: firstSample }))) ?? "observable";
        const file = outFile(o, `stack_${region}`);
        await writePlot(stackPlot({ mc, data }, { ...style, xTitle, title: region }), file, { scale: Number(o.scale) });
        out.push({ plot: `stack ${region}`, file });
      }
      return out;
    });
    await report(o, written);
  });

  common(
    plot
      .command("hist <histfile>")
      .description("one histogram as it is: 1D without ratio panel or band (unless --band); 2D as a colour map with a colour bar")
      .requiredOption("--name <name>", "the histogram (object name in the file, or key in a JSON file)")
      .option("--band", "1D: draw the histogram's statistical uncertainty band")
      .option("--logz", "2D: logarithmic colour scale (--log does the same for a 2D histogram)")
      .option("--y-title <title>", "2D: y-axis title (default: the file's, else 'y')")
      .option("--z-title <title>", "2D: colour-bar title (default 'Events')"),
  ).action(async (histfile: string, o: CommonOptions & { name: string; band?: boolean; logz?: boolean; yTitle?: string; zTitle?: string }) => {
    const style = await styleOf(o);
    const written = await withFile(histfile, async (f) => {
      const dim = await f.dimension(o.name);
      if (dim !== 1 && dim !== 2) throw new HepflowError("PLOT_DIMENSION", `'${o.name}' has ${dim} axes; plot hist draws 1D and 2D histograms (project the others first)`, { file: histfile, object: o.name });
      const xTitle = style.xTitle ?? (await f.axisTitle(o.name)) ?? (dim === 2 ? "x" : "observable");
      const file = outFile(o, `hist_${o.name.replace(/[^A-Za-z0-9_.-]+/g, "_")}`);
      const { logY, ...labels } = style;
      const spec =
        dim === 2
          ? hist2dPlot(await f.get2D(o.name, o.name), { ...labels, xTitle, yTitle: o.yTitle ?? (await f.axisTitle(o.name, 1)) ?? "y", zTitle: o.zTitle, logZ: o.logz ?? logY ?? false, title: o.name })
          : histogramPlot(await f.get(o.name, o.name), { ...style, xTitle, title: o.name, band: o.band ?? false });
      await writePlot(spec, file, { scale: Number(o.scale) });
      return [{ plot: `hist ${o.name}`, file }];
    });
    await report(o, written);
  });

  common(
    plot
      .command("variations <histfile>")
      .description("a nominal histogram with its up/down variations and a variation/nominal ratio panel")
      .requiredOption("--region <name>", "region")
      .requiredOption("--sample <name>", "sample")
      .requiredOption("--variations <list>", "comma-separated variation names, e.g. btag_var_0_up,btag_var_0_down")
      .option("--key <template>", "variation histogram name from {region}, {sample}, {variation}", "{region}_{sample}_{variation}")
      .option("--nominal-key <template>", "nominal histogram name from {region}, {sample}", "{region}_{sample}"),
  ).action(async (histfile: string, o: VariationsOptions) => {
    const style = await styleOf(o);
    const written = await withFile(histfile, async (f) => {
      const nominal = await f.get(fillTemplate(o.nominalKey, { region: o.region, sample: o.sample }), `${o.sample} nominal`);
      const variations: Hist1D[] = [];
      for (const variation of list(o.variations)) variations.push(await f.get(fillTemplate(o.key, { region: o.region, sample: o.sample, variation }), variation));
      const xTitle = style.xTitle ?? (await f.axisTitle(fillTemplate(o.nominalKey, { region: o.region, sample: o.sample }))) ?? "observable";
      const file = outFile(o, `variations_${o.region}_${o.sample}`);
      await writePlot(variationsPlot(nominal, variations, { ...style, xTitle, title: `${o.region}, ${o.sample}` }), file, { scale: Number(o.scale) });
      return [{ plot: `variations ${o.region} ${o.sample}`, file }];
    });
    await report(o, written);
  });
}
