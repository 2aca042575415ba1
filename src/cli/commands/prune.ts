/** `hepflow prune WORKSPACE`: pyhf prune — remove channels, samples, modifiers or measurements. */
import type { Command } from "commander";
import { readJsonFile, workspaceJson, writeJsonOutput } from "./pyhf-io.js";

const collect = (value: string, previous: string[]) => previous.concat([value]);

export function register(program: Command): void {
  program
    .command("prune <workspace>")
    .description("remove channels, samples, modifiers or measurements from a workspace (pyhf prune)")
    .option("-c, --channel <name>", "channel to remove; repeatable", collect, [])
    .option("-s, --sample <name>", "sample to remove from every channel; repeatable", collect, [])
    .option("-m, --modifier <name>", "modifier to remove everywhere; repeatable", collect, [])
    .option("-t, --modifier-type <type>", "modifier type to remove everywhere (e.g. staterror); repeatable", collect, [])
    .option("--measurement <name>", "measurement to remove; repeatable", collect, [])
    .option("--output-file <file>", "write the workspace here (default: stdout)")
    .option("--force", "replace an existing output file")
    .action(async (file: string, o: { channel: string[]; sample: string[]; modifier: string[]; modifierType: string[]; measurement: string[]; outputFile?: string; force?: boolean }) => {
      const { Workspace, pruneWorkspace } = await import("../../stats/index.js");
      const ws = Workspace.fromJSON(readJsonFile(file), { file });
      const out = pruneWorkspace(ws, { channels: o.channel, samples: o.sample, modifiers: o.modifier, modifierTypes: o.modifierType as never, measurements: o.measurement });
      writeJsonOutput(workspaceJson(out), o);
    });
}
