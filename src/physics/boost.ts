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
import { boostKernel } from "./simd.js";

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
  boostKernel(c[0]!, c.slice(1), out, opts.toRestFrameOf ? -1 : 1);
  return { px: wrap(offsets, out[0]!), py: wrap(offsets, out[1]!), pz: wrap(offsets, out[2]!), E: wrap(offsets, out[3]!) } as PxPyPzE<Out<C>>;
}
