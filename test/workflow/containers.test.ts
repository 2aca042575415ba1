/**
 * docker-encapsulated steps through a container runtime. None is installed here, so a stand-in
 * (fixtures/fake-runtime.mjs, copied as `docker`, `podman` or `apptainer` into a folder that is
 * the whole PATH besides node and the system tools) records the argv the engine gives it and runs
 * the command on the host: the tests check the image, the work-dir mounts, par_mounts, env and
 * user in that argv, and the step outputs, on two public specs (jqwflow, mapreduce_parmount) and a
 * small spec of our own with `env`; and the error when no runtime is present, and the
 * `--container-runtime none` warning path.
 */
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SHARED } from "../shared.js";
import { runCli } from "../helpers/cli.js";
import { readState } from "../../src/workflow/index.js";

const T = path.join(SHARED, "data", "yadage", "yadage", "tests", "testspecs");
const FAKE = new URL("./fixtures/fake-runtime.mjs", import.meta.url).pathname;
const tmp = mkdtempSync(path.join(tmpdir(), "hepflow-containers-"));
const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

/** A folder with the fake runtimes `names`, made the PATH (with node and the system tools). */
function fakeRuntimes(label: string, names: string[]): { calls: () => string[][] } {
  const bin = path.join(tmp, `bin-${label}`);
  mkdirSync(bin, { recursive: true });
  for (const n of names) {
    copyFileSync(FAKE, path.join(bin, n));
    chmodSync(path.join(bin, n), 0o755);
  }
  process.env.PATH = [bin, path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter);
  const log = path.join(bin, "calls.jsonl");
  return {
    calls: () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as string[])
        : [],
  };
}

const run = (...args: string[]) => runCli("workflow", "run", ...args, "--no-cache", "--quiet", "-j", "2");
/**
 * The engine runs docker as this user's uid:gid and rootless podman with --userns=keep-id (as root
 * neither: the container's root is the user then). Tests may run as root, so the user is set to
 * 1234:5678 for the docker and podman cases.
 */
const asUser = () => {
  vi.spyOn(process, "getuid").mockReturnValue(1234);
  vi.spyOn(process, "getgid").mockReturnValue(5678);
};
afterEach(() => {
  vi.restoreAllMocks();
});

/** A spec with one docker-encapsulated step that uses its env, its image tag and its work dir. */
function envSpec(): string {
  const dir = path.join(tmp, "envspec");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "workflow.yml"),
    `stages:
  - name: greet
    dependencies: [init]
    scheduler:
      scheduler_type: singlestep-stage
      parameters: {name: {step: init, output: name}, outputfile: '{workdir}/greeting.txt'}
      step:
        process: {process_type: interpolated-script-cmd, script: 'echo "$GREETING {name}" > {outputfile}'}
        environment: {environment_type: docker-encapsulated, image: alpine, imagetag: '3.19', env: {GREETING: hej}}
        publisher: {publisher_type: frompar-pub, outputmap: {greeting: outputfile}}
`,
  );
  return path.join(dir, "workflow.yml");
}

describe("docker-encapsulated steps through a container runtime", () => {
  it("docker: jqwflow's seven steps each run in busybox:latest with the work dir and run dir mounted at their paths, as this user", async () => {
    const rt = fakeRuntimes("docker", ["docker"]);
    asUser();
    const out = path.join(tmp, "jq-docker");
    await run(path.join(T, "jqwflow/workflow.yml"), "-p", "parone=[a, b]", "-o", out);
    expect(readFileSync(path.join(out, "map_1/what.txt"), "utf8")).toBe("Hello b\n");
    expect(readFileSync(path.join(out, "reduce_0/here.txt"), "utf8")).toBe(`Hello ${path.join(out, "continue_0/here.txt")} ${path.join(out, "continue_1/here.txt")}\n`);
    const calls = rt.calls();
    // asked the engine once (a client without a running engine is no runtime), then one container per step
    expect(calls.filter((c) => c[1] === "info")).toEqual([["docker", "info", "--format", "{{.ServerVersion}}"]]);
    const runs = calls.filter((c) => c[1] === "run");
    const steps = Object.values(readState(out).steps).filter((s) => !s.init);
    expect(runs.length).toBe(steps.length);
    for (const s of steps) {
      const wd = path.join(out, s.workdir);
      const argv = runs.find((c) => c[c.indexOf("-w") + 1] === wd);
      expect(argv, s.id).toBeDefined();
      expect(argv!.slice(0, 6)).toEqual(["docker", "run", "--rm", "-i", "--user", "1234:5678"]);
      expect(argv).toContain(`${wd}:${wd}`);
      expect(argv).toContain(`${out}:${out}`);
      expect(argv!.slice(-2)).toEqual(["busybox:latest", "sh"]);
    }
  });

  it("podman: mapreduce_parmount's par_mounts become read-only file mounts at their container path", async () => {
    const rt = fakeRuntimes("podman", ["podman"]);
    asUser();
    const out = path.join(tmp, "pm-podman");
    await run(path.join(T, "mapreduce_parmount/workflow.yml"), path.join(T, "mapreduce_parmount/input.yml"), "-o", out);
    expect(readFileSync(path.join(out, "reduce/hello.merged.txt"), "utf8")).toBe([0, 1, 2].map((i) => `${path.join(out, `map_${i}/output_one.txt`)}\n`).join(""));
    const reduce = rt.calls().find((c) => c[1] === "run" && c.includes(path.join(out, "reduce")))!;
    expect(reduce.slice(0, 5)).toEqual(["podman", "run", "--rm", "-i", "--userns=keep-id"]);
    expect(reduce).toContain(`${path.join(out, "reduce/.parmount-0")}:/parmounts/inputs:ro`);
    // the mounted file holds the jq script's values (`.inputs[]`: mapmore's outputs), one JSON document a line
    expect(readFileSync(path.join(out, "reduce/.parmount-0"), "utf8")).toBe([0, 1, 2].map((i) => `"${path.join(out, `mapmore_${i}/output_two.txt`)}"\n`).join(""));
  });

  it("apptainer: image docker://IMAGE:TAG, --pwd, --bind and --env; docker and podman absent", async () => {
    const rt = fakeRuntimes("apptainer", ["apptainer"]);
    const out = path.join(tmp, "env-apptainer");
    await run(envSpec(), "-p", "name=world", "-o", out);
    expect(readFileSync(path.join(out, "greet/greeting.txt"), "utf8")).toBe("hej world\n");
    const argv = rt.calls().find((c) => c[1] === "exec")!;
    const wd = path.join(out, "greet");
    expect(argv.slice(0, 4)).toEqual(["apptainer", "exec", "--pwd", wd]);
    expect(argv).toContain(`${wd}:${wd}`);
    expect(argv[argv.indexOf("--env") + 1]).toBe("GREETING=hej");
    expect(argv.slice(-2)).toEqual(["docker://alpine:3.19", "sh"]);
    expect(argv.some((a) => a.startsWith("--user"))).toBe(false);
  });

  it("no runtime: refused before the first step, naming what was tried; a runtime asked for by name must be that one", async () => {
    fakeRuntimes("none", []);
    const out = path.join(tmp, "env-none");
    await expect(run(envSpec(), "-p", "name=world", "-o", out)).rejects.toThrow(
      /no container runtime works here \(docker: not installed; podman: not installed; apptainer: not installed; singularity: not installed\); pass --container-runtime none/,
    );
    expect(existsSync(path.join(out, "greet"))).toBe(false);
    fakeRuntimes("podman-only", ["podman"]);
    await expect(run(envSpec(), "-p", "name=world", "-o", path.join(tmp, "env-named"), "--container-runtime", "docker")).rejects.toThrow(/\(docker: not installed\)/);
  });

  it("--container-runtime none: the commands run on this host with the image's env, and a warning names the image", async () => {
    const rt = fakeRuntimes("host", ["docker"]);
    const out = path.join(tmp, "env-host");
    let err = "";
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    try {
      await run(envSpec(), "-p", "name=host", "-o", out, "--container-runtime", "none");
    } finally {
      spy.mockRestore();
    }
    expect(readFileSync(path.join(out, "greet/greeting.txt"), "utf8")).toBe("hej host\n");
    expect(err).toMatch(/warning: .*workflow\.yml: .*image alpine not used \(--container-runtime none\): running its commands on this host/);
    expect(rt.calls()).toEqual([]); // the docker present was not used
  });
});
