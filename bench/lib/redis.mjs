// A private redis-server on a free 127.0.0.1 port for the distributed benches (killed when the bench exits).
import { spawn } from "node:child_process";
import { createConnection, createServer } from "node:net";

/** Starts redis-server (no persistence, files in `dir`) and resolves once it accepts connections. */
export async function startRedisServer(dir) {
  const port = await new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  for (let i = 0; ; i++) {
    const ok = await new Promise((res) => {
      const c = createConnection({ host: "127.0.0.1", port });
      c.once("error", () => res(false));
      c.once("connect", () => {
        c.destroy();
        res(true);
      });
    });
    if (ok) break;
    if (i > 100) throw new Error("redis-server did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, url: `redis://127.0.0.1:${port}`, proc };
}
