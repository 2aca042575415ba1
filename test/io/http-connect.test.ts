// The HTTP connect timeout against a server that accepts no connection (issue 13 item 9).
// A listening socket whose accept queue is full: Linux drops further SYNs (it does not refuse
// them), so a client's connect neither succeeds nor fails — exactly an unreachable host's
// behaviour, on loopback. The listener is Python's (Node's own servers always accept).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpSource } from "../../src/io/http.js";
import { HepflowError } from "../../src/util/index.js";

const BIN = path.resolve(__dirname, "../../bin/hepflow.js");
/** Timers fire late on a loaded 2-core machine, never early; 2 s of lateness is allowed. */
const LATE_MS = 2000;

let listener: ChildProcess;
let port = 0;
const fillers: net.Socket[] = [];

beforeAll(async () => {
  listener = spawn("python3", ["-c", "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)"], { stdio: ["ignore", "pipe", "inherit"] });
  port = await new Promise<number>((resolve, reject) => {
    listener.once("error", reject);
    listener.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
  });
  // Fill the accept queue (backlog 0 holds one connection) until a connect hangs.
  for (let i = 0; i < 8; i++) {
    const s = net.connect(port, "127.0.0.1");
    s.on("error", () => {});
    fillers.push(s);
    const connected = await new Promise<boolean>((r) => {
      s.once("connect", () => r(true));
      setTimeout(() => r(false), 500);
    });
    if (!connected) return;
  }
  throw new Error("the listener's accept queue never filled: connects still succeed");
});

afterAll(() => {
  for (const s of fillers) s.destroy();
  listener?.kill();
});

describe("HTTP connect timeout", () => {
  for (const ms of [600, 1500]) {
    it(`fires at its setting (${ms} ms), as a HepflowError naming the phase`, async () => {
      const src = new HttpSource(`http://127.0.0.1:${port}/f.root`, { connectTimeoutMs: ms, maxRetries: 0, firstByteTimeoutMs: 60_000 });
      const t0 = Date.now();
      const e = await src.size().then(
        () => undefined,
        (x: unknown) => x,
      );
      const took = Date.now() - t0;
      expect(e).toBeInstanceOf(HepflowError);
      expect((e as Error).message).toContain(`connecting timed out after ${ms} ms`);
      expect(took).toBeGreaterThanOrEqual(ms - 5);
      expect(took).toBeLessThan(ms + LATE_MS);
      await src.close();
    });
  }

  it("hepflow --connect-timeout sets it for a command (each of the 5 attempts waits that long)", () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, "--connect-timeout", "0.5", "ls", `http://127.0.0.1:${port}/f.root`], { encoding: "utf8", timeout: 60_000 });
    const took = Date.now() - t0;
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("failed after 5 attempts: connecting timed out after 500 ms");
    // 5 attempts × 500 ms, plus backoff of at most 100+200+400+800 ms, plus start-up and lateness
    expect(took).toBeGreaterThanOrEqual(5 * 500);
    expect(took).toBeLessThan(5 * 500 + 1500 + LATE_MS + 2000);
  });
});
