/** `hepflow ui [DIR]`: the web app over a directory — files, draw, runs in progress, fits, tracking, workflows. */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";

interface UiCliOptions {
  port: string;
  host: string;
  token?: string;
  runsDir?: string;
  trackingDir?: string;
  allowRemote?: string;
}

export function register(program: Command): void {
  program
    .command("ui [dir]")
    .description("web app over a directory: browse ROOT files, draw expressions, follow runs live, fits, tracked runs, workflows")
    .option("--port <n>", "port (0: any free port)", "8765")
    .option("--host <address>", "address to bind; anything but loopback requires the access token printed at start", "127.0.0.1")
    .option("--token <t>", "use this access token (also on loopback); default: a fresh one for non-loopback binds")
    .option("--runs-dir <dir>", "where runs started from the page write, inside DIR (default DIR/hepflow-ui-runs)")
    .option("--allow-remote <hosts>", "hosts (host or host:port, comma-separated) whose http(s):// and root(s):// files the page may open; default none")
    .option("--tracking-dir <dir>", "tracking store of the Tracking view (default $HEPFLOW_TRACKING_DIR or ./hepflow-runs)")
    .action(async (dir: string | undefined, o: UiCliOptions) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HepflowError("CLI_BAD_OPTION", `--port takes a port number, not '${o.port}'`);
      if (o.token !== undefined && !/^[A-Za-z0-9_-]{16,200}$/.test(o.token)) throw new HepflowError("CLI_BAD_OPTION", "--token takes 16 to 200 characters of A-Z a-z 0-9 _ -");
      const { startUi } = await import("../../web/index.js");
      const ui = await startUi({ root: dir ?? ".", host: o.host, port, token: o.token, runsDir: o.runsDir, trackingDir: o.trackingDir, allowRemote: o.allowRemote?.split(",") });
      process.stdout.write(`hepflow ui: serving ${ui.root}\n  ${ui.url}\n${ui.token ? "  (the token is required: open this URL once, the page keeps it in a cookie)\n" : ""}Ctrl-C stops it.\n`);
      const stop = () => {
        void ui.close().finally(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
