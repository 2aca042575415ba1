// Issue 13 item 4: output into a closed pipe ends quietly, like other Unix tools.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { rootFile } from "../shared.js";

const BIN = new URL("../../bin/hepflow.js", import.meta.url).pathname;

/** Runs `hepflow ARGS | head ...` in bash; returns the exit status of hepflow (PIPESTATUS[0]), its stderr and head's output. */
function piped(args: string, head: string): { status: number; stderr: string; out: string } {
  const script = `"${process.execPath}" "${BIN}" ${args} 2>"$ERR" | ${head}; echo "status=\${PIPESTATUS[0]}" >&2; cat "$ERR" >&2`;
  const r = spawnSync("bash", ["-c", `ERR=$(mktemp); ${script}; rm -f "$ERR"`], { encoding: "utf8", timeout: 60_000 });
  const m = /status=(\d+)/.exec(r.stderr);
  return { status: Number(m?.[1] ?? -1), stderr: r.stderr.replace(/status=\d+\n?/, ""), out: r.stdout };
}

describe("EPIPE", () => {
  // A file with many branches, so `ls` writes far more than the pipe buffer after head has gone.
  const file = rootFile("nanoAOD_2015_CMS_Open_Data_ttbar.root");

  it("ls | head -1 prints one line, no stack trace, exit 141 as for cat", () => {
    const r = piped(`ls "${file}"`, "head -1");
    expect(r.out.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(141);
  }, 60_000);

  it("dump | head -c 100 is quiet too", () => {
    const r = piped(`dump "${file}:Events" --json`, "head -c 100");
    expect(r.out.length).toBe(100);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(141);
  }, 60_000);
});
