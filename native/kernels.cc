/*
 * hepflow's native float32 column kernels: the functions of src/array/simd.ts's SimdKernels over
 * whole typed arrays, with no copies through WebAssembly memory, in as many float64 lanes as the
 * CPU has (AVX-512: 8, AVX2: 4, else SSE2: 2; chosen once, at load). Optional like the inflate
 * addon: src/util/platform/node/native.ts loads it when scripts/build-native.mjs has built it, and
 * simd.ts falls back to its WebAssembly kernels otherwise (or with HEPFLOW_KERNELS=wasm).
 *
 * Every call checks its arguments (Float32Arrays at least as long as the output) and throws a
 * TypeError naming the argument rather than read or write past an array.
 */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "kernels-api.h"

static const Kernels *K;
static const char *isa_name;

static void choose() {
  if (K) return;
  __builtin_cpu_init();
  // HEPFLOW_KERNELS_ISA=avx2 or sse2: a narrower build on a wider CPU, so that one machine tests all three
  const char *want = getenv("HEPFLOW_KERNELS_ISA");
  if (want && strcmp(want, "sse2") == 0) {
    K = &sse2::table;
    isa_name = "sse2";
  } else if (want && strcmp(want, "avx2") == 0 && __builtin_cpu_supports("avx2")) {
    K = &avx2::table;
    isa_name = "avx2";
  } else if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")) {
    K = &avx512::table;
    isa_name = "avx512";
  } else if (__builtin_cpu_supports("avx2")) {
    K = &avx2::table;
    isa_name = "avx2";
  } else {
    K = &sse2::table;
    isa_name = "sse2";
  }
}

struct Args {
  napi_env env;
  size_t argc;
  napi_value argv[16];
  bool failed = false;

  Args(napi_env e, napi_callback_info info, size_t want, const char *usage) : env(e), argc(16) {
    if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < want) fail(usage);
  }
  void fail(const char *what) {
    if (failed) return;
    failed = true;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_type_error(env, "HEPFLOW_KERNEL_ARG", what);
  }
  /* argument i as a Float32Array; *len its length */
  float *f32(napi_value v, size_t *len, const char *what) {
    if (failed) return nullptr;
    bool is_ta = false;
    napi_typedarray_type type;
    void *data = nullptr;
    if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta || napi_get_typedarray_info(env, v, &type, len, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float32_array) {
      fail(what);
      return nullptr;
    }
    return static_cast<float *>(data);
  }
  /* argument i as a typed array of the given type */
  void *typed(size_t i, napi_typedarray_type want, size_t *len, const char *what) {
    if (failed) return nullptr;
    bool is_ta = false;
    napi_typedarray_type type;
    void *data = nullptr;
    if (napi_is_typedarray(env, argv[i], &is_ta) != napi_ok || !is_ta || napi_get_typedarray_info(env, argv[i], &type, len, &data, nullptr, nullptr) != napi_ok ||
        type != want) {
      fail(what);
      return nullptr;
    }
    return data;
  }
  /* a Float32Array of at least n values (n = 0: any length; *n set to it) */
  float *col(size_t i, size_t *n, const char *what) {
    size_t len = 0;
    float *p = f32(argv[i], &len, what);
    if (!p) return nullptr;
    if (*n == 0) *n = len;
    else if (len < *n) {
      fail(what);
      return nullptr;
    }
    return p;
  }
  /* arguments first .. first + count − 1 as such Float32Arrays, into dst */
  template <typename P>
  void cols(size_t first, int count, P *dst, size_t *n, const char *what) {
    for (int j = 0; j < count; j++) dst[j] = col(first + j, n, what);
  }
  double num(size_t i, const char *what) {
    double d = 0;
    if (!failed && napi_get_value_double(env, argv[i], &d) != napi_ok) fail(what);
    return d;
  }
  bool is_number(size_t i) {
    napi_valuetype t;
    return napi_typeof(env, argv[i], &t) == napi_ok && t == napi_number;
  }
  /* element j of the JS array argument i */
  napi_value at(size_t i, uint32_t j) {
    napi_value v = nullptr;
    if (!failed && napi_get_element(env, argv[i], j, &v) != napi_ok) fail("expected an array");
    return v;
  }
  uint32_t length(size_t i, const char *what) {
    bool is_array = false;
    uint32_t n = 0;
    if (failed || napi_is_array(env, argv[i], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[i], &n) != napi_ok) fail(what);
    return n;
  }
};

/* The outputs come first in n: every input must be at least as long as the first output. */
static napi_value to_cartesian(napi_env env, napi_callback_info info) {
  Args a(env, info, 8, "toCartesian(pt, eta, phi, m, px, py, pz, E): Float32Arrays");
  size_t n = 0;
  float *o[4], *in[4];
  a.cols(4, 4, o, &n, "toCartesian: outputs must be Float32Arrays of one length");
  a.cols(0, 4, in, &n, "toCartesian: inputs must be Float32Arrays at least as long as the outputs");
  if (!a.failed) K->to_cartesian(in[0], in[1], in[2], in[3], o[0], o[1], o[2], o[3], n);
  return nullptr;
}

static napi_value pt_eta_phi(napi_env env, napi_callback_info info) {
  Args a(env, info, 7, "ptEtaPhi(px, py, pz, pt, eta, phi, what): Float32Arrays and 1 | 2 | 3");
  size_t n = 0;
  float *o[3], *in[3];
  a.cols(3, 3, o, &n, "ptEtaPhi: outputs must be Float32Arrays of one length");
  a.cols(0, 3, in, &n, "ptEtaPhi: inputs must be Float32Arrays at least as long as the outputs");
  int what = (int)a.num(6, "ptEtaPhi: what must be 1, 2 or 3");
  if (!a.failed) K->pt_eta_phi(in[0], in[1], in[2], o[0], o[1], o[2], n, what);
  return nullptr;
}

static napi_value pair_mass(napi_env env, napi_callback_info info) {
  Args a(env, info, 9, "pairMass(pt1, eta1, phi1, m1, pt2, eta2, phi2, m2, out): Float32Arrays");
  size_t n = 0;
  float *o = a.col(8, &n, "pairMass: out must be a Float32Array");
  const float *in[8];
  a.cols(0, 8, in, &n, "pairMass: inputs must be Float32Arrays at least as long as out");
  if (!a.failed) K->pair_mass(in, in + 4, o, n);
  return nullptr;
}

static bool offsets_ok(Args &a, const int32_t *o, size_t n, size_t len) {
  if (a.failed) return false;
  if (o[0] < 0) a.fail("offsets must start at 0 or above");
  for (size_t e = 0; e < n && !a.failed; e++)
    if (o[e + 1] < o[e] || (size_t)o[e + 1] > len) a.fail("offsets must be non-decreasing and within the content and the mask");
  return !a.failed;
}

static napi_value pair_mass_jagged(napi_env env, napi_callback_info info) {
  Args a(env, info, 8, "pairMassJagged(pt, eta, phi, m, offsets, i, k, out)");
  size_t n = 0, no = 0, len = 0;
  float *o = a.col(7, &n, "pairMassJagged: out must be a Float32Array");
  const int32_t *off = (const int32_t *)a.typed(4, napi_int32_array, &no, "pairMassJagged: offsets must be an Int32Array");
  const float *c[4];
  for (int j = 0; j < 4; j++) {
    size_t lj = 0;
    c[j] = a.f32(a.argv[j], &lj, "pairMassJagged: pt, eta, phi and m must be Float32Arrays");
    len = j == 0 || lj < len ? lj : len;
  }
  double i = a.num(5, "pairMassJagged: i must be a number"), k = a.num(6, "pairMassJagged: k must be a number");
  if (!a.failed && no != n + 1) a.fail("pairMassJagged: offsets must have one more value than out");
  if (!a.failed && !(i >= 0 && k >= 0 && i < 2147483647 && k < 2147483647 && i == (int)i && k == (int)k)) a.fail("pairMassJagged: object indices must be integers >= 0");
  if (!offsets_ok(a, off, n, len)) return nullptr;
  K->pair_mass_jagged(c, off, n, (int)i, (int)k, o);
  return nullptr;
}

static napi_value boost(napi_env env, napi_callback_info info) {
  Args a(env, info, 13, "boost(pt, eta, phi, m, bx, by, bz, bE, sign, ox, oy, oz, oE)");
  size_t n = 0;
  float *o[4];
  const float *in[8];
  a.cols(9, 4, o, &n, "boost: outputs must be Float32Arrays of one length");
  a.cols(0, 8, in, &n, "boost: inputs must be Float32Arrays at least as long as the outputs");
  double sign = a.num(8, "boost: sign must be a number");
  if (!a.failed) K->boost(in, in + 4, sign, o, n);
  return nullptr;
}

static napi_value map_f32(napi_env env, napi_callback_info info) {
  Args a(env, info, 3, "map(op, a, out)");
  size_t n = 0;
  int op = (int)a.num(0, "map: op must be a number");
  float *o = a.col(2, &n, "map: out must be a Float32Array");
  float *x = a.col(1, &n, "map: a must be a Float32Array at least as long as out");
  if (!a.failed) K->map_f32(op, x, o, n);
  return nullptr;
}

/* Blocks of one operand filled with a number, for arith(op, column, number) and the program's constants. */
static const size_t BLOCK = 4096;
static const int SLOTS = 32;
static thread_local float slots[SLOTS][BLOCK] __attribute__((aligned(64)));

static napi_value bin_f32(napi_env env, napi_callback_info info) {
  Args a(env, info, 4, "arith(op, a, b, out): a and b Float32Arrays or numbers");
  size_t n = 0;
  int op = (int)a.num(0, "arith: op must be a number");
  float *o = a.col(3, &n, "arith: out must be a Float32Array");
  bool sa = a.is_number(1), sb = a.is_number(2);
  const float *x = sa ? nullptr : a.col(1, &n, "arith: a must be a number or a Float32Array at least as long as out");
  const float *y = sb ? nullptr : a.col(2, &n, "arith: b must be a number or a Float32Array at least as long as out");
  if (a.failed) return nullptr;
  if (!sa && !sb) {
    K->bin_f32(op, x, y, o, n);
    return nullptr;
  }
  // the number, rounded to float32, fills a block once; the column runs through block by block
  float c = (float)a.num(sa ? 1 : 2, "arith: number expected");
  for (size_t j = 0; j < BLOCK; j++) slots[0][j] = c;
  for (size_t s = 0; s < n; s += BLOCK) {
    size_t m = n - s < BLOCK ? n - s : BLOCK;
    K->bin_f32(op, sa ? slots[0] : x + s, sb ? slots[0] : y + s, o + s, m);
  }
  return nullptr;
}

static napi_value un_f32(napi_env env, napi_callback_info info) {
  Args a(env, info, 3, "arith1(op, a, out)");
  size_t n = 0;
  int op = (int)a.num(0, "arith1: op must be a number");
  float *o = a.col(2, &n, "arith1: out must be a Float32Array");
  float *x = a.col(1, &n, "arith1: a must be a Float32Array at least as long as out");
  if (!a.failed) K->un_f32(op, x, o, n);
  return nullptr;
}

static napi_value delta_phi(napi_env env, napi_callback_info info) {
  Args a(env, info, 3, "deltaPhi(phi1, phi2, out)");
  size_t n = 0;
  float *o = a.col(2, &n, "deltaPhi: out must be a Float32Array");
  float *p1 = a.col(0, &n, "deltaPhi: phi1 must be a Float32Array at least as long as out");
  float *p2 = a.col(1, &n, "deltaPhi: phi2 must be a Float32Array at least as long as out");
  if (!a.failed) K->delta_phi(p1, p2, o, n);
  return nullptr;
}

static napi_value delta_r(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "deltaR(eta1, phi1, eta2, phi2, out)");
  size_t n = 0;
  float *o = a.col(4, &n, "deltaR: out must be a Float32Array");
  const float *in[4];
  a.cols(0, 4, in, &n, "deltaR: inputs must be Float32Arrays at least as long as out");
  if (!a.failed) K->delta_r(in[0], in[1], in[2], in[3], o, n);
  return nullptr;
}

/*
 * program(columns, inSlots, scalars, scalarSlots, steps, result, out): simd.ts's fused element-wise
 * program. Per block of 4096 values the columns are copied into their slots, the steps (kind, op,
 * slot a, slot b, output slot) run on the block, and the result slot is copied out.
 */
// blocks ahead of the one computing that a program's columns are prefetched (1: +5–10 %, 2: +15 % on
// pt*cos(phi) + mass*exp(eta*0.25); more: no better)
static const size_t AHEAD = 2;
static napi_value program(napi_env env, napi_callback_info info) {
  Args a(env, info, 7, "program(columns, inSlots, scalars, scalarSlots, steps, result, out)");
  size_t n = 0;
  float *o = a.col(6, &n, "program: out must be a Float32Array");
  uint32_t nc = a.length(0, "program: columns must be an array of Float32Arrays");
  if (a.length(1, "program: inSlots must be an array") != nc) a.fail("program: one slot per column");
  uint32_t ns = a.length(2, "program: scalars must be an array");
  if (a.length(3, "program: scalarSlots must be an array") != ns) a.fail("program: one slot per scalar");
  uint32_t nsteps = a.length(4, "program: steps must be an array");
  if (nc > SLOTS || nsteps % 5 != 0) a.fail("program: at most 32 columns and five numbers a step");
  if (a.failed) return nullptr;
  auto slot = [&](napi_value v) -> int {
    double d = -1;
    if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d < SLOTS) || d != (int)d) {
      a.fail("program: slots are integers 0..31");
      return 0;
    }
    return (int)d;
  };
  const float *cols[SLOTS];
  int in_slot[SLOTS];
  for (uint32_t j = 0; j < nc && !a.failed; j++) {
    size_t len = 0;
    cols[j] = a.f32(a.at(0, j), &len, "program: columns must be Float32Arrays");
    if (!a.failed && len < n) a.fail("program: every column must be at least as long as out");
    in_slot[j] = slot(a.at(1, j));
  }
  for (uint32_t j = 0; j < ns && !a.failed; j++) {
    double d = 0;
    if (napi_get_value_double(env, a.at(2, j), &d) != napi_ok) a.fail("program: scalars must be numbers");
    int s = slot(a.at(3, j));
    float c = (float)d;
    for (size_t k = 0; k < BLOCK; k++) slots[s][k] = c;
  }
  int steps[5 * 64];
  if (nsteps > sizeof steps / sizeof steps[0]) a.fail("program: at most 64 steps");
  for (uint32_t j = 0; j < nsteps && !a.failed; j++) {
    double d = 0;
    if (napi_get_value_double(env, a.at(4, j), &d) != napi_ok) a.fail("program: steps must be numbers");
    steps[j] = (int)d;
    if (j % 5 >= 2 && !(steps[j] >= 0 && steps[j] < SLOTS)) a.fail("program: slots are integers 0..31");
  }
  int result = slot(a.argv[5]);
  if (a.failed) return nullptr;
  // No copies: a slot holding a column is read where the column is, the last step that writes the
  // result writes into `out`, and a step writing into a column's slot is given the slot's own block
  // instead (a program may reuse an operand's slot; the caller's columns are never written).
  int last = -1;
  for (uint32_t i = 0; i < nsteps; i += 5)
    if (steps[i + 4] == result) last = (int)i;
  // an `out` sharing memory with a column is written only after each block's steps, as the WebAssembly does
  for (uint32_t j = 0; j < nc; j++)
    if (o < cols[j] + n && cols[j] < o + n) last = -1;
  for (size_t s = 0; s < n; s += BLOCK) {
    size_t m = n - s < BLOCK ? n - s : BLOCK;
    float *ptr[SLOTS];
    bool borrowed[SLOTS] = {false};
    for (int j = 0; j < SLOTS; j++) ptr[j] = slots[j];
    for (uint32_t j = 0; j < nc; j++) {
      ptr[in_slot[j]] = const_cast<float *>(cols[j]) + s;
      borrowed[in_slot[j]] = true;
    }
    // a later block's columns are fetched while this one computes: a step's loop over one block is too
    // short for the hardware prefetcher to hide main memory behind it
    if (s + AHEAD * BLOCK < n)
      for (uint32_t j = 0; j < nc; j++) {
        const float *next = cols[j] + s + AHEAD * BLOCK;
        size_t len = n - s - AHEAD * BLOCK < BLOCK ? n - s - AHEAD * BLOCK : BLOCK;
        for (size_t k = 0; k < len; k += 16) __builtin_prefetch(next + k);
      }
    for (uint32_t i = 0; i < nsteps; i += 5) {
      int kind = steps[i], op = steps[i + 1], t = steps[i + 4];
      const float *x = ptr[steps[i + 2]], *y = ptr[steps[i + 3]];
      float *z;
      if ((int)i == last) z = o + s;
      else if (borrowed[t]) z = slots[t];
      else z = ptr[t];
      ptr[t] = z;
      borrowed[t] = false;
      if (kind == 0) K->bin_f32(op, x, y, z, m);
      else if (kind == 1) K->un_f32(op, x, z, m);
      else K->map_f32(op, x, z, m);
    }
    if (last < 0) memcpy(o + s, ptr[result], m * sizeof(float));
  }
  return nullptr;
}

/*
 * Per-event reductions of a jagged column under an object mask (reduce.ts's sum(x, where) and
 * countTrue). The JavaScript loops branch on each mask byte, which a selection makes unpredictable;
 * here the mask selects without a branch. The float32 running sum adds a dropped element as +0,
 * exactly as the JavaScript does, so the sums are the same bits.
 */
static napi_value masked_sum(napi_env env, napi_callback_info info) {
  Args a(env, info, 4, "maskedSum(content: Float32Array, mask: Uint8Array, offsets: Int32Array, out: Float32Array)");
  size_t nc = 0, nm = 0, no = 0, n = 0;
  const float *c = (const float *)a.typed(0, napi_float32_array, &nc, "maskedSum: content must be a Float32Array");
  const uint8_t *m = (const uint8_t *)a.typed(1, napi_uint8_array, &nm, "maskedSum: mask must be a Uint8Array");
  const int32_t *o = (const int32_t *)a.typed(2, napi_int32_array, &no, "maskedSum: offsets must be an Int32Array");
  float *out = (float *)a.typed(3, napi_float32_array, &n, "maskedSum: out must be a Float32Array");
  if (!a.failed && no != n + 1) a.fail("maskedSum: offsets must have one more value than out");
  if (!offsets_ok(a, o, n, nc < nm ? nc : nm)) return nullptr;
  for (size_t e = 0; e < n; e++) {
    float s = 0;
    for (int32_t i = o[e], end = o[e + 1]; i < end; i++) {
      // the element's bits, or those of +0 where the mask drops it (gcc would branch on a ?:)
      uint32_t b;
      memcpy(&b, c + i, 4);
      b &= -(uint32_t)(m[i] != 0);
      float v;
      memcpy(&v, &b, 4);
      s += v;
    }
    out[e] = s;
  }
  return nullptr;
}

static napi_value count_true(napi_env env, napi_callback_info info) {
  Args a(env, info, 3, "countTrue(mask: Uint8Array, offsets: Int32Array, out: Int32Array)");
  size_t nm = 0, no = 0, n = 0;
  const uint8_t *m = (const uint8_t *)a.typed(0, napi_uint8_array, &nm, "countTrue: mask must be a Uint8Array");
  const int32_t *o = (const int32_t *)a.typed(1, napi_int32_array, &no, "countTrue: offsets must be an Int32Array");
  int32_t *out = (int32_t *)a.typed(2, napi_int32_array, &n, "countTrue: out must be an Int32Array");
  if (!a.failed && no != n + 1) a.fail("countTrue: offsets must have one more value than out");
  if (!offsets_ok(a, o, n, nm)) return nullptr;
  for (size_t e = 0; e < n; e++) {
    int32_t k = 0;
    for (int32_t i = o[e], end = o[e + 1]; i < end; i++) k += m[i] != 0;
    out[e] = k;
  }
  return nullptr;
}

/*
 * compare(op, abs, x, t, out): out[i] = (abs ? |x[i]| : x[i]) op t as 0/1 bytes, op 0 >, 1 >=, 2 <,
 * 3 <=, 4 ==, 5 != (mask.ts's codes), in float32 with t already rounded to float32 as mask.ts rounds it:
 * the same results as its JavaScript loops (NaN compares false, and unequal), one vectorised pass.
 */
template <typename F>
static void cmp_loop(const float *x, float t, uint8_t *o, size_t n, F f) {
  for (size_t i = 0; i < n; i++) o[i] = f(x[i], t);
}
static napi_value compare(napi_env env, napi_callback_info info) {
  Args a(env, info, 5, "compare(op, abs, x: Float32Array, t, out: Uint8Array)");
  size_t nx = 0, n = 0;
  int op = (int)a.num(0, "compare: op must be 0..5");
  bool abs = a.num(1, "compare: abs must be 0 or 1") != 0;
  const float *x = a.f32(a.argv[2], &nx, "compare: x must be a Float32Array");
  float t = (float)a.num(3, "compare: t must be a number");
  uint8_t *o = (uint8_t *)a.typed(4, napi_uint8_array, &n, "compare: out must be a Uint8Array");
  if (!a.failed && nx < n) a.fail("compare: x must be at least as long as out");
  if (!a.failed && !(op >= 0 && op <= 5)) a.fail("compare: op must be 0..5");
  if (a.failed) return nullptr;
  if (abs) {
    switch (op) {
      case 0: cmp_loop(x, t, o, n, [](float v, float c) { return __builtin_fabsf(v) > c; }); break;
      case 1: cmp_loop(x, t, o, n, [](float v, float c) { return __builtin_fabsf(v) >= c; }); break;
      case 2: cmp_loop(x, t, o, n, [](float v, float c) { return __builtin_fabsf(v) < c; }); break;
      case 3: cmp_loop(x, t, o, n, [](float v, float c) { return __builtin_fabsf(v) <= c; }); break;
      case 4: cmp_loop(x, t, o, n, [](float v, float c) { return __builtin_fabsf(v) == c; }); break;
      case 5: cmp_loop(x, t, o, n, [](float v, float c) { return __builtin_fabsf(v) != c; }); break;
    }
    return nullptr;
  }
  switch (op) {
    case 0: cmp_loop(x, t, o, n, [](float v, float c) { return v > c; }); break;
    case 1: cmp_loop(x, t, o, n, [](float v, float c) { return v >= c; }); break;
    case 2: cmp_loop(x, t, o, n, [](float v, float c) { return v < c; }); break;
    case 3: cmp_loop(x, t, o, n, [](float v, float c) { return v <= c; }); break;
    case 4: cmp_loop(x, t, o, n, [](float v, float c) { return v == c; }); break;
    case 5: cmp_loop(x, t, o, n, [](float v, float c) { return v != c; }); break;
  }
  return nullptr;
}

static napi_value isa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, isa_name, NAPI_AUTO_LENGTH, &v);
  return v;
}

NAPI_MODULE_INIT() {
  // worker threads load the addon too: a function-local static is initialised once, thread-safely
  static const bool chosen = (choose(), true);
  (void)chosen;
  const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"toCartesian", to_cartesian}, {"ptEtaPhi", pt_eta_phi}, {"pairMass", pair_mass}, {"pairMassJagged", pair_mass_jagged}, {"boost", boost},
             {"map", map_f32}, {"arith", bin_f32}, {"arith1", un_f32}, {"deltaPhi", delta_phi},
             {"deltaR", delta_r}, {"program", program}, {"maskedSum", masked_sum}, {"countTrue", count_true}, {"compare", compare}, {"isa", isa}};
  for (const auto &f : fns) {
    napi_value v;
    if (napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v) != napi_ok || napi_set_named_property(env, exports, f.name, v) != napi_ok) return nullptr;
  }
  return exports;
}
