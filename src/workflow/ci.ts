/**
 * Analysis in CI: the configuration `hepflow ci init` writes for GitHub Actions or GitLab CI, and
 * the check that fails a job when a declared result moved beyond its tolerance from the reference
 * committed with the analysis (`hepflow ci check`). The job runs the same commands a person would
 * run locally (`ciCommands`), keeps the step cache in the platform's cache between runs and
 * publishes the run directory (report.html, results, logs, state) as an artifact.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { JSONPath } from "jsonpath-plus";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { HepflowError } from "../util/index.js";

/** What the CI job runs. */
export interface CiSpec {
  /** Workflow file, relative to the repository root. */
  workflow: string;
  /** Init file (optional) and -p parameters. */
  init?: string;
  params?: string[];
  toplevel?: string;
  /** Reference file of declared results (optional). */
  reference?: string;
  /** The command that installs hepflow on the runner. */
  install: string;
  /** Extra `workflow run` arguments (e.g. --container-runtime none). */
  runArgs?: string[];
}

/** Run directory and cache folder of the job, relative to the repository root. */
export const CI_RUNDIR = "hepflow-run";
export const CI_CACHE = ".hepflow-cache";

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The shell commands of the job after hepflow is installed, in order. */
export function ciCommands(s: CiSpec): string[] {
  // Relative init values (input files of the analysis) are relative to the repository root.
  const spec = [s.workflow, ...(s.init ? [s.init] : []), ...(s.toplevel ? ["-t", s.toplevel] : []), ...(s.params ?? []).flatMap((p) => ["-p", p]), "--init-dir", "."];
  const run = ["hepflow", "workflow", "run", ...spec, "-o", CI_RUNDIR, "--cache-dir", CI_CACHE, "--force", ...(s.runArgs ?? [])];
  return [
    `hepflow workflow validate ${spec.map(quote).join(" ")}`,
    run.map(quote).join(" "),
    `hepflow workflow report ${CI_RUNDIR} -o ${CI_RUNDIR}/report.html --force`,
    ...(s.reference ? [`hepflow ci check ${CI_RUNDIR} --reference ${quote(s.reference)}`] : []),
  ];
}

/** `.github/workflows/hepflow.yml`. */
export function githubWorkflow(s: CiSpec): string {
  const doc = {
    name: "hepflow analysis",
    on: { push: {}, pull_request: {}, workflow_dispatch: {} },
    jobs: {
      analysis: {
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 60,
        steps: [
          { uses: "actions/checkout@v4" },
          { uses: "actions/setup-node@v4", with: { "node-version": "20" } },
          { name: "install hepflow", run: s.install },
          {
            name: "step cache",
            uses: "actions/cache@v4",
            with: { path: CI_CACHE, key: "hepflow-steps-${{ github.sha }}", "restore-keys": "hepflow-steps-" },
          },
          ...ciCommands(s).map((run, i) => ({ name: ["validate", "run the workflow", "report", "check the results against the reference"][i], run })),
          {
            name: "publish the run",
            if: "always()",
            uses: "actions/upload-artifact@v4",
            with: { name: "hepflow-run", path: CI_RUNDIR, "if-no-files-found": "warn" },
          },
        ],
      },
    },
  };
  return `# Written by \`hepflow ci init --github\`: runs the analysis workflow on every push.\n${toYaml(doc, { lineWidth: 0 })}`;
}

/** `.gitlab-ci.yml`. */
export function gitlabCi(s: CiSpec): string {
  const doc = {
    stages: ["analysis"],
    analysis: {
      stage: "analysis",
      image: "node:20",
      cache: { key: "hepflow-steps", paths: [`${CI_CACHE}/`], when: "always" },
      before_script: [s.install],
      script: ciCommands(s),
      artifacts: { when: "always", paths: [`${CI_RUNDIR}/`], expire_in: "30 days", expose_as: "hepflow run" },
      timeout: "1h",
    },
  };
  return `# Written by \`hepflow ci init --gitlab\`: runs the analysis workflow on every push.\n${toYaml(doc, { lineWidth: 0 })}`;
}

/** One declared result: a number in a result file of the run, its reference value and tolerance. */
export interface ReferenceResult {
  name: string;
  /** File in the run directory (relative), JSON or YAML. */
  file: string;
  /** JSONPath into the file (`obs`, `exp[2]`, `$.points[0].CLs_obs`). */
  key: string;
  value: number;
  /** Allowed difference: relative to `value` unless `absolute: true`. */
  tolerance: number;
  absolute?: boolean;
}

/** Outcome of one declared result. */
export interface CheckRow extends ReferenceResult {
  found?: number;
  ok: boolean;
  why: string;
}

/** Reads a reference file `{results: [ReferenceResult]}` with the place of every problem. */
export function readReference(file: string): ReferenceResult[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (e) {
    throw new HepflowError("CI_REFERENCE", `cannot read the reference: ${(e as Error).message.split("\n")[0]}`, { file });
  }
  const list = (doc as { results?: unknown })?.results;
  if (!Array.isArray(list) || !list.length) throw new HepflowError("CI_REFERENCE", "the reference needs a non-empty list `results`", { file, object: "/results" });
  return list.map((r, i) => {
    const at = `/results/${i}`;
    const o = r as Partial<ReferenceResult>;
    for (const k of ["name", "file", "key"] as const) if (typeof o[k] !== "string") throw new HepflowError("CI_REFERENCE", `missing ${k} (a string)`, { file, object: `${at}/${k}` });
    for (const k of ["value", "tolerance"] as const) if (typeof o[k] !== "number" || !Number.isFinite(o[k])) throw new HepflowError("CI_REFERENCE", `${k} must be a number`, { file, object: `${at}/${k}` });
    if (o.tolerance! < 0) throw new HepflowError("CI_REFERENCE", "tolerance must not be negative", { file, object: `${at}/tolerance` });
    return o as ReferenceResult;
  });
}

/** Each declared result of the run in `rundir` against its reference. */
export function checkResults(rundir: string, refs: ReferenceResult[]): CheckRow[] {
  return refs.map((r) => {
    const f = path.join(rundir, r.file);
    if (!existsSync(f)) return { ...r, ok: false, why: `the run did not write ${r.file}` };
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(f, "utf8"));
    } catch (e) {
      return { ...r, ok: false, why: `${r.file} does not parse: ${(e as Error).message.split("\n")[0]}` };
    }
    const m = JSONPath({ path: r.key.startsWith("$") ? r.key : `$.${r.key}`, json: doc as object, wrap: true }) as unknown[];
    const v = m.length === 1 ? Number(m[0]) : NaN;
    if (!Number.isFinite(v)) return { ...r, ok: false, why: `${r.file}: ${r.key} is ${m.length === 1 ? JSON.stringify(m[0]) : `${m.length} values`}, not one number` };
    const allowed = r.absolute ? r.tolerance : r.tolerance * Math.abs(r.value);
    const diff = Math.abs(v - r.value);
    return { ...r, found: v, ok: diff <= allowed, why: `${v} vs reference ${r.value} (difference ${diff.toPrecision(3)}, allowed ${allowed.toPrecision(3)})` };
  });
}
