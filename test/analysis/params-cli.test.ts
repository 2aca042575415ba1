import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JS fixture without types
import { memEvent } from "./fixtures/memtree.mjs";

// `hepflow run -P` / `--params`: processor parameters reach every worker thread, are validated
// before any event is read, and are written beside the outputs.
const cli = (args: string[]) => spawnSync(process.execPath, [new URL("../../bin/hepflow.js", import.meta.url).pathname, ...args], { encoding: "utf8" });
const here = new URL(".", import.meta.url).pathname;
const opener = join(here, "fixtures/memtree.mjs");
const processor = join(here, "fixtures/paramproc.mjs");
const FILES = ["mem:11?n=900&cluster=60", "mem:12?n=500&cluster=70"];

/** Events with x above the cut, counted by a plain loop over the same synthetic values. */
function above(cut: number): number {
  let n = 0;
  for (const p of FILES) {
    const seed = Number(p.slice(4, p.indexOf("?")));
    const entries = Number(new URLSearchParams(p.split("?")[1]).get("n"));
    for (let i = 0; i < entries; i++) if (memEvent(seed, i).x > cut) n++;
  }
  return n;
}

describe("hepflow run with processor parameters", () => {
  const dir = mkdtempSync(join(tmpdir(), "hepflow-params-"));
  const ds = join(dir, "d.json");
  writeFileSync(ds, JSON.stringify({ samples: [{ name: "s", treeName: "Events", files: FILES }] }));

  it("-P values reach both worker threads; parameters.json records them with the defaults", () => {
    const out = join(dir, "out-p");
    const r = cli(["run", processor, "--dataset", ds, "--opener", opener, "--out", out, "--workers", "2", "--chunk-size", "100", "-P", "threshold=0.8", "-P", "label=b", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const acc = JSON.parse(readFileSync(join(out, "accumulator.json"), "utf8"));
    expect(acc).toEqual({ b: above(0.8), total: 1400 });
    expect(JSON.parse(readFileSync(join(out, "parameters.json"), "utf8"))).toEqual({ threshold: 0.8, label: "b" });
    expect(JSON.parse(r.stdout).params).toEqual({ threshold: 0.8, label: "b" });
  }, 60_000);

  it("--params FILE is read and -P overrides it", () => {
    const file = join(dir, "p.yml");
    writeFileSync(file, "threshold: 0.2\nlabel: b\n");
    const out = join(dir, "out-f");
    const r = cli(["run", processor, "--dataset", ds, "--opener", opener, "--out", out, "--workers", "0", "--params", file, "-P", "label=a"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "accumulator.json"), "utf8"))).toEqual({ a: above(0.2), total: 1400 });
  }, 60_000);

  it("an unknown name or a wrong type stops the run before any output is written", () => {
    for (const [arg, message] of [
      ["thresold=1", /thresold/],
      ["threshold=high", /threshold/],
      ["label=c", /label/],
    ] as const) {
      const out = join(dir, `out-bad-${arg.replace(/\W/g, "")}`);
      const r = cli(["run", processor, "--dataset", ds, "--opener", opener, "--out", out, "--workers", "0", "-P", arg]);
      expect(r.status, arg).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(out, "accumulator.json"))).toBe(false);
    }
  }, 60_000);
});
