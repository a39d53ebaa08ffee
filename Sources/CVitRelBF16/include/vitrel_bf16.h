#ifndef VITREL_BF16_H
#define VITREL_BF16_H
#include <stdint.h>

/* bfloat16 matrix products through oneDNN's matmul primitive (AVX512-BF16 dot products where
   the CPU has them), for vitrel's products at --precision bf16 (the untraced forward pass, and
   the Linear layers of training's forward and backward).

   C[m, n] (+)= op(A) · op(B), A and B bfloat16 (the upper 16 bits of an IEEE float, rounded
   to nearest even), C float32 accumulated in float32. op(A) is [m, k]: A row-major with
   leading dimension lda, or when transpose_a is set A is [k, m] row-major (a weight gradient's
   dyᵀ, read in place). op(B) is [k, n]: B row-major with leading dimension ldb, or when
   transpose_b is set [n, k] row-major (a Linear layer's [out, in] weight). accumulate = 1 adds
   to C (β = 1), 0 writes it (β = 0). Runs on the calling thread alone (OpenMP held to one
   thread), like vitrel's fp32 products. Returns 0, or oneDNN's status when it refuses the
   product. */
int vitrel_bf16_matmul(int transpose_a, int transpose_b, int64_t m, int64_t n, int64_t k,
                       const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                       float *c, int64_t ldc, int accumulate);

/* Rounds count floats to bfloat16, nearest even (NaN stays NaN, infinities stay infinite). */
void vitrel_f32_to_bf16(const float *source, uint16_t *destination, int64_t count);

/* Nonzero when oneDNN runs bfloat16 products on native instructions here (AVX512-BF16 or AMX);
   elsewhere it emulates them, correctly but without the speed. */
int vitrel_bf16_is_native(void);
#endif
