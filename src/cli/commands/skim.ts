/** `hepflow skim IN... --where CUT -o OUT`: selected events, chosen branches and defined columns into a new TTree or RNTuple. */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";

interface SkimCliOptions {
  where?: string;
  branches?: string[];
  define?: string[];
  out: string;
  format: string;
  compression?: string;
  step: string;
  force?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("skim <inputs...>")
    .description("write the events passing --where with the chosen branches and --define'd columns (one merged output)")
    .requiredOption("-o, --out <file>", "output ROOT file")
    .option("-w, --where <cut>", "event selection, e.g. 'nMuon >= 1 && Sum$(Jet_pt > 30) >= 4'")
    .option("--branches <names...>", "branches or globs to keep ('Muon_*' 'nMuon'); counters of kept collections come along (default: all)")
    .option("--define <name=expr...>", "new columns, e.g. score='Jet_pt[0] / 100'")
    .option("--format <f>", "ttree or rntuple", "ttree")
    .option("--compression <c>", "zlib:1, lz4, zstd:5, lzma:6 or none", "zlib:1")
    .option("--step <n>", "entries per chunk", "100000")
    .option("--json", "print the counts as JSON")
    .option("--force", "overwrite an existing output file")
    .action(async (inputs: string[], o: SkimCliOptions) => {
      if (o.format !== "ttree" && o.format !== "rntuple") throw new HepflowError("CLI_BAD_OPTION", `--format must be ttree or rntuple, not '${o.format}'`);
      const define = (o.define ?? []).map((d) => {
        const i = d.indexOf("=");
        if (i <= 0) throw new HepflowError("CLI_BAD_OPTION", `--define takes name=expression, not '${d}'`);
        return { name: d.slice(0, i).trim(), expression: d.slice(i + 1) };
      });
      const { expandInputs, openTrees } = await import("./draw.js");
      const { skim } = await import("../../expr/index.js");
      const files = await expandInputs(inputs);
      const opened: Array<{ close(): Promise<void> }> = [];
      try {
        const trees = await openTrees(files, opened);
        const r = await skim(trees, o.out, {
          where: o.where,
          branches: o.branches,
          define,
          format: o.format,
          compression: o.compression,
          stepSize: Number(o.step) || 100_000,
          force: o.force,
          inputPaths: files.map(([p]) => p),
        });
        if (o.json) process.stdout.write(JSON.stringify({ output: o.out, entriesIn: r.entriesIn, entriesOut: r.entriesOut, branches: r.branches.length }) + "\n");
        else process.stdout.write(`${o.out}: ${r.entriesOut} of ${r.entriesIn} events, ${r.branches.length} branches\n`);
      } finally {
        for (const f of opened) await f.close();
      }
    });
}
