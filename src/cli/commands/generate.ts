/** `hepflow generate agc`: synthetic AGC CMS-2015-like NanoAOD samples plus a dataset.json catalogue; `generate jets`: W vs QCD boosted jets. */
import type { Command } from "commander";
import { generateAgc } from "../../generate/index.js";
import { withOutputDir } from "../../util/index.js";

interface GenerateCliOptions {
  events: string;
  out: string;
  seed: string;
  compression: string;
  filesPerSample: string;
  dataLumi?: string;
  workers: string;
  json?: boolean;
  force?: boolean;
  yes?: boolean;
}

export function register(program: Command): void {
  const gen = program.command("generate").description("generate synthetic datasets");
  gen
    .command("agc")
    .description("write synthetic AGC ttbar NanoAOD samples (all processes and variations, pseudo-data) and DIR/dataset.json")
    .requiredOption("--events <n>", "events per simulated sample (each process/variation)")
    .requiredOption("--out <dir>", "output directory")
    .option("--seed <s>", "random seed (files get seeds derived from it)", "1")
    .option("--compression <c>", "none, zlib[:level], lz4, zstd[:level], lzma[:level]", "zlib:1")
    .option("--files-per-sample <k>", "files per sample", "2")
    .option("--data-lumi <pb>", "luminosity of the pseudo-data in pb^-1 (default: events / σ(ttbar), where nominal ttbar is expected --events times, at most the analysis luminosity 3378)")
    .option("--force", "replace a non-empty output directory (the old one is kept until the new one is complete)")
    .option("--yes", "go ahead although the output is estimated above 4 GB")
    .option("--workers <n>", "worker threads (output is identical for any number)", "1")
    .option("--json", "print the summary as JSON")
    .action(async (o: GenerateCliOptions) => {
      let last = 0;
      const summary = await withOutputDir(o.out, { force: o.force }, () =>
        generateAgc({
          events: Number(o.events),
          out: o.out,
          seed: Number(o.seed),
          compression: o.compression,
          filesPerSample: Number(o.filesPerSample),
          dataLuminosity: o.dataLumi === undefined ? undefined : Number(o.dataLumi),
          workers: Number(o.workers),
          allowLarge: o.yes,
          onProgress: (e) => {
            if (o.json || !process.stderr.isTTY) return;
            const now = Date.now();
            if (now - last < 200 && e.done !== e.total) return;
            last = now;
            process.stderr.write(`\r${e.done}/${e.total} events  ${Math.round(e.rate ?? 0)} ev/s  ${e.label ?? ""}   `);
          },
        }),
      );
      if (!o.json && process.stderr.isTTY) process.stderr.write("\n");
      if (o.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
        return;
      }
      process.stdout.write(
        [
          `catalogue  ${summary.catalogue}`,
          `files      ${summary.files}`,
          `events     ${summary.events}`,
          `size       ${(summary.bytes / 1e6).toFixed(1)} MB`,
          `time       ${summary.seconds.toFixed(1)} s (${Math.round(summary.events / summary.seconds)} events/s)`,
        ].join("\n") + "\n",
      );
    });

  gen
    .command("dijet")
    .description("toy VH(bb)-style inputs: DIR/signal.root (events with a dijet resonance) and DIR/external.root (background and data m_jj histograms)")
    .requiredOption("--out <dir>", "output directory")
    .option("--events <n>", "signal events", "20000")
    .option("--mass <GeV>", "resonance mass", "125")
    .option("--width <GeV>", "resonance width (Breit-Wigner)", "10")
    .option("--seed <s>", "random seed", "1")
    .option("--background-events <n>", "expected background events in 50-250 GeV", "5000")
    .option("--no-external", "do not write external.root")
    .option("--no-signal", "do not write signal.root")
    .option("--force", "replace a non-empty output directory")
    .option("--json", "print the summary as JSON")
    .action(async (o: { out: string; events: string; mass: string; width: string; seed: string; backgroundEvents: string; external: boolean; signal: boolean; force?: boolean; json?: boolean }) => {
      const { generateDijet } = await import("../../generate/index.js");
      const summary = await withOutputDir(o.out, { force: o.force }, () =>
        generateDijet({
          out: o.out,
          events: Number(o.events),
          mass: Number(o.mass),
          width: Number(o.width),
          seed: Number(o.seed),
          backgroundEvents: Number(o.backgroundEvents),
          external: o.external,
          signal: o.signal,
        }),
      );
      if (o.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
        return;
      }
      process.stdout.write(`${summary.signal ? `signal     ${summary.signal} (${summary.events} events, sum of weights ${summary.sumOfWeights})\n` : ""}${summary.external ? `external   ${summary.external}\n` : ""}`);
    });

  gen
    .command("zee")
    .description('write a Drell-Yan Z/γ* → ee NanoAOD-like sample (tree Events) and DIR/catalogue.json naming it "zee"')
    .requiredOption("--events <n>", "events in total")
    .requiredOption("--out <dir>", "output directory")
    .option("--files <k>", "files", "4")
    .option("--seed <s>", "random seed", "1")
    .option("--force", "replace a non-empty output directory")
    .action(async (o: { events: string; out: string; files: string; seed: string; force?: boolean }) => {
      const path = await import("node:path");
      const fs = await import("node:fs");
      const { generateZee } = await import("../../generate/index.js");
      const t0 = Date.now();
      const files = await withOutputDir(o.out, { force: o.force }, async (dir) => {
        const paths = await generateZee({ out: dir, events: Number(o.events), files: Number(o.files), seed: Number(o.seed) });
        fs.writeFileSync(path.join(dir, "catalogue.json"), JSON.stringify({ zee: paths.map((p) => path.basename(p)) }, null, 2) + "\n");
        return paths;
      });
      process.stdout.write(`${files.length} files, ${o.events} events in ${((Date.now() - t0) / 1000).toFixed(1)} s; catalogue ${path.join(o.out, "catalogue.json")} (dataset "zee")\n`);
    });

  gen
    .command("jets")
    .description('write boosted W → qq̄ (label 1) and QCD (label 0) jets with substructure observables to a CSV table or a ROOT TTree "jets"')
    .requiredOption("-o, --out <file>", "output file: .csv or .root")
    .option("--signal <n>", "number of W jets", "50000")
    .option("--background <n>", "number of QCD jets", "50000")
    .option("--seed <s>", "random seed", "1")
    .option("--pt-min <GeV>", "lowest jet pT", "300")
    .option("--pt-max <GeV>", "highest jet pT", "1200")
    .option("--force", "replace an existing output file")
    .action(async (o: { out: string; signal: string; background: string; seed: string; ptMin: string; ptMax: string; force?: boolean }) => {
      const { writeJets } = await import("./generate-jets.js");
      const n = await writeJets(o.out, { signal: Number(o.signal), background: Number(o.background), seed: Number(o.seed), ptMin: Number(o.ptMin), ptMax: Number(o.ptMax) }, { force: o.force });
      process.stdout.write(`${o.out}: ${n} jets\n`);
    });
}
