// The AGC ML variant's permutation list against the list printed in spec §7.2.
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM example module
import { PERMUTATIONS, FEATURES } from "../../examples/agc-ttbar/ml.mjs";

describe("AGC ML permutations (spec §7.2)", () => {
  it("12 / 60 / 180 assignments, n = 4 in the spec's order", () => {
    expect((PERMUTATIONS as Int8Array[]).map((p) => p.length / 4)).toEqual([12, 60, 180]);
    const spec = "(1,0,2,3), (1,0,3,2), (2,0,1,3), (2,0,3,1), (2,1,0,3), (2,1,3,0), (3,0,1,2), (3,0,2,1), (3,1,0,2), (3,1,2,0), (3,2,0,1), (3,2,1,0)";
    expect(Array.from(PERMUTATIONS[0] as Int8Array)).toEqual(spec.replace(/[() ]/g, "").split(",").map(Number));
    expect((FEATURES as { name: string }[]).length).toBe(20);
  });
});
