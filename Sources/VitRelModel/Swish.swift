/// Swish, x·σ(β·x) (Ramachandran et al. 2017, "Searching for Activation Functions"): the one
/// sigmoid-weighted linear unit behind two of vitrel's activations, which differ only in β.
///
/// - β = 1 is SiLU (Elfwing et al. 2018; Hendrycks & Gimpel 2016 §2 name it "SiLU"), PyTorch's
///   `nn.SiLU`: the gate of SwiGLU (Shazeer 2020), so of DINOv2 ViT-g/14's feed-forward
///   (`SwiGLU`, `Activation.silu`).
/// - β = 1.702 is QuickGELU, the sigmoid approximation of GELU that OpenAI's CLIP towers were
///   trained with (`QuickGELU`, `Activation.quickGELU`).
///
/// Forward, backward and the relevance rule's modified gradient in one place, generic over the
/// scalar (Float for speed, Double for the finite-difference tests). The relevance rule is every
/// elementwise activation's: the identity rule R_in = R_out (Chefer et al. 2021; AttnLRP,
/// Achtibat et al. 2024, eq. 9), whose modified-gradient form x ⊙ dx = y ⊙ dy is
/// `identityRuleBackward`: dx = dy·y/x = dy·σ(β·x), defined at x = 0 too.
enum Swish {
    /// x ← x·σ(β·x) (the inference pass; `forward` copies first).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func forwardInPlace<Scalar: TensorScalar>(_ x: inout [Scalar], beta: Double) {
        guard !x.isEmpty else { return }
        let b = Scalar(beta)
        x.withUnsafeMutableBufferPointer { xp in
            Parallel.forEachChunk(xp.count, grain: 16384) { range in
                for i in range { xp[i] *= sigmoid(b * xp[i]) }
            }
        }
    }

    static func forward<Scalar: TensorScalar>(_ x: [Scalar], beta: Double) -> [Scalar] {
        var y = x
        forwardInPlace(&y, beta: beta)
        return y
    }

    /// x·σ(β·x) of one value (the gated product's loops call it per element).
    @inline(__always)
    static func value<Scalar: TensorScalar>(_ x: Scalar, beta: Scalar) -> Scalar { x * sigmoid(beta * x) }

    /// σ(z) = 1/(1 + e^(−z)); e^(−z) overflows to +∞ for z ≪ 0 and the quotient is then 0,
    /// the correct limit, so no branch is needed (x·0 = −0 there, as in PyTorch).
    @inline(__always)
    static func sigmoid<Scalar: TensorScalar>(_ z: Scalar) -> Scalar { 1 / (1 + Scalar.exp(-z)) }

    /// The derivative σ(β·x) + β·x·σ(β·x)·(1 − σ(β·x)).
    @inline(__always)
    static func derivative<Scalar: TensorScalar>(_ x: Scalar, beta: Scalar) -> Scalar {
        let s = sigmoid(beta * x)
        return s + beta * x * s * (1 - s)
    }

    /// dx = dy·(σ(β·x) + β·x·σ(β·x)·(1 − σ(β·x))).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func backward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar], beta: Double) -> [Scalar] {
        precondition(dy.count == x.count, "Swish backward shapes \(dy.count), \(x.count)")
        let b = Scalar(beta)
        var dx = [Scalar].uninitialized(x.count)
        dx.withUnsafeMutableBufferPointer { dxp in
            Parallel.forEachChunk(x.count, grain: 16384) { range in
                for i in range { dxp[i] = dy[i] * derivative(x[i], beta: b) }
            }
        }
        return dx
    }

    /// dx = dy·σ(β·x) = dy·y/x: the modified gradient of the identity relevance rule
    /// (x ⊙ dx = y ⊙ dy, Achtibat et al. 2024 §3.3).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func identityRuleBackward<Scalar: TensorScalar>(_ dy: [Scalar], input x: [Scalar], beta: Double) -> [Scalar] {
        precondition(dy.count == x.count, "Swish identity-rule shapes \(dy.count), \(x.count)")
        let b = Scalar(beta)
        var dx = [Scalar].uninitialized(x.count)
        for i in 0..<x.count { dx[i] = dy[i] * sigmoid(b * x[i]) }
        return dx
    }

    /// DeepLIFT's rescale rule (Shrikumar et al. 2017, §3.5.1): dx = dy·(y − y′)/(x − x′), the
    /// derivative at the midpoint where x − x′ is at rounding level (as `GELU.rescaleBackward`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func rescaleBackward<Scalar: TensorScalar>(
        _ dy: [Scalar], input x: [Scalar], output y: [Scalar], baselineInput x0: [Scalar], baselineOutput y0: [Scalar], beta: Double
    ) -> [Scalar] {
        precondition(dy.count == x.count && y.count == x.count && x0.count == x.count && y0.count == x.count, "Swish rescale shapes")
        let b = Scalar(beta)
        return RescaleMultiplier.elementwise(dy, input: x, output: y, baselineInput: x0, baselineOutput: y0) { midpoint in
            derivative(midpoint, beta: b)
        }
    }
}
