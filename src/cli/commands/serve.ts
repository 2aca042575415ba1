/** `hepflow serve`: the data-delivery service (ServiceX-like HTTP API); `hepflow serve token add|ls|revoke` for its tokens. */
import type { Command } from "commander";
import { HepflowError } from "../../util/index.js";

function serviceDir(d?: string): string {
  return d ?? process.env.HEPFLOW_SERVICE_DIR ?? "hepflow-service";
}

function int(v: string, name: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new HepflowError("CLI_OPTION", `${name} must be an integer ≥ ${min} (got "${v}")`);
  return n;
}

export function register(program: Command): void {
  const serve = program
    .command("serve")
    .description("run the data-delivery service: func_adl/qastle queries over datasets, results as ROOT files")
    .option("--host <addr>", "address to bind (anything but loopback requires tokens on every request)", "127.0.0.1")
    .option("--port <n>", "port (0 = any free port)", "5000")
    .option("--dir <dir>", "state and results folder (default $HEPFLOW_SERVICE_DIR or ./hepflow-service)")
    .option("--catalogue <file>", "JSON catalogue of named datasets: { name: [paths, globs, URLs] }")
    .option("--allow <dir...>", "folders local input files may come from (default: the current folder and the catalogue's)")
    .option("--workers <n>", "concurrent file tasks (worker threads)", "2")
    .option("--deadline <s>", "seconds a file task may take before it is stopped", "300")
    .option("--retries <n>", "extra attempts after an open/read/deadline failure", "2")
    .option("--cache-gb <gb>", "results kept on disk before the oldest transforms are evicted", "20")
    .option("--quota <n>", "unfinished transforms one user may start", "10")
    .option("--require-token", "require a token even from loopback clients")
    .action(async (o: { host: string; port: string; dir?: string; catalogue?: string; allow?: string[]; workers: string; deadline: string; retries: string; cacheGb: string; quota: string; requireToken?: boolean }) => {
      const path = await import("node:path");
      const { DeliveryService, serve: start } = await import("../../service/index.js");
      const allowed = o.allow ?? [process.cwd(), ...(o.catalogue ? [path.dirname(path.resolve(o.catalogue))] : [])];
      const service = new DeliveryService({
        dir: serviceDir(o.dir),
        catalogue: o.catalogue ? path.resolve(o.catalogue) : undefined,
        allowedRoots: allowed,
        workers: int(o.workers, "--workers", 1),
        deadlineSeconds: int(o.deadline, "--deadline", 1),
        retries: int(o.retries, "--retries", 0),
        cacheBytes: Number(o.cacheGb) * 1e9,
        quota: int(o.quota, "--quota", 1),
      });
      const { app, url } = await start(service, { host: o.host, port: int(o.port, "--port", 0), requireToken: o.requireToken });
      process.stdout.write(`hepflow delivery service on ${url} (state: ${path.resolve(serviceDir(o.dir))})\n`);
      const stop = async () => {
        await app.close();
        await service.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  const token = serve.command("token").description("bearer tokens of the delivery service");
  token
    .command("add <user>")
    .description("issue a token for USER (printed once; only its hash is stored)")
    .option("--dir <dir>", "service folder")
    .action(async (user: string, _o: unknown, cmd: Command) => {
      const { ServiceStore } = await import("../../service/index.js");
      const s = new ServiceStore(serviceDir(cmd.optsWithGlobals<{ dir?: string }>().dir));
      process.stdout.write(s.addToken(user) + "\n");
      s.close();
    });
  token
    .command("ls")
    .description("list users with tokens")
    .option("--dir <dir>", "service folder")
    .action(async (_o: unknown, cmd: Command) => {
      const { ServiceStore } = await import("../../service/index.js");
      const s = new ServiceStore(serviceDir(cmd.optsWithGlobals<{ dir?: string }>().dir));
      for (const t of s.listTokens()) process.stdout.write(`${t.user}\t${new Date(t.created).toISOString()}\tsha256:${t.hash}…\n`);
      s.close();
    });
  token
    .command("revoke <user>")
    .description("revoke every token of USER")
    .option("--dir <dir>", "service folder")
    .action(async (user: string, _o: unknown, cmd: Command) => {
      const { ServiceStore } = await import("../../service/index.js");
      const s = new ServiceStore(serviceDir(cmd.optsWithGlobals<{ dir?: string }>().dir));
      process.stdout.write(`${s.revokeUser(user)} token(s) revoked\n`);
      s.close();
    });
}
