// Issue 13 item 6: one output rule for every command that writes. Existing output refused
// unless --force; an output that is an input refused always; --force replaces the whole output
// (no stale files); temporary files go on SIGINT/SIGTERM.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { REFERENCE, rootFile } from "../shared.js";

const BIN = new URL("../../bin/hepflow.js", import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
const fresh = () => mkdtempSync(path.join(tmpdir(), "hepflow-out-"));
const WS = path.join(REFERENCE, "stats", "docs_2bin_1channel.json");
const HISTS = path.join(REFERENCE, "agc", "histos_1_file_per_process.json");

/** Every file below `dir`, relative. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe("hadd", () => {
  it("refuses an output that is one of its inputs, even with --force, and leaves it intact", () => {
    const d = fresh();
    const a = path.join(d, "a.root");
    copyFileSync(rootFile("uproot-histograms.root"), a);
    const before = readFileSync(a);
    for (const extra of [[], ["--force"]]) {
      const r = cli(["hadd", ...extra, a, a, rootFile("uproot-histograms.root")]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("input");
    }
    expect(readFileSync(a).equals(before)).toBe(true);
    // Another spelling of the same file is the same file.
    const r = cli(["hadd", path.join(d, ".", "a.root"), path.join(d, "..", path.basename(d), "a.root")]);
    expect(r.stderr).toContain("input");
    expect(r.status).toBe(1);
  }, 60_000);

  it("refuses an existing output without --force; with it, replaces it", () => {
    const d = fresh();
    const out = path.join(d, "sum.root");
    writeFileSync(out, "precious");
    const r = cli(["hadd", out, rootFile("uproot-histograms.root")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--force");
    expect(readFileSync(out, "utf8")).toBe("precious");
    const f = cli(["hadd", "--force", out, rootFile("uproot-histograms.root")]);
    expect(f.status, f.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString()).toBe("root");
    expect(readdirSync(d)).toEqual(["sum.root"]); // no temporary left
  }, 60_000);
});

describe("file outputs: build, workspace", () => {
  it("build -o refuses an existing file before doing any work", async () => {
    const d = fresh();
    const out = path.join(d, "ws.json");
    writeFileSync(out, "mine");
    await expect(runCli("build", path.join(d, "no-such-config.yml"), "-o", out)).rejects.toMatchObject({ code: "OUTPUT_EXISTS" });
    expect(readFileSync(out, "utf8")).toBe("mine");
  });

  it("workspace prune -o: an existing file needs --force, the input itself is refused always", async () => {
    const d = fresh();
    const ws = path.join(d, "ws.json");
    copyFileSync(WS, ws);
    const out = path.join(d, "pruned.json");
    writeFileSync(out, "mine");
    await expect(runCli("workspace", "prune", ws, "--measurement", "nope", "-o", out)).rejects.toMatchObject({ code: "OUTPUT_EXISTS" });
    expect(readFileSync(out, "utf8")).toBe("mine");
    await runCli("workspace", "prune", ws, "-o", out, "--force");
    expect(JSON.parse(readFileSync(out, "utf8")).channels).toEqual(JSON.parse(readFileSync(WS, "utf8")).channels);
    await expect(runCli("workspace", "prune", ws, "-o", ws, "--force")).rejects.toMatchObject({ code: "OUTPUT_IS_INPUT" });
    await expect(runCli("workspace", "combine", ws, out, "-o", out, "--force")).rejects.toMatchObject({ code: "OUTPUT_IS_INPUT" });
  });
});

describe("directory outputs: datacard, plot, generate, run", () => {
  it("datacard -o: non-empty dir refused; --force leaves exactly the new files", async () => {
    const d = fresh();
    const out = path.join(d, "card");
    mkdirSync(out);
    writeFileSync(path.join(out, "stale.txt"), "from an earlier run");
    await expect(runCli("datacard", WS, "-o", out)).rejects.toMatchObject({ code: "OUTPUT_EXISTS" });
    expect(tree(out)).toEqual(["stale.txt"]);
    await runCli("datacard", WS, "-o", out, "--force");
    expect(tree(out)).toEqual(["datacard.txt", "shapes.root"]);
    expect(readdirSync(d)).toEqual(["card"]); // the old output set aside is gone too
  });

  it("plot -o: an existing plot file is refused without --force", async () => {
    const d = fresh();
    const args = ["plot", "stack", HISTS, "--regions", "4j1b", "--samples", "wjets,ttbar", "-o", d, "--format", "vl.json"];
    await runCli(...args);
    const file = path.join(d, "stack_4j1b.vl.json");
    writeFileSync(file, "mine");
    await expect(runCli(...args)).rejects.toMatchObject({ code: "OUTPUT_EXISTS" });
    expect(readFileSync(file, "utf8")).toBe("mine");
    await runCli(...args, "--force");
    expect(JSON.parse(readFileSync(file, "utf8"))).toHaveProperty("$schema");
    expect(readdirSync(d)).toEqual(["stack_4j1b.vl.json"]);
  });

  it("generate --out: refused when non-empty; --force leaves no stale file of the earlier run", () => {
    const d = fresh();
    const out = path.join(d, "gen");
    mkdirSync(path.join(out, "old-sample"), { recursive: true });
    writeFileSync(path.join(out, "old-sample", "stale.root"), "x");
    const r = cli(["generate", "agc", "--events", "20", "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("not empty");
    const f = cli(["generate", "agc", "--events", "20", "--out", out, "--force", "--json"]);
    expect(f.status, f.stderr).toBe(0);
    expect(existsSync(path.join(out, "old-sample"))).toBe(false);
    expect(tree(out)).toContain("dataset.json");
    expect(readdirSync(d)).toEqual(["gen"]);
  }, 120_000);

  it("run --out: refused when non-empty, before the run starts", () => {
    const d = fresh();
    const out = path.join(d, "res");
    mkdirSync(out);
    writeFileSync(path.join(out, "failures.json"), "{}");
    const ds = path.join(d, "ds.json");
    writeFileSync(ds, JSON.stringify({ wjets: { nominal: { files: [{ path: rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root"), nevts: 200 }] } } }));
    const proc = new URL("../../examples/agc-ttbar", import.meta.url).pathname;
    const r = cli(["run", proc, "--dataset", ds, "--out", out, "--workers", "0"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("not empty");
    // --force: the stale failures.json of the earlier run must not survive beside the new result.
    const f = cli(["run", proc, "--dataset", ds, "--out", out, "--workers", "0", "--force", "--json"]);
    expect(f.status, f.stderr).toBe(0);
    expect(existsSync(path.join(out, "failures.json"))).toBe(false);
    expect(existsSync(path.join(out, "cutflow.json"))).toBe(true);
  }, 120_000);
});

describe("interrupted writes", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} during generate removes the half-written output and puts the old one back`, async () => {
      const d = fresh();
      const out = path.join(d, "gen");
      mkdirSync(out);
      writeFileSync(path.join(out, "keep.txt"), "old result");
      const child = spawn(process.execPath, [BIN, "generate", "agc", "--events", "400000", "--workers", "2", "--out", out, "--force", "--yes"], { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (b) => {
        stderr += String(b);
      });
      // Wait until the generator has started writing files, then interrupt it (the generation
      // runs on worker threads, so the main thread is free to take the signal).
      const started = Date.now();
      while (Date.now() - started < 30_000 && !existsSync(path.join(out, "ttbar"))) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(path.join(out, "ttbar")), stderr).toBe(true);
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
      expect(code).toBe(signal === "SIGINT" ? 130 : 143);
      expect(readdirSync(d)).toEqual(["gen"]);
      expect(tree(out)).toEqual(["keep.txt"]);
    }, 60_000);
  }
});
