/* kernels.h for CPUs with AVX512: 8 float64 lanes a vector. */
#include "kernels-api.h"
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw")
#define LANES 8
#define KERNEL_NS avx512
#include "kernels.h"
