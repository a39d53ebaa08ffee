#include "vector8.h"

#pragma clang fp contract(off)

// GELU(x) = x·Φ(x) = x·(1 + erf(x/√2))/2 (Hendrycks & Gimpel 2016), PyTorch's exact GELU.
// erf(z) = sign(z)·min(1, a·P(t)/Q(t)) with a = min(|z|, 3.9) and t = a²/3.9²: the (5, 5)
// minimax rational that Tools/fit_gelu_erf.py fits (1.5e-8 in exact arithmetic, 3.8e-7 in
// Float; erf(3.9) = 1 − 3.5e-8), no exp needed. The same operations in the same order as
// `FastMath.erf` in Swift, so the same bits (tested).
//
// A plain loop: elementwise, so the vectoriser may use any width without changing a bit.
// `assume_safety` because the inference pass runs it in place (x == y), where clang's overlap
// check would send every element down the scalar loop (5× slower); each element is read
// before it is written, so that is safe for x == y (not for a partial overlap).
VITREL_ALWAYS_INLINE void gelu(const float *x, float *y, long count) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < count; i++) {
        float value = x[i];
        float z = value * 0.70710678118654752f;
        float magnitude = z < 0.0f ? -z : z;
        float a = magnitude > 3.9f ? 3.9f : magnitude;
        float t = a * a * 0.06574621959237344f;  // 1/3.9²
        float p = 1.66906995f;
        p = p * t + 15.384645f;
        p = p * t + 13.5010506f;
        p = p * t + 12.2535947f;
        p = p * t + 2.91943392f;
        p = p * t + 1.12837903f;
        float q = 31.1210072f;
        q = q * t + 63.2465708f;
        q = q * t + 53.1655515f;
        q = q * t + 26.5486924f;
        q = q * t + 7.65725729f;
        q = q * t + 1.0f;
        float erfMagnitude = a * p / q;
        erfMagnitude = erfMagnitude > 1.0f ? 1.0f : erfMagnitude;  // the fit overshoots 1 by an ulp near the clamp
        float erfValue = z < 0.0f ? -erfMagnitude : erfMagnitude;
        y[i] = value * (0.5f * (1.0f + erfValue));
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
