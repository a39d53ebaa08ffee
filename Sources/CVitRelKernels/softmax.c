#include "vector8.h"

#pragma clang fp contract(off)

// Softmax as every ViT computes it per attention row: subtracting the maximum keeps exp in
// range; the sum runs in eight lane partials (a scalar chain of one add per element took as
// long as the exps) reduced lane 0 to 7, then the tail, so the order is the same on every
// instruction set and thread count.
VITREL_ALWAYS_INLINE void softmaxRow(float *row, long count) {
    if (count <= 0) return;
    long full = count / 8 * 8;
    vitrel_f8 maxima = vitrel_splat(-__builtin_inff());
    for (long i = 0; i < full; i += 8) {
        vitrel_f8 lanes = vitrel_load(row + i);
        maxima = vitrel_select(lanes > maxima, lanes, maxima);
    }
    float maximum = -__builtin_inff();
    for (int lane = 0; lane < 8; lane++) maximum = maxima[lane] > maximum ? maxima[lane] : maximum;
    for (long i = full; i < count; i++) maximum = row[i] > maximum ? row[i] : maximum;

    // exp(x − max), summed in eight lane partials, then lanes 0…7 and the tail in order.
    vitrel_f8 shift = vitrel_splat(maximum);
    vitrel_f8 sums = vitrel_splat(0.0f);
    for (long i = 0; i < full; i += 8) {
        vitrel_f8 e = vitrel_exp8(vitrel_load(row + i) - shift);
        vitrel_store(row + i, e);
        sums += e;
    }
    float total = 0.0f;
    for (int lane = 0; lane < 8; lane++) total += sums[lane];
    if (full < count) {
        vitrel_f8 tail = shift;
        for (long i = full; i < count; i++) tail[i - full] = row[i];
        vitrel_f8 e = vitrel_exp8(tail - shift);
        for (long i = full; i < count; i++) {
            row[i] = e[i - full];
            total += e[i - full];
        }
    }
    vitrel_f8 factor = vitrel_splat(1.0f / total);
    for (long i = 0; i < full; i += 8) vitrel_store(row + i, vitrel_load(row + i) * factor);
    float scalarFactor = 1.0f / total;
    for (long i = full; i < count; i++) row[i] *= scalarFactor;
}

VITREL_AVX2 static void softmaxRowAVX2(float *row, long count) { softmaxRow(row, count); }
static void softmaxRowBaseline(float *row, long count) { softmaxRow(row, count); }

void vitrel_softmax_row_f32_isa(float *row, long count, VitRelInstructionSet isa) {
    if (vitrel_uses_avx2(isa)) softmaxRowAVX2(row, count); else softmaxRowBaseline(row, count);
}

void vitrel_softmax_row_f32(float *row, long count) {
    vitrel_softmax_row_f32_isa(row, count, VITREL_ISA_AUTOMATIC);
}
