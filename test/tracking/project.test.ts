import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TrackingStore, loadProject, renderCommand, resolveParameters, runProject, splitCommand } from "../../src/tracking/index.js";
import { SHARED } from "../shared.js";

const MLFLOW = path.join(SHARED, "data", "mlflow");
const tmp = () => mkdtempSync(path.join(tmpdir(), "hepflow-proj-"));

describe("MLproject", () => {
  it("parses the AGC's real MLproject: two entry points, typed parameters, a folded multi-line command", () => {
    const p = loadProject(path.join(MLFLOW, "analysis-grand-challenge", "analyses", "cms-open-data-ttbar"));
    expect(p.name).toBe("analysis-grand-challenge");
    expect(p.environment).toEqual({ conda_env: "conda.yaml" });
    expect(Object.keys(p.entryPoints)).toEqual(["ttbar", "hyperopt"]);
    expect(p.entryPoints.ttbar!.parameters.map((q) => [q.name, q.type, q.default])).toEqual([
      ["num-input-files", "int", "10"],
      ["num-bins", "int", "25"],
      ["bin-low", "int", "50"],
      ["bin-high", "int", "550"],
      ["pt-threshold", "int", "25"],
    ]);
    const ep = p.entryPoints.ttbar!;
    const { declared } = resolveParameters(p, ep, { "num-bins": "30" });
    expect(renderCommand(ep, declared).argv).toEqual(["python", "analysis.py", "--num-input-files", "10", "--num-bins", "30", "--bin-low", "50", "--bin-high", "550", "--pt-threshold", "25"]);
    const h = p.entryPoints.hyperopt!;
    // YAML folds the 4-line double-quoted command into one line
    expect(renderCommand(h, resolveParameters(p, h, {}).declared).argv).toEqual(["python", "-O", "search_hyperparameter.py", "--max-runs", "12", "--metric", "ttbar_norm_bestfit", "--algo", "tpe.suggest"]);
    expect(() => resolveParameters(p, ep, { "num-bins": "2.5" })).toThrow(/must be an integer/);
  });

  it("parses MLflow's example (float) and the chapter05 pipeline (str, backslash continuations, 'None' default)", () => {
    const ex = loadProject(path.join(MLFLOW, "mlflow-example"));
    const m = ex.entryPoints.main!;
    expect(m.parameters.map((q) => q.type)).toEqual(["float", "float"]);
    expect(renderCommand(m, resolveParameters(ex, m, { alpha: "0.3" }).declared).argv).toEqual(["python", "train.py", "0.3", "0.1"]);
    expect(() => resolveParameters(ex, m, { alpha: "x" })).toThrow(/must be a number/);
    const c5 = loadProject(path.join(MLFLOW, "Practical-Deep-Learning-at-Scale-with-MLFlow", "chapter05"));
    expect(Object.keys(c5.entryPoints)).toEqual(["main", "download_data", "fine_tuning_model", "register_model"]);
    const reg = c5.entryPoints.register_model!;
    expect(reg.parameters[0]).toEqual({ name: "mlflow_run_id", type: "string", default: "None" });
    expect(renderCommand(reg, resolveParameters(c5, reg, {}).declared).argv).toEqual(["python", "pipeline/register_model.py", "--mlflow_run_id", "None", "--registered_model_name", "dl_finetuned_model"]);
  });

  it("keeps values out of the shell: one word each, quoted when a shell is needed", () => {
    const ep = { name: "x", parameters: [], command: "echo {a} && echo done > {out}" };
    expect(splitCommand(ep.command).needsShell).toBe(true);
    const r = renderCommand(ep, { a: "$(touch /tmp/pwned); `id`'", out: "o.txt" });
    expect(r.argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(r.argv[2]).toBe(`echo '$(touch /tmp/pwned); \`id\`'\\''' && echo done > o.txt`);
    const direct = renderCommand({ name: "y", parameters: [], command: "printf %s {a}" }, { a: "a b; rm -rf ~" });
    expect(direct.argv).toEqual(["printf", "%s", "a b; rm -rf ~"]);
  });

  it("runs an entry point as a tracked run: params, recorded environment, outputs as artifacts, exit status", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "conda.yaml"), "name: x\ndependencies: [python=3.11]\n");
    writeFileSync(
      path.join(dir, "MLproject"),
      [
        "name: tiny",
        "conda_env: conda.yaml",
        "entry_points:",
        "  main:",
        "    parameters:",
        "      n: {type: int, default: 3}",
        "      msg: string",
        `    command: "${process.execPath} -e \\"require('fs').writeFileSync(process.argv[1] + '/out.txt', process.argv[2].repeat(Number(process.argv[3])) + ' ' + process.env.HEPFLOW_RUN_ID)\\" {run_dir} {msg} {n}"`,
        "  fail:",
        `    command: "${process.execPath} -e 'process.exit(3)'"`,
      ].join("\n") + "\n",
    );
    const s = new TrackingStore(tmp());
    await expect(runProject(s, dir, { params: {} })).rejects.toThrow(/needs -P msg/);
    const r = await runProject(s, dir, { params: { msg: "ab" }, stdio: "pipe" });
    expect(r.exitCode).toBe(0);
    const run = s.getRun(r.runId);
    expect(run.info.status).toBe("FINISHED");
    expect(run.params).toEqual({ n: "3", msg: "ab" });
    expect(run.tags["mlflow.project.entryPoint"]).toBe("main");
    expect(JSON.parse(run.tags["mlflow.project.env"]!)).toEqual({ conda_env: "conda.yaml" });
    expect(s.readArtifact(r.runId, "environment/conda.yaml").toString()).toBe(readFileSync(path.join(dir, "conda.yaml"), "utf8"));
    expect(s.readArtifact(r.runId, "out.txt").toString()).toBe(`ababab ${r.runId}`); // the command saw its run id
    const f = await runProject(s, dir, { entry: "fail", stdio: "pipe" });
    expect(f.exitCode).toBe(3);
    expect(s.getRunInfo(f.runId).status).toBe("FAILED");
    await expect(runProject(s, dir, { entry: "nope" })).rejects.toThrow(/no entry point "nope"/);
    s.close();
  });

  it("reads the hepflow AGC project with its ttbar and search entry points", () => {
    const p = loadProject(path.resolve("examples/agc-ttbar"));
    expect(Object.keys(p.entryPoints).sort()).toEqual(["search", "ttbar"]);
    const argv = renderCommand(p.entryPoints.search!, { run_dir: "/r", ...resolveParameters(p, p.entryPoints.search!, { max_runs: "20" }).declared }).argv;
    // a shell command: the small dataset is generated first unless it is there
    expect(argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(argv[2]).toMatch(/\|\| .*hepflow\.js generate agc --events 100000 .*&& .*hepflow\.js search --project \. -e ttbar/);
    expect(argv[2]).toContain("'num-bins=randint(15, 50)'");
    // the ttbar entry maps the AGC MLproject names onto the processor parameters
    const ttbar = renderCommand(p.entryPoints.ttbar!, { run_dir: "/r", ...resolveParameters(p, p.entryPoints.ttbar!, { "num-bins": "30", "pt-threshold": "27.5" }).declared }).argv;
    expect(ttbar.join(" ")).toContain("-P num_bins=30 -P pt_threshold=27.5");
  });
});

describe("a project whose search entry point searches its other entry point", () => {
  it("hepflow project run -e search: the project run is the search run, trials are its child project runs", async () => {
    const dir = tmp();
    const ws = path.join(SHARED, "reference", "stats", "simplemodels_uncorrelated_background.json");
    writeFileSync(
      path.join(dir, "MLproject"),
      [
        "name: fitsearch",
        "entry_points:",
        "  fit:",
        "    parameters:",
        "      mu: {type: float, default: 1}",
        `    command: "hepflow fit ${ws} --mu {mu}"`,
        "  search:",
        "    parameters:",
        "      max_runs: {type: int, default: 3}",
        `    command: "hepflow search --project . -e fit -S 'mu=uniform(0, 2)' --objective twice_nll --algo random --max-runs {max_runs} --seed 2"`,
      ].join("\n") + "\n",
    );
    const s = new TrackingStore(tmp());
    let log = "";
    const r = await runProject(s, dir, { entry: "search", params: { max_runs: "3" }, stdio: "pipe", onOutput: (c) => (log += c) });
    expect(r.exitCode, log).toBe(0);
    const search = s.getRun(r.runId);
    expect(search.info.status).toBe("FINISHED");
    expect(search.params.max_runs).toBe("3");
    const trials = s.children(r.runId).map((c) => s.getRun(c.runId));
    expect(trials.length).toBe(3);
    for (const t of trials) {
      expect(t.tags["mlflow.project.entryPoint"]).toBe("fit");
      expect(t.info.status).toBe("FINISHED");
      expect(Number(t.params.mu)).toBeGreaterThanOrEqual(0);
      expect(t.metrics.twice_nll!.value).toBeGreaterThan(0); // logged by the autologged fit inside the trial
    }
    const best = trials.reduce((a, b) => (b.metrics.twice_nll!.value < a.metrics.twice_nll!.value ? b : a));
    expect(search.tags["hepflow.search.best_run"]).toBe(best.info.runId);
    s.close();
  });
});
