/** `hepflow build CONFIG -o workspace.json`: pyhf workspace from a cabinetry-style YAML config. */
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { claimOutputFile, HepflowError, writeOutputFile } from "../../util/index.js";
import { buildWorkspace, loadBuilderConfig, templatePath, Workspace, type BuilderConfig } from "../../stats/index.js";
import { openFile } from "../../root/index.js";

/**
 * With few events a rare process (s-channel single top) may select nothing in a region and then
 * has no template there: such a sample leaves that region (said on stderr) instead of failing the
 * build, as the AGC reference drops empty histograms. Templates are looked up in the ROOT file.
 */
async function dropMissingSamples(cfg: BuilderConfig, baseDir: string, inputFile: string | undefined, config: string): Promise<BuilderConfig> {
  const file = resolve(baseDir, inputFile ?? cfg.General.InputPath.slice(0, Math.max(0, cfg.General.InputPath.lastIndexOf(":"))));
  if (!/\.root$/i.test(file)) throw new HepflowError("CLI_OPTION", "--drop-missing-samples looks templates up in a ROOT file; the input is not one", { file });
  const rf = await openFile(file);
  const names = new Set((await rf.keys()).map((k) => k.path));
  await rf.close();
  const objectOf = (p: string) => p.slice(p.lastIndexOf(":") + 1);
  const samples = [];
  for (const s of cfg.Samples) {
    if (s.Data) {
      samples.push(s);
      continue;
    }
    const wanted = cfg.Regions.filter((r) => s.Regions === undefined || [s.Regions].flat().includes(r.Name));
    const regions = wanted.filter((r) => names.has(objectOf(templatePath(cfg, r, s, null, file))));
    if (regions.length === wanted.length) {
      samples.push(s);
      continue;
    }
    process.stderr.write(
      `${config}: no template of sample "${s.Name}" in ${wanted
        .filter((r) => !regions.includes(r))
        .map((r) => r.Name)
        .join(", ")} of ${file}: the sample is left out there\n`,
    );
    if (regions.length) samples.push({ ...s, Regions: regions.map((r) => r.Name) });
  }
  return { ...cfg, Samples: samples };
}

export function register(program: Command): void {
  program
    .command("build <config>")
    .description("build a pyhf workspace from a YAML config and its histogram files (ROOT or JSON)")
    .requiredOption("-o, --output <file>", "workspace JSON to write")
    .option("--input <file>", "read templates from this file instead of the one named in General.InputPath")
    .option("--base-dir <dir>", "resolve relative input files against this directory (default: the config's directory)")
    .option("--all-bins", "ignore the regions' Binning and use every in-range bin of the input histograms (as the AGC's MLflow project, whose num-bins changes the binning)")
    .option("--drop-missing-samples", "a sample without a template in a region is left out of that region (with a note on stderr) instead of failing the build")
    .option("--json", "print a JSON summary instead of a table")
    .option("--force", "replace an existing output file")
    .action(async (config: string, o: { output: string; input?: string; baseDir?: string; allBins?: boolean; dropMissingSamples?: boolean; json?: boolean; force?: boolean }) => {
      const rule = { force: o.force, inputs: [config, ...(o.input ? [o.input] : [])] };
      claimOutputFile(o.output, rule); // before the work, so a refusal costs nothing
      const loaded = loadBuilderConfig(config);
      const binned = o.allBins ? { ...loaded, Regions: loaded.Regions.map(({ Binning: _, ...r }) => r) } : loaded;
      const baseDir = resolve(o.baseDir ?? dirname(config));
      const cfg = o.dropMissingSamples ? await dropMissingSamples(binned, baseDir, o.input && resolve(o.input), config) : binned;
      const spec = await buildWorkspace(cfg, { baseDir, inputFile: o.input ? resolve(o.input) : undefined });
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
