// Issue 13 item 12: the closing line counts a suite whose beforeAll throws as a failure.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { summarize } from "../../scripts/summary.mjs";

describe("npm test closing line", () => {
  it("a file whose beforeAll throws is a failure, not skips", () => {
    const root = new URL("../fixtures/suite-fail/", import.meta.url).pathname;
    const out = path.join(mkdtempSync(path.join(tmpdir(), "summary-")), "r.json");
    const vitest = new URL("../../node_modules/vitest/vitest.mjs", import.meta.url).pathname;
    const r = spawnSync(process.execPath, [vitest, "run", "--root", root, "--config", path.join(root, "vitest.config.mjs"), "--reporter=json", `--outputFile=${out}`], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).not.toBe(0);
    const s = summarize(JSON.parse(readFileSync(out, "utf8")));
    expect(s.passed).toBe(1);
    expect(s.failed).toBe(1);
    expect(s.line).toMatch(/^Tests: 1 passed, 1 failed/);
  }, 60_000);
});
