#include "kernel_support.h"

// e^x in Double for the loops that take tens of millions of them (quickshift's density):
// glibc's exp is a scalar call, this vectorises. Cody–Waite reduction x = n·ln2 + r with
// ln2 split into a high part exact for any n in range and a low correction (fdlibm's
// constants), |r| ≤ ln2/2; a degree-13 Taylor polynomial for e^r (truncation < 5e-18); and
// 2^n in two factors 2^⌊n/2⌉·2^(n−⌊n/2⌉), so that e^x overflows to +inf only above 709.78 and
// underflows gradually to 0 below −745.1 as libm does. Within 1 ulp of glibc's exp (2M random
// arguments over the whole range; KernelInstructionSetTests holds it there).
VITREL_ALWAYS_INLINE double exponentialDouble(double x) {
    double clamped = x < -746.0 ? -746.0 : x;
    clamped = clamped > 710.0 ? 710.0 : clamped;
    const double magic = 6755399441055744.0;  // 1.5·2⁵²: adding it rounds to an integer
    double n = (clamped * 1.4426950408889634 + magic) - magic;
    double r = clamped - n * 6.93147180369123816490e-01;
    r = r - n * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;  // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    double half = (n * 0.5 + magic) - magic;
    double rest = n - half;
    double halfShifted = half + magic, restShifted = rest + magic;
    int64_t halfBits, restBits, magicBits;
    memcpy(&halfBits, &halfShifted, sizeof halfBits);
    memcpy(&restBits, &restShifted, sizeof restBits);
    memcpy(&magicBits, &magic, sizeof magicBits);
    uint64_t halfScaleBits = (uint64_t)(halfBits - magicBits + 1023) << 52;
    uint64_t restScaleBits = (uint64_t)(restBits - magicBits + 1023) << 52;
    double halfScale, restScale;
    memcpy(&halfScale, &halfScaleBits, sizeof halfScale);
    memcpy(&restScale, &restScaleBits, sizeof restScale);
    return p * halfScale * restScale;
}

VITREL_ALWAYS_INLINE void exponentialsDouble(const double *x, double *y, long count) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < count; i++) y[i] = exponentialDouble(x[i]);
}

VITREL_KERNEL(vitrel_exp_f64, exponentialsDouble, (const double *x, double *y, long count), (x, y, count))
