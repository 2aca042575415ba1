// Real XRootD servers for the integration tests, and the network namespace they run in.
//
// The Debian xrootd listens on all interfaces and will not run as root, so every test runs
// server and client together inside a private network namespace (`unshare -n`, loopback only):
// nothing outside the machine, nor outside the test, can reach it. `inNamespace()` (called by
// the vitest file) spawns `unshare`; the scenario script it runs calls `startServer()`, which
// starts `xrootd -R xrootd` as a child and kills it by PID when done.
import { spawn, spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Runs `node xrootd-scenarios.mjs NAME` in a fresh network namespace; resolves with its JSON answer. */
export function inNamespace(scenario, input = {}, timeoutMs = 90_000) {
  return new Promise((resolve, reject) => {
    const script = path.join(HERE, "xrootd-scenarios.mjs");
    const child = spawn("unshare", ["-n", "--kill-child", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', process.execPath, script, scenario], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "",
      err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start unshare (util-linux) for the XRootD tests: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .pop();
      if (code !== 0 || !line) return reject(new Error(`scenario ${scenario} ended with ${signal ?? code}\nstdout: ${out.slice(-3000)}\nstderr: ${err.slice(-3000)}`));
      resolve(JSON.parse(line));
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** A scratch directory the xrootd user can read and write (TMPDIR of the tests is private to root). */
export function scratch() {
  const dir = mkdtempSync("/tmp/hepflow-xrd-");
  for (const sub of ["data", "run"]) mkdirSync(path.join(dir, sub));
  for (const p of [dir, path.join(dir, "data"), path.join(dir, "run")]) chownSync(p, xrootdUid(), xrootdGid());
  return dir;
}

function xrootdUid() {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("xrootd:"));
  if (!line) throw new Error("no xrootd user: install the Debian package xrootd-server (it creates one)");
  return Number(line.split(":")[2]);
}
function xrootdGid() {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("xrootd:"));
  return Number(line.split(":")[3]);
}

/** Files put into a server's data directory belong to the xrootd user. */
export function giveToXrootd(file) {
  chownSync(file, xrootdUid(), xrootdGid());
}

const started = new Set();
process.on("exit", () => {
  for (const c of started) {
    for (const pid of [c.serverPid, c.pid]) {
      try {
        if (pid) process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
});

/**
 * Starts one xrootd serving `dir/data` on `port` with extra config lines; resolves once the port
 * accepts connections. Returns { port, pid, stop() }.
 */
export async function startServer(dir, name, port, extra = []) {
  if (!existsSync("/usr/bin/xrootd")) throw new Error("xrootd not installed (Debian package xrootd-server)");
  const cfg = path.join(dir, `${name}.cfg`);
  writeFileSync(cfg, ["all.export /", `oss.localroot ${path.join(dir, "data")}`, `all.adminpath ${path.join(dir, "run")}`, `all.pidpath ${path.join(dir, "run")}`, "xrootd.chksum adler32", ...extra].join("\n") + "\n");
  // `timeout` is a backstop: should this process die without cleaning up, the server still ends.
  const child = spawn("timeout", ["-s", "KILL", "300", "xrootd", "-R", "xrootd", "-p", String(port), "-c", cfg, "-l", path.join(dir, "run", "log"), "-n", name], { stdio: "ignore", cwd: dir });
  started.add(child);
  child.on("exit", () => started.delete(child));
  const deadline = Date.now() + 15_000;
  const pidFile = path.join(dir, "run", name, "xrootd.pid");
  for (;;) {
    if (child.exitCode !== null) throw new Error(`xrootd ${name} exited with ${child.exitCode}; log: ${logTail(dir, name)}`);
    if (existsSync(pidFile) && (await canConnect(port))) break;
    if (Date.now() > deadline) throw new Error(`xrootd ${name} did not listen on ${port}; log: ${logTail(dir, name)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The server's own PID (child is `timeout`, which cannot pass SIGKILL on).
  child.serverPid = Number(readFileSync(pidFile, "utf8").trim());
  return {
    port,
    pid: child.serverPid,
    /** Ends the server (SIGKILL: the test wants it gone now) and waits for it. */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        process.kill(child.serverPid, "SIGKILL");
      }),
  };
}

function logTail(dir, name) {
  try {
    return readFileSync(path.join(dir, "run", name, "log"), "utf8").slice(-1500);
  } catch {
    return "(no log)";
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export function removeScratch(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs xrdcp/xrdfs with a bounded time; returns { status, stdout, stderr }. */
export function xrdTool(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000 });
  if (r.error) throw new Error(`${cmd} failed to start (Debian package xrootd-client): ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
