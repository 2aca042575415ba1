/** `hepflow sort WORKSPACE`: pyhf sort — channels, samples, modifiers, measurements, parameters and observations by name. */
import type { Command } from "commander";
import { readJsonFile, sortedKeys, writeJsonOutput } from "./pyhf-io.js";
import type { WorkspaceSpec } from "../../stats/index.js";

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function register(program: Command): void {
  program
    .command("sort <workspace>")
    .description("sort a workspace's channels, samples, modifiers, measurements and observations by name (pyhf sort)")
    .option("--output-file <file>", "write the workspace here (default: stdout)")
    .option("--force", "replace an existing output file")
    .action(async (file: string, o: { outputFile?: string; force?: boolean }) => {
      const { Workspace } = await import("../../stats/index.js");
      const spec: WorkspaceSpec = Workspace.fromJSON(readJsonFile(file), { file }).toJSON();
      spec.channels.sort(byName);
      for (const c of spec.channels) {
        c.samples.sort(byName);
        // modifiers by (name, type), as pyhf
        for (const s of c.samples) s.modifiers.sort((a, b) => byName(a, b) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
      }
      spec.measurements.sort(byName);
      for (const m of spec.measurements) m.config.parameters.sort(byName);
      spec.observations.sort(byName);
      writeJsonOutput(sortedKeys(spec), o);
    });
}
