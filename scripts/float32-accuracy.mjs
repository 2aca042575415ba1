#!/usr/bin/env node
// Measures the float32 exp, sin, cos, sinh and cosh of the expression language (src/array/float32.ts,
// the SIMD kernels' polynomials) on every float32 input of a range against the float64 functions:
// the largest error in units of the float32 spacing at the exact value, and the share of inputs not
// rounded to the nearest float32. Runs the kernels simd() hands out (build first: npm run build).
// Usage: node scripts/float32-accuracy.mjs [exp|sin|cos|sinh|cosh ...]   (all five: ~10 minutes)
import { simd, simdBackend, SIMD_FN } from "../dist/array/index.js";

// every float32 of |x| in [2^-30, hi] (below it each function is x, 1 or 1 + x to float32 precision);
// both signs for exp (not symmetric) and sin (its quadrant logic on negative q); cos and cosh are even
// and sinh odd by construction (|x| and its sign), so their positive half says it all
const RANGES = { exp: [104, true], sin: [6000, true], cos: [6000, false], sinh: [90, false], cosh: [90, false] };
const want = process.argv.slice(2);
const names = want.length ? want : Object.keys(RANGES);
const k = simd();
if (!k) throw new Error("float32-accuracy: no SIMD kernels here (npm run build)");
const BLOCK = 1 << 22;
const bits = new Uint32Array(BLOCK),
  x = new Float32Array(bits.buffer),
  out = new Float32Array(BLOCK);
const u32 = new Uint32Array(1),
  f32 = new Float32Array(u32.buffer);
const bitsOf = (v) => {
  f32[0] = v;
  return u32[0];
};
const ulp32 = (v) => 2 ** Math.max(Math.floor(Math.log2(Math.abs(v) || 2 ** -149)) - 23, -149);

for (const name of names) {
  if (!(name in RANGES)) throw new Error(`float32-accuracy: no function "${name}"; one of ${Object.keys(RANGES).join(", ")}`);
  const [hi, signed] = RANGES[name];
  const f64 = Math[name];
  let n = 0,
    worst = 0,
    at = 0,
    notNearest = 0;
  for (const sign of signed ? [0, 0x80000000] : [0]) {
    for (let b = bitsOf(2 ** -30), end = bitsOf(hi); b <= end; ) {
      const m = Math.min(BLOCK, end - b + 1);
      for (let i = 0; i < m; i++) bits[i] = (b + i) | sign;
      k.map(SIMD_FN[name], x.subarray(0, m), out.subarray(0, m));
      for (let i = 0; i < m; i++) {
        const ref = f64(x[i]);
        const y = out[i];
        if (!Number.isFinite(Math.fround(ref))) {
          if (y !== Math.fround(ref)) throw new Error(`${name}(${x[i]}) = ${y}, expected ${Math.fround(ref)}`);
          continue;
        }
        const e = Math.abs(y - ref) / ulp32(ref);
        if (y !== Math.fround(ref)) notNearest++;
        if (e > worst) {
          worst = e;
          at = x[i];
        }
      }
      n += m;
      b += m;
    }
  }
  console.log(JSON.stringify({ fn: name, kernels: simdBackend(), inputs: n, range: `${signed ? "±" : ""}[2^-30, ${hi}]`, max_ulp: Number(worst.toFixed(3)), at, not_nearest_percent: Number(((100 * notNearest) / n).toFixed(3)) }));
}
