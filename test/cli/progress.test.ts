import { describe, expect, it } from "vitest";
import { progressPrinter } from "../../src/cli/progress.js";

function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => void out.push(s) } as unknown as NodeJS.WriteStream };
}

describe("progress printer", () => {
  it("off a TTY prints at most one line per interval and the final state once, however often it is ended", () => {
    const { out, stream } = fakeStream(false);
    const p = progressPrinter(stream, 60_000);
    p({ label: "ttbar", done: 10, total: 100, unit: "events" });
    p({ label: "ttbar", done: 100, total: 100, unit: "events" });
    p.end();
    p.end(); // e.g. before each later log line of the demo
    p.end();
    expect(out).toEqual(["ttbar: 10/100 events 10.0%\n", "ttbar: 100/100 events 100.0%\n"]);
  });

  it("on a TTY redraws one bar and ends it with a single newline", () => {
    const { out, stream } = fakeStream(true);
    const p = progressPrinter(stream);
    p({ done: 5, total: 5, unit: "chunks" });
    p.end();
    p.end();
    expect(out.filter((s) => s === "\n")).toHaveLength(1);
    expect(out[0]).toContain("[##############################] 5/5 chunks 100.0%");
  });
});
