/** `hepflow xml2json CONFIG.xml --basedir DIR`: HistFactory XML + ROOT histograms → pyhf workspace JSON (pyhf xml2json). */
import type { Command } from "commander";
import { readHistFactoryXml, Workspace } from "../../stats/index.js";
import { workspaceJson, writeJsonOutput } from "./pyhf-io.js";

export function register(program: Command): void {
  program
    .command("xml2json <config>")
    .description("convert a HistFactory XML configuration (top-level <Combination>) and its ROOT files into a pyhf JSON workspace")
    .option("--basedir <dir>", "directory the XML's paths are relative to (pyhf's --basedir)", ".")
    .option("--output-file <file>", "write the workspace here instead of stdout")
    .option("--force", "replace an existing output file")
    .action(async (config: string, o: { basedir: string; outputFile?: string; force?: boolean }) => {
      const spec = await readHistFactoryXml(config, { basedir: o.basedir });
      // validate against the workspace schema, as pyhf's readxml does
      writeJsonOutput(workspaceJson(Workspace.fromJSON(spec)), o);
    });
}
