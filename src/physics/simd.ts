/**
 * The hot loops of the four-vector kernels, one monomorphic copy per element type (perElementType).
 */
import { perElementType } from "../array/index.js";
import type { NumberArray } from "../array/index.js";

/** out = (px, py, pz, E) of a (pt, eta, phi, mass: pa + rest 0..2) boosted by ±β of b (px, py, pz, E: rest 3..6). */
export const boostKernel = perElementType((pa: NumberArray, rest: NumberArray[], out: (Float32Array | Float64Array)[], sign: number): void => {
  const ea = rest[0]!, fa = rest[1]!, ma = rest[2]!, bx_ = rest[3]!, by_ = rest[4]!, bz_ = rest[5]!, be_ = rest[6]!;
  const ox = out[0]!, oy = out[1]!, oz = out[2]!, oe = out[3]!;
  for (let i = 0; i < ox.length; i++) {
    const p1 = pa[i]!, m1 = ma[i]!, x1 = p1 * Math.cos(fa[i]!), y1 = p1 * Math.sin(fa[i]!), z1 = p1 * Math.sinh(ea[i]!);
    const e1 = Math.sqrt(x1 * x1 + y1 * y1 + z1 * z1 + (m1 >= 0 ? m1 * m1 : -m1 * m1));
    const e2 = be_[i]!, bx = (sign * bx_[i]!) / e2, by = (sign * by_[i]!) / e2, bz = (sign * bz_[i]!) / e2;
    const b2 = bx * bx + by * by + bz * bz, g = 1 / Math.sqrt(1 - b2), bp = bx * x1 + by * y1 + bz * z1;
    const k = (b2 > 0 ? ((g - 1) * bp) / b2 : 0) + g * e1;
    ox[i] = x1 + k * bx; oy[i] = y1 + k * by; oz[i] = z1 + k * bz; oe[i] = g * (e1 + bp);
  }
}, "boost");
