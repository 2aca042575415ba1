/**
 * A private redis-server on a random 127.0.0.1 port (stopped by PID), and `hepflow worker`
 * processes on it. A missing redis-server makes the tests fail, not skip (.ci/run installs it).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = new URL("../../", import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((res) => {
    const c = createConnection({ host: "127.0.0.1", port });
    c.once("error", () => res(false));
    c.once("connect", () => c.write("PING\r\n"));
    c.once("data", (d) => {
      c.destroy();
      res(d.toString().startsWith("+PONG"));
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  proc: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port (and the same AOF folder, if any). */
  start(): Promise<void>;
}

/** Start redis-server; with `aof`, persistence on (appendfsync always) in a private folder. */
export async function startRedis(opts: { aof?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "hepflow-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir, ...(opts.aof ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"])];
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    proc: undefined as unknown as ChildProcess,
    async start() {
      const proc = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
      server.proc = proc;
      let spawnError: Error | undefined;
      proc.once("error", (e) => {
        spawnError = e;
      });
      for (let i = 0; i < 100; i++) {
        if (spawnError) throw new Error(`redis-server could not start (${spawnError.message}); install it (Debian: apt-get install redis-server)`);
        if (await ping(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server did not answer on port ${port}`);
    },
    async stop(signal = "SIGTERM") {
      const p = server.proc;
      if (p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once("exit", r));
      process.kill(p.pid!, signal);
      await exited;
    },
  };
  await server.start();
  return server;
}

export interface WorkerProcess {
  proc: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Start `hepflow worker` (compiled dist/) and wait until it is connected. */
export async function startWorker(url: string, opts: { root: string; lockMs?: number; concurrency?: number; store?: string }): Promise<WorkerProcess> {
  const args = [join(repo, "bin/hepflow.js"), "worker", "--redis", url, "--root", opts.root, "--lock-ms", String(opts.lockMs ?? 1500), "--concurrency", String(opts.concurrency ?? 1), ...(opts.store ? ["--store", opts.store] : [])];
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`worker did not start: ${err}`)), 20_000);
    const check = () => {
      if (/ready on/.test(err)) {
        clearTimeout(t);
        res();
      }
    };
    proc.stderr!.on("data", check);
    proc.once("exit", (c) => {
      clearTimeout(t);
      rej(new Error(`worker exited (${c}): ${err}`));
    });
  });
  return {
    proc,
    log: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      process.kill(proc.pid!, "SIGCONT");
      process.kill(proc.pid!, "SIGKILL");
      await exited;
    },
  };
}
