import { Command } from "commander";
import { readFileSync } from "node:fs";
import { commands } from "./commands/index.js";

/** Builds the `hepflow` program; exported so tests can drive it without spawning a process. */
export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const program = new Command("hepflow")
    .description("High-energy-physics analysis: ROOT I/O, columnar selection, histograms, fits and limits")
    .version(pkg.version)
    .showHelpAfterError()
    .option("--connect-timeout <s>", "HTTP: seconds to wait for a connection (default 10)")
    .option("--first-byte-timeout <s>", "HTTP: seconds to wait for a response to start (default 30)")
    .option("--idle-timeout <s>", "HTTP: seconds a response body may stall (default 20; a slow but live server is fine)")
    .hook("preAction", (cmd) => {
      // Through the environment, so analysis worker threads open remote files the same way.
      const g = cmd.opts() as { connectTimeout?: string; firstByteTimeout?: string; idleTimeout?: string };
      if (g.connectTimeout !== undefined) process.env.HEPFLOW_HTTP_CONNECT_TIMEOUT = g.connectTimeout;
      if (g.firstByteTimeout !== undefined) process.env.HEPFLOW_HTTP_FIRST_BYTE_TIMEOUT = g.firstByteTimeout;
      if (g.idleTimeout !== undefined) process.env.HEPFLOW_HTTP_IDLE_TIMEOUT = g.idleTimeout;
    });
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
