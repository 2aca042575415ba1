import { Command } from "commander";
import { readFileSync } from "node:fs";
import { commands } from "./commands/index.js";

/** Builds the `hepflow` program; exported so tests can drive it without spawning a process. */
export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const program = new Command("hepflow")
    .description("High-energy-physics analysis: ROOT I/O, columnar selection, histograms, fits and limits")
    .version(pkg.version)
    .showHelpAfterError();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

/**
 * Output into a closed pipe (`hepflow ls f.root | head -1`) ends the program quietly, as it ends
 * `cat`: exit status 141 (128 + SIGPIPE), which is what a shell reports for a tool the pipe killed.
 * Node ignores SIGPIPE and raises EPIPE on the stream instead, so this turns it back.
 */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(141);
      throw e;
    });
  }
}
