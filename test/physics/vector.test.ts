import { describe, expect, it } from "vitest";
import { Jagged, combinations, take, zip } from "../../src/array/index.js";
import { combinationSum, deltaPhi, deltaR, energy, eta, mass, phi, pt, px, py, pz, sumVectors, toCartesian, toPtEtaPhiM } from "../../src/physics/index.js";

/** Invariant mass of two massless particles: m² = 2 pt1 pt2 (cosh Δη − cos Δφ), an independent formula. */
function masslessPairMass(pt1: number, eta1: number, phi1: number, pt2: number, eta2: number, phi2: number): number {
  return Math.sqrt(2 * pt1 * pt2 * (Math.cosh(eta1 - eta2) - Math.cos(phi1 - phi2)));
}

describe("four-vector components", () => {
  it("px, py, pz, E of simple vectors", () => {
    const v = { pt: new Float64Array([10, 10]), eta: new Float64Array([0, Math.asinh(0.75)]), phi: new Float64Array([0, Math.PI / 2]), mass: new Float64Array([0, 5]) };
    expect(Array.from(px(v) as Float64Array)[0]).toBe(10);
    // tolerance 1e-12: one rounding of cos(π/2) ≈ 6e-17 times 10
    expect((py(v) as Float64Array)[1]).toBeCloseTo(10, 12);
    expect((pz(v) as Float64Array)[1]).toBeCloseTo(7.5, 12);
    // E² = pt² + pz² + m² = 100 + 56.25 + 25
    expect((energy(v) as Float64Array)[1]).toBeCloseTo(Math.sqrt(181.25), 12);
  });
  it("round-trips through Cartesian form", () => {
    const v = { pt: new Float64Array([25, 40]), eta: new Float64Array([-1.2, 2.0]), phi: new Float64Array([3.0, -0.4]), mass: new Float64Array([4.2, 0]) };
    const back = toPtEtaPhiM(toCartesian(v));
    for (let i = 0; i < 2; i++) {
      // relative 1e-9: sinh/asinh and E² − p² cancellation lose a few digits for light objects
      expect((back.pt as Float64Array)[i]).toBeCloseTo(v.pt[i]!, 9);
      expect((back.eta as Float64Array)[i]).toBeCloseTo(v.eta[i]!, 9);
      expect((back.phi as Float64Array)[i]).toBeCloseTo(v.phi[i]!, 9);
    }
    expect((back.mass as Float64Array)[0]).toBeCloseTo(4.2, 6); // m² = E² − p² with E ≈ 46: cancellation costs ~6 digits of m
  });
});

describe("sums and masses", () => {
  it("pair mass agrees with the massless two-body formula", () => {
    const a = { pt: new Float64Array([45, 30]), eta: new Float64Array([0.3, -1.1]), phi: new Float64Array([1.0, 2.5]), mass: new Float64Array([0, 0]) };
    const b = { pt: new Float64Array([40, 60]), eta: new Float64Array([-0.7, 0.4]), phi: new Float64Array([-2.0, -0.3]), mass: new Float64Array([0, 0]) };
    const m = mass(sumVectors([a, b])) as Float64Array;
    for (let i = 0; i < 2; i++) {
      const ref = masslessPairMass(a.pt[i]!, a.eta[i]!, a.phi[i]!, b.pt[i]!, b.eta[i]!, b.phi[i]!);
      expect(Math.abs(m[i]! - ref) / ref).toBeLessThan(1e-12); // both in float64; masses ~90 far from cancellation
    }
  });
  it("negative mass² gives −sqrt(−m²), massless gives 0", () => {
    const c = { px: new Float64Array([3, 3]), py: new Float64Array([4, 4]), pz: new Float64Array([0, 0]), E: new Float64Array([4, 5]) };
    expect(Array.from(mass(c) as Float64Array)).toEqual([-3, 0]);
  });
  it("eta of vectors along the beam and of the null vector", () => {
    const c = { px: new Float64Array([0, 0, 0]), py: new Float64Array([0, 0, 0]), pz: new Float64Array([5, -5, 0]), E: new Float64Array([5, 5, 0]) };
    expect(Array.from(eta(c) as Float64Array)).toEqual([Infinity, -Infinity, 0]);
  });
  it("float32 inputs compute in float32, matching a plain per-operation-rounded loop", () => {
    const f = Math.fround;
    const v = { pt: new Float32Array([31.7, 55.1]), eta: new Float32Array([0.91, -1.7]), phi: new Float32Array([2.2, -0.6]), mass: new Float32Array([6.3, 8.1]) };
    const c = toCartesian(v);
    expect(c.E).toBeInstanceOf(Float32Array);
    for (let i = 0; i < 2; i++) {
      const x = f(v.pt[i]! * f(Math.cos(v.phi[i]!))),
        y = f(v.pt[i]! * f(Math.sin(v.phi[i]!))),
        z = f(v.pt[i]! * f(Math.sinh(v.eta[i]!)));
      const e = f(Math.sqrt(f(f(f(f(x * x) + f(y * y)) + f(z * z)) + f(v.mass[i]! * v.mass[i]!))));
      expect([(c.px as Float32Array)[i], (c.py as Float32Array)[i], (c.pz as Float32Array)[i], (c.E as Float32Array)[i]]).toEqual([x, y, z, e]);
    }
  });
  it("float32 mass subtracts E² − px² − py² − pz² left to right (spec §4.1), which the other grouping would not reproduce", () => {
    const f = Math.fround;
    let seed = 17;
    const u = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const n = 2000;
    const c = { px: new Float32Array(n), py: new Float32Array(n), pz: new Float32Array(n), E: new Float32Array(n) };
    for (let i = 0; i < n; i++) {
      c.px[i] = 200 * u() - 100;
      c.py[i] = 200 * u() - 100;
      c.pz[i] = 400 * u() - 200;
      c.E[i] = f(Math.sqrt(c.px[i]! ** 2 + c.py[i]! ** 2 + c.pz[i]! ** 2) + 5 + 100 * u());
    }
    const m = mass(c) as Float32Array;
    expect(m).toBeInstanceOf(Float32Array);
    let differs = 0;
    for (let i = 0; i < n; i++) {
      const x = c.px[i]!,
        y = c.py[i]!,
        z = c.pz[i]!,
        e = c.E[i]!;
      const leftToRight = f(Math.sqrt(f(f(f(f(e * e) - f(x * x)) - f(y * y)) - f(z * z))));
      const grouped = f(Math.sqrt(f(f(e * e) - f(f(f(x * x) + f(y * y)) + f(z * z)))));
      expect(m[i]).toBe(leftToRight);
      if (grouped !== leftToRight) differs++;
    }
    expect(differs).toBeGreaterThan(0); // the test tells the two float32 orders apart
  });
  it("pt and phi of a sum", () => {
    const c = { px: new Float64Array([3]), py: new Float64Array([-4]), pz: new Float64Array([1]), E: new Float64Array([9]) };
    expect((pt(c) as Float64Array)[0]).toBe(5);
    expect((phi(c) as Float64Array)[0]).toBe(Math.atan2(-4, 3));
  });
});

describe("combinationSum", () => {
  it("trijet sums equal the sum of the three gathered jets and the known mass", () => {
    const o = new Int32Array([0, 4, 2 + 4]);
    const jets = zip({
      pt: new Jagged(o, new Float64Array([50, 40, 30, 20, 70, 60])),
      eta: new Jagged(o, new Float64Array([0.1, -0.5, 1.2, 0.0, -1.0, 1.0])),
      phi: new Jagged(o, new Float64Array([0.0, 2.0, -2.0, 1.0, 0.5, -2.5])),
      mass: new Jagged(o, new Float64Array([0, 0, 0, 0, 0, 0])),
    });
    const idx = combinations(jets, 3);
    const s = combinationSum(jets, idx);
    expect(Array.from(s.E.offsets)).toEqual([0, 4, 4]);
    const viaTake = sumVectors(idx.map((ix) => take(jets, ix)));
    expect(Array.from(s.px.content)).toEqual(Array.from((viaTake.px as Jagged<Float64Array>).content));
    // mass of (j0, j1, j2): m² = Σ_{pairs} 2 pt_i pt_j (cosh Δη − cos Δφ) for massless jets
    const pairs: [number, number][] = [
      [0, 1],
      [0, 2],
      [1, 2],
    ];
    const P = jets.pt.content,
      H = jets.eta.content,
      F = jets.phi.content;
    const m2 = pairs.reduce((acc, [i, j]) => acc + masslessPairMass(P[i]!, H[i]!, F[i]!, P[j]!, H[j]!, F[j]!) ** 2, 0);
    const m = mass(s).content as Float64Array;
    expect(Math.abs(m[0]! - Math.sqrt(m2)) / Math.sqrt(m2)).toBeLessThan(1e-12);
  });
});

describe("angles", () => {
  it("deltaPhi wraps into [−π, π) and deltaR combines it with Δη", () => {
    const d = deltaPhi(new Float64Array([3, -3, 0.5, Math.PI]), new Float64Array([-3, 3, 0.2, 0])) as Float64Array;
    expect(d[0]).toBeCloseTo(6 - 2 * Math.PI, 14);
    expect(d[1]).toBeCloseTo(2 * Math.PI - 6, 14);
    expect(d[2]).toBeCloseTo(0.3, 14);
    expect(d[3]).toBeCloseTo(-Math.PI, 14);
    const r = deltaR({ eta: new Float64Array([1]), phi: new Float64Array([3]) }, { eta: new Float64Array([-2]), phi: new Float64Array([-3]) }) as Float64Array;
    expect(r[0]).toBeCloseTo(Math.hypot(3, 6 - 2 * Math.PI), 14);
  });
});
