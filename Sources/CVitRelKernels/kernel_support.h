// What the kernels share: the AVX2/baseline dispatch, eight-lane float vectors for the
// reductions (clang vector extensions; eight lanes whatever the instruction set, so a sum keeps
// one order everywhere), and the scalar exp and erf that clang vectorises in elementwise loops.
#ifndef VITREL_KERNEL_SUPPORT_H
#define VITREL_KERNEL_SUPPORT_H

#include <stdint.h>
#include <string.h>

#include "VitRelKernels.h"

#pragma clang fp contract(off)

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

/// Defines the public kernel `name(parameters)` (the automatic choice) and
/// `name_isa(parameters, isa)` from the always-inline `body`, compiled twice: `body`AVX2 with the
/// AVX2 attribute and `body`Baseline without. `arguments` is `parameters`' names in parentheses:
///
///     VITREL_KERNEL(vitrel_exp_f32, exponential, (const float *x, float *y, long count), (x, y, count))
#define VITREL_KERNEL(name, body, parameters, arguments) \
    VITREL_AVX2 static void body##AVX2 parameters { body arguments; } \
    static void body##Baseline parameters { body arguments; } \
    void name##_isa VITREL_WITH_ISA parameters { \
        if (vitrel_uses_avx2(isa)) body##AVX2 arguments; else body##Baseline arguments; \
    } \
    void name parameters { name##_isa VITREL_WITH_AUTOMATIC arguments; }
#define VITREL_WITH_ISA(...) (__VA_ARGS__, VitRelInstructionSet isa)
#define VITREL_WITH_AUTOMATIC(...) (__VA_ARGS__, VITREL_ISA_AUTOMATIC)

typedef float vitrel_f8 __attribute__((vector_size(32)));
typedef int vitrel_i8 __attribute__((vector_size(32)));

// The vector helpers are macros, not inline functions: the baseline copy may not pass 256-bit
// vectors across a function boundary (it would change the ABI), even one that is inlined.

#define vitrel_splat(value) ((vitrel_f8){(value), (value), (value), (value), (value), (value), (value), (value)})

#define vitrel_load(source) ({ vitrel_f8 vitrel_lanes_; memcpy(&vitrel_lanes_, (source), sizeof vitrel_lanes_); vitrel_lanes_; })

/// Lanes of `whenTrue` where `mask` is all ones, of `whenFalse` elsewhere.
#define vitrel_select(mask, whenTrue, whenFalse) \
    ((vitrel_f8)((((vitrel_i8)(whenTrue)) & (mask)) | (((vitrel_i8)(whenFalse)) & ~(mask))))

/// e^x: Cody–Waite reduction x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 Taylor polynomial for
/// e^r, and 2^n built in the exponent bits. Relative error < 3e-7 on [−87, 88]; 0 below −87.3.
/// Scalar code: clang vectorises the loops that call it (the bit casts are register moves).
VITREL_ALWAYS_INLINE float vitrel_exp(float x) {
    float clamped = x < -87.3f ? -87.3f : x;
    clamped = clamped > 88.3f ? 88.3f : clamped;
    // Round x·log2(e) to the nearest integer n by adding 1.5·2²³ (the sum's ulp is 1).
    const float magic = 12582912.0f;
    float shifted = clamped * 1.44269504f + magic;
    float n = shifted - magic;
    float r = clamped - n * 0.693145751953125f;  // ln2, high part (exact in float)
    r = r - n * 1.428606765330187045e-6f;         // ln2, low part
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t shiftedBits, magicBits;
    memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
    memcpy(&magicBits, &magic, sizeof magicBits);
    int32_t exponentBits = (shiftedBits - magicBits + 127) * (1 << 23);  // 2^n; n ≥ −126 after the clamp
    float scale;
    memcpy(&scale, &exponentBits, sizeof scale);
    return x < -87.3f ? 0.0f : p * scale;
}

/// erf(z) = sign(z)·min(1, a·P(t)/Q(t)) with a = min(|z|, 3.9) and t = a²/3.9²: the (5, 5)
/// minimax rational that Tools/fit_gelu_erf.py fits (1.5e-8 in exact arithmetic, 3.8e-7 in
/// Float; erf(3.9) = 1 − 3.5e-8), no exp needed (half the work of an erfc form with an exp).
VITREL_ALWAYS_INLINE float vitrel_erf(float z) {
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
    return z < 0.0f ? -erfMagnitude : erfMagnitude;
}

#endif
