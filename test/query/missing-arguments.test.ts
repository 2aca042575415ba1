/** Calls written without the argument they need are the query's fault: a QUERY_TYPE error at the call, not a TypeError. */
import { describe, expect, it } from "vitest";
import type { BranchInfo } from "../../src/root/index.js";
import { parsePython, translate } from "../../src/query/index.js";

// the two branches of a jagged collection, as a TTree reader lists them
const branches = [
  { name: "nJet", typeName: "int32_t" },
  { name: "Jet_pt", typeName: "float", counter: "nJet" },
] as unknown as BranchInfo[];
const plan = (q: string) => translate(parsePython(q), branches, q);

describe("missing arguments in a query", () => {
  it.each([
    ["EventDataset().Select(lambda e: e.Jet_pt.Contains())", /Contains needs an argument/],
    ["EventDataset().Select(lambda e: Zip())", /Zip needs an argument/],
  ])("%s", (q, message) => {
    expect(() => plan(q)).toThrow(expect.objectContaining({ code: "QUERY_TYPE", message: expect.stringMatching(message) }));
  });

  it("the same query with its argument translates", () => {
    expect(() => plan("EventDataset().Select(lambda e: e.Jet_pt.Contains(3.0))")).not.toThrow();
  });
});
