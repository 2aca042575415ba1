/**
 * `hepflow scale`: a simulated histogram normalised to the data: every bin times
 * σ × L × k × ε_filter ÷ Σw (the `scale_to_lumi_xsec` step of a RECAST chain; variances times the
 * square). Options as that step spells them: -c cross section [pb], -s sum of generator weights,
 * -k k-factor, -f filter efficiency, -l luminosity [fb⁻¹], -g name of the histogram written.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { HepflowError, claimOutputFile } from "../../util/index.js";

const positive = (flag: string, v: string): number => {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new HepflowError("CLI_OPTION", `${flag} must be a positive number (got "${v}")`);
  return n;
};

export function register(program: Command): void {
  program
    .command("scale <histogram>")
    .description("scale a simulated histogram to cross section × luminosity × k-factor × filter efficiency ÷ sum of weights (-c -s -k -f -l -g)")
    .requiredOption("-o, --output <file>", "ROOT file to write")
    .requiredOption("-c, --xsec <pb>", "cross section in pb")
    .requiredOption("-s, --sumw <w>", "sum of generator weights of the sample (before any selection)")
    .option("-k, --kfactor <k>", "k-factor", "1")
    .option("-f, --filter-eff <eff>", "generator filter efficiency", "1")
    .requiredOption("-l, --lumi <fb>", "integrated luminosity in fb^-1")
    .option("-g, --name <name>", "name of the histogram written", "signal")
    .option("--force", "replace an existing output")
    .addHelpText("after", "\nHISTOGRAM is a `hepflow draw -o h.json` histogram or FILE.root:NAME (a TH1).\n")
    .action(async (input: string, o: { output: string; xsec: string; sumw: string; kfactor: string; filterEff: string; lumi: string; name: string; force?: boolean }) => {
      const factor = (positive("-c", o.xsec) * 1000 * positive("-l", o.lumi) * positive("-k", o.kfactor) * positive("-f", o.filterEff)) / positive("-s", o.sumw);
      claimOutputFile(o.output, { force: o.force, inputs: [input.replace(/:[^/]*$/, "")] });
      let lo: number,
        hi: number,
        values: number[],
        variances: number[],
        title = "";
      const m = /^(.*\.root):(.+)$/.exec(input);
      const [rootFile, object] = [m?.[1], m?.[2]];
      if (rootFile !== undefined && object !== undefined) {
        const { openFile } = await import("../../root/index.js");
        const f = await openFile(rootFile);
        try {
          const obj = await f.get(object);
          if (typeof obj !== "object" || obj === null || !("contents" in obj) || !("xaxis" in obj)) throw new HepflowError("SCALE_INPUT", "not a histogram", { file: rootFile, object });
          const h = obj as import("../../root/index.js").RootHistogram;
          if (h.dimension !== 1 || h.xaxis.edges) throw new HepflowError("SCALE_INPUT", "only 1D histograms with regular bins are scaled", { file: rootFile, object });
          [lo, hi, title] = [h.xaxis.xmin, h.xaxis.xmax, h.xaxis.title];
          values = Array.from(h.contents.subarray(1, h.xaxis.nbins + 1));
          variances = h.sumw2 ? Array.from(h.sumw2.subarray(1, h.xaxis.nbins + 1)) : values.slice();
        } finally {
          await f.close();
        }
      } else {
        let j: { x?: { edges?: number[]; expr?: string }; values?: number[]; variances?: number[] };
        try {
          j = JSON.parse(readFileSync(input, "utf8"));
        } catch (e) {
          throw new HepflowError("SCALE_INPUT", `not a readable hepflow draw JSON histogram: ${(e as Error).message}`, { file: input });
        }
        if (!j.x?.edges || !Array.isArray(j.values) || !Array.isArray(j.variances)) throw new HepflowError("SCALE_INPUT", "not a 1D `hepflow draw -o h.json` histogram (x.edges, values, variances)", { file: input });
        const [first, last] = [j.x.edges[0], j.x.edges.at(-1)];
        if (typeof first !== "number" || typeof last !== "number" || j.x.edges.length < 2)
          throw new HepflowError("SCALE_INPUT", `x.edges needs at least two numbers (the range), got ${JSON.stringify(j.x.edges)}`, { file: input, object: "x.edges" });
        [lo, hi, values, variances, title] = [first, last, j.values, j.variances, j.x.expr ?? ""];
      }
      const { th1d } = await import("../../generate/index.js");
      const { createFile } = await import("../../root/index.js");
      const w = await createFile(o.output);
      try {
        w.putHistogram(
          o.name,
          th1d(
            o.name,
            o.name,
            lo,
            hi,
            values.map((v) => v * factor),
            variances.map((v) => v * factor * factor),
            title.length < 40 ? title : "m_{jj} [GeV]",
          ),
        );
        await w.close();
      } catch (e) {
        w.abort();
        throw e;
      }
      const total = values.reduce((a, b) => a + b, 0) * factor;
      process.stdout.write(`${o.output}: ${o.name} scaled by ${factor.toPrecision(6)} (${total.toPrecision(6)} events)\n`);
    });
}
