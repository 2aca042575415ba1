/**
 * Invariant masses of pairs straight from (pt, eta, phi, mass), without the Cartesian detour.
 * Through px, py, pz, E a pair costs six transcendentals (cos, sin and sinh per vector) and, in
 * float32, loses digits in E² − p²; written in the collider variables,
 *
 *   m² = m₁² + m₂² + 2 (E₁E₂ − pt₁pt₂ (cos Δφ + sinh η₁ sinh η₂)),   Eᵢ = sqrt(ptᵢ² cosh² ηᵢ + mᵢ²),
 *
 * it needs one exp per vector (cosh and sinh both follow from e^η) and one cos of Δφ. The sum is
 * formed in float64 and rounded once, so float32 inputs give float32 results correct to their
 * last bit in all but cancelling cases (documented in docs/performance.md with the measured
 * error distribution). Sign conventions as in vector.ts: a negative mass means m² = −m², and a
 * space-like result is −sqrt(−m²).
 */
import { HepflowError, type Jagged } from "../util/index.js";
import { perElementType, simd } from "../array/index.js";
import type { NumberArray } from "../array/index.js";
import { allFloat32, commonShape, contentOf, wrap } from "./shape.js";
import type { FloatColumn } from "./shape.js";
import type { Out, PtEtaPhiM } from "./vector.js";

/** The mass of each element-wise pair of two aligned four-vector sets (same shape, flat or jagged). */
export function invariantMass<C extends FloatColumn>(a: PtEtaPhiM<C>, b: PtEtaPhiM<C>): Out<C> {
  const cols = [a.pt, a.eta, a.phi, a.mass, b.pt, b.eta, b.phi, b.mass];
  const { offsets, n } = commonShape(cols, "invariantMass");
  const f32 = allFloat32(cols);
  const out = f32 ? new Float32Array(n) : new Float64Array(n);
  const k = f32 ? simd() : null;
  if (k) {
    const c = cols.map(contentOf) as Float32Array[];
    k.pairMass(c.slice(0, 4), c.slice(4), out as Float32Array);
  } else alignedKernel(contentOf(a.pt), cols.slice(1).map(contentOf), out);
  return wrap(offsets, out) as Out<C>;
}

/**
 * The mass of the `i`-th and `k`-th objects of each event of a collection (e.g. the two leading
 * jets: `pairMass(jets, 0, 1)`), NaN where an event has fewer objects — one pass over the
 * collection, with no gathered copies of the fields.
 */
export function pairMass(v: PtEtaPhiM<Jagged<NumberArray>>, i: number, k: number): Float32Array | Float64Array {
  if (!(Number.isInteger(i) && Number.isInteger(k) && i >= 0 && k >= 0)) throw new HepflowError("ARRAY_SHAPE", `pairMass: object indices must be integers ≥ 0 (got ${i} and ${k})`);
  if (!v.pt || !v.eta || !v.phi || !v.mass) throw new HepflowError("ARRAY_SHAPE", "pairMass: the collection needs pt, eta, phi and mass fields");
  const cols = [v.pt, v.eta, v.phi, v.mass];
  const { offsets } = commonShape(cols, "pairMass");
  if (!offsets) throw new HepflowError("ARRAY_SHAPE", "pairMass: needs a jagged collection (one list of objects per event); use invariantMass for flat columns");
  const f32 = allFloat32(cols);
  const out = f32 ? new Float32Array(offsets.length - 1) : new Float64Array(offsets.length - 1);
  const kern = f32 ? simd() : null;
  if (kern) {
    const c = cols.map(contentOf) as Float32Array[];
    if (kern.pairMassJagged && offsets instanceof Int32Array) kern.pairMassJagged(c, offsets, i, k, out as Float32Array);
    else simdPairs(c, offsets, i, k, out as Float32Array, kern.slots());
    return out;
  }
  pairKernel(contentOf(v.pt), [contentOf(v.eta), contentOf(v.phi), contentOf(v.mass)], out, offsets, [i, k]);
  return out;
}

// The kernels are rebuilt from their source text per element type (perElementType), so the
// formula is written out in each rather than shared through a helper function.

const alignedKernel = perElementType((pt: NumberArray, rest: NumberArray[], out: Float32Array | Float64Array): void => {
  const eta1 = rest[0]!,
    phi1 = rest[1]!,
    m1 = rest[2]!,
    pt2 = rest[3]!,
    eta2 = rest[4]!,
    phi2 = rest[5]!,
    m2 = rest[6]!;
  for (let p = 0; p < out.length; p++) {
    const a = pt[p]!,
      b = pt2[p]!,
      ma = m1[p]!,
      mb = m2[p]!;
    const ea = Math.exp(eta1[p]!),
      eb = Math.exp(eta2[p]!);
    const ia = 1 / ea,
      ib = 1 / eb;
    const cha = 0.5 * (ea + ia),
      chb = 0.5 * (eb + ib);
    const ma2 = ma >= 0 ? ma * ma : -ma * ma,
      mb2 = mb >= 0 ? mb * mb : -mb * mb;
    const Ea = Math.sqrt(Math.max(0, a * a * cha * cha + ma2)),
      Eb = Math.sqrt(Math.max(0, b * b * chb * chb + mb2));
    const m = ma2 + mb2 + 2 * (Ea * Eb - a * b * (Math.cos(phi1[p]! - phi2[p]!) + 0.25 * (ea - ia) * (eb - ib)));
    out[p] = m >= 0 ? Math.sqrt(m) : -Math.sqrt(-m);
  }
}, "invariantMass");

const pairKernel = perElementType((pt: NumberArray, rest: NumberArray[], out: Float32Array | Float64Array, o: Int32Array, ik: number[]): void => {
  const eta = rest[0]!,
    phi = rest[1]!,
    mm = rest[2]!;
  const i = ik[0]!,
    k = ik[1]!,
    need = Math.max(i, k);
  for (let e = 0; e < out.length; e++) {
    const s = o[e]!;
    if (o[e + 1]! - s <= need) {
      out[e] = NaN;
      continue;
    }
    const p = s + i,
      q = s + k;
    const a = pt[p]!,
      b = pt[q]!,
      ma = mm[p]!,
      mb = mm[q]!;
    const ea = Math.exp(eta[p]!),
      eb = Math.exp(eta[q]!);
    const ia = 1 / ea,
      ib = 1 / eb;
    const cha = 0.5 * (ea + ia),
      chb = 0.5 * (eb + ib);
    const ma2 = ma >= 0 ? ma * ma : -ma * ma,
      mb2 = mb >= 0 ? mb * mb : -mb * mb;
    const Ea = Math.sqrt(Math.max(0, a * a * cha * cha + ma2)),
      Eb = Math.sqrt(Math.max(0, b * b * chb * chb + mb2));
    const m = ma2 + mb2 + 2 * (Ea * Eb - a * b * (Math.cos(phi[p]! - phi[q]!) + 0.25 * (ea - ia) * (eb - ib)));
    out[e] = m >= 0 ? Math.sqrt(m) : -Math.sqrt(-m);
  }
}, "pairMass");

/**
 * pairMass on the SIMD kernel: the i-th and k-th objects of each event with enough of them are
 * gathered straight into the kernel's input slots, a block of events at a time, and the masses
 * scattered back (NaN elsewhere).
 */
function simdPairs(c: Float32Array[], o: Int32Array, i: number, k: number, out: Float32Array, slots: ReturnType<NonNullable<ReturnType<typeof simd>>["slots"]>): void {
  const B = slots.block,
    need = Math.max(i, k),
    nev = out.length;
  const v = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => slots.view(j));
  const pt = c[0]!,
    eta = c[1]!,
    phi = c[2]!,
    mm = c[3]!;
  const a0 = v[0]!,
    a1 = v[1]!,
    a2 = v[2]!,
    a3 = v[3]!,
    b0 = v[4]!,
    b1 = v[5]!,
    b2 = v[6]!,
    b3 = v[7]!;
  const events = new Int32Array(B);
  let e = 0;
  while (e < nev) {
    let m = 0;
    for (; e < nev && m < B; e++) {
      const s = o[e]!;
      if (o[e + 1]! - s <= need) {
        out[e] = NaN;
        continue;
      }
      const p = s + i,
        q = s + k;
      a0[m] = pt[p]!;
      a1[m] = eta[p]!;
      a2[m] = phi[p]!;
      a3[m] = mm[p]!;
      b0[m] = pt[q]!;
      b1[m] = eta[q]!;
      b2[m] = phi[q]!;
      b3[m] = mm[q]!;
      events[m++] = e;
    }
    if (m === 0) break;
    const r = slots.pairMass(m);
    for (let j = 0; j < m; j++) out[events[j]!] = r[j]!;
  }
}
