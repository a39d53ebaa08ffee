import RealModule

/// The exact Gaussian error linear unit (Hendrycks & Gimpel 2016), x·Φ(x), as timm and
/// Hugging Face ViTs use it (not the tanh approximation). Float runs through `FastMath`
/// (x·(1 + erf(x/√2))/2 as PyTorch computes it, absolute error < 3e-7·max(1, |x|)); Double
/// uses libm's erf exactly.
public enum GELU {
    public static func forward<Scalar: TensorScalar>(_ x: [Scalar]) -> [Scalar] {
        guard !x.isEmpty else { return [] }
        var y = [Scalar].uninitialized(x.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in apply(xp.baseAddress!, yp.baseAddress!, count: x.count) }
        }
        return y
    }

    /// x ← GELU(x) (the inference pass, which keeps no pre-activation).
    public static func forwardInPlace<Scalar: TensorScalar>(_ x: inout [Scalar]) {
        guard !x.isEmpty else { return }
        x.withUnsafeMutableBufferPointer { xp in apply(xp.baseAddress!, xp.baseAddress!, count: xp.count) }
    }

    /// y = GELU(x) over `count` values; `y` may be `x`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func apply<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, count: Int) {
        guard count > 0 else { return }
        let inverseSqrt2 = 1 / Scalar(2).squareRoot()
        if Scalar.self == Float.self {
            let input = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
            let output = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
            Parallel.forEachChunk(count, grain: 16384) { range in
                FastMath.gelu(input + range.lowerBound, output + range.lowerBound, count: range.count)
            }
            return
        }
        Parallel.forEachChunk(count, grain: 16384) { range in
            for i in range {
                let v = x[i]
                y[i] = v * (1 + Scalar.erf(v * inverseSqrt2)) / 2
            }
        }
    }

    /// dx = dy·Φ(x) = dy·y/x: the modified gradient of the identity relevance rule
    /// (x ⊙ dx = y ⊙ dy, Achtibat et al. 2024).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func identityRuleBackward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        var dx = [Scalar].uninitialized(x.count)
        let inverseSqrt2 = 1 / Scalar(2).squareRoot()
        for i in 0..<x.count { dx[i] = dy[i] * (1 + Scalar.erf(x[i] * inverseSqrt2)) / 2 }
        return dx
    }

    /// dx = dy·(Φ(x) + x·φ(x)).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func backward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        var dx = [Scalar].uninitialized(x.count)
        let inverseSqrt2 = 1 / Scalar(2).squareRoot()
        let inverseSqrt2Pi = 1 / (2 * Scalar.pi).squareRoot()
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { dyp in
                dx.withUnsafeMutableBufferPointer { dxp in
                    if Scalar.self == Float.self {
                        let input = UnsafeRawPointer(xp.baseAddress!).assumingMemoryBound(to: Float.self)
                        let gradient = UnsafeRawPointer(dyp.baseAddress!).assumingMemoryBound(to: Float.self)
                        let output = UnsafeMutableRawPointer(dxp.baseAddress!).assumingMemoryBound(to: Float.self)
                        Parallel.forEachChunk(x.count, grain: 16384) { range in
                            let start = range.lowerBound
                            FastMath.geluBackward(input + start, gradient + start, output + start, count: range.count)
                        }
                        return
                    }
                    Parallel.forEachChunk(x.count, grain: 16384) { range in
                        for i in range {
                            let v = xp[i]
                            let cdf = (1 + Scalar.erf(v * inverseSqrt2)) / 2
                            let pdf = Scalar.exp(-v * v / 2) * inverseSqrt2Pi
                            dxp[i] = dyp[i] * (cdf + v * pdf)
                        }
                    }
                }
            }
        }
        return dx
    }

    /// DeepLIFT's rescale rule (Shrikumar et al. 2017, §3.5.1): dx = dy·(y − y′)/(x − x′) per
    /// element, from the forward values at the input (x, y) and at the baseline (x′, y′); the
    /// derivative Φ(x̄) + x̄·φ(x̄) at the midpoint where x − x′ is at rounding level.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func rescaleBackward<Scalar: TensorScalar>(
        _ dy: [Scalar], input x: [Scalar], output y: [Scalar], baselineInput x0: [Scalar], baselineOutput y0: [Scalar]
    ) -> [Scalar] {
        precondition(dy.count == x.count && y.count == x.count && x0.count == x.count && y0.count == x.count, "GELU rescale shapes")
        let inverseSqrt2 = 1 / Scalar(2).squareRoot()
        let inverseSqrt2Pi = 1 / (2 * Scalar.pi).squareRoot()
        return RescaleMultiplier.elementwise(dy, input: x, output: y, baselineInput: x0, baselineOutput: y0) { midpoint in
            (1 + Scalar.erf(midpoint * inverseSqrt2)) / 2 + midpoint * Scalar.exp(-midpoint * midpoint / 2) * inverseSqrt2Pi
        }
    }
}
