/** `hepflow rename WORKSPACE`: pyhf rename — rename channels, samples, modifiers or measurements. */
import type { Command } from "commander";
import { readJsonFile, renamePairs, workspaceJson, writeJsonOutput } from "./pyhf-io.js";

const collect = (value: string, previous: string[]) => previous.concat([value]);

export function register(program: Command): void {
  program
    .command("rename <workspace>")
    .description("rename channels, samples, modifiers (and their parameters) or measurements (pyhf rename)")
    .option("-c, --channel <old new...>", "rename a channel (pyhf: -c OLD NEW; OLD=NEW also works); repeatable", collect, [])
    .option("-s, --sample <old new...>", "rename a sample; repeatable", collect, [])
    .option("-m, --modifier <old new...>", "rename a modifier and its parameter; repeatable", collect, [])
    .option("--measurement <old new...>", "rename a measurement; repeatable", collect, [])
    .option("--output-file <file>", "write the workspace here (default: stdout)")
    .option("--force", "replace an existing output file")
    .action(async (file: string, o: { channel: string[]; sample: string[]; modifier: string[]; measurement: string[]; outputFile?: string; force?: boolean }) => {
      const { Workspace, renameWorkspace } = await import("../../stats/index.js");
      const ws = Workspace.fromJSON(readJsonFile(file), { file });
      const out = renameWorkspace(ws, {
        channels: renamePairs(o.channel, "--channel"),
        samples: renamePairs(o.sample, "--sample"),
        modifiers: renamePairs(o.modifier, "--modifier"),
        measurements: renamePairs(o.measurement, "--measurement"),
      });
      writeJsonOutput(workspaceJson(out), o);
    });
}
