// Workflow steps on the Redis executor (`hepflow workflow run --executor`): a private redis-server
// on a random loopback port and 2 `hepflow worker` processes whose --root is a temporary folder
// holding copies of a public yadage spec (mapreduce: localproc shell steps) and of the VH(bb)
// RECAST entry (hepflow in-process steps). Each must give the same outputs as the local run.
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readState } from "../../src/workflow/index.js";
import type { RunState } from "../../src/workflow/index.js";
import { SHARED } from "../shared.js";
import { startRedis, startWorker } from "../helpers/redis.js";
import type { RedisServer, WorkerProcess } from "../helpers/redis.js";

const repo = path.resolve(new URL("../../", import.meta.url).pathname);
const run = promisify(execFile);
const MAPREDUCE = path.join(SHARED, "data/yadage/yadage/tests/testspecs/mapreduce");

let redis: RedisServer;
let workers: WorkerProcess[] = [];
let root: string;

/** `hepflow ARGS…` as a child process from the shared root (the client's root is its working directory). */
const hepflow = (...args: string[]) => run(process.execPath, [path.join(repo, "bin/hepflow.js"), ...args], { cwd: root, timeout: 60_000 });
const steps = (rundir: string): RunState["steps"] => Object.fromEntries(Object.entries(readState(path.join(root, rundir)).steps).filter(([, s]) => !s.init));
const names = () => workers.map((w) => /worker (\S+) ready/.exec(w.log())![1]!);

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "hepflow-wf-redis-"));
  cpSync(MAPREDUCE, path.join(root, "mapreduce"), { recursive: true });
  mkdirSync(path.join(root, "catalogue"));
  cpSync(path.join(repo, "examples/recast/vhbb"), path.join(root, "catalogue/vhbb"), { recursive: true });
  // a second name, so that the copy does not clash with the built-in entry
  const entry = path.join(root, "catalogue/vhbb/recast.yml");
  writeFileSync(entry, readFileSync(entry, "utf8").replace("name: hepflow/vhbb", "name: copy/vhbb"));
  mkdirSync(path.join(root, "failing"));
  writeFileSync(
    path.join(root, "failing/workflow.yml"),
    [
      "stages:",
      "  - name: broken",
      "    dependencies: [init]",
      "    scheduler:",
      "      scheduler_type: singlestep-stage",
      "      parameters: {}",
      "      step:",
      "        process: {process_type: string-interpolated-cmd, cmd: 'echo about to fail; exit 3'}",
      "        environment: {environment_type: localproc-env}",
      "        publisher: {publisher_type: constant-pub, publish: {}}",
      "",
    ].join("\n"),
  );
  redis = await startRedis();
  workers = await Promise.all([startWorker(redis.url, { root }), startWorker(redis.url, { root })]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop()));
  await redis?.stop();
});

describe("workflow steps on hepflow workers", () => {
  it("mapreduce (shell steps) gives the local run's files and outputs; every step ran on a worker", async () => {
    await hepflow("workflow", "run", "mapreduce/workflow.yml", "mapreduce/input.yml", "-o", "mr-local", "--no-cache", "--quiet");
    await hepflow("workflow", "run", "mapreduce/workflow.yml", "mapreduce/input.yml", "-o", "mr-redis", "--no-cache", "--quiet", "--executor", redis.url);
    const local = steps("mr-local");
    const remote = steps("mr-redis");
    expect(Object.keys(remote)).toEqual(["map_0", "map_1", "map_2", "reduce"]);
    for (const [id, s] of Object.entries(remote)) {
      expect(s.status).toBe("done");
      expect(s.result).toEqual(local[id]!.result);
      expect(s.parameters).toEqual(local[id]!.parameters);
      expect(names()).toContain(s.worker);
      expect(local[id]!.worker).toBeUndefined();
      // the log came back through the job and the client wrote it
      expect(readFileSync(path.join(root, "mr-redis", s.log!), "utf8")).toContain("echo hello >");
    }
    for (const i of [1, 2, 3]) expect(readFileSync(path.join(root, `mr-redis/map_${i - 1}/${i}`), "utf8")).toBe("hello\n");
  }, 30_000);

  it("the VH(bb) RECAST chain (hepflow steps in the workers' processes) gives the local limit; a second run is served by the client's cache", async () => {
    const cache = path.join(root, "cache");
    await hepflow("recast", "run", "copy/vhbb", "--catalogue", "catalogue", "-o", "vhbb-local", "--no-cache", "--quiet");
    await hepflow("recast", "run", "copy/vhbb", "--catalogue", "catalogue", "-o", "vhbb-redis", "--cache-dir", cache, "--quiet", "--executor", redis.url);
    const remote = steps("vhbb-redis");
    expect(Object.keys(remote).sort()).toEqual(["external", "scaling", "selection", "signal", "statistics", "sumw"]);
    for (const s of Object.values(remote)) expect(names()).toContain(s.worker);
    // the fit runs on the same histograms with the same code: bit-identical, not merely close
    expect(readFileSync(path.join(root, "vhbb-redis/statistics/limit.json"), "utf8")).toBe(readFileSync(path.join(root, "vhbb-local/statistics/limit.json"), "utf8"));
    expect(remote.sumw!.result).toEqual(steps("vhbb-local").sumw!.result);
    expect(remote.scaling!.command).toBe(steps("vhbb-local").scaling!.command!.split("vhbb-local").join("vhbb-redis"));
    await hepflow("recast", "run", "copy/vhbb", "--catalogue", "catalogue", "-o", "vhbb-again", "--cache-dir", cache, "--quiet", "--executor", redis.url);
    const again = steps("vhbb-again");
    expect(Object.values(again).map((s) => s.reused)).toEqual(Object.values(again).map(() => "cache"));
    expect(Object.values(again).some((s) => s.worker)).toBe(false);
  }, 40_000);

  it("a failing step's log and exit status come back; --resume reruns it", async () => {
    const failed = await hepflow("workflow", "run", "failing/workflow.yml", "-o", "fail", "--no-cache", "--quiet", "--executor", redis.url).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failed?.message).toMatch(/broken: .*failing\/workflow.yml: \/stages\/0\/scheduler\/step: the command exited with status 3/);
    const s = steps("fail").broken!;
    expect(s.status).toBe("failed");
    expect(readFileSync(path.join(root, "fail", s.log!), "utf8")).toContain("about to fail");
    writeFileSync(path.join(root, "failing/workflow.yml"), readFileSync(path.join(root, "failing/workflow.yml"), "utf8").replace("exit 3", "exit 0"));
    await hepflow("workflow", "run", "failing/workflow.yml", "-o", "fail", "--no-cache", "--quiet", "--resume", "--executor", redis.url);
    expect(steps("fail").broken!.status).toBe("done");
  }, 20_000);

  it("a client outside the root is refused before running; a worker refuses a job outside its root or for a step its copy does not have", async () => {
    const outside = mkdtempSync(path.join(tmpdir(), "hepflow-wf-outside-"));
    const e = await hepflow("workflow", "run", "mapreduce/workflow.yml", "mapreduce/input.yml", "-o", path.join(outside, "run"), "--executor", redis.url).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(e?.message).toMatch(/must be inside the working directory/);
    const q = new Queue("steps", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "hepflow" });
    try {
      const { hepflowVersion } = await import("../../src/workflow/index.js");
      const base = {
        hepflow: hepflowVersion(),
        spec: "mapreduce/workflow.yml",
        toplevel: "mapreduce",
        stepPath: ["stages", 0, "scheduler", "step"],
        specHash: "0".repeat(64),
        parameters: { input: 1 },
        workdir: "evil/map_0",
        rundir: "evil",
        runtime: "auto",
        id: "map_0",
      };
      const reason = async (data: object, id: string) => {
        const job = await q.add("step", data, { jobId: id });
        for (let i = 0; i < 100; i++) {
          const j = await q.getJob(id);
          if (j?.failedReason) return j.failedReason;
          await new Promise((r) => setTimeout(r, 50));
        }
        return `job ${job.id} did not fail`;
      };
      expect(await reason({ ...base, spec: "../../etc/workflow.yml" }, "outside")).toMatch(/PATH_REFUSED.*outside this worker's root/);
      // nor through a $ref that leads out of the root
      cpSync(path.join(MAPREDUCE, "steps.yml"), path.join(outside, "steps.yml"));
      mkdirSync(path.join(root, "escape"));
      writeFileSync(
        path.join(root, "escape/workflow.yml"),
        readFileSync(path.join(MAPREDUCE, "workflow.yml"), "utf8")
          .split("steps.yml#")
          .join(`${path.relative(path.join(root, "escape"), outside)}/steps.yml#`),
      );
      expect(await reason({ ...base, spec: "escape/workflow.yml", toplevel: "escape" }, "escape")).toMatch(/PATH_REFUSED.*steps\.yml, which is outside this worker's root/);
      // the client's command is never taken from the job: a step that differs from the worker's copy is refused
      expect(await reason(base, "tampered")).toMatch(/WORKFLOW_VERSION.*another step at/);
    } finally {
      await q.close();
    }
  }, 20_000);

  it("Ctrl-C of the client removes its queued steps (the running ones finish); exit status 130; --resume attaches to the running ones", async () => {
    mkdirSync(path.join(root, "four"));
    writeFileSync(
      path.join(root, "four/workflow.yml"),
      [
        "stages:",
        "  - name: nap",
        "    dependencies: [init]",
        "    scheduler:",
        "      scheduler_type: multistep-stage",
        "      parameters: {n: [1, 2, 3, 4]}",
        "      scatter: {method: zip, parameters: [n]}",
        "      step:",
        // long enough for the --resume client below to start and attach while the first two still run,
        // also on a loaded machine (with 2 s, a client that took longer found them finished and reran them)
        "        process: {process_type: string-interpolated-cmd, cmd: 'sleep 5; echo {n} > n.txt'}",
        "        environment: {environment_type: localproc-env}",
        "        publisher: {publisher_type: constant-pub, publish: {}}",
        "",
      ].join("\n"),
    );
    const client = spawn(process.execPath, [path.join(repo, "bin/hepflow.js"), "workflow", "run", "four/workflow.yml", "-o", "four-run", "--no-cache", "--quiet", "-j", "4", "--executor", redis.url], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    client.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((r) => client.once("exit", (c) => r(c)));
    // both workers busy (concurrency 1 each): two steps run, two wait in the queue
    const taken = () => workers.filter((w) => /step nap_\d \(four-run\/nap_\d\) started/.test(w.log())).length;
    for (let i = 0; i < 100 && taken() < 2; i++) await new Promise((r) => setTimeout(r, 50));
    client.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(err).toMatch(/cancelled: 2 of 4 unfinished step job\(s\) removed/);
    const q = new Queue("steps", { connection: { host: "127.0.0.1", port: redis.port }, prefix: "hepflow" });
    try {
      expect(await q.getWaitingCount()).toBe(0);
    } finally {
      await q.close();
    }
    // --resume while the two steps still run: it attaches to their jobs (same ids) instead of starting them again
    await hepflow("workflow", "run", "four/workflow.yml", "-o", "four-run", "--no-cache", "--quiet", "-j", "4", "--resume", "--executor", redis.url);
    for (const i of [0, 1, 2, 3]) {
      expect(readFileSync(path.join(root, `four-run/nap_${i}/n.txt`), "utf8")).toBe(`${i + 1}\n`);
      expect(
        workers.map((w) => w.log().split(`step nap_${i} (four-run/nap_${i}) started`).length - 1).reduce((a, b) => a + b),
        `nap_${i} started once`,
      ).toBe(1);
    }
  }, 40_000);

  // last: it restarts Redis
  it("a step whose job vanished (Redis restarted without persistence) fails the run by name, for --resume", async () => {
    mkdirSync(path.join(root, "slow"));
    writeFileSync(
      path.join(root, "slow/workflow.yml"),
      readFileSync(path.join(root, "failing/workflow.yml"), "utf8")
        .replace("broken", "slow")
        .replace(/cmd: '[^']*'/, "cmd: 'sleep 3; echo late > late.txt'"),
    );
    const client = hepflow("workflow", "run", "slow/workflow.yml", "-o", "slow-run", "--no-cache", "--quiet", "--executor", redis.url).then(
      () => undefined,
      (e: Error) => e,
    );
    // wait until a worker has taken the step (its state says running and the worker logged it)
    for (let i = 0; i < 100 && !workers.some((w) => /step slow \(slow-run\/slow\) started/.test(w.log())); i++) await new Promise((r) => setTimeout(r, 50));
    await redis.stop();
    await redis.start();
    const e = await client;
    expect(e?.message).toMatch(/slow: the step's job step-\w+ vanished from Redis/);
    expect(steps("slow-run").slow!.status).toBe("failed");
  }, 20_000);
});
