#include "kernel_support.h"

// One AdamW step over a parameter tensor's elements (torch.optim.AdamW's single-tensor form;
// AdamW.update keeps the Swift loop for Double). Swift compiled the Float loop to scalar
// sqrtss/divss at the x86-64 baseline; here it runs eight lanes wide (one 256-bit vector on
// AVX2, two 128-bit halves on the baseline) through the same IEEE operations in the same
// order, FMA contraction off, so every element gets the bits the Swift loop gave it.
VITREL_ALWAYS_INLINE void adamWUpdate(
    float *parameter, float *firstMoment, float *secondMoment, const float *gradient, long count,
    const VitRelAdamWCoefficients *coefficients) {
    const float beta1Complement = coefficients->beta1Complement, beta2 = coefficients->beta2;
    const float beta2Complement = coefficients->beta2Complement, stepSize = coefficients->stepSize;
    const float biasCorrection2SquareRoot = coefficients->biasCorrection2SquareRoot, epsilon = coefficients->epsilon;
    if (coefficients->decays) {
        const float decay = coefficients->decay;
        for (long i = 0; i < count; i++) parameter[i] *= decay;
    }
    // Eight lanes at a time: clang keeps a scalar sqrtf loop scalar (sqrtf may set errno), so
    // the square root is written on vectors; the tail runs the same operations one by one.
    long full = count / 8 * 8;
    for (long i = 0; i < full; i += 8) {
        vitrel_f8 g = vitrel_load(gradient + i), m = vitrel_load(firstMoment + i), v = vitrel_load(secondMoment + i);
        m = m + vitrel_splat(beta1Complement) * (g - m);
        v = v * vitrel_splat(beta2) + vitrel_splat(beta2Complement) * (g * g);
        vitrel_f8 denominator = __builtin_elementwise_sqrt(v) / vitrel_splat(biasCorrection2SquareRoot) + vitrel_splat(epsilon);
        vitrel_f8 p = vitrel_load(parameter + i) - vitrel_splat(stepSize) * (m / denominator);
        memcpy(firstMoment + i, &m, sizeof m);
        memcpy(secondMoment + i, &v, sizeof v);
        memcpy(parameter + i, &p, sizeof p);
    }
    for (long i = full; i < count; i++) {
        float g = gradient[i];
        float m = firstMoment[i] + beta1Complement * (g - firstMoment[i]);
        float v = secondMoment[i] * beta2 + beta2Complement * (g * g);
        firstMoment[i] = m;
        secondMoment[i] = v;
        float denominator = __builtin_sqrtf(v) / biasCorrection2SquareRoot + epsilon;
        parameter[i] -= stepSize * (m / denominator);
    }
}

VITREL_KERNEL(
    vitrel_adamw_f32, adamWUpdate,
    (float *parameter, float *firstMoment, float *secondMoment, const float *gradient, long count,
     const VitRelAdamWCoefficients *coefficients),
    (parameter, firstMoment, secondMoment, gradient, count, coefficients))
