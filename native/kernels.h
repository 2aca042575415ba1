/*
 * The float32 column kernels of src/array/wasm/kernels.wat, written once over GCC vector types of
 * LANES float64 lanes and compiled three times (kernels-avx512.cc, kernels-avx2.cc, kernels-sse2.cc,
 * each under its own `#pragma GCC target`); kernels.cc picks one for the CPU at load time.
 *
 * Same arithmetic as the WebAssembly, operation for operation: the same range reductions and
 * polynomials in float64 (float32 for the expression language's functions), the same float32
 * operations where the WAT uses f32x4, no fused
 * multiply-adds (binding.gyp builds with -ffp-contract=off). So each result is the WebAssembly
 * kernel's bit for bit (test/array/simd-native.test.ts), and through it what the JavaScript loops
 * give; only the number of lanes differs (8 with AVX-512 where WebAssembly has 2).
 *
 * Include with LANES and KERNEL_NS defined, after the standard headers and the target pragma.
 */

namespace KERNEL_NS {

typedef double VD __attribute__((vector_size(LANES * 8)));
typedef int64_t VL __attribute__((vector_size(LANES * 8)));
typedef uint64_t VU __attribute__((vector_size(LANES * 8)));
typedef float VF __attribute__((vector_size(LANES * 4)));
typedef int32_t VI __attribute__((vector_size(LANES * 4)));
// the float32-only loops (arithmetic of the expression language) fill whole registers: 2·LANES floats
typedef float VW __attribute__((vector_size(LANES * 8)));
typedef int32_t VWI __attribute__((vector_size(LANES * 8)));
typedef uint32_t VWU __attribute__((vector_size(LANES * 8)));

#define INLINE static inline __attribute__((always_inline))

// whether any lane of a comparison's mask is set: its 64-bit words ORed (a vector test, not a loop over lanes)
template <typename M>
INLINE bool any_lane(M m) {
  uint64_t w[sizeof(M) / 8];
  memcpy(w, &m, sizeof m);
  uint64_t r = 0;
  for (size_t j = 0; j < sizeof(M) / 8; j++) r |= w[j];
  return r != 0;
}
INLINE VD splat(double x) { return VD{} + x; }
INLINE VF splatf(float x) { return VF{} + x; }
INLINE VD up(VF v) { return __builtin_convertvector(v, VD); }
// float64 → float32, round to nearest (f32x4.demote_f64x2_zero)
INLINE VF down(VD v) { return __builtin_convertvector(v, VF); }
INLINE VD bits(VL v) { return (VD)v; }
INLINE VL ibits(VD v) { return (VL)v; }

const int64_t SIGN = INT64_MIN, MAG = INT64_MAX;
INLINE VD dabs(VD x) { return bits(ibits(x) & MAG); }
// copysign(magnitude of m, sign of s)
INLINE VD withsign(VD m, VD s) { return bits((ibits(m) & MAG) | (ibits(s) & SIGN)); }

INLINE VD dsqrt(VD x) {
  VD r;
  for (int l = 0; l < LANES; l++) r[l] = __builtin_sqrt(x[l]);
  return r;
}
template <typename F>
INLINE F fsqrt(F x) {
  F r;
  for (int l = 0; l < (int)(sizeof(F) / 4); l++) r[l] = __builtin_sqrtf(x[l]);
  return r;
}

// WebAssembly's min and max (and JavaScript's Math.min/max): NaN if either is NaN, −0 below +0
INLINE VD dmax(VD a, VD b) {
  VD r = a > b ? a : b;
  r = a == b ? bits(ibits(a) & ibits(b)) : r;
  return (a != a) | (b != b) ? a + b : r;
}
INLINE VD dmin(VD a, VD b) {
  VD r = a < b ? a : b;
  r = a == b ? bits(ibits(a) | ibits(b)) : r;
  return (a != a) | (b != b) ? a + b : r;
}
template <typename F, typename I>
INLINE F fmaxf_(F a, F b) {
  F r = a > b ? a : b;
  r = a == b ? (F)((I)a & (I)b) : r;
  return (a != a) | (b != b) ? a + b : r;
}
template <typename F, typename I>
INLINE F fminf_(F a, F b) {
  F r = a < b ? a : b;
  r = a == b ? (F)((I)a | (I)b) : r;
  return (a != a) | (b != b) ? a + b : r;
}

// 1.5·2^52: adding and subtracting it rounds to the nearest integer, ties to even (f64x2.nearest),
// for |x| < 2^51, and the sum's bits minus its own are that integer as an int64
const double MAGIC = 6755399441055744.0;
INLINE VD nearest(VD x) {
  VD r = (x + MAGIC) - MAGIC;
  return dabs(x) < 4503599627370496.0 ? withsign(r, x) : x;
}
INLINE VD dfloor(VD x) {
  VD r = nearest(x);
  return r > x ? r - 1.0 : r;
}
// an integral float64 (|k| < 2^51) as int64, and back
INLINE VL toint(VD k) { return ibits(k + MAGIC) - ibits(splat(MAGIC)); }
INLINE VD todouble(VL k) { return bits(k + ibits(splat(MAGIC))) - MAGIC; }

// ------------------------------------------------------------------ exp (kernels.wat $exp)
INLINE VD dexp(VD x) {
  x = dmin(dmax(x, splat(-708)), splat(708));
  VD k = nearest(x * 1.4426950408889634);
  VD r = (x - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
  VD r2 = r * r, r4 = r2 * r2;
  VD p = ((1.0 + 1.0 * r) + (0.5 + 0.16666666666666666 * r) * r2) +
         r4 * ((4.1666666666666664e-2 + 8.333333333333333e-3 * r) + (1.388888888888889e-3 + 1.984126984126984e-4 * r) * r2);
  p = p + (r4 * r4) * ((2.48015873015873e-5 + 2.7557319223985893e-6 * r) + (2.755731922398589e-7 + 2.505210838544172e-8 * r) * r2);
  return p * bits((toint(k) + 1023) << 52);
}

INLINE VD dsinh(VD x) {
  VD e = dexp(x), x2 = x * x;
  VD series = x * (1.0 + x2 * (0.16666666666666666 + x2 * 8.333333333333333e-3));
  return dabs(x) < 1e-3 ? series : 0.5 * (e - 1.0 / e);
}

// ------------------------------------------------------------------ sin and cos (kernels.wat $sincos)
INLINE void dsincos(VD x, VD &so, VD &co) {
  VD q = nearest(x * 0.6366197723675814);
  VD r = x - q * 1.5707963267341256;
  r = r - q * 6.077100506303966e-11;
  r = r - q * 2.0222662487959506e-21;
  VD r2 = r * r, z2 = r2 * r2;
  VD s = ((-0.16666666666666666 + 8.333333333333333e-3 * r2) +
          z2 * ((-1.984126984126984e-4 + 2.7557319223985893e-6 * r2) + z2 * (-2.505210838544172e-8 + 1.6059043836821613e-10 * r2)));
  s = r + (s * r2) * r;
  VD c = ((-0.5 + 4.1666666666666664e-2 * r2) +
          z2 * ((-1.388888888888889e-3 + 2.48015873015873e-5 * r2) +
                z2 * ((-2.755731922398589e-7 + 2.08767569878681e-9 * r2) + z2 * -1.1470745597729725e-11)));
  c = 1.0 + c * r2;
  // the quadrant: WebAssembly truncates q to int32 (saturating), so does this for |x| <= 1e5; larger lanes are replaced below
  VL qi = toint(dabs(q) < 2147483648.0 ? q : splat(0));
  VL swap = (qi & 1) != 0;
  so = bits(ibits(swap ? c : s) ^ (VL)(((VU)qi & 2) << 62));
  co = bits(ibits(swap ? s : c) ^ (VL)(((VU)(qi + 1) & 2) << 62));
  so = x == 0.0 ? x : so;
  // lanes beyond 1e5 (and ±inf): the C library's sin and cos, where the WebAssembly calls JavaScript's
  // Math.sin/cos; both are within an ulp of float64, so their float32 roundings agree but for a value
  // within that of a rounding boundary
  VL big = dabs(x) > 1e5;
  if (any_lane(big))
    for (int l = 0; l < LANES; l++)
      if (big[l]) {
        so[l] = sin(x[l]);
        co[l] = cos(x[l]);
      }
}

// ------------------------------------------------------------------ log (x >= 1), asinh, atan2
INLINE VD dlog(VD x) {
  VL e = (VL)((VU)ibits(x) >> 52) - 1023;
  VD m = bits((ibits(x) & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
  VL big = m > 1.4142135623730951;
  m = big ? m * 0.5 : m;
  e = e - big;
  VD s = (m - 1.0) / (m + 1.0), z = s * s;
  VD p = splat(0.06666666666666667);
  p = p * z + 0.07692307692307693;
  p = p * z + 0.09090909090909091;
  p = p * z + 0.1111111111111111;
  p = p * z + 0.14285714285714285;
  p = p * z + 0.2;
  p = p * z + 0.3333333333333333;
  p = p * z + 1.0;
  p = (2.0 * s) * p;
  // WebAssembly converts the low 32 bits of e: the same integer, |e| < 1100
  VD ed = todouble(e);
  return ed * 0.6931471803691238 + (ed * 1.9082149292705877e-10 + p);
}

INLINE VD dasinh(VD v) {
  VD a = dabs(v), a2 = a * a;
  VD series = a * (1.0 + a2 * (-0.16666666666666666 + a2 * 0.075));
  VD r = a < 1e-3 ? series : dlog(a + dsqrt(a2 + 1.0));
  return withsign(r, v);
}

INLINE VD datan2(VD y, VD x) {
  VD ax = dabs(x), ay = dabs(y);
  VD mx = dmax(ax, ay);
  VD t = dmin(ax, ay) / mx;
  t = mx == 0.0 ? splat(0) : t;
  VL big = t > 0.41421356237309503;
  t = big ? (t - 1.0) / (t + 1.0) : t;
  VD z = t * t;
  VD p = splat(0.04);
  p = 0.043478260869565216 - p * z;
  p = 0.047619047619047616 - p * z;
  p = 0.05263157894736842 - p * z;
  p = 0.058823529411764705 - p * z;
  p = 0.06666666666666667 - p * z;
  p = 0.07692307692307693 - p * z;
  p = 0.09090909090909091 - p * z;
  p = 0.1111111111111111 - p * z;
  p = 0.14285714285714285 - p * z;
  p = 0.2 - p * z;
  p = 0.3333333333333333 - p * z;
  p = 1.0 - p * z;
  VD r = p * t + bits(big & ibits(splat(0.7853981633974483)));
  r = ay > ax ? 1.5707963267948966 - r : r;
  r = ibits(x) < 0 ? 3.141592653589793 - r : r;
  r = (x == x) & (y == y) ? r : x + y;
  return withsign(r, y);
}

// ------------------------------------------------------------------ four-vector kernels
// Each runs whole vectors of STEP values, then the tail through a zero-padded vector.
#define EACH_OF(STEP, n, BODY)                          \
  do {                                                  \
    size_t i_ = 0;                                      \
    for (; i_ + (STEP) <= (n); i_ += (STEP)) {          \
      const size_t w_ = (STEP);                         \
      BODY(i_, w_);                                     \
    }                                                   \
    if (i_ < (n)) {                                     \
      const size_t w_ = (n) - i_;                       \
      BODY(i_, w_);                                     \
    }                                                   \
  } while (0)
const size_t WIDE = 2 * LANES;
#define EACH(n, BODY) EACH_OF(LANES, n, BODY)
#define EACHW(n, BODY) EACH_OF(WIDE, n, BODY)

// w values of p from i into a vector of type V (fewer than a whole vector: the rest zero), and back
template <typename V>
INLINE V load_(const float *p, size_t i, size_t w) {
  V v = V{};
  if (w == sizeof(V) / 4) memcpy(&v, p + i, sizeof v);
  else
    for (size_t l = 0; l < w; l++) v[l] = p[i + l];
  return v;
}
template <typename V>
INLINE void store_(float *p, size_t i, size_t w, V v) {
  if (w == sizeof(V) / 4) memcpy(p + i, &v, sizeof v);
  else
    for (size_t l = 0; l < w; l++) p[i + l] = v[l];
}
INLINE VF in(const float *p, size_t i, size_t w) { return load_<VF>(p, i, w); }
INLINE void out(float *p, size_t i, size_t w, VF v) { store_<VF>(p, i, w, v); }
INLINE VW inw(const float *p, size_t i, size_t w) { return load_<VW>(p, i, w); }
INLINE void outw(float *p, size_t i, size_t w, VW v) { store_<VW>(p, i, w, v); }

void to_cartesian(const float *pt, const float *eta, const float *phi, const float *m, float *ox, float *oy, float *oz, float *oe, size_t n) {
#define B(i, w)                                                                          \
  {                                                                                      \
    VF p = in(pt, i, w), mm = in(m, i, w);                                               \
    VD s, c;                                                                             \
    dsincos(up(in(phi, i, w)), s, c);                                                    \
    VF sh = down(dsinh(up(in(eta, i, w))));                                              \
    VF x = p * down(c), y = p * down(s), z = p * sh;                                     \
    mm = (VF)((VI)(mm * mm) | ((VI)mm & INT32_MIN));                                     \
    out(ox, i, w, x);                                                                    \
    out(oy, i, w, y);                                                                    \
    out(oz, i, w, z);                                                                    \
    out(oe, i, w, fsqrt(fmaxf_<VF, VI>(splatf(0), ((x * x + y * y) + z * z) + mm)));            \
  }
  EACH(n, B);
#undef B
}

// what: 1 eta, 2 phi, 3 both; pt always
void pt_eta_phi(const float *px, const float *py, const float *pz, float *opt, float *oeta, float *ophi, size_t n, int what) {
#define B(i, w)                                                                                    \
  {                                                                                                \
    VF x = in(px, i, w), y = in(py, i, w), z = in(pz, i, w);                                       \
    VF t = fsqrt(x * x + y * y);                                                                   \
    out(opt, i, w, t);                                                                             \
    if (what & 2) out(ophi, i, w, down(datan2(up(y), up(x))));                                     \
    if (what & 1) {                                                                                \
      VF e = down(dasinh(up(z / t)));                                                              \
      VF inf = (VF)((VI)splatf(__builtin_inff()) | ((VI)z & INT32_MIN));                           \
      VF atzero = z == 0.0f ? splatf(0) : inf;                                                     \
      out(oeta, i, w, t == 0.0f ? atzero : e);                                                     \
    }                                                                                              \
  }
  EACH(n, B);
#undef B
}

INLINE VD msq(VD m) { return withsign(m * m, m); }

INLINE VD pair(VD a, VD ea, VD fa, VD ma, VD b, VD eb, VD fb, VD mb) {
  VD xa = dexp(ea), xb = dexp(eb);
  VD ia = 1.0 / xa, ib = 1.0 / xb;
  VD ma2 = msq(ma), mb2 = msq(mb);
  VD ch = (0.5 * (xa + ia)) * a;
  VD Ea = dsqrt(dmax(splat(0), ch * ch + ma2));
  ch = (0.5 * (xb + ib)) * b;
  VD Eb = dsqrt(dmax(splat(0), ch * ch + mb2));
  VD sd, cd;
  dsincos(fa - fb, sd, cd);
  VD m = (ma2 + mb2) + 2.0 * (Ea * Eb - (a * b) * (cd + 0.25 * ((xa - ia) * (xb - ib))));
  return withsign(dsqrt(dabs(m)), m);
}

void pair_mass(const float *const *a, const float *const *b, float *o, size_t n) {
#define B(i, w)                                                                                                      \
  out(o, i, w,                                                                                                       \
      down(pair(up(in(a[0], i, w)), up(in(a[1], i, w)), up(in(a[2], i, w)), up(in(a[3], i, w)), up(in(b[0], i, w)), \
                up(in(b[1], i, w)), up(in(b[2], i, w)), up(in(b[3], i, w)))));
  EACH(n, B);
#undef B
}

// the pair mass of objects i and k of each event of a jagged collection (c: pt, eta, phi, mass
// contents; o: offsets), NaN where an event has fewer objects: LANES qualifying events at a time
void pair_mass_jagged(const float *const *c, const int32_t *o, size_t nev, int i, int k, float *out) {
  const int need = i > k ? i : k;
  size_t e = 0;
  while (e < nev) {
    VF v[8];
    for (int f = 0; f < 8; f++) v[f] = VF{};
    size_t ev[LANES], m = 0;
    for (; e < nev && m < LANES; e++) {
      const int32_t s = o[e];
      if (o[e + 1] - s <= need) {
        out[e] = __builtin_nanf("");
        continue;
      }
      for (int f = 0; f < 4; f++) {
        v[f][m] = c[f][s + i];
        v[4 + f][m] = c[f][s + k];
      }
      ev[m++] = e;
    }
    if (m == 0) break;
    VF r = down(pair(up(v[0]), up(v[1]), up(v[2]), up(v[3]), up(v[4]), up(v[5]), up(v[6]), up(v[7])));
    for (size_t l = 0; l < m; l++) out[ev[l]] = r[l];
  }
}

// a = (pt, eta, phi, mass) boosted by sign·β, β = p/E of b = (px, py, pz, E)
void boost(const float *const *a, const float *const *b, double sign, float *const *o, size_t n) {
#define B(i, w)                                                                       \
  {                                                                                   \
    VD p = up(in(a[0], i, w)), eta = up(in(a[1], i, w)), m = up(in(a[3], i, w));     \
    VD s, c;                                                                          \
    dsincos(up(in(a[2], i, w)), s, c);                                                \
    VD x = p * c, y = p * s, z = p * dsinh(eta);                                      \
    VD e = dsqrt(dmax(splat(0), ((x * x + y * y) + z * z) + msq(m)));                 \
    VD be = sign / up(in(b[3], i, w));                                                \
    VD bx = up(in(b[0], i, w)) * be, by = up(in(b[1], i, w)) * be;                    \
    VD bz = up(in(b[2], i, w)) * be;                                                  \
    VD b2 = (bx * bx + by * by) + bz * bz;                                            \
    VD g = 1.0 / dsqrt(1.0 - b2);                                                     \
    VD bp = (bx * x + by * y) + bz * z;                                               \
    VD k = bits(ibits(((g - 1.0) * bp) / b2) & (VL)(b2 > 0.0)) + g * e;               \
    out(o[0], i, w, down(x + k * bx));                                                \
    out(o[1], i, w, down(y + k * by));                                                \
    out(o[2], i, w, down(z + k * bz));                                                \
    out(o[3], i, w, down(g * (e + bp)));                                              \
  }
  EACH(n, B);
#undef B
}

// ------------------------------------------------------------------ the expression language's element-wise functions
// In float32 lanes with float32 polynomials (kernels.wat $expf and $sincosf, src/array/float32.ts):
// within 1 ulp (exp), 1.7 ulp (sinh, cosh) and 2.5 ulp (sin, cos) of the exact value, numpy's float32
// accuracy; see docs/performance.md for the exhaustive measurement.
const float MAGICF = 12582912.0f;  // 1.5·2^23: t + MAGICF − MAGICF rounds |t| < 2^22 to the nearest integer, ties to even
INLINE VW splatw(float x) { return VW{} + x; }
INLINE VW wabs(VW x) { return (VW)((VWI)x & INT32_MAX); }
// an integral float32 (|k| < 2^22) as int32
INLINE VWI wtoint(VW k) { return (VWI)(k + MAGICF) - (VWI)splatw(MAGICF); }

// e^x · 2^extra as p·2^k, x = k ln2 + r with |r| <= ln2/2, 2^k applied in two halves so that subnormal
// results round once and 2^k itself never overflows (x clamped to [−104, 90]: 0 and +inf beyond)
INLINE VW fexp(VW x, int extra) {
  x = fminf_<VW, VWI>(fmaxf_<VW, VWI>(x, splatw(-104.0f)), splatw(90.0f));
  VW k = ((x * 1.4426950216293335f) + MAGICF) - MAGICF;
  VW r = (x - k * 0.693359375f) - k * -0.00021219444170128554f;
  VW P = splatw(0.0013814604608342052f);
  P = P * r + 0.008368710987269878f;
  P = P * r + 0.04166838899254799f;
  P = P * r + 0.1666652113199234f;
  P = P * r + 0.4999999403953552f;
  VW p = (P * (r * r) + r) + 1.0f;
  VWI ki = wtoint(k) + extra;
  VWI k1 = ki >> 1, k2 = ki - k1;
  return (p * (VW)((VWU)(k1 + 127) << 23)) * (VW)((VWU)(k2 + 127) << 23);
}

// sin and cos for |x| <= 6000: x = q π/2 + r, π/2 in three parts (the first two of 12 bits, so q·part
// is exact for |q| < 4096); lanes beyond, and ±inf and NaN, through dsincos in float64
const float SINCOS_FAST = 6000.0f;
INLINE void fsincos(VW x, VW &so, VW &co) {
  VW q = ((x * 0.6366197466850281f) + MAGICF) - MAGICF;
  VW r = ((x - q * 1.57080078125f) - q * -4.453584551811218e-06f) - q * -8.705515752716053e-10f;
  VW z = r * r;
  VW S = splatw(-0.00019515285384841263f);
  S = S * z + 0.008332161232829094f;
  S = S * z + -0.16666655242443085f;
  VW s = (S * z) * r + r;
  VW C = splatw(2.4433153157588094e-05f);
  C = C * z + -0.0013887316454201937f;
  C = C * z + 0.04166664555668831f;
  VW c = (C * z - 0.5f) * z + 1.0f;
  VWI qi = wtoint(q);
  VWI swap = (qi & 1) != 0;
  so = (VW)((VWU)(swap ? c : s) ^ ((VWU)(qi & 2) << 30));
  co = (VW)((VWU)(swap ? s : c) ^ ((VWU)((qi + 1) & 2) << 30));
  so = x == 0.0f ? x : so;
  VWI fast = wabs(x) <= SINCOS_FAST;
  if (!any_lane(~fast)) return;
  VF h[2], hs[2], hc[2];
  memcpy(h, &x, sizeof x);
  for (int j = 0; j < 2; j++) {
    VD ds, dc;
    dsincos(up(h[j]), ds, dc);
    hs[j] = down(ds);
    hc[j] = down(dc);
  }
  VW ws, wc;
  memcpy(&ws, hs, sizeof ws);
  memcpy(&wc, hc, sizeof wc);
  so = fast ? so : ws;
  co = fast ? co : wc;
}

// e^|x|/2 = h: cosh = h + 1/(4h); sinh = ±(h − 1/(4h)) for |x| >= 1, its odd polynomial below
INLINE VW fsinh(VW x) {
  VW a = wabs(x), z = x * x;
  VW Q = splatw(2.816950427586562e-06f);
  Q = Q * z + 0.0001983615948120132f;
  Q = Q * z + 0.008333349600434303f;
  Q = Q * z + 0.1666666716337204f;
  VW series = (Q * z) * x + x;
  VW h = fexp(a, -1);
  VW big = (VW)((VWI)(h - 0.25f / h) | ((VWI)x & INT32_MIN));
  return a < 1.0f ? series : big;
}
INLINE VW fcosh(VW x) {
  VW h = fexp(wabs(x), -1);
  return h + 0.25f / h;
}

// op: 0 exp, 1 sin, 2 cos, 3 sinh, 4 cosh
void map_f32(int op, const float *a, float *o, size_t n) {
#define OP(EXPR)                       \
  {                                    \
    auto f = [&](size_t i, size_t w) { \
      VW x = inw(a, i, w), s, c;       \
      (void)s;                         \
      (void)c;                         \
      outw(o, i, w, EXPR);             \
    };                                 \
    EACHW(n, f);                       \
  }
  switch (op) {
    case 0: OP(fexp(x, 0)) break;
    case 1: OP((fsincos(x, s, c), s)) break;
    case 2: OP((fsincos(x, s, c), c)) break;
    case 3: OP(fsinh(x)) break;
    case 4: OP(fcosh(x)) break;
  }
#undef OP
}

// op: 0 add, 1 sub, 2 mul, 3 div, 4 min, 5 max (float32, as a Float32Array store of the JavaScript result)
void bin_f32(int op, const float *a, const float *b, float *o, size_t n) {
#define OP(EXPR)                               \
  {                                            \
    auto f = [&](size_t i, size_t w) {         \
      VW x = inw(a, i, w), y = inw(b, i, w);   \
      outw(o, i, w, EXPR);                     \
    };                                         \
    EACHW(n, f);                               \
  }
  switch (op) {
    case 0: OP(x + y) break;
    case 1: OP(x - y) break;
    case 2: OP(x * y) break;
    case 3: OP(x / y) break;
    case 4: OP((fminf_<VW, VWI>(x, y))) break;
    case 5: OP((fmaxf_<VW, VWI>(x, y))) break;
  }
#undef OP
}

// op: 0 sqrt, 1 abs, 2 neg, 3 square
void un_f32(int op, const float *a, float *o, size_t n) {
#define OP(EXPR)                       \
  {                                    \
    auto f = [&](size_t i, size_t w) { \
      VW x = inw(a, i, w);             \
      outw(o, i, w, EXPR);             \
    };                                 \
    EACHW(n, f);                       \
  }
  switch (op) {
    case 0: OP(fsqrt(x)) break;
    case 1: OP(wabs(x)) break;
    case 2: OP((VW)((VWI)x ^ INT32_MIN)) break;
    case 3: OP(x * x) break;
  }
#undef OP
}

// Δφ wrapped into [−π, π): the float32 difference, and outside the range d − 2π floor((d + π)/2π) in float64
INLINE VF wrap(VF d) {
  VD v = up(d);
  VF w = down(v - 6.283185307179586 * dfloor((v + 3.141592653589793) / 6.283185307179586));
  return (d > -3.1415927410125732f) & (d < 3.1415927410125732f) ? d : w;
}

void delta_phi(const float *p1, const float *p2, float *o, size_t n) {
#define B(i, w) out(o, i, w, wrap(in(p1, i, w) - in(p2, i, w)));
  EACH(n, B);
#undef B
}

void delta_r(const float *e1, const float *p1, const float *e2, const float *p2, float *o, size_t n) {
#define B(i, w)                                     \
  {                                                 \
    VF de = in(e1, i, w) - in(e2, i, w);            \
    VF dp = wrap(in(p1, i, w) - in(p2, i, w));      \
    out(o, i, w, fsqrt(de * de + dp * dp));         \
  }
  EACH(n, B);
#undef B
}

#undef EACH
#undef EACHW
#undef EACH_OF
#undef INLINE

const Kernels table = {to_cartesian, pt_eta_phi, pair_mass, pair_mass_jagged, boost, map_f32, bin_f32, un_f32, delta_phi, delta_r};

}  // namespace KERNEL_NS
