/** `hepflow datacard WORKSPACE -o DIR`: CMS Combine datacard + shapes ROOT file from a pyhf workspace. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { HepflowError, withOutputDir } from "../../util/index.js";
import { loadWorkspace, workspaceToDatacard, writeShapes } from "../../stats/index.js";

export function register(program: Command): void {
  program
    .command("datacard <workspace>")
    .description("export a workspace to a CMS Combine datacard (datacard.txt) and its shapes file (shapes.root)")
    .requiredOption("-o, --output <dir>", "output directory")
    .option("--measurement <name>", "measurement to export (default: the first)")
    .option("--patch <file>", "JSON patch applied first; repeatable", (v: string, p: string[]) => p.concat([v]), [] as string[])
    .option("--json", "print a JSON summary")
    .option("--force", "replace an existing non-empty output directory")
    .action(async (file: string, o: { output: string; measurement?: string; patch: string[]; json?: boolean; force?: boolean }) => {
      const ws = loadWorkspace(file, o.patch);
      const card = workspaceToDatacard(ws.toJSON(), { measurement: o.measurement, shapesFile: "shapes.root" });
      const cardFile = path.join(o.output, "datacard.txt");
      const shapesFile = path.join(o.output, "shapes.root");
      await withOutputDir(o.output, { force: o.force, inputs: [file, ...o.patch] }, async () => {
        try {
          writeFileSync(cardFile, card.text);
        } catch (e) {
          throw new HepflowError("OUTPUT_ERROR", `cannot write the datacard (${(e as Error).message})`, { file: cardFile }, { cause: e });
        }
        await writeShapes(shapesFile, card.shapes);
      });
      if (o.json) {
        process.stdout.write(JSON.stringify({ datacard: cardFile, shapes: shapesFile, templates: card.shapes.length, unmapped: card.unmapped, renamed: card.renamed }, null, 2) + "\n");
        return;
      }
      process.stdout.write(`wrote ${cardFile} and ${shapesFile} (${card.shapes.length} templates)\n`);
      for (const u of card.unmapped) process.stdout.write(`not mapped: ${u}\n`);
    });
}
