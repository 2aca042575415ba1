/**
 * Lorentz vectors over columns in the (pt, eta, phi, mass) parametrization that NanoAOD stores,
 * with the Cartesian (px, py, pz, E) form for sums. Conventions: px = pt cos φ, py = pt sin φ,
 * pz = pt sinh η, E = sqrt(px² + py² + pz² + m²); mass = sqrt(E² − p²), and when E² − p² < 0
 * (rounding, or a space-like input) mass = −sqrt(p² − E²), as ROOT's TLorentzVector and the
 * scikit-hep vector package return. A negative input mass means m² = −m² (same convention).
 */
import { HepflowError, Jagged } from "../util/index.js";
import { globalIndex, offsetsOf, perElementType, simd, SIMD_OP } from "../array/index.js";
import type { Collection, NumberArray } from "../array/index.js";
import { alloc, allFloat32, commonShape, contentOf, rounder, wrap } from "./shape.js";
import type { FloatColumn, OutColumn } from "./shape.js";

/** A four-vector column set in NanoAOD's parametrization (a collection with pt/eta/phi/mass fields is one). */
export interface PtEtaPhiM<C extends FloatColumn = FloatColumn> {
  readonly pt: C;
  readonly eta: C;
  readonly phi: C;
  readonly mass: C;
}
/** A four-vector column set in Cartesian form, the form in which vectors add. */
export interface PxPyPzE<C extends FloatColumn = OutColumn> {
  readonly px: C;
  readonly py: C;
  readonly pz: C;
  readonly E: C;
}

/** Round to float32 when computing in float32 (a plain module function so the JIT inlines it). */
function rd(x: number, f32: boolean): number {
  return f32 ? Math.fround(x) : x;
}

/** Output shape for an input column type: jagged in → jagged out, flat in → flat out. */
export type Out<C> = C extends Jagged ? Jagged<Float32Array | Float64Array> : Float32Array | Float64Array;

/** Signed square root: sqrt(x) for x ≥ 0, −sqrt(−x) otherwise (the negative-mass² convention). */
function signedSqrt(x: number): number {
  return x >= 0 ? Math.sqrt(x) : -Math.sqrt(-x);
}

/** Convert (pt, eta, phi, mass) columns to (px, py, pz, E), same shape. */
export function toCartesian<C extends FloatColumn>(v: PtEtaPhiM<C>): PxPyPzE<Out<C>> {
  const { offsets, n } = commonShape([v.pt, v.eta, v.phi, v.mass], "toCartesian");
  const f32 = allFloat32([v.pt, v.eta, v.phi, v.mass]);
  const pt = contentOf(v.pt),
    eta = contentOf(v.eta),
    phi = contentOf(v.phi),
    m = contentOf(v.mass);
  const px = alloc(n, f32),
    py = alloc(n, f32),
    pz = alloc(n, f32),
    E = alloc(n, f32);
  const k = f32 ? simd() : null;
  if (k) k.toCartesian(pt as Float32Array, eta as Float32Array, phi as Float32Array, m as Float32Array, px as Float32Array, py as Float32Array, pz as Float32Array, E as Float32Array);
  else
    for (let i = 0; i < n; i++) {
      const p = pt[i]!,
        ph = phi[i]!,
        mm = m[i]!;
      const x = rd(p * rd(Math.cos(ph), f32), f32),
        y = rd(p * rd(Math.sin(ph), f32), f32),
        z = rd(p * rd(Math.sinh(eta[i]!), f32), f32);
      const m2 = mm >= 0 ? rd(mm * mm, f32) : -rd(mm * mm, f32);
      px[i] = x;
      py[i] = y;
      pz[i] = z;
      const p2 = rd(rd(rd(x * x, f32) + rd(y * y, f32), f32) + rd(z * z, f32), f32);
      E[i] = rd(Math.sqrt(Math.max(0, rd(p2 + m2, f32))), f32);
    }
  return { px: wrap(offsets, px), py: wrap(offsets, py), pz: wrap(offsets, pz), E: wrap(offsets, E) } as PxPyPzE<Out<C>>;
}

function unary(cols: FloatColumn[], where: string, f: (i: number, r: (x: number) => number) => number): OutColumn {
  const { offsets, n } = commonShape(cols, where);
  const f32 = allFloat32(cols);
  const r = rounder(f32);
  const out = alloc(n, f32);
  for (let i = 0; i < n; i++) out[i] = f(i, r);
  return wrap(offsets, out);
}

/** px = pt cos(phi). */
export function px<C extends FloatColumn>(v: { pt: C; phi: C }): Out<C> {
  const pt = contentOf(v.pt),
    phi = contentOf(v.phi);
  return unary([v.pt, v.phi], "px", (i, r) => r(pt[i]! * r(Math.cos(phi[i]!)))) as Out<C>;
}
/** py = pt sin(phi). */
export function py<C extends FloatColumn>(v: { pt: C; phi: C }): Out<C> {
  const pt = contentOf(v.pt),
    phi = contentOf(v.phi);
  return unary([v.pt, v.phi], "py", (i, r) => r(pt[i]! * r(Math.sin(phi[i]!)))) as Out<C>;
}
/** pz = pt sinh(eta). */
export function pz<C extends FloatColumn>(v: { pt: C; eta: C }): Out<C> {
  const pt = contentOf(v.pt),
    eta = contentOf(v.eta);
  return unary([v.pt, v.eta], "pz", (i, r) => r(pt[i]! * r(Math.sinh(eta[i]!)))) as Out<C>;
}
/** Energy from (pt, eta, phi, mass): sqrt(p² + m²), with p² = pt² cosh²(eta) computed via px, py, pz as the convention says. */
export function energy<C extends FloatColumn>(v: PtEtaPhiM<C>): Out<C> {
  return toCartesian(v).E as Out<C>;
}

/** Transverse momentum of Cartesian vectors: sqrt(px² + py²). */
export function pt<C extends FloatColumn>(c: PxPyPzE<C>): Out<C> {
  const { offsets, n } = commonShape([c.px, c.py], "pt");
  const f32 = allFloat32([c.px, c.py]);
  const x = contentOf(c.px),
    y = contentOf(c.py);
  const out = alloc(n, f32);
  for (let i = 0; i < n; i++) {
    const a = x[i]!,
      b = y[i]!;
    out[i] = rd(Math.sqrt(rd(rd(a * a, f32) + rd(b * b, f32), f32)), f32);
  }
  return wrap(offsets, out) as Out<C>;
}

/** Azimuth of Cartesian vectors: atan2(py, px) in (−π, π]. */
export function phi<C extends FloatColumn>(c: PxPyPzE<C>): Out<C> {
  const fast = simdPtEtaPhi(c, "phi", "phi");
  if (fast) return fast[2] as Out<C>;
  const x = contentOf(c.px),
    y = contentOf(c.py);
  return unary([c.px, c.py], "phi", (i, r) => r(Math.atan2(y[i]!, x[i]!))) as Out<C>;
}

/**
 * Pseudorapidity of Cartesian vectors: asinh(pz / pt). For pt = 0 it is ±∞ along the beam
 * (sign of pz) and 0 for a null vector, matching ROOT's convention of a finite answer where
 * one exists.
 */
export function eta<C extends FloatColumn>(c: PxPyPzE<C>): Out<C> {
  const fast = simdPtEtaPhi(c, "eta", "eta");
  if (fast) return fast[1] as Out<C>;
  const x = contentOf(c.px),
    y = contentOf(c.py),
    z = contentOf(c.pz);
  return unary([c.px, c.py, c.pz], "eta", (i, r) => {
    const t = r(Math.sqrt(r(r(x[i]! * x[i]!) + r(y[i]! * y[i]!))));
    const zi = z[i]!;
    if (t === 0) return zi === 0 ? 0 : zi > 0 ? Infinity : -Infinity;
    return r(Math.asinh(r(zi / t)));
  }) as Out<C>;
}

/**
 * Invariant mass of Cartesian vectors: sqrt(E² − px² − py² − pz²), subtracting left to right
 * as the AGC spec (§4.1) and coffea's Minkowski dot product do (it matters in float32), or
 * −sqrt(−m²) when m² is negative.
 */
export function mass<C extends FloatColumn>(c: PxPyPzE<C>): Out<C> {
  const { offsets, n } = commonShape([c.px, c.py, c.pz, c.E], "mass");
  const f32 = allFloat32([c.px, c.py, c.pz, c.E]);
  const x = contentOf(c.px),
    y = contentOf(c.py),
    z = contentOf(c.pz),
    e = contentOf(c.E);
  const out = alloc(n, f32);
  if (f32) {
    const f = Math.fround;
    for (let i = 0; i < n; i++) {
      const a = x[i]!,
        b = y[i]!,
        d = z[i]!,
        en = e[i]!;
      out[i] = f(signedSqrt(f(f(f(f(en * en) - f(a * a)) - f(b * b)) - f(d * d))));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const a = x[i]!,
        b = y[i]!,
        d = z[i]!,
        en = e[i]!;
      out[i] = signedSqrt(en * en - a * a - b * b - d * d);
    }
  }
  return wrap(offsets, out) as Out<C>;
}

/** Back to (pt, eta, phi, mass), e.g. after summing vectors. */
export function toPtEtaPhiM<C extends FloatColumn>(c: PxPyPzE<C>): PtEtaPhiM<Out<C>> {
  const fast = simdPtEtaPhi(c, "toPtEtaPhiM");
  if (fast) return { pt: fast[0], eta: fast[1], phi: fast[2], mass: mass(c) } as PtEtaPhiM<Out<C>>;
  return { pt: pt(c), eta: eta(c), phi: phi(c), mass: mass(c) };
}

/** pt, eta and phi in one SIMD pass when every component is float32 (null otherwise: the JavaScript loops run). */
function simdPtEtaPhi(c: PxPyPzE<FloatColumn>, where: string, only?: "eta" | "phi"): OutColumn[] | null {
  const cols = [c.px, c.py, c.pz];
  if (!allFloat32(cols)) return null;
  const k = simd();
  if (!k) return null;
  const { offsets, n } = commonShape(cols, where);
  const out = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
  k.ptEtaPhi(contentOf(c.px) as Float32Array, contentOf(c.py) as Float32Array, contentOf(c.pz) as Float32Array, ...out, only);
  return out.map((o) => wrap(offsets, o));
}

/** Element-wise sum of vectors of identical shape (e.g. lepton + b-jet), in Cartesian form. */
export function sumVectors(vs: (PtEtaPhiM | PxPyPzE<FloatColumn>)[]): PxPyPzE {
  if (vs.length === 0) throw new HepflowError("ARRAY_SHAPE", "sumVectors: needs at least one vector column set");
  const cart = vs.map((v) => ("px" in v ? v : toCartesian(v)));
  const cols = cart.flatMap((c) => [c.px, c.py, c.pz, c.E]);
  const { offsets, n } = commonShape(cols, "sumVectors");
  const f32 = allFloat32(cols);
  // float32 additions are the same IEEE operation in the kernels' loops
  const k = f32 ? simd() : null;
  const sumOf = (key: "px" | "py" | "pz" | "E") => {
    const o = alloc(n, f32);
    o.set(contentOf(cart[0]![key]));
    for (let v = 1; v < cart.length; v++) {
      const c = contentOf(cart[v]![key]);
      if (k) k.arith(SIMD_OP.add, o as Float32Array, c as Float32Array, o as Float32Array);
      else for (let i = 0; i < n; i++) o[i] = rd(o[i]! + c[i]!, f32);
    }
    return wrap(offsets, o);
  };
  return { px: sumOf("px"), py: sumOf("py"), pz: sumOf("pz"), E: sumOf("E") };
}

/**
 * Sum the objects picked by k index columns (from `combinations`), e.g. the three jets of each
 * trijet, without materializing k gathered copies: each object is converted to Cartesian once.
 * The result is jagged, sharing the index columns' offsets. Objects are added in index order.
 */
export function combinationSum(v: PtEtaPhiM<Jagged<NumberArray>> | Collection, index: Jagged<Int32Array>[]): PxPyPzE<Jagged<Float32Array | Float64Array>> {
  if (index.length === 0) throw new HepflowError("ARRAY_SHAPE", "combinationSum: needs at least one index column");
  const vec = v as PtEtaPhiM<Jagged<NumberArray>>;
  if (!vec.pt || !vec.eta || !vec.phi || !vec.mass) throw new HepflowError("ARRAY_SHAPE", "combinationSum: the collection needs pt, eta, phi and mass fields");
  const cart = toCartesian(vec) as PxPyPzE<Jagged<Float32Array | Float64Array>>;
  const src = "offsets" in vec.pt ? vec.pt.offsets : offsetsOf(v as Collection);
  const io = index[0]!.offsets;
  const g = index.map((ix) => {
    if (ix.offsets !== io) throw new HepflowError("ARRAY_SHAPE", "combinationSum: index columns must share offsets (pass the output of one combinations/cartesian call)");
    return globalIndex(src, ix);
  });
  const [px, py, pz, E] = sumMembers(cart.px.content, cart.py.content, cart.pz.content, cart.E.content, g);
  return { px: new Jagged(io, px), py: new Jagged(io, py), pz: new Jagged(io, pz), E: new Jagged(io, E) };
}

/**
 * The four components of each combination's sum, one pass over the combinations: members are
 * added in index order, rounding each addition to float32 for float32 components. A copy per
 * element type (float32 or float64 components), so the loop stays monomorphic.
 */
const sumMembers = perElementType(
  (
    x: Float32Array | Float64Array,
    y: Float32Array | Float64Array,
    z: Float32Array | Float64Array,
    t: Float32Array | Float64Array,
    g: Int32Array[],
  ): [Float32Array | Float64Array, Float32Array | Float64Array, Float32Array | Float64Array, Float32Array | Float64Array] => {
    const f32 = x instanceof Float32Array;
    const Arr = x.constructor as { new (n: number): Float32Array | Float64Array };
    const g0 = g[0]!,
      n = g0.length,
      m = g.length;
    const ox = new Arr(n),
      oy = new Arr(n),
      oz = new Arr(n),
      ot = new Arr(n);
    for (let i = 0; i < n; i++) {
      const a = g0[i]!;
      let sx = x[a]!,
        sy = y[a]!,
        sz = z[a]!,
        st = t[a]!;
      for (let k = 1; k < m; k++) {
        const b = g[k]![i]!;
        sx += x[b]!;
        sy += y[b]!;
        sz += z[b]!;
        st += t[b]!;
        if (f32) {
          sx = Math.fround(sx);
          sy = Math.fround(sy);
          sz = Math.fround(sz);
          st = Math.fround(st);
        }
      }
      ox[i] = sx;
      oy[i] = sy;
      oz[i] = sz;
      ot[i] = st;
    }
    return [ox, oy, oz, ot];
  },
  "sumMembers",
);

/** Δφ = φ1 − φ2 wrapped into [−π, π). */
export function deltaPhi<C extends FloatColumn>(phi1: C, phi2: C): Out<C> {
  const a = contentOf(phi1),
    b = contentOf(phi2);
  const k = a instanceof Float32Array && b instanceof Float32Array ? simd() : null;
  if (k) {
    const { offsets, n } = commonShape([phi1, phi2], "deltaPhi");
    const out = new Float32Array(n);
    k.deltaPhi(a as Float32Array, b as Float32Array, out);
    return wrap(offsets, out) as Out<C>;
  }
  return unary([phi1, phi2], "deltaPhi", (i, r) => r(wrapPhi(r(a[i]! - b[i]!)))) as Out<C>;
}

function wrapPhi(d: number): number {
  if (d >= -Math.PI && d < Math.PI) return d;
  const twoPi = 2 * Math.PI;
  return d - twoPi * Math.floor((d + Math.PI) / twoPi);
}

/** ΔR = sqrt(Δη² + Δφ²) between two aligned sets of (eta, phi) columns. */
export function deltaR<C extends FloatColumn>(a: { eta: C; phi: C }, b: { eta: C; phi: C }): Out<C> {
  const e1 = contentOf(a.eta),
    p1 = contentOf(a.phi),
    e2 = contentOf(b.eta),
    p2 = contentOf(b.phi);
  const k = allFloat32([a.eta, a.phi, b.eta, b.phi]) ? simd() : null;
  if (k) {
    const { offsets, n } = commonShape([a.eta, a.phi, b.eta, b.phi], "deltaR");
    const out = new Float32Array(n);
    k.deltaR(e1 as Float32Array, p1 as Float32Array, e2 as Float32Array, p2 as Float32Array, out);
    return wrap(offsets, out) as Out<C>;
  }
  return unary([a.eta, a.phi, b.eta, b.phi], "deltaR", (i, r) => {
    const de = r(e1[i]! - e2[i]!),
      dp = r(wrapPhi(r(p1[i]! - p2[i]!)));
    return r(Math.sqrt(r(r(de * de) + r(dp * dp))));
  }) as Out<C>;
}
