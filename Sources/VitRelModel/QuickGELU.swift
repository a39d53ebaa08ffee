/// QuickGELU, x·σ(1.702·x): the sigmoid approximation of GELU (Hendrycks & Gimpel 2016, §2,
/// "x·σ(1.702x)") that OpenAI's CLIP image towers were trained with (Radford et al. 2021), so
/// their weights need it rather than the exact GELU (timm `quick_gelu`, the
/// `vit_*_clip_quickgelu_*` factories, `act_layer='quick_gelu'`).
///
/// Forward, backward and the relevance rule in one place. The relevance rule is GELU's: an
/// elementwise nonlinearity passes relevance on unchanged (R_in = R_out, Chefer et al. 2021;
/// AttnLRP, Achtibat et al. 2024, eq. 9 "identity rule" for elementwise activations), so the
/// explicit relevance pass has nothing to compute here and the MLP's rule skips it, as it does
/// GELU. The modified-gradient form of that rule (x ⊙ dx = y ⊙ dy) is
/// `identityRuleBackward`: dx = dy·y/x = dy·σ(1.702·x).
public enum QuickGELU {
    /// The slope of the sigmoid, 1.702 (Hendrycks & Gimpel 2016, §2; timm, open_clip).
    public static let slope = 1.702

    public static func forward<Scalar: TensorScalar>(_ x: [Scalar]) -> [Scalar] {
        var y = x
        forwardInPlace(&y)
        return y
    }

    /// x ← x·σ(1.702·x) (the inference pass).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func forwardInPlace<Scalar: TensorScalar>(_ x: inout [Scalar]) {
        guard !x.isEmpty else { return }
        let a = Scalar(slope)
        x.withUnsafeMutableBufferPointer { xp in
            Parallel.forEachChunk(xp.count, grain: 16384) { range in
                for i in range { xp[i] *= sigmoid(a * xp[i]) }
            }
        }
    }

    /// σ(z) = 1/(1 + e^(−z)); e^(−z) overflows to +∞ for z ≪ 0 and the quotient is then 0,
    /// the correct limit, so no branch is needed (x·0 = −0 there, as in PyTorch).
    @inline(__always)
    static func sigmoid<Scalar: TensorScalar>(_ z: Scalar) -> Scalar { 1 / (1 + Scalar.exp(-z)) }

    /// The derivative σ(a·x) + a·x·σ(a·x)·(1 − σ(a·x)).
    @inline(__always)
    static func derivative<Scalar: TensorScalar>(_ x: Scalar) -> Scalar {
        let a = Scalar(slope)
        let s = sigmoid(a * x)
        return s + a * x * s * (1 - s)
    }

    /// dx = dy·(σ(a·x) + a·x·σ(a·x)·(1 − σ(a·x))).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func backward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        precondition(dy.count == x.count, "QuickGELU backward shapes \(dy.count), \(x.count)")
        var dx = [Scalar].uninitialized(x.count)
        dx.withUnsafeMutableBufferPointer { dxp in
            Parallel.forEachChunk(x.count, grain: 16384) { range in
                for i in range { dxp[i] = dy[i] * derivative(x[i]) }
            }
        }
        return dx
    }

    /// dx = dy·σ(1.702·x) = dy·y/x: the modified gradient of the identity relevance rule
    /// (x ⊙ dx = y ⊙ dy, Achtibat et al. 2024 §3.3), as `GELU.identityRuleBackward` is GELU's.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func identityRuleBackward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar]) -> [Scalar] {
        precondition(dy.count == x.count, "QuickGELU identity-rule shapes \(dy.count), \(x.count)")
        let a = Scalar(slope)
        var dx = [Scalar].uninitialized(x.count)
        for i in 0..<x.count { dx[i] = dy[i] * sigmoid(a * x[i]) }
        return dx
    }

    /// DeepLIFT's rescale rule (Shrikumar et al. 2017, §3.5.1): dx = dy·(y − y′)/(x − x′), the
    /// derivative at the midpoint where x − x′ is at rounding level (as `GELU.rescaleBackward`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func rescaleBackward<Scalar: TensorScalar>(
        _ dy: [Scalar], input x: [Scalar], output y: [Scalar], baselineInput x0: [Scalar], baselineOutput y0: [Scalar]
    ) -> [Scalar] {
        precondition(dy.count == x.count && y.count == x.count && x0.count == x.count && y0.count == x.count, "QuickGELU rescale shapes")
        var dx = [Scalar].uninitialized(x.count)
        for i in 0..<x.count {
            let midpoint = (x[i] + x0[i]) / 2
            let multiplier = RescaleMultiplier.secant(dy: y[i] - y0[i], dx: x[i] - x0[i], midpoint: midpoint, derivative: derivative(midpoint))
            dx[i] = dy[i] * multiplier
        }
        return dx
    }
}
