import { describe, expect, it, afterEach, beforeEach, vi } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { coshF32, cosF32, expF32, simd, simdBackend, sinF32, sinhF32, useSimd, SIMD_FN } from "../../src/array/index.js";
import { boost, deltaPhi, deltaR, eta, invariantMass, phi, pt, sumVectors, toCartesian } from "../../src/physics/index.js";
import { compile } from "../../src/expr/index.js";
import { Jagged } from "../../src/util/index.js";
import { rng } from "../hist/reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const F = Math.fround;
const N = 40_003; // not a multiple of the kernels' 4 lanes nor of their 4096-element blocks
const r = rng(2024);
const col = (f: () => number) => Float32Array.from({ length: N }, f);
// NanoAOD-like jets: forward ones included (|eta| up to 4.7), a few at eta = 0 and phi = ±pi
const jets = () => ({ pt: col(() => 15 + 400 * r() ** 2), eta: col(() => 9.4 * r() - 4.7), phi: col(() => 2 * Math.PI * r() - Math.PI), mass: col(() => 20 * r()) });
const a = jets(),
  b = jets();
a.eta[0] = 0;
a.eta[1] = 1e-5;
a.phi[2] = Math.PI;
a.phi[3] = -Math.PI;
a.mass[4] = -3;
a.mass[5] = 0;

const sameFloat32 = (x: number, y: number) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
/** Positions where two float32 arrays differ (NaN equals NaN, −0 differs from +0). */
function differences(x: ArrayLike<number>, y: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (!sameFloat32(x[i]!, y[i]!)) out.push(i);
  return out;
}
/** The kernels under test: the native addon's (the default where it is built) or the WebAssembly ones. */
let backend: true | "wasm" = true;
/** With SIMD off, the same call runs the JavaScript loops. */
function js<T>(f: () => T): T {
  useSimd(false);
  try {
    return f();
  } finally {
    useSimd(backend);
  }
}
/** The float32 spacing at a float64 value's magnitude (2^-149 for subnormals). */
const ulp32 = (v: number) => 2 ** Math.max(Math.floor(Math.log2(Math.abs(v) || 2 ** -149)) - 23, -149);
const p99 = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(0.99 * (xs.length - 1))]!;
/** vector's float32 99th-percentile relative error against float64 on the leading-dijet mass (the bound). */
const VECTOR_P99 = 1.6e-5;

function cartesian64(v: typeof a, i: number): number[] {
  const p = v.pt[i]!,
    x = p * Math.cos(v.phi[i]!),
    y = p * Math.sin(v.phi[i]!),
    z = p * Math.sinh(v.eta[i]!),
    m = v.mass[i]!;
  return [x, y, z, Math.sqrt(x * x + y * y + z * z + (m >= 0 ? m * m : -m * m))];
}

afterEach(() => useSimd(true));

// every test runs on both builds of the kernels (test/array/simd-native.test.ts compares them bit for bit)
describe.each([
  ["native", true],
  ["WebAssembly", "wasm"],
] as const)("%s SIMD kernels", (name, which) => {
  beforeEach(() => {
    backend = which;
    useSimd(which);
  });

  it("are the ones simd() hands out here", () => {
    if (which === "wasm") {
      // the committed module is what kernels.wat assembles to (wabt), and it loads here
      const run = spawnSync(process.execPath, [path.join(root, "scripts/build-wasm.mjs"), "--check"], { encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
    }
    // Node ≥ 20 has WebAssembly SIMD, and the test machine builds the addon: anything else would silently mean a slower path
    expect([name, simdBackend()]).toEqual([name, which === "wasm" ? "wasm" : expect.stringMatching(/^native \((avx512|avx2|sse2)\)$/)]);
  });

  // The four-vector kernels evaluate cos, sin, sinh, atan2, asinh in float64 to ~1e-14 and round once, like
  // Math.fround(Math.cos(x)); the two differ only for a value within ~1e-14 relative of a float32 rounding
  // boundary, about 1 in 10^6 — so at most 2 of these ~160 k values may differ, and then by one float32 step.
  const fewLastBit = (ours: Float32Array, theirs: Float32Array) => {
    const d = differences(ours, theirs);
    expect(d.length).toBeLessThanOrEqual(2);
    for (const i of d) expect(Math.abs(ours[i]! - theirs[i]!)).toBeLessThanOrEqual(Math.abs(theirs[i]!) * 2 ** -23);
  };

  it("toCartesian gives the float32 values of the per-operation-rounded JavaScript loop", () => {
    const s = toCartesian(a),
      j = js(() => toCartesian(a));
    for (const k of ["px", "py", "pz", "E"] as const) fewLastBit(s[k] as Float32Array, j[k] as Float32Array);
  });

  it("pt, eta and phi of Cartesian float32 vectors equal the JavaScript loops, pt = 0 included", () => {
    const c = toCartesian(a);
    const px = c.px as Float32Array,
      py = c.py as Float32Array,
      pz = c.pz as Float32Array;
    px[6] = 0;
    py[6] = 0;
    pz[6] = 3;
    px[7] = 0;
    py[7] = 0;
    pz[7] = -2;
    px[8] = 0;
    py[8] = 0;
    pz[8] = 0;
    px[9] = -1;
    py[9] = 0;
    const v = { px, py, pz, E: c.E };
    expect([(eta(v) as Float32Array)[6], (eta(v) as Float32Array)[7], (eta(v) as Float32Array)[8]]).toEqual([Infinity, -Infinity, 0]);
    expect((phi(v) as Float32Array)[9]).toBe(F(Math.PI));
    fewLastBit(eta(v) as Float32Array, js(() => eta(v)) as Float32Array);
    fewLastBit(phi(v) as Float32Array, js(() => phi(v)) as Float32Array);
    fewLastBit(pt(v) as Float32Array, js(() => pt(v)) as Float32Array);
  });

  it("Δφ and ΔR of float32 columns equal the JavaScript loops exactly (float32 and float64 arithmetic only)", () => {
    const p1 = Float32Array.from(a.phi),
      p2 = Float32Array.from(b.phi);
    // the wrap's edges: differences of exactly ±π in float32, and just inside and outside
    p1.set([F(Math.PI), -F(Math.PI), 1, 0, 3, -3]);
    p2.set([0, 0, 1 - F(Math.PI), F(Math.PI), -F(Math.PI), F(Math.PI)]);
    const dp = deltaPhi(p1, p2) as Float32Array,
      dr = deltaR({ eta: a.eta, phi: p1 }, { eta: b.eta, phi: p2 }) as Float32Array;
    expect(differences(dp, js(() => deltaPhi(p1, p2)) as Float32Array)).toEqual([]);
    expect(differences(dr, js(() => deltaR({ eta: a.eta, phi: p1 }, { eta: b.eta, phi: p2 })) as Float32Array)).toEqual([]);
    for (const v of dp) expect(v >= -Math.PI && v < Math.PI).toBe(true);
  });

  it("exp, sin, cos, sinh, cosh of float32 columns are array/float32.ts's values bit for bit, edge values included", () => {
    const k = simd()!;
    // ±0, NaN, ±∞, the overflow thresholds (e^88.72284 and sinh/cosh of 89.41599 are the last finite
    // float32), subnormal and zero results of exp, sin/cos at the float32 path's edge (|x| = 6000) and beyond
    const edge = [0, -0, 1e-7, -1e-7, 1e-3, NaN, Infinity, -Infinity, 88.5, 88.72283, 88.72284, 89, 89.41599, 89.416, -87.5, -100, -103.97, -104, -110, 6000, -6000.0005, 1e6, -3e7, F(Math.PI), -F(Math.PI / 2), 1, -1, F(0.99999994)];
    const fns = [expF32, sinF32, cosF32, sinhF32, coshF32];
    for (const [name, code] of Object.entries(SIMD_FN)) {
      const x = col(() => 40 * r() - 20);
      x.set(edge);
      const out = new Float32Array(N);
      k.map(code, x, out);
      expect([name, differences(out, Float32Array.from(x, fns[code]!)).slice(0, 5)]).toEqual([name, []]);
      // and within the documented ulps of the float64 function (array/float32.ts; exhaustive figures in docs/performance.md)
      const f64 = (Math as unknown as Record<string, (v: number) => number>)[name]!;
      const bound = name === "exp" ? 1 : name.endsWith("h") ? 1.7 : 2.5;
      for (let i = 0; i < N; i++) {
        const ref = f64(x[i]!);
        if (!Number.isFinite(F(ref)) || Number.isNaN(ref)) expect([name, x[i], out[i]]).toEqual([name, x[i], F(ref)]);
        else expect([name, x[i], Math.abs(out[i]! - ref) / ulp32(ref) <= bound]).toEqual([name, x[i], true]);
      }
    }
  });

  it("the expression language's float32 cos/exp give the same values with the kernels and without", () => {
    const e = compile("pt*cos(phi) + mass*exp(eta*0.25)", ["pt", "phi", "mass", "eta"]);
    const s = e.evaluate(a) as { data: Float32Array },
      j = js(() => e.evaluate(a)) as { data: Float32Array };
    expect(s.data).toBeInstanceOf(Float32Array);
    expect(differences(s.data, j.data)).toEqual([]);
  });

  it("the expression language's float32 arithmetic runs on SIMD loops with exactly the JavaScript values", () => {
    // +, −, ×, ÷, min, max, sqrt, abs, negation in IEEE float32: no rounding difference is possible
    const e = compile("sqrt(pt*pt + mass*mass) - 2*abs(eta) / max(phi, 0.5) + min(-eta, 1.5) - (3 - pt) / 7", ["pt", "mass", "eta", "phi"]);
    const s = e.evaluate(a) as { data: Float32Array },
      j = js(() => e.evaluate(a)) as { data: Float32Array };
    expect(s.data).toBeInstanceOf(Float32Array);
    expect(differences(s.data, j.data)).toEqual([]);
  });

  it("element-wise float32 subexpressions run as one fused pass with the operation-by-operation float32 values", () => {
    const k = simd()!;
    const spy = vi.spyOn(k, "program");
    try {
      // per-element jets with a per-event condition (its validity must survive the fusion)
      const offsets = Int32Array.from({ length: 10_002 }, (_, e) => 4 * e);
      offsets[10_001] = N;
      const jagged = (x: Float32Array) => new Jagged(offsets, x);
      const cut = Int32Array.from({ length: 10_001 }, (_, e) => e % 3);
      const e = compile("sqrt(Jet_pt[n > 0]*Jet_pt + 1.5) * -Jet_eta / max(Jet_pt, 30) - cos(Jet_phi) * (2*3)", ["Jet_pt", "Jet_eta", "Jet_phi", "n"]);
      const v = e.evaluate({ Jet_pt: jagged(a.pt), Jet_eta: jagged(a.eta), Jet_phi: jagged(a.phi), n: cut }) as { shape: string; data: Float32Array; offsets: Int32Array; valid: Uint8Array };
      expect(spy).toHaveBeenCalledTimes(1);
      expect(v.shape).toBe("jagged");
      expect(v.offsets).toBe(offsets);
      expect(Array.from(v.valid.subarray(0, 6))).toEqual([0, 1, 1, 0, 1, 1]);
      // the reference: every operation rounded to float32 (numpy's float32 chain), cos from the kernel
      // already compared with array/float32.ts above, so no difference at all is allowed
      const cos = new Float32Array(N);
      k.map(SIMD_FN.cos, a.phi, cos);
      const ref = Float32Array.from(a.pt, (p, i) => F(F(F(F(Math.sqrt(F(F(p * p) + 1.5))) * -a.eta[i]!) / Math.max(p, 30)) - F(cos[i]! * 6)));
      expect(differences(v.data, ref)).toEqual([]);
      // an integer column or a per-event value beside per-element ones: no fusion, float64 / spread as before
      spy.mockClear();
      const mixed = compile("Jet_pt * n + sqrt(Jet_pt)", ["Jet_pt", "n"]).evaluate({ Jet_pt: jagged(a.pt), n: cut }) as { data: Float64Array };
      expect(spy).not.toHaveBeenCalled();
      expect(mixed.data).toBeInstanceOf(Float64Array);
      expect(mixed.data[5]).toBe(a.pt[5]! * 1 + F(Math.sqrt(a.pt[5]!)));
    } finally {
      spy.mockRestore();
    }
  });

  it("every four-vector operation is within vector's float32 error of float64 (99th percentile ≤ 1.6e-5)", () => {
    const rel = (x: number, ref: number) => Math.abs(x - ref) / Math.max(Math.abs(ref), 1e-30);
    const c = toCartesian(a),
      s = sumVectors([a, b]),
      m = invariantMass(a, b) as Float32Array;
    const boosted = boost(a, s, { toRestFrameOf: true });
    const sEta = eta(s) as Float32Array,
      sPhi = phi(s) as Float32Array,
      sPt = pt(s) as Float32Array;
    const dr = deltaR(a, b) as Float32Array,
      dp = deltaPhi(a.phi, b.phi) as Float32Array;
    const err: Record<string, number[]> = { construct: [], mass: [], pt: [], eta: [], phi: [], deltaR: [], deltaPhi: [], boost: [] };
    for (let i = 0; i < N; i++) {
      const u = cartesian64(a, i),
        w = cartesian64(b, i);
      (["px", "py", "pz", "E"] as const).forEach((k, j) => err.construct!.push(rel((c[k] as Float32Array)[i]!, u[j]!)));
      const [X, Y, Z, E] = [0, 1, 2, 3].map((j) => u[j]! + w[j]!) as [number, number, number, number];
      const m2 = E * E - X * X - Y * Y - Z * Z;
      err.mass!.push(rel(m[i]!, m2 >= 0 ? Math.sqrt(m2) : -Math.sqrt(-m2)));
      const T = Math.hypot(X, Y);
      err.pt!.push(rel(sPt[i]!, T));
      err.eta!.push(rel(sEta[i]!, Math.asinh(Z / T)));
      err.phi!.push(rel(sPhi[i]!, Math.atan2(Y, X)));
      const de = a.eta[i]! - b.eta[i]!;
      let d = a.phi[i]! - b.phi[i]!;
      d -= 2 * Math.PI * Math.floor((d + Math.PI) / (2 * Math.PI));
      err.deltaPhi!.push(Math.abs(dp[i]! - d) / Math.max(Math.abs(d), 1e-3)); // ±π wraps alike; near 0 absolute
      err.deltaR!.push(rel(dr[i]!, Math.hypot(de, d)));
      // boost into the pair's rest frame, float64 through the same formula from the float32 sum it is
      // given (1 − β² cancels for light pairs: the float32 rounding of the sum itself is not the boost's error)
      const S = [s.px, s.py, s.pz, s.E].map((q) => (q as Float32Array)[i]!) as [number, number, number, number];
      const bx = -S[0] / S[3],
        by = -S[1] / S[3],
        bz = -S[2] / S[3],
        b2 = bx * bx + by * by + bz * bz,
        g = 1 / Math.sqrt(1 - b2);
      const bp = bx * u[0]! + by * u[1]! + bz * u[2]!,
        k = ((g - 1) * bp) / b2 + g * u[3]!;
      const ref = [u[0]! + k * bx, u[1]! + k * by, u[2]! + k * bz, g * (u[3]! + bp)];
      (["px", "py", "pz", "E"] as const).forEach((q, j) => err.boost!.push(Math.abs((boosted[q] as Float32Array)[i]! - ref[j]!) / Math.max(ref[3]!, 1e-30)));
    }
    for (const [op, e] of Object.entries(err)) expect([op, p99(e)]).toEqual([op, expect.toSatisfy((x: number) => x <= VECTOR_P99)]);
  });
});
