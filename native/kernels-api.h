/* The kernel table each instruction-set build of kernels.h fills (kernels-avx512.cc, -avx2.cc, -sse2.cc). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

struct Kernels {
  void (*to_cartesian)(const float *pt, const float *eta, const float *phi, const float *m, float *ox, float *oy, float *oz, float *oe, size_t n);
  void (*pt_eta_phi)(const float *px, const float *py, const float *pz, float *opt, float *oeta, float *ophi, size_t n, int what);
  void (*pair_mass)(const float *const *a, const float *const *b, float *out, size_t n);
  void (*pair_mass_jagged)(const float *const *c, const int32_t *offsets, size_t nev, int i, int k, float *out);
  void (*boost)(const float *const *a, const float *const *b, double sign, float *const *out, size_t n);
  void (*map_f32)(int op, const float *a, float *out, size_t n);
  void (*bin_f32)(int op, const float *a, const float *b, float *out, size_t n);
  void (*un_f32)(int op, const float *a, float *out, size_t n);
  void (*delta_phi)(const float *p1, const float *p2, float *out, size_t n);
  void (*delta_r)(const float *e1, const float *p1, const float *e2, const float *p2, float *out, size_t n);
};

namespace avx512 { extern const Kernels table; }
namespace avx2 { extern const Kernels table; }
namespace sse2 { extern const Kernels table; }
