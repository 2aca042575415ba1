/**
 * SIMD kernels for float32 columns: four-vector construction, (pt, eta, phi) of Cartesian vectors,
 * pair masses, boosts and the element-wise arithmetic and exp/sin/cos/sinh/cosh of the expression
 * language. Two builds of the same arithmetic: native/kernels.h, a Node-API addon in as many float64
 * lanes as the CPU has (8 with AVX-512), working on the columns in place, where the package's install
 * step could build it; and wasm/kernels.wat (2 lanes), whose columns are copied through the module's
 * memory in blocks small enough to stay in cache, everywhere else (browsers included). The two give
 * the same bits (test/array/simd-native.test.ts). `simd()` is null where neither can run (or after
 * `useSimd(false)`); callers then run their JavaScript loops, which compute the same values (see
 * kernels.wat on the rare last-bit differences of the four-vector kernels' transcendentals; map()'s
 * float32 exp/sin/cos/sinh/cosh are float32.ts's polynomials, the same bits in JavaScript).
 */
import { kernelsAddon } from "#util/native";
import { wasmBase64 } from "./wasm/kernels.wasm.js";

/** Elements per block and per memory slot: 16 kB a column, 12 columns at most in flight. */
const BLOCK = 4096;
const SLOT = BLOCK * 4;

/** The part of the WebAssembly global used here (the project's TypeScript lib has no DOM types). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface Exports {
  memory: { buffer: ArrayBuffer };
  to_cartesian(pt: number, eta: number, phi: number, m: number, ox: number, oy: number, oz: number, oe: number, n: number): void;
  pt_eta_phi(px: number, py: number, pz: number, opt: number, oeta: number, ophi: number, n: number, what: number): void;
  pair_mass(pa: number, ea: number, fa: number, ma: number, pb: number, eb: number, fb: number, mb: number, out: number, n: number): void;
  boost(pt: number, eta: number, phi: number, m: number, bx: number, by: number, bz: number, be: number, sign: number, ox: number, oy: number, oz: number, oe: number, n: number): void;
  map_f32(op: number, a: number, out: number, n: number): void;
  bin_f32(op: number, a: number, b: number, out: number, n: number): void;
  un_f32(op: number, a: number, out: number, n: number): void;
  delta_phi(p1: number, p2: number, out: number, n: number): void;
  delta_r(e1: number, p1: number, e2: number, p2: number, out: number, n: number): void;
}

/** The element-wise functions map() computes. */
export const SIMD_FN = { exp: 0, sin: 1, cos: 2, sinh: 3, cosh: 4 } as const;
/** The float32 operators arith() computes (IEEE float32, as a Float32Array store of the JavaScript result). */
export const SIMD_OP = { add: 0, sub: 1, mul: 2, div: 3, min: 4, max: 5 } as const;
/** The float32 one-argument operations arith1() computes. */
export const SIMD_UN = { sqrt: 0, abs: 1, neg: 2, sq: 3 } as const;
/** Memory slots a fused program may use (8 pages of 64 kB, one block of float32 each). */
export const SIMD_SLOTS = 32;
/** Step kinds of a fused program: arith (bin_f32), arith1 (un_f32), map (map_f32). */
export const SIMD_STEP = { arith: 0, arith1: 1, map: 2 } as const;

/** The kernels over whole float32 columns (outputs preallocated, same length as the inputs). */
export interface SimdKernels {
  toCartesian(pt: Float32Array, eta: Float32Array, phi: Float32Array, m: Float32Array, px: Float32Array, py: Float32Array, pz: Float32Array, E: Float32Array): void;
  /** pt always; eta and phi unless `only` names the one wanted (the other output then holds no defined values). */
  ptEtaPhi(px: Float32Array, py: Float32Array, pz: Float32Array, pt: Float32Array, eta: Float32Array, phi: Float32Array, only?: "eta" | "phi"): void;
  pairMass(a: Float32Array[], b: Float32Array[], out: Float32Array): void;
  boost(a: Float32Array[], by: Float32Array[], sign: number, out: Float32Array[]): void;
  map(fn: number, a: Float32Array, out: Float32Array): void;
  /** out = a op b, either side a column or a number (rounded to float32 first). */
  arith(op: number, a: Float32Array | number, b: Float32Array | number, out: Float32Array): void;
  arith1(op: number, a: Float32Array, out: Float32Array): void;
  deltaPhi(phi1: Float32Array, phi2: Float32Array, out: Float32Array): void;
  deltaR(eta1: Float32Array, phi1: Float32Array, eta2: Float32Array, phi2: Float32Array, out: Float32Array): void;
  /**
   * A fused element-wise program: block by block, `columns[j]` is copied into slot `inSlots[j]`, the
   * steps run on the block (five numbers each: SIMD_STEP kind, operator, slot a, slot b, output slot;
   * the same loops as arith/arith1/map) and slot `result` is copied to `out`. `scalars[j]` (rounded
   * to float32) fills slot `scalarSlots[j]` once. Intermediate values never leave the block.
   */
  program(columns: Float32Array[], inSlots: number[], scalars: number[], scalarSlots: number[], steps: number[], result: number, out: Float32Array): void;
  /**
   * Per-event float32 sums of a jagged column's elements where `mask` is non-zero (reduce.ts's
   * `sum(x, where)`, the same running float32 sum) and per-event counts of a jagged mask's non-zero
   * elements; native kernels only (the WebAssembly build has neither: reduce.ts loops instead).
   */
  maskedSum?(content: Float32Array, mask: Uint8Array, offsets: Int32Array, out: Float32Array): void;
  countTrue?(mask: Uint8Array, offsets: Int32Array, out: Int32Array): void;
  /** pairMass of objects i and k of each event straight from the jagged contents (NaN where missing); native only. */
  pairMassJagged?(c: Float32Array[], offsets: Int32Array, i: number, k: number, out: Float32Array): void;
  /** out = (abs ? |x| : x) op t as 0/1 bytes, op as mask.ts's codes (0 >, 1 >=, 2 <, 3 <=, 4 ==, 5 !=), t a float32; native only. */
  compare?(op: number, abs: boolean, x: Float32Array, t: number, out: Uint8Array): void;
  /** A block-sized view of input slot `j` and the kernel for already-filled slots (for gathers). */
  slots(): { block: number; view(j: number): Float32Array; pairMass(n: number): Float32Array };
}

let wasmState: SimdKernels | null | undefined;
let nativeState: { kernels: SimdKernels | null; isa: string } | undefined;
let mode: boolean | "wasm" = true;

/**
 * Turn the SIMD kernels off, on (the native addon where it is built, else WebAssembly), or to the
 * WebAssembly build alone: benchmarks and tests compare the paths in one process.
 */
export function useSimd(on: boolean | "wasm"): void {
  mode = on;
}

/** Which kernels simd() hands out: "native (avx512)" and the like, "wasm", or null for the JavaScript loops. */
export function simdBackend(): string | null {
  const k = simd();
  if (!k) return null;
  return k === nativeKernels() ? `native (${nativeState!.isa})` : "wasm";
}

function decode(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function instantiate(): SimdKernels | null {
  let x: Exports;
  try {
    const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
    x = new wasm.Instance(new wasm.Module(decode(wasmBase64)), { js: { sin: Math.sin, cos: Math.cos } }).exports as unknown as Exports;
  } catch {
    return null; // no WebAssembly SIMD here
  }
  const mem = new Float32Array(x.memory.buffer);
  const at = (j: number): number => j * SLOT;
  /** Runs `call(n)` over the columns block by block: inputs copied into slots 0.., outputs read from the slots after them. */
  const blocks = (ins: Float32Array[], outs: Float32Array[], call: (n: number) => void): void => {
    const n = outs[0]!.length,
      k = ins.length;
    for (let s = 0; s < n; s += BLOCK) {
      const m = Math.min(BLOCK, n - s);
      for (let j = 0; j < k; j++) mem.set(ins[j]!.subarray(s, s + m), j * BLOCK);
      call((m + 3) & ~3);
      for (let j = 0; j < outs.length; j++) outs[j]!.set(mem.subarray((k + j) * BLOCK, (k + j) * BLOCK + m), s);
    }
  };
  return {
    toCartesian(pt, eta, phi, m, px, py, pz, E) {
      blocks([pt, eta, phi, m], [px, py, pz, E], (n) => x.to_cartesian(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), n));
    },
    ptEtaPhi(px, py, pz, pt, eta, phi, only) {
      const what = only === "eta" ? 1 : only === "phi" ? 2 : 3;
      blocks([px, py, pz], [pt, eta, phi], (n) => x.pt_eta_phi(at(0), at(1), at(2), at(3), at(4), at(5), n, what));
    },
    pairMass(a, b, out) {
      blocks([...a, ...b], [out], (n) => x.pair_mass(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), n));
    },
    boost(a, by, sign, out) {
      blocks([...a, ...by], out, (n) => x.boost(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), sign, at(8), at(9), at(10), at(11), n));
    },
    map(fn, a, out) {
      blocks([a], [out], (n) => x.map_f32(fn, at(0), at(1), n));
    },
    arith(op, a, b, out) {
      if (typeof a !== "number" && typeof b !== "number") {
        blocks([a, b], [out], (n) => x.bin_f32(op, at(0), at(1), at(2), n));
        return;
      }
      // a number fills slot 2 once; the column goes through slot 0 block by block, the result through slot 1
      const col = (typeof a === "number" ? b : a) as Float32Array;
      mem.fill(Math.fround((typeof a === "number" ? a : b) as number), 2 * BLOCK, 3 * BLOCK);
      const [pa, pb] = typeof a === "number" ? [at(2), at(0)] : [at(0), at(2)];
      blocks([col], [out], (n) => x.bin_f32(op, pa, pb, at(1), n));
    },
    arith1(op, a, out) {
      blocks([a], [out], (n) => x.un_f32(op, at(0), at(1), n));
    },
    deltaPhi(p1, p2, out) {
      blocks([p1, p2], [out], (n) => x.delta_phi(at(0), at(1), at(2), n));
    },
    deltaR(e1, p1, e2, p2, out) {
      blocks([e1, p1, e2, p2], [out], (n) => x.delta_r(at(0), at(1), at(2), at(3), at(4), n));
    },
    program(columns, inSlots, scalars, scalarSlots, steps, result, out) {
      for (let j = 0; j < scalars.length; j++) mem.fill(Math.fround(scalars[j]!), scalarSlots[j]! * BLOCK, (scalarSlots[j]! + 1) * BLOCK);
      const n = out.length,
        ns = steps.length,
        nc = columns.length;
      for (let s = 0; s < n; s += BLOCK) {
        const m = Math.min(BLOCK, n - s),
          padded = (m + 3) & ~3;
        for (let j = 0; j < nc; j++) mem.set(columns[j]!.subarray(s, s + m), inSlots[j]! * BLOCK);
        for (let i = 0; i < ns; i += 5) {
          const kind = steps[i]!,
            op = steps[i + 1]!,
            a = at(steps[i + 2]!),
            o = at(steps[i + 4]!);
          if (kind === 0) x.bin_f32(op, a, at(steps[i + 3]!), o, padded);
          else if (kind === 1) x.un_f32(op, a, o, padded);
          else x.map_f32(op, a, o, padded);
        }
        out.set(mem.subarray(result * BLOCK, result * BLOCK + m), s);
      }
    },
    slots() {
      return {
        block: BLOCK,
        view: (j) => mem.subarray(j * BLOCK, (j + 1) * BLOCK),
        pairMass: (n) => {
          x.pair_mass(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), (n + 3) & ~3);
          return mem.subarray(8 * BLOCK, 8 * BLOCK + n);
        },
      };
    },
  };
}

/** The calls native/kernels.cc takes exactly as SimdKernels declares them. */
type SameCalls = "toCartesian" | "map" | "arith" | "arith1" | "deltaPhi" | "deltaR" | "program" | "maskedSum" | "countTrue";
/** The native addon's kernels: those, and the ones whose arguments it takes spread out or as numbers. */
interface NativeKernels extends Required<Pick<SimdKernels, SameCalls>> {
  isa(): string;
  ptEtaPhi(px: Float32Array, py: Float32Array, pz: Float32Array, pt: Float32Array, eta: Float32Array, phi: Float32Array, what: number): void;
  pairMass(...cols: Float32Array[]): void;
  boost(...args: (Float32Array | number)[]): void;
  pairMassJagged(pt: Float32Array, eta: Float32Array, phi: Float32Array, m: Float32Array, offsets: Int32Array, i: number, k: number, out: Float32Array): void;
  compare(op: number, abs: number, x: Float32Array, t: number, out: Uint8Array): void;
}

function nativeKernels(): SimdKernels | null {
  if (nativeState) return nativeState.kernels;
  const x = kernelsAddon<NativeKernels>().lib;
  if (!x) {
    nativeState = { kernels: null, isa: "" };
    return null;
  }
  // the gathers of pairMass (mass.ts) fill block-sized input columns, here plain arrays
  const scratch = Array.from({ length: 9 }, () => new Float32Array(BLOCK));
  const kernels: SimdKernels = {
    // Node-API functions need no `this`: the addon's own are handed out as they are
    toCartesian: x.toCartesian,
    map: x.map,
    arith: x.arith,
    arith1: x.arith1,
    deltaPhi: x.deltaPhi,
    deltaR: x.deltaR,
    program: x.program,
    maskedSum: x.maskedSum,
    countTrue: x.countTrue,
    ptEtaPhi: (px, py, pz, pt, eta, phi, only) => x.ptEtaPhi(px, py, pz, pt, eta, phi, only === "eta" ? 1 : only === "phi" ? 2 : 3),
    pairMass: (a, b, out) => x.pairMass(a[0]!, a[1]!, a[2]!, a[3]!, b[0]!, b[1]!, b[2]!, b[3]!, out),
    boost: (a, by, sign, out) => x.boost(a[0]!, a[1]!, a[2]!, a[3]!, by[0]!, by[1]!, by[2]!, by[3]!, sign, out[0]!, out[1]!, out[2]!, out[3]!),
    pairMassJagged: (c, offsets, i, k, out) => x.pairMassJagged(c[0]!, c[1]!, c[2]!, c[3]!, offsets, i, k, out),
    compare: (op, abs, a, t, out) => x.compare(op, abs ? 1 : 0, a, t, out),
    slots: () => ({
      block: BLOCK,
      view: (j) => scratch[j]!,
      pairMass: (n) => {
        const out = scratch[8]!.subarray(0, n);
        x.pairMass(...scratch.slice(0, 8).map((c) => c.subarray(0, n)), out);
        return out;
      },
    }),
  };
  nativeState = { kernels, isa: x.isa() };
  return kernels;
}

/** The SIMD kernels, or null where they cannot run (the caller falls back to JavaScript). */
export function simd(): SimdKernels | null {
  if (mode === false) return null;
  if (mode === true) {
    const k = nativeKernels();
    if (k) return k;
  }
  if (wasmState === undefined) wasmState = instantiate();
  return wasmState;
}
