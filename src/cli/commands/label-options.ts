/** The experiment label of plots (`--experiment --status --lumi --energy`), shared by `plot` and the stats commands' `--plots`. */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import type { Experiment, StyleOptions } from "../../plot/index.js";

/** Parsed label options. */
export interface LabelCliOptions {
  experiment?: string;
  status?: string;
  lumi?: string;
  energy?: string;
}

/** Add the label options; none has a default, so a plot names no experiment unless told to. */
export function addLabelOptions(cmd: Command): Command {
  return cmd
    .option("--experiment <name>", "experiment label: CMS, ATLAS or none (default none)")
    .option("--status <text>", "text after the experiment name, e.g. Preliminary, Open Data (default none)")
    .option("--lumi <fb>", "integrated luminosity in fb^-1 for the label")
    .option("--energy <TeV>", "centre-of-mass energy in TeV for the label");
}

/** The plot style the label options ask for. */
export function labelStyle(o: LabelCliOptions): StyleOptions {
  const experiment = (o.experiment ?? "none") as Experiment;
  if (!["CMS", "ATLAS", "none"].includes(experiment)) throw new HepflowError("CLI_BAD_OPTION", `--experiment must be CMS, ATLAS or none, not '${o.experiment}'`);
  const num = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new HepflowError("CLI_BAD_OPTION", `${name} must be a positive number, not '${v}'`);
    return x;
  };
  return { experiment, status: o.status, luminosity: num(o.lumi, "--lumi"), energy: num(o.energy, "--energy") };
}
