import { afterEach, describe, expect, it, vi } from "vitest";
import { rootFile } from "../shared.js";
import { runCli } from "../helpers/cli.js";

const run = (args: string[]): Promise<string> => runCli(...args);

afterEach(() => vi.restoreAllMocks());

describe("hepflow ls / dump", () => {
  it("ls lists trees with entries and branches with type, counter and compression ratio", async () => {
    const text = await run(["ls", rootFile("uproot-HZZ.root")]);
    expect(text).toContain("events;1  TTree  2421 entries, 51 branches");
    expect(text).toMatch(/Jet_Px\s+Float_t\[NJet\]\s+NJet\s+\d+\s+\d+\.\d\d/);
    const json = JSON.parse(await run(["ls", rootFile("uproot-nesteddirs.root"), "--json"])) as { entries: Array<{ path: string; className: string }> };
    expect(json.entries.some((e) => e.path.includes("/"))).toBe(true);
  });

  it("dump --json prints one object per branch, jagged as nested arrays", async () => {
    const text = await run(["dump", `${rootFile("uproot-sample-6.20.04-zlib.root")}:sample`, "-b", "n", "Ai4", "ai1", "str", "-n", "3", "--json"]);
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { branch: string; values: unknown[] });
    const by = Object.fromEntries(lines.map((l) => [l.branch, l.values]));
    expect(by.n).toEqual([0, 1, 2]);
    expect(by.Ai4).toEqual([[], [-15], [-15, -13]]);
    expect(by.ai1).toEqual([
      [-14, -13, -12],
      [-13, -12, -11],
      [-12, -11, -10],
    ]);
    expect(by.str).toEqual(["hey-0", "hey-1", "hey-2"]);
  });

  it("dump prints a table by default", async () => {
    const text = await run(["dump", `${rootFile("uproot-HZZ.root")}:events`, "-b", "NJet", "-n", "2"]);
    expect(text.split("\n")[0]).toBe("entry\tNJet");
    expect(text.split("\n").length).toBeGreaterThanOrEqual(3);
  });
});
