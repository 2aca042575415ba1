import { Command } from "commander";
import { readFileSync } from "node:fs";
import { commands, type CommandEntry } from "./commands/index.js";
import { commitRemoteOutputs, stageRemoteOutputs } from "./remote-output.js";

/** The command named on the command line (`hepflow NAME …` or `hepflow help NAME`), if any. */
/** Global options that take a separate value (`--idle-timeout 5`), so the value is not taken for the command. */
const GLOBAL_WITH_VALUE = new Set(["--connect-timeout", "--first-byte-timeout", "--idle-timeout"]);

function requestedCommand(args: readonly string[]): CommandEntry | undefined {
  // The first word that is neither an option nor the value of a global option that takes one.
  let i = 0;
  for (let a = args[i]; a?.startsWith("-"); a = args[i]) i += GLOBAL_WITH_VALUE.has(a) ? 2 : 1;
  if (i >= args.length) return undefined;
  const name = args[i] === "help" && args[i + 1] !== undefined ? args[i + 1] : args[i];
  return commands.find((c) => c.name === name);
}

/**
 * Builds the `hepflow` program for one command line (`argv` as process.argv: node, script, args).
 * Only the module of the command being run is loaded; every other command is registered by name
 * and description alone, which is all `hepflow --help` and "did you mean" need. Without `argv`,
 * every command module is loaded (for tests that inspect the whole program).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
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
    })
    // --out root://…: outputs are written to a local staging path and uploaded when the command succeeds.
    .hook("preAction", stageRemoteOutputs)
    .hook("postAction", commitRemoteOutputs);
  const wanted = argv === undefined ? undefined : requestedCommand(argv.slice(2));
  for (const c of commands) {
    if (argv === undefined || c === wanted) (await c.load()).register(program);
    else program.command(c.name).description(c.description);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await (await buildProgram(argv)).parseAsync(argv);
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
