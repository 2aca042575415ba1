/** `hepflow build CONFIG -o workspace.json`: pyhf workspace from a cabinetry-style YAML config. */
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { claimOutputFile, writeOutputFile } from "../../util/index.js";
import { buildWorkspace, loadBuilderConfig, Workspace } from "../../stats/index.js";

export function register(program: Command): void {
  program
    .command("build <config>")
    .description("build a pyhf workspace from a YAML config and its histogram files (ROOT or JSON)")
    .requiredOption("-o, --output <file>", "workspace JSON to write")
    .option("--input <file>", "read templates from this file instead of the one named in General.InputPath")
    .option("--base-dir <dir>", "resolve relative input files against this directory (default: the config's directory)")
    .option("--all-bins", "ignore the regions' Binning and use every in-range bin of the input histograms (as the AGC's MLflow project, whose num-bins changes the binning)")
    .option("--json", "print a JSON summary instead of a table")
    .option("--force", "replace an existing output file")
    .action(async (config: string, o: { output: string; input?: string; baseDir?: string; allBins?: boolean; json?: boolean; force?: boolean }) => {
      const rule = { force: o.force, inputs: [config, ...(o.input ? [o.input] : [])] };
      claimOutputFile(o.output, rule); // before the work, so a refusal costs nothing
      const loaded = loadBuilderConfig(config);
      const cfg = o.allBins ? { ...loaded, Regions: loaded.Regions.map(({ Binning: _, ...r }) => r) } : loaded;
      const spec = await buildWorkspace(cfg, { baseDir: resolve(o.baseDir ?? dirname(config)), inputFile: o.input ? resolve(o.input) : undefined });
      // validate what we wrote with the same checks a reader applies
      Workspace.fromJSON(spec, { file: o.output });
      writeOutputFile(o.output, JSON.stringify(spec, null, 2) + "\n", rule);
      const summary = spec.channels.map((c) => ({
        channel: c.name,
        bins: c.samples[0]?.data.length ?? 0, // a channel without samples has no bins
        samples: c.samples.length,
        modifiers: c.samples.reduce((n, s) => n + s.modifiers.length, 0),
      }));
      if (o.json) {
        process.stdout.write(JSON.stringify({ output: o.output, channels: summary }, null, 2) + "\n");
        return;
      }
      for (const s of summary) process.stdout.write(`${s.channel}: ${s.bins} bins, ${s.samples} samples, ${s.modifiers} modifiers\n`);
      process.stdout.write(`wrote ${o.output}\n`);
    });
}
