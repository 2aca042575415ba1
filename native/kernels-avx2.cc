/* kernels.h for CPUs with AVX2: 4 float64 lanes a vector. */
#include "kernels-api.h"
#pragma GCC target("avx2")
#define LANES 4
#define KERNEL_NS avx2
#include "kernels.h"
