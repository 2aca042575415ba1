/** `hepflow combine WS1 WS2`: pyhf combine — two workspaces into one. */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";
import { readJsonFile, workspaceJson, writeJsonOutput } from "./pyhf-io.js";

export function register(program: Command): void {
  program
    .command("combine <workspace-one> <workspace-two>")
    .description("combine two workspaces into one (pyhf combine)")
    .option("-j, --join <mode>", "how same-named items are joined: none | outer | left outer | right outer", "none")
    .option("--merge-channels", "pyhf's deep merge of same-named channels: not supported (an error, not ignored)")
    .option("--output-file <file>", "write the workspace here (default: stdout)")
    .option("--force", "replace an existing output file")
    .action(async (one: string, two: string, o: { join: string; mergeChannels?: boolean; outputFile?: string; force?: boolean }) => {
      const { Workspace, combineWorkspaces, JOIN_MODES } = await import("../../stats/index.js");
      if (!(JOIN_MODES as string[]).includes(o.join)) throw new HepflowError("CLI_USAGE", `--join must be one of ${JOIN_MODES.join(", ")}, got "${o.join}"`);
      if (o.mergeChannels) throw new HepflowError("CLI_USAGE", "--merge-channels is not supported; combine with --join left outer or right outer, or rename the channels first");
      const out = combineWorkspaces(Workspace.fromJSON(readJsonFile(one), { file: one }), Workspace.fromJSON(readJsonFile(two), { file: two }), o.join as never);
      writeJsonOutput(workspaceJson(out), o);
    });
}
