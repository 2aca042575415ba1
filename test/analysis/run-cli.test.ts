import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rootFile } from "../shared.js";

// Runs the built CLI (dist/, built by `npm test` / `npx tsc -p .`).
const cli = (args: string[]) => spawnSync(process.execPath, [new URL("../../bin/hepflow.js", import.meta.url).pathname, ...args], { encoding: "utf8" });

describe("hepflow run", () => {
  it("runs the AGC example on the real file and writes histograms.json, cutflow.json, histograms.root", () => {
    const dir = mkdtempSync(join(tmpdir(), "hepflow-run-"));
    const ds = join(dir, "d.json");
    writeFileSync(ds, JSON.stringify({ wjets: { nominal: { files: [{ path: rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root"), nevts: 200 }] } } }));
    const out = join(dir, "out");
    const r = cli(["run", new URL("../../examples/agc-ttbar", import.meta.url).pathname, "--dataset", ds, "--out", out, "--workers", "1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ events: 200, failures: [], eventsBySample: { wjets__nominal: 200 } });
    expect(JSON.parse(readFileSync(join(out, "cutflow.json"), "utf8")).wjets__nominal).toMatchObject({ all: 200, oneLepton: 14, fourJets: 0 });
    expect(existsSync(join(out, "histograms.root"))).toBe(true);
    expect(r.stderr).toContain("exactly 1 lepton"); // the table goes to stderr with --json
  }, 30_000);

  it("names the dataset problem and exits non-zero", () => {
    const dir = mkdtempSync(join(tmpdir(), "hepflow-run-"));
    const ds = join(dir, "bad.json");
    writeFileSync(ds, JSON.stringify({ samples: [{ name: "a", files: [] }] }));
    const r = cli(["run", new URL("../../examples/agc-ttbar", import.meta.url).pathname, "--dataset", ds]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("samples[0].files");
  });

  it("with --continue-on-failure keeps going past a truncated file, rescales, warns and exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "hepflow-run-"));
    const real = rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root");
    const truncated = join(dir, "truncated.root");
    const bytes = readFileSync(real);
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const ds = join(dir, "d.json");
    writeFileSync(
      ds,
      JSON.stringify({
        samples: [
          {
            name: "mc",
            xsec: 5,
            files: [
              { path: real, nevts: 200 },
              { path: truncated, nevts: 200 },
            ],
          },
        ],
      }),
    );
    const out = join(dir, "out");
    const proc = new URL("fixtures/xsecproc.mjs", import.meta.url).pathname;
    const r = cli(["run", proc, "--dataset", ds, "--out", out, "--workers", "0", "--continue-on-failure"]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toContain("WARNING   sample mc: 1 file(s) could not be opened; its histograms were rescaled by 2 (nevts 400 → 200 effective)");
    expect(r.stdout).toContain("mc: 200 / 200 + 1 unopened file(s) (nevts 400 → 200, ×2)");
    // with --json, stdout is the JSON summary and the warning goes to stderr
    const j = cli(["run", proc, "--dataset", ds, "--out", join(dir, "out2"), "--workers", "0", "--continue-on-failure", "--json"]);
    expect(j.stderr).toContain("warning: sample mc: 1 file(s) could not be opened");
    expect(JSON.parse(j.stdout).samples.mc.scale).toBe(2);
    const report = JSON.parse(readFileSync(join(out, "failures.json"), "utf8"));
    expect(report.failures).toMatchObject([{ sample: "mc", file: truncated, attempts: 1, error: { code: "ROOT_TRUNCATED" } }]);
    expect(report.samples.mc).toMatchObject({ nevts: 400, processed: 200, effectiveNevts: 200, scale: 2 });
    // the fixture weighs each event xsec · 10 / nevts; rescaled, the 200 events sum to xsec · 10 = 50
    // (200 equal float64 additions of 0.25 are exact)
    const acc = JSON.parse(readFileSync(join(out, "accumulator.json"), "utf8"));
    expect(acc.njet.mc.sumw.reduce((a: number, b: number) => a + b, 0)).toBe(50);
  }, 30_000);
});
