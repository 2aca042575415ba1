// Issue 13 item 5 through `hepflow run` itself (the executor-level cases are in worker-faults):
// the processor's stack reaches OUT/failures.json, process.exit() in a processor at --workers 0
// is a named failure, a looping chunk ends at --chunk-timeout, and the default deadline scales
// with the chunk.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultDeadlineMs } from "../../src/analysis/index.js";
import { createFile } from "../../src/root/index.js";

// Runs the built CLI (dist/, built by `npm test` / `npx tsc -p .`).
const cli = (args: string[]) => spawnSync(process.execPath, [new URL("../../bin/hepflow.js", import.meta.url).pathname, ...args], { encoding: "utf8", timeout: 60_000 });
const processor = new URL("fixtures/faultproc.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hepflow-runfault-"));
const file = join(dir, "x.root");

/** A dataset of one 300-entry file whose chunk [100, 200) meets `fault`. */
function dataset(fault: string): string {
  const p = join(dir, `${fault}.json`);
  writeFileSync(p, JSON.stringify({ samples: [{ name: "a", treeName: "Events", files: [{ path: file, nevts: 300 }], metadata: { fault, faultAt: 100 } }] }));
  return p;
}

beforeAll(async () => {
  const w = await createFile(file, { compression: "zlib:1" });
  w.writeTree("Events", [{ name: "x", type: "f64" }], { entriesPerBasket: 100 }).write({ x: new Float64Array(300).map((_, i) => (i % 10) / 10) });
  await w.close();
});

describe("hepflow run under processor faults", () => {
  it("a throwing processor's stack trace is kept in failures.json", () => {
    const out = join(dir, "out-throw");
    const r = cli(["run", processor, "--dataset", dataset("throw"), "--out", out, "--workers", "0", "--chunk-size", "100", "--retries", "0", "--continue-on-failure"]);
    expect(r.status, r.stderr).toBe(2);
    const report = JSON.parse(readFileSync(join(out, "failures.json"), "utf8"));
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({ sample: "a", entryStart: 100, entryStop: 200, error: { code: "PROCESSOR_ERROR" } });
    expect(report.failures[0].error.stack).toMatch(/faultproc\.mjs:\d+/);
  });

  for (const workers of ["0", "1"]) {
    it(`process.exit() inside the processor at --workers ${workers} is a named failure, not a silent exit`, () => {
      const r = cli(["run", processor, "--dataset", dataset("exit"), "--out", join(dir, `out-exit-${workers}`), "--workers", workers, "--chunk-size", "100", "--retries", "0"]);
      expect(r.status).not.toBe(0);
      expect(r.status).not.toBe(7); // the processor's own exit code would mean it took the process down
      expect(r.stderr).toMatch(/PROCESSOR_EXIT|WORKER_DIED|process\.exit/);
      expect(r.stderr).toContain("a");
    });
  }

  it("a looping chunk ends at --chunk-timeout: named in the message, CHUNK_TIMEOUT in failures.json", () => {
    const t0 = Date.now();
    const args = ["run", processor, "--dataset", dataset("loop"), "--workers", "1", "--chunk-size", "100", "--retries", "0", "--chunk-timeout", "1"];
    const r = cli([...args, "--out", join(dir, "out-loop")]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("sample a entries [100, 200) after 1 attempt(s): the chunk did not finish within its deadline of 1.0 s");
    const out = join(dir, "out-loop-2");
    const going = cli([...args, "--out", out, "--continue-on-failure"]);
    expect(going.status).toBe(2);
    expect(JSON.parse(readFileSync(join(out, "failures.json"), "utf8")).failures[0]).toMatchObject({ entryStart: 100, error: { code: "CHUNK_TIMEOUT" } });
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it("the default deadline grows with the chunk: a minute plus 0.5 ms per entry", () => {
    expect(defaultDeadlineMs(0)).toBe(60_000);
    expect(defaultDeadlineMs(200_000)).toBe(160_000);
    expect(defaultDeadlineMs(2_000_000)).toBeGreaterThan(defaultDeadlineMs(200_000));
  });
});
