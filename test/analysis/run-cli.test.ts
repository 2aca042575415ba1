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
});
