/**
 * The experiment label of plots (`--experiment --status --lumi --energy`, or `General.Plot` of a fit config
 * given with `--fit-config`), shared by `plot` and the stats commands' `--plots`.
 */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import type { Experiment, StyleOptions } from "../../plot/index.js";

/** Parsed label options. */
export interface LabelCliOptions {
  experiment?: string;
  status?: string;
  lumi?: string;
  energy?: string;
  fitConfig?: string;
}

/** Add the label options; none has a default, so a plot names no experiment unless told to. */
export function addLabelOptions(cmd: Command): Command {
  return cmd
    .option("--experiment <name>", "experiment label: CMS, ATLAS or none (default none)")
    .option("--status <text>", "text after the experiment name, e.g. Preliminary, Open Data (default none)")
    .option("--lumi <fb>", "integrated luminosity in fb^-1 for the label")
    .option("--energy <TeV>", "centre-of-mass energy in TeV for the label")
    .option("--fit-config <yml>", "take the label from General.Plot {Experiment, Status, Lumi, Energy} of this fit config (the options above override it)");
}

const EXPERIMENTS: readonly string[] = ["CMS", "ATLAS", "none"];

/**
 * The plot style the label options ask for: each part from its option, else from the fit config's
 * `General.Plot`, else absent. The config is read (and validated) only when `--fit-config` is given.
 */
export async function labelStyle(o: LabelCliOptions): Promise<StyleOptions> {
  let fromConfig: StyleOptions = {};
  if (o.fitConfig !== undefined) {
    const { loadBuilderConfig } = await import("../../stats/index.js");
    const p = loadBuilderConfig(o.fitConfig).General.Plot ?? {};
    fromConfig = { experiment: p.Experiment, status: p.Status, luminosity: p.Lumi, energy: p.Energy };
  }
  const experiment = o.experiment ?? fromConfig.experiment ?? "none";
  if (!EXPERIMENTS.includes(experiment)) throw new HepflowError("CLI_BAD_OPTION", `--experiment must be CMS, ATLAS or none, not '${o.experiment}'`);
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new HepflowError("CLI_BAD_OPTION", `${name} must be a positive number, not '${v}'`);
    return x;
  };
  return {
    experiment: experiment as Experiment,
    status: o.status ?? fromConfig.status,
    luminosity: num(o.lumi, "--lumi") ?? fromConfig.luminosity,
    energy: num(o.energy, "--energy") ?? fromConfig.energy,
  };
}
