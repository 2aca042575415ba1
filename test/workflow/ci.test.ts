/**
 * `hepflow ci init`: the generated GitHub Actions and GitLab CI files use only the platforms'
 * documented keys, and their commands, run here as the job would run them (all but the step that
 * installs hepflow from the registry: the local build stands in for it), run the analysis, keep
 * the step cache between runs, publish the run directory, and fail when a declared result moves.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { readState } from "../../src/workflow/index.js";

// GitHub Actions workflow syntax (docs.github.com, "Workflow syntax for GitHub Actions") and the
// inputs of the actions used (their action.yml); GitLab's CI/CD YAML syntax reference.
const GH_TOP = new Set(["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"]);
const GH_JOB = new Set([
  "name",
  "permissions",
  "needs",
  "if",
  "runs-on",
  "environment",
  "concurrency",
  "outputs",
  "env",
  "defaults",
  "steps",
  "timeout-minutes",
  "strategy",
  "continue-on-error",
  "container",
  "services",
  "uses",
  "with",
  "secrets",
]);
const GH_STEP = new Set(["id", "if", "name", "uses", "run", "working-directory", "shell", "with", "env", "continue-on-error", "timeout-minutes"]);
const GH_ACTION_INPUTS: Record<string, Set<string>> = {
  "actions/checkout@v4": new Set(["repository", "ref", "token", "path", "fetch-depth", "lfs", "submodules"]),
  "actions/setup-node@v4": new Set(["node-version", "node-version-file", "cache", "registry-url"]),
  "actions/cache@v4": new Set(["path", "key", "restore-keys", "enableCrossOsArchive", "fail-on-cache-miss", "lookup-only"]),
  "actions/upload-artifact@v4": new Set(["name", "path", "if-no-files-found", "retention-days", "compression-level", "overwrite", "include-hidden-files"]),
};
const GL_GLOBAL = new Set(["default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script"]);
const GL_JOB = new Set([
  "after_script",
  "allow_failure",
  "artifacts",
  "before_script",
  "cache",
  "coverage",
  "dependencies",
  "environment",
  "except",
  "extends",
  "image",
  "interruptible",
  "needs",
  "only",
  "parallel",
  "release",
  "resource_group",
  "retry",
  "rules",
  "script",
  "services",
  "stage",
  "tags",
  "timeout",
  "trigger",
  "variables",
  "when",
]);
const GL_CACHE = new Set(["key", "paths", "untracked", "unprotect", "when", "policy", "fallback_keys"]);
const GL_ARTIFACTS = new Set(["paths", "exclude", "expire_in", "expose_as", "name", "public", "access", "reports", "untracked", "when"]);

const subset = (keys: string[], allowed: Set<string>, what: string) => {
  for (const k of keys) if (!allowed.has(k)) expect.fail(`${what}: "${k}" is not a documented key`);
};

let repo: string;
let shimDir: string;
beforeAll(() => {
  // An analysis repository: the VH(bb) example's workflow, its init values and fit config.
  repo = mkdtempSync(path.join(tmpdir(), "hepflow-ci-"));
  for (const f of ["workflow.yml", "steps.yml", "fit-config.yml"]) cpSync(path.resolve("examples/recast/vhbb", f), path.join(repo, f));
  const init = (parseYaml(readFileSync(path.resolve("examples/recast/vhbb/recast.yml"), "utf8")) as { example_inputs: { default: { initdata: object } } }).example_inputs.default.initdata;
  writeFileSync(path.join(repo, "inputs.yml"), toYaml(init));
  shimDir = path.join(repo, "..", `${path.basename(repo)}-bin`);
  mkdirSync(shimDir, { recursive: true });
  writeFileSync(path.join(shimDir, "hepflow"), `#!/bin/sh\nexec "${process.execPath}" "${path.resolve("bin/hepflow.js")}" "$@"\n`);
  chmodSync(path.join(shimDir, "hepflow"), 0o755);
});

/** Runs the job's shell lines in the repository like the runner's shell (bash -e); returns the exit status of the first failing one. */
const runJob = (lines: string[]): { status: number; output: string } => {
  let output = "";
  for (const line of lines) {
    const r = spawnSync("bash", ["-ec", line], { cwd: repo, encoding: "utf8", env: { ...process.env, PATH: `${shimDir}:${process.env.PATH}`, HEPFLOW_CACHE_DIR: "" } });
    output += r.stdout + r.stderr;
    if (r.status !== 0) return { status: r.status ?? 1, output };
  }
  return { status: 0, output };
};

describe("hepflow ci init", () => {
  it("GitHub Actions: documented keys; the job runs locally, keeps the cache, fails when a result moves", async () => {
    // A first run gives the analysis its reference (a person would commit it).
    writeFileSync(path.join(repo, "reference.yml"), toYaml({ results: [{ name: "observed limit on mu", file: "statistics/limit.json", key: "obs", value: 1, tolerance: 0.01 }] }));
    await runCli("ci", "init", "--github", "--workflow", "workflow.yml", "--init", "inputs.yml", "--reference", "reference.yml", "--repo", repo);
    const file = path.join(repo, ".github/workflows/hepflow.yml");
    const doc = parseYaml(readFileSync(file, "utf8")) as { jobs: Record<string, { steps: Array<Record<string, unknown>> }> } & Record<string, unknown>;
    subset(Object.keys(doc), GH_TOP, "workflow");
    const job = doc.jobs.analysis!;
    subset(Object.keys(job), GH_JOB, "job");
    for (const s of job.steps) {
      subset(Object.keys(s), GH_STEP, "step");
      if (typeof s.uses === "string") {
        expect(GH_ACTION_INPUTS[s.uses], s.uses).toBeDefined();
        subset(Object.keys((s.with as object) ?? {}), GH_ACTION_INPUTS[s.uses]!, s.uses);
      }
    }
    const cache = job.steps.find((s) => s.uses === "actions/cache@v4")!.with as { path: string };
    const upload = job.steps.find((s) => s.uses === "actions/upload-artifact@v4")!.with as { path: string };
    const lines = job.steps.filter((s) => typeof s.run === "string" && s.name !== "install hepflow").map((s) => s.run as string);
    expect(lines).toHaveLength(4);

    // The reference value 1 is far from the run's limit: the job must fail at the check.
    let r = runJob(lines);
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toMatch(/FAIL observed limit on mu: [\d.]+ vs reference 1 .*\n[\s\S]*1 of 1 declared results moved beyond their tolerance/);
    const limit = JSON.parse(readFileSync(path.join(repo, "hepflow-run/statistics/limit.json"), "utf8")).obs as number;
    expect(existsSync(path.join(repo, upload.path, "report.html"))).toBe(true);
    expect(existsSync(path.join(repo, cache.path))).toBe(true);

    // With the run's value committed as the reference, the job passes — and is served from the cache.
    writeFileSync(path.join(repo, "reference.yml"), toYaml({ results: [{ name: "observed limit on mu", file: "statistics/limit.json", key: "obs", value: limit, tolerance: 0.01 }] }));
    r = runJob(lines);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/ok {3}observed limit on mu/);
    const steps = Object.values(readState(path.join(repo, "hepflow-run")).steps).filter((s) => !s.init);
    expect(steps.map((s) => s.reused)).toEqual(steps.map(() => "cache"));
    const html = readFileSync(path.join(repo, "hepflow-run/report.html"), "utf8");
    for (const id of ["selection", "scaling", "statistics"]) expect(html).toContain(id);
    expect(html).toContain('src="statistics/limits.png"');
  }, 240_000);

  it("GitLab CI: documented keys, the same commands, cache and artifacts", async () => {
    await runCli("ci", "init", "--gitlab", "--workflow", "workflow.yml", "--init", "inputs.yml", "--reference", "reference.yml", "--repo", repo);
    const doc = parseYaml(readFileSync(path.join(repo, ".gitlab-ci.yml"), "utf8")) as Record<string, Record<string, unknown>>;
    const jobs = Object.keys(doc).filter((k) => !GL_GLOBAL.has(k));
    expect(jobs).toEqual(["analysis"]);
    const job = doc.analysis!;
    subset(Object.keys(job), GL_JOB, "job");
    subset(Object.keys(job.cache as object), GL_CACHE, "cache");
    subset(Object.keys(job.artifacts as object), GL_ARTIFACTS, "artifacts");
    expect(doc.stages as unknown as string[]).toContain(job.stage);
    const r = runJob(job.script as string[]);
    expect(r.status, r.output).toBe(0);
    expect((job.cache as { paths: string[] }).paths).toEqual([".hepflow-cache/"]);
    expect(execFileSync("ls", [path.join(repo, (job.artifacts as { paths: string[] }).paths[0]!)], { encoding: "utf8" })).toContain("report.html");
    await expect(runCli("ci", "init", "--gitlab", "--workflow", "workflow.yml", "--repo", repo)).rejects.toThrow(/exists/);
  }, 240_000);

  it("a reference with a missing tolerance names the place", async () => {
    const bad = path.join(repo, "bad.yml");
    writeFileSync(bad, "results:\n  - {name: x, file: a.json, key: v, value: 1}\n");
    await expect(runCli("ci", "check", path.join(repo, "hepflow-run"), "--reference", bad)).rejects.toThrow(`${bad}: /results/0/tolerance: tolerance must be a number`);
  });
});
