/** ServiceX's own example request specs (../shared/data/func_adl/servicex-frontend) read by `parseSpec`. */
import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseSpec } from "../../src/service/index.js";
import { parsePython, toQastle, parseQastle } from "../../src/query/index.js";

const DIR = new URL("../../../shared/data/func_adl/servicex-frontend/examples/", import.meta.url).pathname;
// reco.yaml is a TopCP configuration that config_TopCP.yaml points to, not a request spec
const specs = fs
  .readdirSync(DIR)
  .filter((f) => /^config_.*\.ya?ml$/.test(f))
  .sort();

describe("ServiceX example specs", () => {
  it("has the examples", () => expect(specs.length).toBeGreaterThanOrEqual(5));
  it.each(specs)("%s", async (name) => {
    const text = fs.readFileSync(path.join(DIR, name), "utf8");
    if (/!(PythonFunction|TopCP)/.test(text)) {
      await expect(parseSpec(text, name)).rejects.toThrow(/never code/);
      return;
    }
    const spec = await parseSpec(text, name);
    expect(spec.Sample.length).toBeGreaterThan(0);
    for (const s of spec.Sample) {
      expect(s.Dataset).toBeTruthy();
      const tree = parsePython(s.Query as string);
      expect(toQastle(parseQastle(toQastle(tree)))).toBe(toQastle(tree));
    }
  });
});

describe("examples/zee", () => {
  it("the TS query of deliver.mjs and the Python query of spec.yaml are one cache key", async () => {
    const { canonicalQuery } = await import("../../src/query/index.js");
    // @ts-expect-error a plain JS example without types
    const { query } = await import("../../examples/zee/deliver.mjs");
    const spec = await parseSpec(fs.readFileSync(new URL("../../examples/zee/spec.yaml", import.meta.url), "utf8"));
    const py = parsePython(spec.Sample[0]!.Query as string);
    expect(toQastle(canonicalQuery(query.ast))).toBe(toQastle(canonicalQuery(py)));
  });
});
