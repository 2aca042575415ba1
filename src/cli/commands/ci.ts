/** `hepflow ci init|check`: the analysis workflow in CI, with the step cache kept and results checked against a committed reference. */
import path from "node:path";
import type { Command } from "commander";
import { HepflowError, writeOutputFile } from "../../util/index.js";
import { printJson } from "../json.js";

const collect = (value: string, previous: string[]) => previous.concat([value]);

export function register(program: Command): void {
  const ci = program.command("ci").description("analysis in CI: write a GitHub/GitLab job that runs the workflow with its step cache; check results against a reference");

  ci.command("init")
    .description("write .github/workflows/hepflow.yml (--github) or .gitlab-ci.yml (--gitlab) for this analysis repository")
    .option("--github", "GitHub Actions (the default)")
    .option("--gitlab", "GitLab CI")
    .requiredOption("--workflow <file>", "the workflow file, relative to the repository root")
    .option("--init <file>", "init parameter file of the workflow")
    .option("-t, --toplevel <dir>", "toplevel folder of the workflow's $refs")
    .option("-p, --param <name=value>", "init parameter; repeatable", collect, [])
    .option("--reference <file>", "declared results with tolerances (YAML); the job fails when one moves")
    .option("--run-arg <arg>", "extra argument of `hepflow workflow run` (e.g. --container-runtime=none); repeatable", collect, [])
    .option("--install <command>", "how the runner installs hepflow")
    .option("--repo <dir>", "repository root to write into", ".")
    .option("--force", "replace an existing CI file")
    .action(async (o: { github?: boolean; gitlab?: boolean; workflow: string; init?: string; toplevel?: string; param: string[]; reference?: string; runArg: string[]; install?: string; repo: string; force?: boolean }) => {
      if (o.github && o.gitlab) throw new HepflowError("CLI_OPTION", "choose one of --github and --gitlab");
      const w = await import("../../workflow/index.js");
      // The workflow must be valid before a CI job is built around it.
      const spec = w.loadSpec(path.resolve(o.repo, o.workflow), { toplevel: o.toplevel ? path.resolve(o.repo, o.toplevel) : undefined });
      w.assertValid(w.validateSpec(spec));
      if (o.reference) w.readReference(path.resolve(o.repo, o.reference));
      const s = { workflow: o.workflow, init: o.init, params: o.param, toplevel: o.toplevel, reference: o.reference, runArgs: o.runArg, install: o.install ?? `npm install --global hepflow@${w.hepflowVersion()}` };
      const [file, text] = o.gitlab ? [".gitlab-ci.yml", w.gitlabCi(s)] : [path.join(".github", "workflows", "hepflow.yml"), w.githubWorkflow(s)];
      writeOutputFile(path.join(o.repo, file), text, { force: o.force });
      process.stdout.write(`${path.join(o.repo, file)}\n`);
    });

  ci.command("check <rundir>")
    .description("compare the declared results of a run with the reference; exit status 1 when one moved beyond its tolerance")
    .requiredOption("--reference <file>", "YAML: results: [{name, file, key, value, tolerance, absolute?}]")
    .option("--json", "print the comparison as JSON")
    .action(async (rundir: string, o: { reference: string; json?: boolean }) => {
      const w = await import("../../workflow/index.js");
      const rows = w.checkResults(rundir, w.readReference(o.reference));
      if (o.json) printJson(rows);
      else for (const r of rows) process.stdout.write(`${r.ok ? "ok  " : "FAIL"} ${r.name}: ${r.why}\n`);
      const bad = rows.filter((r) => !r.ok);
      if (bad.length) throw new HepflowError("CI_RESULT_MOVED", `${bad.length} of ${rows.length} declared results moved beyond their tolerance: ${bad.map((b) => b.name).join(", ")}`, { file: o.reference });
    });
}
