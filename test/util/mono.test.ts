import { describe, expect, it } from "vitest";
import { perElementType } from "../../src/util/mono.js";
import { gt } from "../../src/array/index.js";
import { isHepflowError } from "../../src/util/index.js";

describe("perElementType", () => {
  it("runs the same kernel on every element type with the same results", () => {
    const twice = perElementType((x: ArrayLike<number>, k: number): number[] => Array.from(x, (v) => v * k));
    expect(twice(new Float32Array([1.5, 2]), 2)).toEqual([3, 4]);
    expect(twice(new Int32Array([-1, 7]), 2)).toEqual([-2, 14]);
    expect(twice(new Uint8Array([255]), 3)).toEqual([765]);
    expect(twice(new Float32Array([4]), 0.5)).toEqual([2]); // the cached float32 copy again
  });
  it("comparison kernels built on it agree across element types after mixed use", () => {
    const vals = [0, 1, 2, 3, 4];
    for (let round = 0; round < 3; round++) {
      for (const Arr of [Float32Array, Float64Array, Int32Array, Uint8Array, Int16Array, Uint16Array, Int8Array, Uint32Array]) {
        expect(Array.from(gt(Arr.from(vals), 2))).toEqual([0, 0, 0, 1, 1]);
      }
    }
  });
  it("refuses kernels with more than five parameters", () => {
    try {
      perElementType((a: number, b: number, c: number, d: number, e: number, f: number) => a + b + c + d + e + f);
      expect.unreachable();
    } catch (e) {
      expect(isHepflowError(e, "ARRAY_UNSUPPORTED")).toBe(true);
    }
  });
});
