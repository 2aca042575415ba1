// Workflow steps on the Redis executor (issue 24): `hepflow workflow run` in one process vs
// `--executor redis://…` with 2 `hepflow worker` processes (concurrency 1 each) on this machine,
// for the public yadage `mapreduce` spec (4 trivial shell steps in two waves: the queue's round
// trip) and the VH(bb) RECAST chain (6 hepflow steps). Times are the run's own summary line,
// `--no-cache`; the workers are started and warmed by one run before timing, as a cluster's are.
// redis-server must be on PATH. Build first: npx tsc -p .
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startRedisServer } from "./lib/redis.mjs";

const repo = new URL("..", import.meta.url).pathname;
const REPEATS = Math.max(1, Number(process.env.HEPFLOW_BENCH_REPEATS ?? 3));
const line = (o) => console.log(JSON.stringify({ ...o, load1: +loadavg()[0].toFixed(2) }));
const run = promisify(execFile);

const root = mkdtempSync(join(process.env.TMPDIR || tmpdir(), "hepflow-bench-wf-redis-"));
cpSync(join(repo, "../shared/data/yadage/yadage/tests/testspecs/mapreduce"), join(root, "mapreduce"), { recursive: true });
mkdirSync(join(root, "catalogue"));
cpSync(join(repo, "examples/recast/vhbb"), join(root, "catalogue/vhbb"), { recursive: true });
const entry = join(root, "catalogue/vhbb/recast.yml");
writeFileSync(entry, readFileSync(entry, "utf8").replace("name: hepflow/vhbb", "name: bench/vhbb"));

const { url, proc: redis } = await startRedisServer(root);
const children = [redis];
process.on("exit", () => {
  for (const c of children)
    try {
      process.kill(c.pid, "SIGKILL");
    } catch {}
});
await Promise.all(
  [1, 2].map(
    () =>
      new Promise((res, rej) => {
        const w = spawn(process.execPath, [join(repo, "bin/hepflow.js"), "worker", "--redis", url, "--root", root], { stdio: ["ignore", "ignore", "pipe"] });
        children.push(w);
        let err = "";
        w.stderr.on("data", (d) => {
          err += d;
          if (/ready on/.test(err)) res(w);
        });
        w.once("exit", (c) => rej(new Error(`worker exited ${c}: ${err}`)));
      }),
  ),
);

let n = 0;
/** Seconds of the run, from its summary line. */
async function seconds(args, remote) {
  const { stdout } = await run(process.execPath, [join(repo, "bin/hepflow.js"), ...args, "-o", `run-${++n}`, "--no-cache", "--quiet", ...(remote ? ["--executor", url] : [])], { cwd: root });
  const m = /done: (\d+) steps .* in ([\d.]+) s/.exec(stdout);
  if (!m) throw new Error(`no summary line in: ${stdout}`);
  return { steps: Number(m[1]), s: Number(m[2]) };
}

const cases = {
  mapreduce: ["workflow", "run", "mapreduce/workflow.yml", "mapreduce/input.yml"],
  vhbb: ["recast", "run", "bench/vhbb", "--catalogue", "catalogue"],
};
for (const [name, args] of Object.entries(cases)) {
  await seconds(args, true); // warm the workers' imports
  const local = [],
    remote = [];
  for (let i = 0; i < REPEATS; i++) {
    local.push((await seconds(args, false)).s);
    remote.push((await seconds(args, true)).s);
  }
  const best = (a) => Math.min(...a);
  const steps = (await seconds(args, false)).steps;
  line({
    bench: "workflow-redis",
    case: name,
    steps,
    workers: 2,
    local_s: best(local),
    redis_s: best(remote),
    ratio: +(best(remote) / best(local)).toFixed(2),
    overhead_per_step_ms: +((1000 * (best(remote) - best(local))) / steps).toFixed(1),
    repeats: REPEATS,
  });
}
process.exit(0);
