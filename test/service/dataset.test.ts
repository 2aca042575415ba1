/** Dataset resolution: catalogue names, globs, ?files=N subsets, URLs, and the allowed-roots rule (symlinks included). */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resolveDataset } from "../../src/service/index.js";

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "hepflow-ds-")));
const data = path.join(tmp, "data");
fs.mkdirSync(path.join(data, "sub"), { recursive: true });
for (const f of ["b.root", "a.root", "c.root", "sub/d.root", "notes.txt"]) fs.writeFileSync(path.join(data, f), f);
const catalogue = path.join(data, "catalogue.json");
fs.writeFileSync(catalogue, JSON.stringify({ small: ["*.root"], "cernopendata://1507": ["a.root", "https://example.org/x.root"], all: ["**/*.root"] }));
fs.symlinkSync("/etc", path.join(data, "escape"));
const o = { catalogue, allowedRoots: [data] };
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("resolveDataset", () => {
  it("catalogue names expand globs relative to the catalogue, sorted", () => {
    expect(resolveDataset("small", o).map((f) => path.basename(f.path))).toEqual(["a.root", "b.root", "c.root"]);
    expect(resolveDataset("all", o).map((f) => path.relative(data, f.path))).toEqual(["a.root", "b.root", "c.root", "sub/d.root"]);
    expect(resolveDataset("cernopendata://1507", o).map((f) => f.path)).toEqual([path.join(data, "a.root"), "https://example.org/x.root"]);
  });
  it("?files=N is the first N of the sorted list, the same every time", () => {
    const a = resolveDataset("small?files=2", o),
      b = resolveDataset("small?files=2", o);
    expect(a.map((f) => path.basename(f.path))).toEqual(["a.root", "b.root"]);
    expect(b).toEqual(a);
  });
  it("identities change when a file changes", () => {
    const before = resolveDataset(path.join(data, "a.root"), o)[0]!.identity;
    fs.writeFileSync(path.join(data, "a.root"), "changed content, longer");
    expect(resolveDataset(path.join(data, "a.root"), o)[0]!.identity).not.toBe(before);
  });
  it("files outside the allowed roots are refused, also through a symlink", () => {
    expect(() => resolveDataset("/etc/passwd", o)).toThrow(/outside the folders/);
    expect(() => resolveDataset(path.join(data, "escape", "passwd"), o)).toThrow(/outside the folders/);
    expect(() => resolveDataset(path.join(data, "escape", "*"), o)).toThrow(/outside the folders/);
  });
  it("unknown names say what the catalogue has", () => {
    expect(() => resolveDataset("zee", o)).toThrow(/no dataset named "zee"[\s\S]*small, cernopendata:\/\/1507, all/);
    expect(() => resolveDataset("rucio://user.me:thing", o)).toThrow(/catalogue has no dataset/);
  });
});
