import { describe, expect, it } from "vitest";
import { Jagged, offsetsFromCounts, select, sum } from "../../src/array/index.js";
import { HepflowError } from "../../src/util/index.js";
import { rng } from "../hist/reference.js";

describe("sum(x, where)", () => {
  const r = rng(31);
  const nev = 5000;
  const o = offsetsFromCounts(Array.from({ length: nev }, () => Math.floor(r() * 9)));
  const n = o[nev]!;
  const mask = new Jagged(
    o,
    Uint8Array.from({ length: n }, () => +(r() < 0.6)),
  );

  for (const [name, make] of [
    ["float32", (k: number) => new Float32Array(k)],
    ["float64", (k: number) => new Float64Array(k)],
    ["int32", (k: number) => new Int32Array(k)],
  ] as const) {
    it(`${name}: the values of sum(select(x, where)), bit for bit`, () => {
      const c = make(n);
      for (let i = 0; i < n; i++) c[i] = name === "int32" ? Math.floor(200 * r() - 100) : (r() - 0.3) * 10 ** (6 * r());
      if (name !== "int32") {
        // dropped non-finite values never reach the sum; a kept −0 sums as select's does
        for (let i = 0; i < n; i += 97) if (!mask.content[i]) c[i] = i % 2 ? NaN : -Infinity;
        for (let i = 5; i < n; i += 101) if (mask.content[i]) c[i] = -0;
      }
      const x = new Jagged(o, c);
      const ours = sum(x, mask),
        ref = sum(select(x, mask));
      expect(ours.constructor).toBe(ref.constructor);
      expect(Array.from(ours).map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual(Array.from(ref).map((v) => (Object.is(v, -0) ? "-0" : v)));
    });
  }

  it("refuses a mask of another structure", () => {
    const x = new Jagged(o, new Float32Array(n));
    const other = new Jagged(offsetsFromCounts(Array.from({ length: nev }, () => 1)), new Uint8Array(nev));
    expect(() => sum(x, other)).toThrow(HepflowError);
  });
});
