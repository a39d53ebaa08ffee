#include "kernel_support.h"

// Softmax as every ViT computes it per attention row: subtracting the maximum keeps exp in
// range. The sum runs in eight lane partials (a scalar chain of one add per element took as
// long as the exps) reduced lane 0 to 7, then the tail, so the order is the same on every
// instruction set and thread count; the row is then scaled by 1/sum.
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

    for (long i = 0; i < count; i++) row[i] = vitrel_exp(row[i] - maximum);

    vitrel_f8 sums = vitrel_splat(0.0f);
    for (long i = 0; i < full; i += 8) sums += vitrel_load(row + i);
    float total = 0.0f;
    for (int lane = 0; lane < 8; lane++) total += sums[lane];
    for (long i = full; i < count; i++) total += row[i];

    float factor = 1.0f / total;
    for (long i = 0; i < count; i++) row[i] *= factor;
}

VITREL_KERNEL(vitrel_softmax_row_f32, softmaxRow, (float *row, long count), (row, count))
