/* kernels.h for CPUs with SSE2: 2 float64 lanes a vector. */
#include "kernels-api.h"
#define LANES 2
#define KERNEL_NS sse2
#include "kernels.h"
