/** `hepflow tracking serve`: MLflow's REST API over the run store, for MLflow clients (MLFLOW_TRACKING_URI). */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";

export function register(program: Command): void {
  const tracking = program.command("tracking").description("the run store as an MLflow tracking server");
  tracking
    .command("serve")
    .description("serve MLflow's REST API (experiments, runs, metrics, artifacts) over the run store")
    .option("--host <addr>", "address to bind (anything but loopback needs --token)", "127.0.0.1")
    .option("--port <n>", "port (0 = any free port)", "5000")
    .option("--token <secret>", "require `Authorization: Bearer <secret>` (MLflow clients send MLFLOW_TRACKING_TOKEN so); default $HEPFLOW_TRACKING_TOKEN")
    .option("--tracking-dir <dir>", "run store folder (default: $HEPFLOW_TRACKING_DIR or ./hepflow-runs)")
    .action(async (o: { host: string; port: string; token?: string; trackingDir?: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HepflowError("CLI_OPTION", `--port must be an integer in [0, 65535] (got "${o.port}")`);
      const { openStore, serveTracking } = await import("../../tracking/index.js");
      const store = openStore(o.trackingDir);
      const { app, url } = await serveTracking(store, { host: o.host, port, token: o.token ?? process.env.HEPFLOW_TRACKING_TOKEN });
      process.stdout.write(`MLflow tracking API on ${url} (store: ${store.root})\n  export MLFLOW_TRACKING_URI=${url}\n`);
      const stop = async () => {
        await app.close();
        store.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
