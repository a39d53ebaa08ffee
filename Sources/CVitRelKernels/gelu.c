#include "kernel_support.h"

// GELU(x) = x·Φ(x) = x·(1 + erf(x/√2))/2 (Hendrycks & Gimpel 2016), PyTorch's exact GELU, with
// the rational erf of kernel_support.h. Plain loops: elementwise, so the vectoriser may use any width
// without changing a bit.

// `assume_safety` because the inference pass runs it in place (x == y), where clang's overlap
// check would send every element down the scalar loop (5× slower); each element is read
// before it is written, so that is safe for x == y (not for a partial overlap).
VITREL_ALWAYS_INLINE void gelu(const float *x, float *y, long count) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < count; i++) {
        float value = x[i];
        y[i] = value * (0.5f * (1.0f + vitrel_erf(value * 0.70710678118654752f)));
    }
}

// dGELU/dx = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π): Φ is the forward's own, so the gradient
// is that of the function the forward computes (to the erf fit's 3.8e-7).
VITREL_ALWAYS_INLINE void geluBackward(const float *x, const float *dy, float *dx, long count) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < count; i++) {
        float value = x[i];
        float cdf = 0.5f * (1.0f + vitrel_erf(value * 0.70710678118654752f));
        float pdf = vitrel_exp(-0.5f * value * value) * 0.3989422804014327f;
        dx[i] = dy[i] * (cdf + value * pdf);
    }
}

VITREL_KERNEL(vitrel_gelu_f32, gelu, (const float *x, float *y, long count), (x, y, count))

VITREL_KERNEL(vitrel_gelu_backward_f32, geluBackward, (const float *x, const float *dy, float *dx, long count), (x, dy, dx, count))
