#include "kernel_support.h"

// The exp of kernel_support.h over a buffer, for callers outside the kernels and for the tests that
// hold it to libm.
VITREL_ALWAYS_INLINE void exponential(const float *x, float *y, long count) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < count; i++) y[i] = vitrel_exp(x[i]);
}

VITREL_KERNEL(vitrel_exp_f32, exponential, (const float *x, float *y, long count), (x, y, count))
