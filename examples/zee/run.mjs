// The new-student challenge end to end, timed: generate the dataset once, start `hepflow serve`,
// `hepflow deliver spec.yaml` cold (empty service and local cache), then again (local cache), then
// plot m_ee. Usage: node examples/zee/run.mjs [EVENTS] [WORKDIR]
import { spawn, execFileSync } from "node:child_process";
import { existsSync, rmSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, "../../bin/hepflow.js");
const events = Number(process.argv[2] ?? 1_000_000);
const work = path.resolve(process.argv[3] ?? "zee-work");
const data = path.join(work, "data");
mkdirSync(work, { recursive: true });
if (!existsSync(path.join(data, "catalogue.json"))) execFileSync("node", [bin, "generate", "zee", "--events", String(events), "--files", "4", "--out", data], { stdio: "inherit" });
rmSync(path.join(work, "service"), { recursive: true, force: true });
rmSync(path.join(work, "cache"), { recursive: true, force: true });

const server = spawn("node", [bin, "serve", "--port", "0", "--dir", path.join(work, "service"), "--catalogue", path.join(data, "catalogue.json"), "--workers", "2"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  server.stdout.on("data", (b) => {
    const m = /on (http:\/\/\S+)/.exec(String(b));
    if (m) resolve(m[1]);
  });
  server.once("exit", (c) => reject(new Error(`hepflow serve exited (${c})`)));
});
const env = { ...process.env, HEPFLOW_SERVICE_URL: url, HEPFLOW_DELIVER_CACHE: path.join(work, "cache") };
const timed = (label, args) => {
  const t0 = performance.now();
  const out = execFileSync("node", args, { env, encoding: "utf8" });
  const s = (performance.now() - t0) / 1000;
  return { label, seconds: Number(s.toFixed(2)), out };
};
try {
  const cold = timed("deliver (cold)", [bin, "deliver", path.join(here, "spec.yaml"), "--json"]);
  const files = JSON.parse(cold.out).zee.files;
  const plot = timed("plot", [path.join(here, "plot.mjs"), path.join(work, "m_ee.png"), ...files]);
  const cached = timed("deliver (local cache)", [bin, "deliver", path.join(here, "spec.yaml"), "--json"]);
  const server2 = timed("deliver --ignore-cache (server cache)", [bin, "deliver", path.join(here, "spec.yaml"), "--ignore-cache", "--json"]);
  const ts = timed("deliver.mjs (TS API; same cache key, served by the server cache)", [path.join(here, "deliver.mjs")]);
  const plot2 = timed("plot (again)", [path.join(here, "plot.mjs"), path.join(work, "m_ee.png"), ...files]);
  console.log(
    JSON.stringify(
      {
        events,
        cold_deliver_s: cold.seconds,
        plot_s: plot.seconds,
        cold_total_s: Number((cold.seconds + plot.seconds).toFixed(2)),
        cached_deliver_s: cached.seconds,
        cached_total_s: Number((cached.seconds + plot2.seconds).toFixed(2)),
        server_cache_deliver_s: server2.seconds,
        ts_api_deliver_s: ts.seconds,
        from_cache: JSON.parse(cached.out).zee.fromCache,
        plot: JSON.parse(plot.out),
      },
      null,
      1,
    ),
  );
} finally {
  server.kill("SIGTERM");
}
