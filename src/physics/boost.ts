/**
 * Lorentz boosts of (pt, eta, phi, mass) vectors by the velocity of other vectors, β = p/E — what
 * scikit-hep vector's `boost_p4` does, and with β → −β the move into another object's rest frame
 * (`boostCM_of_p4`, e.g. a decay product into its parent's frame). Results are Cartesian
 * (px, py, pz, E), the form the boost is linear in.
 */
import type { FloatColumn } from "./shape.js";
import { alloc, allFloat32, commonShape, contentOf, wrap } from "./shape.js";
import { toCartesian } from "./vector.js";
import type { Out, PtEtaPhiM, PxPyPzE } from "./vector.js";
import { perElementType, simd } from "../array/index.js";
import type { NumberArray } from "../array/index.js";

/**
 * `a` boosted by the velocity of `by` (element by element, same shape): with β = p/E of `by` and
 * γ = 1/sqrt(1 − β²), p' = p + ((γ − 1)(β·p)/β² + γE) β and E' = γ(E + β·p); `toRestFrameOf` flips
 * β, so `boost(lepton, sumVectors([lepton, neutrino, bjet]), { toRestFrameOf: true })` is the
 * lepton in the top's rest frame. Computed in float64, rounded once for float32 inputs.
 */
export function boost<C extends FloatColumn>(a: PtEtaPhiM<C>, by: PtEtaPhiM<C> | PxPyPzE<FloatColumn>, opts: { toRestFrameOf?: boolean } = {}): PxPyPzE<Out<C>> {
  const b = "px" in by ? by : toCartesian(by);
  const cols = [a.pt, a.eta, a.phi, a.mass, b.px, b.py, b.pz, b.E];
  const { offsets, n } = commonShape(cols, "boost");
  const f32 = allFloat32(cols);
  const out = [alloc(n, f32), alloc(n, f32), alloc(n, f32), alloc(n, f32)];
  const c = cols.map(contentOf);
  const k = f32 ? simd() : null;
  if (k) {
    k.boost(c.slice(0, 4) as Float32Array[], c.slice(4) as Float32Array[], opts.toRestFrameOf ? -1 : 1, out as Float32Array[]);
    return { px: wrap(offsets, out[0]!), py: wrap(offsets, out[1]!), pz: wrap(offsets, out[2]!), E: wrap(offsets, out[3]!) } as PxPyPzE<Out<C>>;
  }
  boostKernel(c[0]!, c.slice(1), out, opts.toRestFrameOf ? -1 : 1);
  return { px: wrap(offsets, out[0]!), py: wrap(offsets, out[1]!), pz: wrap(offsets, out[2]!), E: wrap(offsets, out[3]!) } as PxPyPzE<Out<C>>;
}

/** out = (px, py, pz, E) of a (pt, eta, phi, mass: pa + rest 0..2) boosted by ±β of b (px, py, pz, E: rest 3..6). */
export const boostKernel = perElementType((pa: NumberArray, rest: NumberArray[], out: (Float32Array | Float64Array)[], sign: number): void => {
  const ea = rest[0]!,
    fa = rest[1]!,
    ma = rest[2]!,
    bx_ = rest[3]!,
    by_ = rest[4]!,
    bz_ = rest[5]!,
    be_ = rest[6]!;
  const ox = out[0]!,
    oy = out[1]!,
    oz = out[2]!,
    oe = out[3]!;
  for (let i = 0; i < ox.length; i++) {
    const p1 = pa[i]!,
      m1 = ma[i]!,
      x1 = p1 * Math.cos(fa[i]!),
      y1 = p1 * Math.sin(fa[i]!),
      z1 = p1 * Math.sinh(ea[i]!);
    const e1 = Math.sqrt(x1 * x1 + y1 * y1 + z1 * z1 + (m1 >= 0 ? m1 * m1 : -m1 * m1));
    const e2 = be_[i]!,
      bx = (sign * bx_[i]!) / e2,
      by = (sign * by_[i]!) / e2,
      bz = (sign * bz_[i]!) / e2;
    const b2 = bx * bx + by * by + bz * bz,
      g = 1 / Math.sqrt(1 - b2),
      bp = bx * x1 + by * y1 + bz * z1;
    const k = (b2 > 0 ? ((g - 1) * bp) / b2 : 0) + g * e1;
    ox[i] = x1 + k * bx;
    oy[i] = y1 + k * by;
    oz[i] = z1 + k * bz;
    oe[i] = g * (e1 + bp);
  }
}, "boost");
