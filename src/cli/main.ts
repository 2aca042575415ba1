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
