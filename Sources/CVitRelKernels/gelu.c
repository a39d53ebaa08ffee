#include "vector8.h"

// GELU(x) = x·Φ(x) = x·(1 + erf(x/√2))/2 (Hendrycks & Gimpel 2016), PyTorch's exact GELU, with
// the rational erf of vector8.h. Plain loops: elementwise, so the vectoriser may use any width
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

VITREL_AVX2 static void geluAVX2(const float *x, float *y, long count) { gelu(x, y, count); }
static void geluBaseline(const float *x, float *y, long count) { gelu(x, y, count); }

void vitrel_gelu_f32_isa(const float *x, float *y, long count, VitRelInstructionSet isa) {
    if (vitrel_uses_avx2(isa)) geluAVX2(x, y, count); else geluBaseline(x, y, count);
}

void vitrel_gelu_f32(const float *x, float *y, long count) {
    vitrel_gelu_f32_isa(x, y, count, VITREL_ISA_AUTOMATIC);
}

VITREL_AVX2 static void geluBackwardAVX2(const float *x, const float *dy, float *dx, long count) {
    geluBackward(x, dy, dx, count);
}
static void geluBackwardBaseline(const float *x, const float *dy, float *dx, long count) {
    geluBackward(x, dy, dx, count);
}

void vitrel_gelu_backward_f32_isa(const float *x, const float *dy, float *dx, long count, VitRelInstructionSet isa) {
    if (vitrel_uses_avx2(isa)) geluBackwardAVX2(x, dy, dx, count); else geluBackwardBaseline(x, dy, dx, count);
}

void vitrel_gelu_backward_f32(const float *x, const float *dy, float *dx, long count) {
    vitrel_gelu_backward_f32_isa(x, dy, dx, count, VITREL_ISA_AUTOMATIC);
}
