#include "vector8.h"

// The exp of vector8.h over a buffer, for callers outside the kernels and for the tests that
// hold it to libm.
VITREL_ALWAYS_INLINE void exponential(const float *x, float *y, long count) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < count; i++) y[i] = vitrel_exp(x[i]);
}

VITREL_AVX2 static void exponentialAVX2(const float *x, float *y, long count) { exponential(x, y, count); }
static void exponentialBaseline(const float *x, float *y, long count) { exponential(x, y, count); }

void vitrel_exp_f32_isa(const float *x, float *y, long count, VitRelInstructionSet isa) {
    if (vitrel_uses_avx2(isa)) exponentialAVX2(x, y, count); else exponentialBaseline(x, y, count);
}

void vitrel_exp_f32(const float *x, float *y, long count) {
    vitrel_exp_f32_isa(x, y, count, VITREL_ISA_AUTOMATIC);
}
