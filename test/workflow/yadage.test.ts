/**
 * The yadage engine on the public specs of ../shared/data/yadage (their README says where each
 * comes from and what it exercises): every one validates, every one whose steps can run here runs,
 * and the outputs are checked against what the spec's commands must produce from its inputs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SHARED } from "../shared.js";
import { runCli } from "../helpers/cli.js";
import { loadSpec, validateSpec, readState, interpolate, type RunState } from "../../src/workflow/index.js";
import { relativePaths } from "../../src/workflow/yadage/graph.js";

const Y = path.join(SHARED, "data", "yadage");
const T = path.join(Y, "yadage", "tests", "testspecs");

/** Every public spec: [entry, toplevel?]. */
const PUBLIC_SPECS: Array<[string, string?]> = [
  ["yadage/tests/testspecs/local-helloworld/workflow.yml"],
  ["yadage/tests/testspecs/mapreduce/workflow.yml"],
  ["yadage/tests/testspecs/mapreduce_batched/workflow.yml"],
  ["yadage/tests/testspecs/nested/workflow.yml"],
  ["yadage/tests/testspecs/casesflow/single/workflow.yml"],
  ["yadage/tests/testspecs/jqwflow/workflow.yml"],
  ["yadage/tests/testspecs/dynamic_glob/workflow.yml"],
  ["yadage/tests/testspecs/dynamic_glob/with_subworkflow.yml"],
  ["yadage/tests/testspecs/dynamic_glob/workflow_frominit.yml"],
  ["yadage/tests/testspecs/registering_values/workflow.yml"],
  ["yadage/tests/testspecs/mapreduce_parmount/workflow.yml"],
  ["yadage-schemas/tests/testspecs/local-helloworld/workflow.yml"],
  ["yadage-schemas/tests/testspecs/local-helloworld-jsonref/workflow.yml"],
  ["yadage-schemas/tests/testspecs/mapreduce/workflow.yml"],
  ["workflow/workflow.yml", "reana-demo-atlas-recast"],
  ["reana-demo-helloworld/workflow/yadage/workflow.yaml"],
  ["recast-atlas/src/recastatlas/data/templates/helloworld/specs/workflow.yml"],
  ["analysis-grand-challenge/analyses/cms-open-data-ttbar/Reproducibility_REANA/No_paralelisation_REANA/yadage.yaml"],
];

let work: string;
let cache: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "hepflow-yadage-"));
  cache = path.join(work, "cache");
});
const out = (name: string) => path.join(work, name);
const run = (...args: string[]) => runCli("workflow", "run", ...args, "--cache-dir", cache, "--quiet");
const steps = (rundir: string): RunState["steps"] => Object.fromEntries(Object.entries(readState(rundir).steps).filter(([, s]) => !s.init));

describe("validation", () => {
  it("every public spec validates; the invalid test spec does not", () => {
    let valid = 0;
    for (const [f, top] of PUBLIC_SPECS) {
      const spec = top ? loadSpec(f, { toplevel: path.join(Y, top) }) : loadSpec(path.join(Y, f));
      const errors = validateSpec(spec).filter((i) => i.severity === "error");
      expect(errors, f).toEqual([]);
      valid++;
    }
    expect(valid).toBe(18);
    const bad = validateSpec(loadSpec(path.join(Y, "yadage-schemas/tests/testspecs/invalid/workflow.yml")));
    expect(bad.map((i) => i.message)).toEqual(['missing key "stages"']);
  });

  it("the AGC spec's undefined {input} is a warning naming file and key path", () => {
    const f = path.join(Y, "analysis-grand-challenge/analyses/cms-open-data-ttbar/Reproducibility_REANA/No_paralelisation_REANA/yadage.yaml");
    const w = validateSpec(loadSpec(f));
    expect(w).toEqual([{ severity: "warning", file: f, object: "/stages/0/scheduler/step/process/script", message: "{input} names no parameter of the stage: it is left as written" }]);
  });

  /** Writes a mutated copy of the mapreduce spec (steps.yml beside it) and returns its issues. */
  const mutated = (edit: (wf: string) => string, steps?: (s: string) => string) => {
    const dir = mkdtempSync(path.join(work, "bad-"));
    writeFileSync(path.join(dir, "workflow.yml"), edit(readFileSync(path.join(T, "mapreduce/workflow.yml"), "utf8")));
    writeFileSync(path.join(dir, "steps.yml"), (steps ?? ((s) => s))(readFileSync(path.join(T, "mapreduce/steps.yml"), "utf8")));
    const spec = loadSpec(path.join(dir, "workflow.yml"));
    return { dir, issues: validateSpec(spec, { init: { input: [1, 2, 3] }, initSource: "input.yml" }) };
  };

  it("a misspelled output, stage, key, type or scatter parameter is an error at its file and key path", () => {
    let r = mutated((w) => w.replace("output: outputA}", "output: outputB}"));
    expect(r.issues).toEqual([
      { severity: "error", file: path.join(r.dir, "workflow.yml"), object: "/stages/1/scheduler/parameters/input/output", message: 'stage "map" publishes no output "outputB" (did you mean "outputA"?); it publishes: outputA' },
    ]);
    r = mutated((w) => w.replace("{stages: 'map'", "{stages: 'mapp'"));
    expect(r.issues.map((i) => [i.object, i.message])).toEqual([["/stages/1/scheduler/parameters/input/stages", 'refers to stage "mapp", which is not a stage of this workflow (did you mean "map"?)']]);
    r = mutated((w) => w.replace("dependencies: [map]", "dependencies: [mop]"));
    expect(r.issues.map((i) => i.message)).toEqual(['depends on stage "mop", which is not a stage of this workflow (did you mean "map"?)', 'reads stage "map" but stage "reduce" does not depend on it (add it to dependencies)']);
    expect(r.issues[0]!.object).toBe("/stages/1/dependencies/0");
    r = mutated((w) => w.replace("method: zip", "method: zap"));
    expect(r.issues.map((i) => [i.object, i.message])).toEqual([["/stages/0/scheduler/scatter/method", 'must be one of "zip", "cartesian"']]);
    r = mutated((w) => w.replace("parameters: [input]", "parameters: [inptu]"));
    expect(r.issues.map((i) => i.message)).toEqual(['scatters over "inptu", which is not a parameter of the stage (did you mean "input"?)']);
    r = mutated((w) => w.replace("scatter:", "batchsize: two\n      scatter:"));
    expect(r.issues.map((i) => [i.object, i.message])).toEqual([["/stages/0/scheduler/batchsize", "must be integer"]]);
    // In the referenced steps.yml: the place is that file, not the workflow.
    r = mutated(
      (w) => w,
      (s) => s.replace("publisher_type: 'constant-pub'", "publisher_type: 'constnat-pub'"),
    );
    expect(r.issues.map((i) => [path.basename(i.file), i.object, i.message])).toEqual([
      [
        "steps.yml",
        "/stepA/publisher/publisher_type",
        'unknown publisher_type "constnat-pub" (did you mean "constant-pub"?); one of: constant-pub, frompar-pub, fromparjq-pub, fromyaml-pub, fromglob-pub, interpolated-pub, manual-instructions-pub',
      ],
    ]);
    r = mutated(
      (w) => w,
      (s) => s.replace("cmd: echo", "cdm: echo"),
    );
    // Referenced by both stages, reported once, at the place in steps.yml.
    expect(r.issues.map((i) => [i.object, i.message])).toEqual([
      ["/stepA/process", 'missing key "cmd"'],
      ["/stepA/process/cdm", 'unknown key "cdm" (did you mean "cmd"?); allowed here: process_type, cmd'],
    ]);
  });

  it("init parameters: a misspelled -p and a missing one are errors before anything runs", async () => {
    await expect(runCli("workflow", "validate", path.join(T, "local-helloworld/workflow.yml"), "-p", "parr=World")).rejects.toThrow(
      /\/stages\/0\/scheduler\/parameters\/parone\/output: init parameter "par" is read here but not given \(did you mean "parr"\?\)[\s\S]*init parameter "parr" is not read by any stage \(did you mean "par"\?\)/,
    );
    await expect(run(path.join(T, "local-helloworld/workflow.yml"), "-p", "parr=World", "-o", out("never"))).rejects.toThrow(/not read by any stage/);
    expect(existsSync(out("never"))).toBe(false);
    expect(await runCli("workflow", "validate", path.join(T, "local-helloworld/workflow.yml"), "-p", "par=World")).toMatch(/^valid: .*init parameters read: par/);
  });

  it("a $ref to a missing file or key names the referencing place", () => {
    const dir = mkdtempSync(path.join(work, "ref-"));
    writeFileSync(path.join(dir, "workflow.yml"), readFileSync(path.join(T, "mapreduce/workflow.yml"), "utf8").replace("steps.yml#/stepA}\n      scatter", "steps.yml#/stepX}\n      scatter"));
    writeFileSync(path.join(dir, "steps.yml"), readFileSync(path.join(T, "mapreduce/steps.yml"), "utf8"));
    expect(() => loadSpec(path.join(dir, "workflow.yml"))).toThrow(`${path.join(dir, "workflow.yml")}: /stages/0/scheduler/step/$ref: $ref target #/stepX does not exist (no key "stepX")`);
  });
});

describe("interpolation rule", () => {
  it("replaces parameters, joins lists, keeps every other brace", () => {
    const p = { a: "x", l: ["f1", "f2"], n: 3, m: { k: 1 } };
    expect(interpolate("cat {l} > {a}.{n}", p)).toBe("cat f1 f2 > x.3");
    expect(interpolate("awk '{print $1}' ${HOME} {b} {{a}} {l[1]} {m.k} {m}", p)).toBe("awk '{print $1}' ${HOME} {b} {a} f2 1 {\"k\":1}");
  });
});

describe("running the public specs", () => {
  it("local-helloworld (inline step, older {step: init} selector)", async () => {
    await run(path.join(T, "local-helloworld/workflow.yml"), "-p", "par=World", "-o", out("hello"));
    expect(readFileSync(out("hello/hello_world/hello_world.txt"), "utf8")).toBe("Hello World\n");
  });

  it("mapreduce, its yadage-schemas twin (no unwrap) and mapreduce_batched (batchsize 2)", async () => {
    await run(path.join(T, "mapreduce/workflow.yml"), path.join(T, "mapreduce/input.yml"), "-o", out("mr"));
    expect(Object.keys(steps(out("mr")))).toEqual(["map_0", "map_1", "map_2", "reduce"]);
    // `echo hello > {input}` with input 1, 2, 3: one file per map step; reduce gets [output ×3].
    for (const i of [1, 2, 3]) expect(readFileSync(out(`mr/map_${i - 1}/${i}`), "utf8")).toBe("hello\n");
    expect(steps(out("mr")).reduce!.parameters).toEqual({ input: ["output", "output", "output"] });
    await run(path.join(Y, "yadage-schemas/tests/testspecs/mapreduce/workflow.yml"), path.join(T, "mapreduce/input.yml"), "-o", out("mr2"));
    // Without unwrap the init output is [[1,2,3]]: one map step over the whole list.
    expect(Object.keys(steps(out("mr2")))).toEqual(["map_0", "reduce"]);
    expect(steps(out("mr2")).map_0!.parameters).toEqual({ input: [1, 2, 3] });
    await run(path.join(T, "mapreduce_batched/workflow.yml"), path.join(T, "mapreduce_batched/input.yml"), "-o", out("mrb"));
    expect(
      Object.values(steps(out("mrb")))
        .filter((s) => s.stage === "map")
        .map((s) => s.parameters),
    ).toEqual([{ input: [1, 2] }, { input: [3, 4] }, { input: [5] }]);
  });

  it("nested sub-workflows: scopes and selectors into them", async () => {
    await run(path.join(T, "nested/workflow.yml"), path.join(T, "nested/input.yml"), "-o", out("nested"));
    const s = steps(out("nested"));
    expect(Object.keys(s)).toEqual(["nested/morenested/stage1", "nested/output", "higherscope"]);
    expect(s["nested/morenested/stage1"]!.parameters).toEqual({ input: [1, 2, 3] });
    expect(s["nested/output"]!.result).toEqual({ wellKnown: "output" });
    expect(s.higherscope!.parameters).toEqual({ input: ["output"] });
    expect(s.higherscope!.inputs).toEqual(["nested/output"]);
  });

  it("cases: the jq condition picks the step or the sub-workflow", async () => {
    const text: Record<number, string> = {};
    for (const par of [0, 2, 7]) {
      await run(path.join(T, "casesflow/single/workflow.yml"), "-p", `par=${par}`, "-o", out(`cases${par}`));
      const f = Object.values(steps(out(`cases${par}`)))[0]!;
      text[par] = readFileSync(path.join(out(`cases${par}`), f.workdir, "hello_world.txt"), "utf8");
    }
    expect(text).toEqual({ 0: "HELLO 0\n", 2: "bye 2\n", 7: "HELLO 7\n" });
    expect(Object.keys(steps(out("cases7")))).toEqual(["hello_world/hello_world"]);
  });

  it("jq-stage with $wflowref bindings and jsonpath_ready dependencies (docker-encapsulated, run on the host)", async () => {
    await expect(runCli("workflow", "run", path.join(T, "jqwflow/workflow.yml"), "-p", "parone=[a, b]", "-o", out("jqfail"), "--no-cache", "--quiet")).rejects.toThrow(/no container runtime works here .*--container-runtime none/);
    await run(path.join(T, "jqwflow/workflow.yml"), "-p", "parone=[a, b]", "-o", out("jq"), "--container-runtime", "none");
    const s = steps(out("jq"));
    expect(Object.keys(s)).toEqual(["map_0", "map_1", "continue_0", "continue_1", "further_0", "further_1", "reduce_0"]);
    expect(readFileSync(out("jq/map_1/what.txt"), "utf8")).toBe("Hello b\n");
    expect(readFileSync(out("jq/reduce_0/here.txt"), "utf8")).toBe(`Hello ${out("jq/continue_0/here.txt")} ${out("jq/continue_1/here.txt")}\n`);
  });

  it("dynamic_glob: a scatter over files found at run time (zip from a file:// URL), with and without a sub-workflow, and from an init glob", async () => {
    const zip = path.join(T, "dynamic_glob/inputs/five_files.zip");
    const expected = ["1", "2", "3", "4", "5"].map((n) => execFileSync("unzip", ["-p", zip, `${n}.txt`], { encoding: "utf8" }).toUpperCase());
    await run(path.join(T, "dynamic_glob/workflow.yml"), "-p", `sourcefile=file://${zip}`, "-o", out("glob"));
    const lines = readFileSync(out("glob/reduce/out.txt"), "utf8").split("\n");
    // Each map output is a date line then the upper-cased file.
    expect(lines.filter((_, i) => i % 2 === 1).join("\n") + "\n").toBe(expected.join(""));
    await run(path.join(T, "dynamic_glob/with_subworkflow.yml"), "-p", `sourcefile=file://${path.join(T, "dynamic_glob/inputs/three_files.zip")}`, "-o", out("globsub"));
    expect(Object.keys(steps(out("globsub")))).toEqual(["acquisition", "map_0/map", "map_1/map", "map_2/map", "reduce"]);
    await run(path.join(T, "dynamic_glob/workflow_frominit.yml"), path.join(T, "dynamic_glob/frominit_init.yml"), "--init-dir", path.join(T, "dynamic_glob/inputs"), "--discover", "-o", out("globinit"));
    expect(steps(out("globinit")).reduce!.parameters).toMatchObject({ mapoutputs: [0, 1, 2, 3, 4].map((i) => out(`globinit/map_${i}/mapout.txt`)) });
  });

  it("registering_values: register_values and {expression_type: fromvalue}", async () => {
    await run(path.join(T, "registering_values/workflow.yml"), "-p", "msg=hello", "-o", out("reg"));
    expect(readFileSync(out("reg/anotherstage/world.txt"), "utf8")).toBe("HELLO\n");
  });

  it("mapreduce_parmount: par_mounts as files in the work dir when run on the host", async () => {
    await run(path.join(T, "mapreduce_parmount/workflow.yml"), path.join(T, "mapreduce_parmount/input.yml"), "-o", out("pm"), "--container-runtime", "none");
    expect(readFileSync(out("pm/reduce/hello.merged.txt"), "utf8")).toBe([0, 1, 2].map((i) => `${out(`pm/map_${i}/output_one.txt`)}\n`).join(""));
  });

  it("the recast-atlas helloworld template and REANA's helloworld (python on the host)", async () => {
    await run(path.join(Y, "recast-atlas/src/recastatlas/data/templates/helloworld/specs/workflow.yml"), "-p", "name=hepflow", "-o", out("rh"), "--container-runtime", "none");
    expect(readFileSync(out("rh/hello_world/hello_world.txt"), "utf8")).toBe("Hello my Name is hepflow\n");
    const R = path.join(Y, "reana-demo-helloworld");
    await run(path.join(R, "workflow/yadage/workflow.yaml"), "-p", "sleeptime=0", "-p", "inputfile=data/names.txt", "-p", "helloworld=code/helloworld.py", "--init-dir", R, "-o", out("reana"), "--container-runtime", "none");
    const names = readFileSync(path.join(R, "data/names.txt"), "utf8").trim().split("\n");
    expect(readFileSync(out("reana/helloworld/greetings.txt"), "utf8")).toBe(names.map((n) => `Hello ${n}!\n`).join(""));
  });

  it("the ATLAS RECAST demo and the AGC spec need their images: a clear error, not a silent wrong result", async () => {
    const A = path.join(Y, "reana-demo-atlas-recast");
    await expect(run("workflow/workflow.yml", path.join(A, "workflow/test_inputs/inp1.yml"), "-t", A, "-o", out("atlas"))).rejects.toThrow(/docker-encapsulated steps but no container runtime/);
    // On the host its first command is the ATLAS release setup, which is not here.
    await expect(run("workflow/workflow.yml", path.join(A, "workflow/test_inputs/inp1.yml"), "-t", A, "-o", out("atlas2"), "--container-runtime", "none")).rejects.toThrow(/eventselection: .*exited with status \d+/);
    expect(readFileSync(out("atlas2/_hepflow/logs/eventselection.log"), "utf8")).toMatch(/release_setup\.sh/);
  });
});

describe("execution", () => {
  it("a second identical run is served from the cache; --no-cache runs again", async () => {
    const args = [path.join(T, "mapreduce/workflow.yml"), path.join(T, "mapreduce/input.yml")];
    await run(...args, "-o", out("c1"));
    await run(...args, "-o", out("c2"));
    const s2 = Object.values(steps(out("c2")));
    expect(s2.map((s) => s.reused)).toEqual(["cache", "cache", "cache", "cache"]);
    expect(s2.map((s) => s.cacheKey)).toEqual(Object.values(steps(out("c1"))).map((s) => s.cacheKey));
    for (const s of s2) expect(s.seconds!).toBeLessThan(0.5); // well under a second per step (typically ~2 ms)
    expect(readFileSync(out("c2/map_1/2"), "utf8")).toBe("hello\n");
    await run(...args, "-o", out("c3"), "--no-cache");
    expect(Object.values(steps(out("c3"))).map((s) => s.reused)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("an input file's content is part of the key", async () => {
    const dir = mkdtempSync(path.join(work, "key-"));
    const input = path.join(dir, "in.txt");
    writeFileSync(input, "one\n");
    const spec = path.join(dir, "wf.yml");
    writeFileSync(
      spec,
      `stages:\n- name: up\n  dependencies: [init]\n  scheduler:\n    scheduler_type: singlestep-stage\n    parameters: {f: {step: init, output: f}, o: '{workdir}/o.txt'}\n    step:\n      process: {process_type: string-interpolated-cmd, cmd: 'tr a-z A-Z < {f} > {o}'}\n      environment: {environment_type: localproc-env}\n      publisher: {publisher_type: frompar-pub, outputmap: {o: o}}\n`,
    );
    await run(spec, "-p", `f=${input}`, "-o", path.join(dir, "a"));
    writeFileSync(input, "two\n");
    await run(spec, "-p", `f=${input}`, "-o", path.join(dir, "b"));
    expect(steps(path.join(dir, "b")).up!.reused).toBeUndefined();
    expect(readFileSync(path.join(dir, "b/up/o.txt"), "utf8")).toBe("TWO\n");
  });

  it("independent steps run at the same time with -j 2", async () => {
    const dir = mkdtempSync(path.join(work, "par-"));
    const spec = path.join(dir, "wf.yml");
    writeFileSync(
      spec,
      `stages:\n- name: s\n  dependencies: [init]\n  scheduler:\n    scheduler_type: multistep-stage\n    parameters: {i: [1, 2], o: '{workdir}/t.txt'}\n    scatter: {method: zip, parameters: [i]}\n    step:\n      process: {process_type: string-interpolated-cmd, cmd: 'date +%s.%N > {o}; sleep 0.5; date +%s.%N >> {o}'}\n      environment: {environment_type: localproc-env}\n      publisher: {publisher_type: frompar-pub, outputmap: {o: o}}\n`,
    );
    await run(spec, "-o", path.join(dir, "r"), "-j", "2", "--no-cache");
    const [a, b] = [0, 1].map((i) =>
      readFileSync(path.join(dir, `r/s_${i}/t.txt`), "utf8")
        .trim()
        .split("\n")
        .map(Number),
    );
    expect(Math.max(a![0]!, b![0]!)).toBeLessThan(Math.min(a![1]!, b![1]!)); // the intervals overlap
  });

  it("a killed run resumes without redoing finished steps", async () => {
    const dir = mkdtempSync(path.join(work, "kill-"));
    const spec = path.join(dir, "wf.yml");
    const gate = path.join(dir, "gate");
    writeFileSync(
      spec,
      [
        "stages:",
        "- name: first",
        "  dependencies: [init]",
        "  scheduler:",
        "    scheduler_type: singlestep-stage",
        "    parameters: {o: '{workdir}/a.txt'}",
        "    step:",
        "      process: {process_type: string-interpolated-cmd, cmd: 'date +%s.%N > {o}'}",
        "      environment: {environment_type: localproc-env}",
        "      publisher: {publisher_type: frompar-pub, outputmap: {o: o}}",
        "- name: second",
        "  dependencies: [first]",
        "  scheduler:",
        "    scheduler_type: singlestep-stage",
        "    parameters: {a: {stages: first, output: o, unwrap: true}, gate: {step: init, output: gate}, o: '{workdir}/b.txt'}",
        "    step:",
        "      process: {process_type: string-interpolated-cmd, cmd: 'while [ ! -e {gate} ]; do sleep 0.1; done; cat {a} > {o}'}",
        "      environment: {environment_type: localproc-env}",
        "      publisher: {publisher_type: frompar-pub, outputmap: {o: o}}",
        "",
      ].join("\n"),
    );
    const rundir = path.join(dir, "run");
    const bin = path.resolve("bin/hepflow.js");
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [bin, "workflow", "run", spec, "-p", `gate=${gate}`, "-o", rundir, "--no-cache", "--quiet"], { detached: true, stdio: "ignore" });
    // Wait until the first step is recorded as done and the second is running, then kill the whole group.
    const t0 = Date.now();
    for (;;) {
      if (Date.now() - t0 > 60_000) throw new Error("the run did not reach its second step");
      try {
        const s = readState(rundir).steps;
        if (s.first?.status === "done" && s.second?.status === "running") break;
      } catch {
        /* state not written yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.on("exit", r));
    expect(readState(rundir).steps.second!.status).toBe("running"); // what a kill leaves behind
    const firstOutput = readFileSync(path.join(rundir, "first/a.txt"), "utf8"); // a time stamp: a re-run would change it
    writeFileSync(gate, "");
    await runCli("workflow", "run", spec, "-o", rundir, "--resume", "--no-cache", "--quiet");
    const s = steps(rundir);
    expect(s.first!.reused).toBe("resume");
    expect(s.second!.status).toBe("done");
    expect(readFileSync(path.join(rundir, "first/a.txt"), "utf8")).toBe(firstOutput); // the first step ran once
    expect(readFileSync(path.join(rundir, "second/b.txt"), "utf8")).toBe(firstOutput);
  });

  it("a failed step is reported with its log; --resume continues after the fix", async () => {
    const dir = mkdtempSync(path.join(work, "fail-"));
    const spec = path.join(dir, "wf.yml");
    const flag = path.join(dir, "flag");
    writeFileSync(
      spec,
      `stages:\n- name: s\n  dependencies: [init]\n  scheduler:\n    scheduler_type: singlestep-stage\n    parameters: {flag: {step: init, output: flag}}\n    step:\n      process: {process_type: string-interpolated-cmd, cmd: 'echo checking; test -e {flag}'}\n      environment: {environment_type: localproc-env}\n      publisher: {publisher_type: constant-pub, publish: {ok: true}}\n`,
    );
    await expect(run(spec, "-p", `flag=${flag}`, "-o", path.join(dir, "r"))).rejects.toThrow(/1 step\(s\) failed:\n {2}s: .*exited with status 1 \(log: .*s\.log\)/);
    expect(readFileSync(path.join(dir, "r/_hepflow/logs/s.log"), "utf8")).toContain("checking\n");
    expect(await runCli("workflow", "status", path.join(dir, "r"))).toMatch(/failed \(0\/1 steps done/);
    mkdirSync(flag);
    await run(spec, "-o", path.join(dir, "r"), "--resume");
    expect(steps(path.join(dir, "r")).s!.status).toBe("done");
  });

  it("graph: an SVG with one box per step, coloured by state", async () => {
    const svg = path.join(work, "dag.svg");
    await runCli("workflow", "graph", out("nested"), "-o", svg);
    const text = readFileSync(svg, "utf8");
    expect(text.startsWith("<svg")).toBe(true);
    for (const id of ["nested/morenested/stage1", "nested/output", "higherscope"]) expect(text).toContain(`>${id}</text>`);
    // init → nested/init → nested/morenested/init → stage1 → nested/output → higherscope
    expect(text.match(/marker-end/g)!.length).toBe(5);
    // commands name paths relative to the run directory, never the machine's folders
    expect(text).not.toContain(path.resolve(out("nested")));
    await expect(runCli("workflow", "graph", out("nested"), "-o", svg)).rejects.toThrow(/exists/);
  });

  it("clean refuses a directory that is not a run", async () => {
    const d = path.join(work, "notarun");
    mkdirSync(d);
    await expect(runCli("workflow", "clean", d)).rejects.toThrow(/no workflow state here/);
    expect(readdirSync(work)).toContain("notarun");
  });
});

describe("relativePaths", () => {
  it("makes paths inside the run relative to it and others relative to the working directory", () => {
    const cmd = "hepflow cls /runs/r1/grid_0/ws.json --patchset=/data/shared/p.json -o '/runs/r1/out' /runs/r1";
    expect(relativePaths(cmd, "/runs/r1", "/data/repo")).toBe("hepflow cls grid_0/ws.json --patchset=../shared/p.json -o 'out' .");
  });
});
