// Float32 kernels that Swift does not vectorise well: exp, the exact GELU and its derivative,
// the row softmax and the AdamW update. Each is compiled twice, for AVX2 and for the x86-64 baseline, from the
// same sequence of IEEE operations with FMA contraction off, so both give the same bits:
// results do not depend on the machine's vector width (tested). The plain entry points pick
// AVX2 when the CPU has it.
#ifndef VITREL_KERNELS_H
#define VITREL_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Which compiled version of a kernel runs.
typedef enum {
    /// The best the CPU supports (AVX2 when present).
    VITREL_ISA_AUTOMATIC = 0,
    /// SSE2 only, the x86-64 baseline (or the compiler's default elsewhere).
    VITREL_ISA_BASELINE = 1,
    /// 256-bit AVX2; the automatic choice on CPUs that have it. Runs the baseline on a CPU
    /// without AVX2 (check `vitrel_has_avx2`).
    VITREL_ISA_AVX2 = 2,
} VitRelInstructionSet;

/// 1 when the CPU can run the AVX2 versions.
int vitrel_has_avx2(void);

/// y[i] = e^x[i]: Cody–Waite reduction and a degree-6 polynomial, relative error < 3e-7 on
/// [−87, 88], 0 below −87.3. x and y are the same buffer or do not overlap.
void vitrel_exp_f32(const float *x, float *y, long count);
void vitrel_exp_f32_isa(const float *x, float *y, long count, VitRelInstructionSet isa);

/// y[i] = e^x[i] in Double, within 1 ulp of glibc's exp over the whole range (gradual
/// underflow below −708, +inf above 709.78). x and y are the same buffer or do not overlap.
void vitrel_exp_f64(const double *x, double *y, long count);
void vitrel_exp_f64_isa(const double *x, double *y, long count, VitRelInstructionSet isa);

/// y[i] = x[i]·(1 + erf(x[i]/√2))/2 for i < count. x and y are the same buffer or do not overlap.
/// erf is the (5, 5) rational of Tools/fit_gelu_erf.py: absolute error < 3e-7·max(1, |x|).
void vitrel_gelu_f32(const float *x, float *y, long count);
void vitrel_gelu_f32_isa(const float *x, float *y, long count, VitRelInstructionSet isa);

/// dx[i] = dy[i]·(Φ(x[i]) + x[i]·φ(x[i])), GELU's derivative with the forward's Φ (the same
/// rational erf) and φ through the exp below: absolute error < 1e-6·max(1, |dy|). dx may be dy.
void vitrel_gelu_backward_f32(const float *x, const float *dy, float *dx, long count);
void vitrel_gelu_backward_f32_isa(const float *x, const float *dy, float *dx, long count, VitRelInstructionSet isa);

/// Softmax of one row in place: max, exp(x − max), the sum in eight lane partials reduced in
/// a fixed order, and the scaling by 1/sum. exp has relative error < 3e-7 on [−87, 88].
void vitrel_softmax_row_f32(float *row, long count);
void vitrel_softmax_row_f32_isa(float *row, long count, VitRelInstructionSet isa);

/// The per-step constants of an AdamW update (`AdamW.step` computes them from the
/// hyperparameters, the learning rate and the step count).
typedef struct {
    float beta1Complement, beta2, beta2Complement, stepSize, biasCorrection2SquareRoot, epsilon;
    /// p ← p·decay first when `decays` is non-zero (decoupled weight decay).
    float decay;
    int decays;
} VitRelAdamWCoefficients;

/// One AdamW step, element by element, in this order: p ← p·decay (when decays), then
/// m ← m + (1 − β₁)·(g − m), v ← v·β₂ + (1 − β₂)·g², p ← p − stepSize·(m / (√v / √(1 − β₂ᵗ) + ε)).
/// The four arrays do not overlap.
void vitrel_adamw_f32(
    float *parameter, float *firstMoment, float *secondMoment, const float *gradient, long count,
    const VitRelAdamWCoefficients *coefficients);
void vitrel_adamw_f32_isa(
    float *parameter, float *firstMoment, float *secondMoment, const float *gradient, long count,
    const VitRelAdamWCoefficients *coefficients, VitRelInstructionSet isa);

#ifdef __cplusplus
}
#endif

#endif
