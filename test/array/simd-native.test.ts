import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { absGt, absLe, absLt, countTrue, eq, expF32, ge, gt, le, lt, ne, simd, simdBackend, sum, useSimd, SIMD_FN, SIMD_OP, SIMD_UN, type SimdKernels } from "../../src/array/index.js";
import { Jagged } from "../../src/util/index.js";
import { pairMass } from "../../src/physics/index.js";
import { rng } from "../hist/reference.js";

// native/kernels.h is the WebAssembly kernels' arithmetic, operation for operation, in wider vectors:
// every output must equal the WebAssembly one bit for bit (NaN equals NaN; −0 differs from +0).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const addonPath = path.join(root, "native/build/Release/hepflow_kernels.node");
const N = 100_003; // not a multiple of 2, 4 or 8 lanes nor of the 4096-value blocks
const r = rng(77);
const col = (lo: number, hi: number) => Float32Array.from({ length: N }, () => lo + (hi - lo) * r());
// values a column may hold besides physics: zeros of both signs, NaN, infinities, tiny and huge
// values, ±π, the exp clamp (±89 in float32 overflows), the series thresholds of sinh and asinh
const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 1e-4, -5e-4, 1e-3, Math.fround(Math.PI), -Math.fround(Math.PI), 88.7, -89, 100, -104, 1e38, -1e38, 2e4];
const sprinkle = (x: Float32Array) => {
  for (let i = 0; i < SPECIAL.length * 40; i++) x[(i * 7919 + 13) % N] = SPECIAL[i % SPECIAL.length]!;
  return x;
};
const pt = sprinkle(col(0, 500)),
  eta = sprinkle(col(-5, 5)),
  phi = sprinkle(col(-4, 4)),
  mass = sprinkle(col(-10, 50));
const pt2 = col(0, 300),
  eta2 = col(-6, 6),
  phi2 = col(-30, 30),
  mass2 = col(0, 20);
const zeros = (k: number) => Array.from({ length: k }, () => new Float32Array(N));

function differences(x: Float32Array, y: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (!(Object.is(x[i], y[i]) || (Number.isNaN(x[i]) && Number.isNaN(y[i])))) out.push(i);
  return out;
}
/** Runs `f` on the native kernels and on the WebAssembly ones; their outputs (those in `check`) must be equal. */
function same(name: string, outs: number, f: (k: SimdKernels, o: Float32Array[]) => void, check = Array.from({ length: outs }, (_, j) => j)): void {
  useSimd(true);
  const n = zeros(outs);
  f(simd()!, n);
  useSimd("wasm");
  const w = zeros(outs);
  f(simd()!, w);
  useSimd(true);
  for (const j of check) expect([name, j, differences(n[j]!, w[j]!).slice(0, 5)]).toEqual([name, j, []]);
}

afterEach(() => useSimd(true));

describe("native kernels (native/kernels.cc)", () => {
  it("are built here and are simd()'s default", () => {
    // the test packages include a C++ compiler, so the install step built the addon: a missing one fails here
    expect(simdBackend()).toMatch(/^native \((avx512|avx2|sse2)\)$/);
    useSimd("wasm");
    expect(simdBackend()).toBe("wasm");
  });

  it("four-vector kernels equal the WebAssembly ones bit for bit, special values included", () => {
    same("toCartesian", 4, (k, o) => k.toCartesian(pt, eta, phi, mass, o[0]!, o[1]!, o[2]!, o[3]!));
    const [x, y, z, e] = zeros(4) as [Float32Array, Float32Array, Float32Array, Float32Array];
    simd()!.toCartesian(pt2, eta2, phi, mass2, x, y, z, e);
    x.set([0, 0, 0, -1], 10);
    y.set([0, 0, 0, 0], 10);
    z.set([3, -2, 0, 1], 10);
    same("ptEtaPhi", 3, (k, o) => k.ptEtaPhi(x, y, z, o[0]!, o[1]!, o[2]!));
    // with one of eta and phi asked for, the other output holds no defined values
    same("ptEtaPhi eta only", 3, (k, o) => k.ptEtaPhi(x, y, z, o[0]!, o[1]!, o[2]!, "eta"), [0, 1]);
    same("ptEtaPhi phi only", 3, (k, o) => k.ptEtaPhi(x, y, z, o[0]!, o[1]!, o[2]!, "phi"), [0, 2]);
    same("pairMass", 1, (k, o) => k.pairMass([pt, eta, phi, mass], [pt2, eta2, phi2, mass2], o[0]!));
    // the rest frame of each jet's sum with another: boosts with cancelling components
    same("boost", 4, (k, o) => k.boost([pt2, eta2, phi2, mass2], [x, y, z, e], -1, o));
    same("boost +", 4, (k, o) => k.boost([pt2, eta2, phi2, mass2], [x, y, z, e], 1, o));
    same("deltaPhi", 1, (k, o) => k.deltaPhi(phi, phi2, o[0]!));
    same("deltaR", 1, (k, o) => k.deltaR(eta, phi, eta2, phi2, o[0]!));
  });

  it("the expression language's functions and operators equal the WebAssembly ones bit for bit", () => {
    for (const [name, op] of Object.entries(SIMD_FN)) same(name, 1, (k, o) => k.map(op, name === "exp" || name.endsWith("h") ? eta2 : phi2, o[0]!));
    for (const [name, op] of Object.entries(SIMD_OP)) {
      same(name, 1, (k, o) => k.arith(op, pt, mass, o[0]!));
      same(`${name} number`, 1, (k, o) => k.arith(op, 1.03, mass, o[0]!));
      same(`${name} by number`, 1, (k, o) => k.arith(op, pt, -0.7, o[0]!));
    }
    for (const [name, op] of Object.entries(SIMD_UN)) same(name, 1, (k, o) => k.arith1(op, mass, o[0]!));
    // pt*cos(phi) + mass*exp(eta*0.25) as compile.ts fuses it: slots 0–3 columns, 4 the number, 5–6 scratch
    const steps = [2, SIMD_FN.cos, 1, 0, 5, 0, SIMD_OP.mul, 0, 5, 5, 0, SIMD_OP.mul, 2, 4, 6, 2, SIMD_FN.exp, 6, 0, 6, 0, SIMD_OP.mul, 3, 6, 6, 0, SIMD_OP.add, 5, 6, 6];
    same("program", 1, (k, o) => k.program([pt, phi, eta, mass], [0, 1, 2, 3], [0.25], [4], steps, 6, o[0]!));
  });

  it("masked per-event sums and counts equal reduce.ts's JavaScript loops bit for bit", () => {
    // events of 0–11 elements, the first offset not 0 (a view), NaN/±inf/−0 among the elements, mask bytes other than 1
    const ne = 15_000; // ~83 k elements, within the N values of a column
    const offsets = new Int32Array(ne + 1);
    offsets[0] = 3;
    for (let e = 0; e < ne; e++) offsets[e + 1] = offsets[e]! + Math.floor(12 * r());
    const content = sprinkle(col(-50, 300)).subarray(0, offsets[ne]!);
    content.set([-0, -0, -0], offsets[5]);
    const mask = Uint8Array.from(content, () => (r() < 0.5 ? 0 : r() < 0.5 ? 1 : 7));
    const x = new Jagged(offsets, content),
      m = new Jagged(offsets, mask);
    expect(simd()!.maskedSum).toBeDefined();
    const fast = [sum(x, m), countTrue(m)] as const;
    useSimd(false);
    const slow = [sum(x, m), countTrue(m)] as const;
    useSimd(true);
    expect(differences(fast[0], slow[0])).toEqual([]);
    expect(Array.from(fast[1])).toEqual(Array.from(slow[1]));
    const bad = Int32Array.from(offsets);
    bad[7] = bad[6]! - 1;
    expect(() => sum(new Jagged(bad, content), new Jagged(bad, mask))).toThrow(/offsets must be non-decreasing/);
  });

  it("comparisons of float32 columns with a threshold give mask.ts's JavaScript masks, NaN, ±0 and ±∞ included", () => {
    const x = Float32Array.from(eta);
    // the thresholds themselves, their float32 neighbours and a value float32 cannot hold (2.4)
    x.set([2.4, Math.fround(2.4), -Math.fround(2.4), 0, -0, NaN, Infinity, -Infinity, 2.3999998569488525, 2.400000095367432]);
    const ops = { gt, ge, lt, le, eq, ne, absGt, absLe, absLt };
    for (const t of [2.4, 0, -1.5, Infinity, NaN]) {
      for (const [name, f] of Object.entries(ops)) {
        const fast = f(x, t);
        useSimd(false);
        const slow = f(x, t);
        useSimd(true);
        expect([name, t, fast.length, fast.findIndex((v, i) => v !== slow[i])]).toEqual([name, t, slow.length, -1]);
      }
    }
    expect(simd()!.compare).toBeDefined();
  });

  it("the pair mass of the i-th and k-th objects of each event equals the WebAssembly path's (gathered in JavaScript)", () => {
    const ne = 15_000;
    const offsets = new Int32Array(ne + 1);
    offsets[0] = 2;
    for (let e = 0; e < ne; e++) offsets[e + 1] = offsets[e]! + Math.floor(9 * r());
    const jets = { pt: new Jagged(offsets, pt), eta: new Jagged(offsets, eta), phi: new Jagged(offsets, phi), mass: new Jagged(offsets, mass) };
    expect(simd()!.pairMassJagged).toBeDefined();
    for (const [i, k] of [
      [0, 1],
      [2, 0],
      [1, 1],
    ] as const) {
      useSimd(true);
      const fast = pairMass(jets, i, k) as Float32Array;
      useSimd("wasm");
      const slow = pairMass(jets, i, k) as Float32Array;
      useSimd(true);
      expect([i, k, differences(fast, slow)]).toEqual([i, k, []]);
      expect(fast.some((v) => Number.isNaN(v))).toBe(true); // events with too few objects
    }
    const bad = Int32Array.from(offsets);
    bad[ne] = N + 10;
    expect(() => simd()!.pairMassJagged!([pt, eta, phi, mass], bad, 0, 1, new Float32Array(ne))).toThrow(/offsets must be non-decreasing and within/);
  });

  it("every length from 0 to 17 (the vector tails) gives the WebAssembly values", () => {
    for (let n = 0; n <= 17; n++) {
      const cut = (c: Float32Array) => c.subarray(0, n);
      const run = (k: SimdKernels) => {
        const o = Array.from({ length: 4 }, () => new Float32Array(n));
        k.toCartesian(cut(pt2), cut(eta2), cut(phi2), cut(mass2), o[0]!, o[1]!, o[2]!, o[3]!);
        return o;
      };
      useSimd(true);
      const a = run(simd()!);
      useSimd("wasm");
      const b = run(simd()!);
      for (let j = 0; j < 4; j++) expect([n, j, differences(a[j]!, b[j]!)]).toEqual([n, j, []]);
    }
  });

  it("columns in SharedArrayBuffers (the basket pool's) and offset views are read in place", () => {
    const share = (c: Float32Array) => {
      const s = new Float32Array(new SharedArrayBuffer(4 * (c.length + 3)), 4 * 3, c.length);
      s.set(c);
      return s;
    };
    const shared = [pt, eta, phi, mass].map(share) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const out = zeros(4).map(share);
    simd()!.toCartesian(...shared, out[0]!, out[1]!, out[2]!, out[3]!);
    const ref = zeros(4);
    simd()!.toCartesian(pt, eta, phi, mass, ref[0]!, ref[1]!, ref[2]!, ref[3]!);
    for (let j = 0; j < 4; j++) expect(differences(out[j]!, ref[j]!)).toEqual([]);
  });

  it("a wrong or too short argument is a TypeError naming the kernel, and nothing is read past an array", () => {
    const k = simd()!;
    const out = new Float32Array(N);
    expect(() => k.deltaPhi(phi.subarray(0, 10), phi2, out)).toThrow(/deltaPhi: phi1 must be a Float32Array at least as long as out/);
    expect(() => k.map(SIMD_FN.exp, new Float64Array(N) as unknown as Float32Array, out)).toThrow(TypeError);
    expect(() => k.pairMass([pt, eta, phi], [pt2, eta2, phi2, mass2], out)).toThrow(/pairMass/);
    expect(() => k.program([pt], [40], [], [], [], 0, out)).toThrow(/slots are integers 0\.\.31/);
    expect(() => k.program([pt], [0], [], [], [0, 0, 0, 0], 0, out)).toThrow(/five numbers a step/);
  });

  it("a worker thread loads its own copy of the addon", async () => {
    const code = `const { parentPort } = require("node:worker_threads");
      const k = require(${JSON.stringify(addonPath)});
      const a = new Float32Array([0.5, -1, 2]), o = new Float32Array(3);
      k.map(0, a, o);
      parentPort.postMessage([k.isa(), Array.from(o)]);`;
    const [isa, values] = await new Promise<[string, number[]]>((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once("message", resolve);
      w.once("error", reject);
    });
    expect(isa).toMatch(/^(avx512|avx2|sse2)$/);
    expect(values).toEqual([0.5, -1, 2].map(expF32));
  });

  it("the AVX2 and SSE2 builds (HEPFLOW_KERNELS_ISA) give the WebAssembly values too", () => {
    // the CPU picks one build at load; forcing the narrower ones runs all three on this machine
    const dir = mkdtempSync(path.join(tmpdir(), "hepflow-isa-"));
    try {
      const cols = [pt, eta, phi, mass, eta2, phi2];
      writeFileSync(path.join(dir, "in.bin"), Buffer.concat(cols.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
      const code = `const fs = require("node:fs"), k = require(${JSON.stringify(addonPath)});
        const b = fs.readFileSync(${JSON.stringify(path.join(dir, "in.bin"))}), n = ${N};
        const c = Array.from({ length: 6 }, (_, j) => new Float32Array(b.buffer, b.byteOffset + 4 * n * j, n));
        const outs = [0, 1, 2, 3, 4].map((op) => { const o = new Float32Array(n); k.map(op, op === 0 || op > 2 ? c[4] : c[5], o); return o; });
        const v = [0, 1, 2, 3].map(() => new Float32Array(n));
        k.toCartesian(c[0], c[1], c[2], c[3], ...v);
        fs.writeFileSync(${JSON.stringify(path.join(dir, "out.bin"))}, Buffer.concat([...outs, ...v].map((o) => Buffer.from(o.buffer))));
        console.log(k.isa());`;
      useSimd("wasm");
      const w = simd()!;
      const want = [0, 1, 2, 3, 4].map((op) => {
        const o = new Float32Array(N);
        w.map(op, op === 0 || op > 2 ? eta2 : phi2, o);
        return o;
      });
      const v = zeros(4);
      w.toCartesian(pt, eta, phi, mass, v[0]!, v[1]!, v[2]!, v[3]!);
      want.push(...v);
      for (const isa of ["avx2", "sse2"]) {
        const run = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { ...process.env, HEPFLOW_KERNELS_ISA: isa } });
        expect([isa, run.stderr, run.stdout.trim()]).toEqual([isa, "", isa]);
        const got = readFileSync(path.join(dir, "out.bin"));
        want.forEach((o, j) => expect([isa, j, differences(new Float32Array(got.buffer, got.byteOffset + 4 * N * j, N), o).slice(0, 5)]).toEqual([isa, j, []]));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("HEPFLOW_KERNELS=wasm selects the WebAssembly kernels in a process of the package", () => {
    const probe = `import("${path.join(root, "dist/array/index.js")}").then((m) => console.log(m.simdBackend()))`;
    const run = (env: Record<string, string>) => spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8", env: { ...process.env, ...env } });
    expect(run({ HEPFLOW_KERNELS: "wasm" }).stdout.trim()).toBe("wasm");
    expect(run({}).stdout.trim()).toMatch(/^native \(/);
    expect(createRequire(import.meta.url)(addonPath).isa()).toMatch(/^(avx512|avx2|sse2)$/);
  });
});
