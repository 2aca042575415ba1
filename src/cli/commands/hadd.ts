/** `hepflow hadd OUT IN...`: sum histograms and concatenate trees of several ROOT files. */
import type { Command } from "commander";
import { hadd } from "../../root/index.js";

export function register(program: Command): void {
  program
    .command("hadd <output> <inputs...>")
    .description("merge ROOT files: histograms of the same path are summed, trees of the same schema concatenated")
    .option("--compression <c>", "none, zlib[:level], lz4, zstd[:level], lzma[:level]", "zlib:1")
    .option("--json", "print the summary as JSON")
    .option("--force", "replace an existing output file (never one of the inputs)")
    .action(async (output: string, inputs: string[], o: { compression: string; json?: boolean; force?: boolean }) => {
      const r = await hadd(output, inputs, { compression: o.compression, force: o.force });
      if (o.json) {
        process.stdout.write(JSON.stringify({ output, inputs, ...r }, null, 2) + "\n");
        return;
      }
      process.stdout.write(`${output}: ${r.histograms} histograms summed, ${r.trees} trees (${r.entries} entries) concatenated from ${inputs.length} files\n`);
    });
}
