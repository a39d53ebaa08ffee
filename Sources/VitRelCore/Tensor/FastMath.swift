import CVitRelKernels

/// The Float kernels of a ViT pass beyond its matrix products: GELU, its derivative and the row
/// softmax (~13M transcendental evaluations per ViT-B/16 image), the LayerNorm row, and the
/// AdamW update of training.
///
/// The first three are C (`CVitRelKernels`): Swift builds for the x86-64 baseline and scalarised
/// SIMD8 polynomials into SSE shuffles (GELU alone took 8% of a ViT-B forward), while clang
/// compiles the C once for the baseline and once for AVX2, chosen at run time, from the same
/// IEEE operations with FMA contraction off, so both give the same bits (KernelInstructionSetTests).
/// Double paths keep libm: they are the exact reference the tests compare against.
public enum FastMath {
    /// e^x over a buffer (`vitrel_exp_f32`): relative error < 3e-7 on [−87, 88], 0 below −87.3.
    public static func exp(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        vitrel_exp_f32(input, output, count)
    }

    /// GELU(x) = x·(1 + erf(x/√2))/2 (`vitrel_gelu_f32`), PyTorch's formula for the exact GELU
    /// with the rational erf of `Tools/fit_gelu_erf.py`: absolute error < 3e-7·max(1, |x|).
    /// `output` may be `input`.
    public static func gelu(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        vitrel_gelu_f32(input, output, count)
    }

    /// dx = dy·(Φ(x) + x·φ(x)) (`vitrel_gelu_backward_f32`), with the forward's Φ.
    public static func geluBackward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        vitrel_gelu_backward_f32(x, dy, dx, count)
    }

    /// Softmax of one row in place (`vitrel_softmax_row_f32`): max, exp(x − max), Σ in eight
    /// lane partials reduced in a fixed order (deterministic), and the scaling by 1/Σ.
    public static func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int) {
        vitrel_softmax_row_f32(row, count)
    }

    /// One AdamW step over `count` elements (`vitrel_adamw_f32`): p ← p·decay when `decay` is
    /// given, then m ← m + (1 − β₁)(g − m), v ← v·β₂ + (1 − β₂)g², p ← p − stepSize·m/(√v/√(1 − β₂ᵗ) + ε),
    /// the operations and order of `AdamW.update`'s Swift loop (same bits). The buffers do not overlap.
    public static func adamWUpdate(
        parameter: UnsafeMutablePointer<Float>, firstMoment: UnsafeMutablePointer<Float>,
        secondMoment: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int,
        beta1Complement: Float, beta2: Float, beta2Complement: Float, stepSize: Float, biasCorrection2SquareRoot: Float,
        epsilon: Float, decay: Float?
    ) {
        var coefficients = VitRelAdamWCoefficients(
            beta1Complement: beta1Complement, beta2: beta2, beta2Complement: beta2Complement, stepSize: stepSize,
            biasCorrection2SquareRoot: biasCorrection2SquareRoot, epsilon: epsilon, decay: decay ?? 1, decays: decay == nil ? 0 : 1)
        vitrel_adamw_f32(parameter, firstMoment, secondMoment, gradient, count, &coefficients)
    }

    /// Layer normalisation of one row (Ba et al. 2016): y = (x − μ)·rstd·γ + β with
    /// rstd = 1/sqrt(mean((x − μ)²) + ε). Returns (μ, rstd). Both sums in eight lane
    /// partials, reduced in a fixed order.
    @inlinable @inline(__always)
    public static func layerNormRow(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count d: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) -> (mean: Float, inverseStandardDeviation: Float) {
        let full = d / 8 * 8
        var sums = SIMD8<Float>(repeating: 0)
        var i = 0
        while i < full { sums += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self); i += 8 }
        var sum = sums.sum()
        for j in full..<d { sum += x[j] }
        let mean = sum / Float(d)
        let centre = SIMD8<Float>(repeating: mean)
        var squares = SIMD8<Float>(repeating: 0)
        i = 0
        while i < full {
            let c = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - centre
            squares += c * c
            i += 8
        }
        var squareSum = squares.sum()
        for j in full..<d { let c = x[j] - mean; squareSum += c * c }
        // A row whose squares overflow Float has no Float normalisation: 1/sqrt(∞) = 0 would
        // silently replace the row by β, a plausible wrong answer (a 3e38 position embedding gave
        // near-uniform probabilities). NaN instead reaches the logits, whose check stops the pass.
        let rstd = squareSum.isFinite ? 1 / (squareSum / Float(d) + epsilon).squareRoot() : .nan
        let factor = SIMD8<Float>(repeating: rstd)
        i = 0
        while i < full {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            let g = UnsafeRawPointer(gamma + i).loadUnaligned(as: SIMD8<Float>.self)
            let b = UnsafeRawPointer(beta + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: (v - centre) * factor * g + b, as: SIMD8<Float>.self)
            i += 8
        }
        for j in full..<d { y[j] = (x[j] - mean) * rstd * gamma[j] + beta[j] }
        return (mean, rstd)
    }
}
