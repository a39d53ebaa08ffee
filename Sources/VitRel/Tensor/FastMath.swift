import CVitRelKernels

/// Vectorised exp, erf and the normal CDF for Float buffers, the transcendental work of a ViT
/// forward pass (softmax and exact GELU: ~13M calls per ViT-B/16 image).
///
/// Eight lanes at a time with SIMD8<Float>. The forward pass's two hot loops, GELU and the
/// row softmax, run the same operations in C (`CVitRelKernels`): Swift builds for the x86-64
/// baseline and scalarised the SIMD8 polynomials into SSE shuffles, while clang compiles the C
/// once more for AVX2, chosen at run time with the same bits. Double paths keep libm (they are
/// the exact reference the tests compare against).
public enum FastMath {
    /// e^x for eight lanes: Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-6
    /// Taylor/minimax polynomial for e^r, and 2^n built in the exponent bits.
    /// Relative error < 3e-7 on [-87, 88]; underflows to 0 below −87.3.
    @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Only lane-wise float and integer arithmetic, so the loop stays in vector registers
        // (SIMD `rounded()` and Int32 conversions fall back to per-lane generic code).
        var clamped = x.replacing(with: -87.3, where: x .< -87.3)
        clamped = clamped.replacing(with: 88.3, where: clamped .> 88.3)
        // Round x·log2(e) to the nearest integer by adding 1.5·2²³: the sum's ulp is 1, and
        // its bit pattern minus the constant's is that integer n.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        // ln2 split into a high part exact in float and a low correction (Cody–Waite).
        var r = clamped - n * 0.693_145_751_953_125
        r = r - n * 1.428_606_765_330_187_045e-6
        var p = SIMD8<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((integer &+ 127) &<< SIMD8<Int32>(repeating: 23), to: SIMD8<Float>.self)
        return (p * scale).replacing(with: 0, where: x .< -87.3)
    }

    /// Φ(x), the standard normal CDF, via erfc (Numerical Recipes' Chebyshev fit, fractional
    /// error < 1.2e-7 everywhere): Φ(x) = erfc(−x/√2)/2.
    @inline(__always)
    public static func normalCDF(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let z = -x * 0.707_106_781_186_547_5
        let a = z.replacing(with: -z, where: z .< 0)
        let t = SIMD8<Float>(repeating: 1) / (SIMD8<Float>(repeating: 1) + 0.5 * a)
        var poly = SIMD8<Float>(repeating: 0.170_872_77)
        poly = poly * t + -0.822_152_23
        poly = poly * t + 1.488_515_87
        poly = poly * t + -1.135_203_98
        poly = poly * t + 0.278_868_07
        poly = poly * t + -0.186_288_06
        poly = poly * t + 0.096_784_18
        poly = poly * t + 0.374_091_96
        poly = poly * t + 1.000_023_68
        poly = poly * t + -1.265_512_23
        let erfcAbs = t * exp(-a * a + poly)
        let erfc = erfcAbs.replacing(with: SIMD8<Float>(repeating: 2) - erfcAbs, where: z .< 0)
        return erfc * Float(0.5)
    }

    /// erf(z) for eight lanes without an exp: sign(z)·min(1, a·P(t)/Q(t)) with a = min(|z|, 3.9),
    /// t = a²/3.9², the (5, 5) rational that `Tools/fit_gelu_erf.py` fits (minimax, maximum
    /// error 1.5e-8 in exact arithmetic, 3.8e-7 evaluated in Float; erf(3.9) is 1 − 3.5e-8).
    /// About half the work of the erfc form in `normalCDF`, which needs an exp.
    @inline(__always)
    public static func erf(_ z: SIMD8<Float>) -> SIMD8<Float> {
        let magnitude = z.replacing(with: -z, where: z .< 0)
        let a = magnitude.replacing(with: 3.9, where: magnitude .> 3.9)
        let t = a * a * 0.065_746_219_592_373_44  // 1/3.9²
        var p = SIMD8<Float>(repeating: 1.669_069_95)
        p = p * t + 15.384_645
        p = p * t + 13.501_050_6
        p = p * t + 12.253_594_7
        p = p * t + 2.919_433_92
        p = p * t + 1.128_379_03
        var q = SIMD8<Float>(repeating: 31.121_007_2)
        q = q * t + 63.246_570_8
        q = q * t + 53.165_551_5
        q = q * t + 26.548_692_4
        q = q * t + 7.657_257_29
        q = q * t + 1
        var r = a * p / q
        r.replace(with: 1, where: r .> 1)  // the fit overshoots 1 by an ulp near the clamp
        return r.replacing(with: -r, where: z .< 0)
    }

    /// GELU(x) = x·(1 + erf(x/√2))/2 for a Float buffer: PyTorch's formula for the exact GELU,
    /// absolute error < 3e-7·max(1, |x|) (FastMathTests).
    /// The kernel is C (`vitrel_gelu_f32`), the same operations as `erf` here, vectorised for
    /// AVX2 where the machine has it (Swift's SIMD8 code was scalarised into SSE shuffles and
    /// took 7% of a ViT-B forward).
    public static func gelu(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        vitrel_gelu_f32(input, output, count)
    }

    /// dGELU/dx·dy = dy·(Φ(x) + x·φ(x)) for Float buffers.
    public static func geluBackward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        let inverseSqrt2Pi: Float = 0.398_942_280_401_432_7
        while i < count {
            let lanes = min(8, count - i)
            var v = SIMD8<Float>(repeating: 0), g = SIMD8<Float>(repeating: 0)
            if lanes == 8 {
                v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                g = UnsafeRawPointer(dy + i).loadUnaligned(as: SIMD8<Float>.self)
            } else {
                for j in 0..<lanes { v[j] = x[i + j]; g[j] = dy[i + j] }
            }
            let result = g * (normalCDF(v) + v * exp(-0.5 * v * v) * inverseSqrt2Pi)
            if lanes == 8 {
                UnsafeMutableRawPointer(dx + i).storeBytes(of: result, as: SIMD8<Float>.self)
            } else {
                for j in 0..<lanes { dx[i + j] = result[j] }
            }
            i += 8
        }
    }

    /// Softmax of one row in place: max, exp(x − max), Σ in eight lane partials reduced in a
    /// fixed order (deterministic; a scalar chain of one add per element took as long as the
    /// exps), and the scaling. The kernel is C (`vitrel_softmax_row_f32`, the same exp as
    /// `exp` here), vectorised for AVX2 where the machine has it.
    public static func softmaxRow(_ row: UnsafeMutablePointer<Float>, count: Int) {
        vitrel_softmax_row_f32(row, count)
    }

    /// Layer normalisation of one row (Ba et al. 2016): y = (x − μ)·rstd·γ + β with
    /// rstd = 1/sqrt(mean((x − μ)²) + ε). Returns (μ, rstd). Both sums in eight lane
    /// partials, reduced in a fixed order.
    @inline(__always)
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
        let rstd = 1 / (squareSum / Float(d) + epsilon).squareRoot()
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
