// Eight-lane float vectors (clang vector extensions) shared by the kernels. The lane count is
// fixed at eight whatever the instruction set, so reductions keep one order everywhere.
#ifndef VITREL_VECTOR8_H
#define VITREL_VECTOR8_H

#include <string.h>

typedef float vitrel_f8 __attribute__((vector_size(32)));
typedef int vitrel_i8 __attribute__((vector_size(32)));

#include "VitRelKernels.h"

#define VITREL_ALWAYS_INLINE static inline __attribute__((always_inline))

/// Marks the AVX2 copy of a kernel (each kernel body is always-inline and wrapped twice: once
/// with this attribute, once without). Empty off x86-64, where both copies are the same.
#if defined(__x86_64__)
#define VITREL_AVX2 __attribute__((target("avx2")))
#else
#define VITREL_AVX2
#endif

/// Whether a call with `isa` runs the AVX2 copy: never on a CPU without AVX2.
VITREL_ALWAYS_INLINE int vitrel_uses_avx2(VitRelInstructionSet isa) {
    return isa != VITREL_ISA_BASELINE && vitrel_has_avx2();
}

// The helpers are macros, not inline functions: the baseline copy may not pass 256-bit
// vectors across a function boundary (it would change the ABI), even one that is inlined.

#define vitrel_splat(value) ((vitrel_f8){(value), (value), (value), (value), (value), (value), (value), (value)})

#define vitrel_load(source) ({ vitrel_f8 vitrel_lanes_; memcpy(&vitrel_lanes_, (source), sizeof vitrel_lanes_); vitrel_lanes_; })

#define vitrel_store(target, lanes) do { vitrel_f8 vitrel_value_ = (lanes); memcpy((target), &vitrel_value_, sizeof vitrel_value_); } while (0)

/// Lanes of `whenTrue` where `mask` is all ones, of `whenFalse` elsewhere.
#define vitrel_select(mask, whenTrue, whenFalse) \
    ((vitrel_f8)((((vitrel_i8)(whenTrue)) & (mask)) | (((vitrel_i8)(whenFalse)) & ~(mask))))

/// e^x: Cody–Waite reduction x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 Taylor polynomial for
/// e^r, and 2^n built in the exponent bits. Relative error < 3e-7 on [−87, 88]; 0 below −87.3.
#define vitrel_exp8(argument) ({ \
    vitrel_f8 x_ = (argument); \
    vitrel_i8 underflows_ = x_ < vitrel_splat(-87.3f); \
    vitrel_f8 clamped_ = vitrel_select(underflows_, vitrel_splat(-87.3f), x_); \
    clamped_ = vitrel_select(clamped_ > vitrel_splat(88.3f), vitrel_splat(88.3f), clamped_); \
    /* Round x·log2(e) to the nearest integer n by adding 1.5·2²³ (the sum's ulp is 1). */ \
    const vitrel_f8 magic_ = vitrel_splat(12582912.0f); \
    vitrel_f8 shifted_ = clamped_ * vitrel_splat(1.44269504f) + magic_; \
    vitrel_f8 n_ = shifted_ - magic_; \
    vitrel_f8 r_ = clamped_ - n_ * vitrel_splat(0.693145751953125f); /* ln2, high part (exact) */ \
    r_ = r_ - n_ * vitrel_splat(1.428606765330187045e-6f);          /* ln2, low part */ \
    vitrel_f8 p_ = vitrel_splat(1.0f / 720.0f); \
    p_ = p_ * r_ + vitrel_splat(1.0f / 120.0f); \
    p_ = p_ * r_ + vitrel_splat(1.0f / 24.0f); \
    p_ = p_ * r_ + vitrel_splat(1.0f / 6.0f); \
    p_ = p_ * r_ + vitrel_splat(0.5f); \
    p_ = p_ * r_ + vitrel_splat(1.0f); \
    p_ = p_ * r_ + vitrel_splat(1.0f); \
    vitrel_i8 exponent_ = ((vitrel_i8)shifted_ - (vitrel_i8)magic_ + 127) << 23; \
    vitrel_select(underflows_, vitrel_splat(0.0f), p_ * (vitrel_f8)exponent_); \
})

#endif
