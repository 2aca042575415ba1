/** `hepflow digest WORKSPACE`: pyhf digest — hashes of the workspace as pyhf computes them (they match pyhf's). */
import type { Command } from "commander";
import { printJson } from "../json.js";
import { readText } from "./pyhf-io.js";

const collect = (value: string, previous: string[]) => previous.concat([value]);

export function register(program: Command): void {
  program
    .command("digest <workspace>")
    .description("hash of a workspace, equal to pyhf's digest (pyhf digest)")
    .option("-a, --algorithm <name>", "hash algorithm (sha256, sha1, md5, …); repeatable", collect, [])
    .option("-j, --json", "print {algorithm: digest} as JSON")
    .option("--plaintext", "print algorithm:digest lines (the default)")
    .action(async (file: string, o: { algorithm: string[]; json?: boolean }) => {
      const { Workspace, workspaceDigest } = await import("../../stats/index.js");
      const text = readText(file);
      Workspace.fromJSON(JSON.parse(text), { file }); // pyhf digests only valid workspaces
      const algorithms = o.algorithm.length ? o.algorithm : ["sha256"];
      const digests = Object.fromEntries(algorithms.map((a) => [a, workspaceDigest(text, a, file)]));
      if (o.json) printJson(digests);
      else
        process.stdout.write(
          Object.entries(digests)
            .map(([a, d]) => `${a}:${d}`)
            .join("\n") + "\n",
        );
    });
}
