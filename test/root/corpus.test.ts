import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openFile } from "../../src/root/index.js";
import { HepflowError } from "../../src/util/index.js";
import { ROOT_DATA, rootFile } from "../shared.js";
import { KNOWN_UNSUPPORTED } from "./corpus-unsupported.js";

const RNTUPLE = /^ROOT::(Experimental::)?RNTuple$/;

/**
 * Reads every key of a file: every branch of every TTree (containers excepted: they hold no
 * values), every other object. Returns what could not be read, one line per object.
 */
async function walk(name: string): Promise<string[]> {
  const problems: string[] = [];
  const note = (what: string, e: unknown) => {
    if (!(e instanceof HepflowError)) throw new Error(`${name}: ${what}: not a HepflowError: ${String(e)}`, { cause: e });
    expect(e.message, `${name}: ${what}: error names the file`).toContain(name);
    problems.push(`${what}: ${e.message.slice(e.message.indexOf(name) + name.length + 2)}`);
  };
  let file;
  try {
    file = await openFile(rootFile(name));
  } catch (e) {
    note("open", e);
    return problems;
  }
  try {
    for (const k of await file.keys()) {
      if (k.className === "TDirectory" || k.className === "TDirectoryFile" || RNTUPLE.test(k.className)) continue;
      if (/^(TTree|TNtuple|TNtupleD)$/.test(k.className)) {
        let tree;
        try {
          tree = await file.tree(k.path);
        } catch (e) {
          note(k.path, e);
          continue;
        }
        for (const b of tree.branches) {
          if (b.detail?.startsWith("container")) continue;
          try {
            const cols = await tree.arrays([b.name]);
            expect(cols[b.name], `${name}:${b.name}`).toBeDefined();
          } catch (e) {
            note(`${k.path}/${b.name}`, e);
          }
        }
        continue;
      }
      try {
        await file.get(k.path);
      } catch (e) {
        note(`${k.path} (${k.className})`, e);
      }
    }
  } finally {
    await file.close();
  }
  return problems;
}

describe("every ROOT file in the corpus reads fully or fails with a HepflowError naming file, object and feature", () => {
  const files = readdirSync(ROOT_DATA)
    .filter((n) => n.endsWith(".root"))
    .sort();
  it("walks all files", async () => {
    expect(files.length).toBeGreaterThan(200);
    const report: Record<string, { count: number; examples: string[] }> = {};
    for (const name of files) {
      const problems = await walk(name);
      if (problems.length) report[name] = { count: problems.length, examples: problems.slice(0, 3) };
    }
    // Progress made visible: the list of files with unreadable objects and why.
    const lines = Object.entries(report).map(([f, r]) => `${f}: ${r.count} unreadable, e.g. ${r.examples.join(" | ")}`);
    console.log(`${files.length} files, ${files.length - lines.length} fully readable, ${lines.length} with unsupported objects:\n${lines.join("\n")}`);
    for (const [f, r] of Object.entries(report)) {
      expect(KNOWN_UNSUPPORTED[f], `${f} has unreadable objects it did not have before: ${r.examples.join(" | ")}`).toBeDefined();
      expect(r.count, `${f}: more unreadable objects than documented`).toBeLessThanOrEqual(KNOWN_UNSUPPORTED[f]!.count);
    }
  }, 120_000);
});
