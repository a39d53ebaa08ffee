/// LayerScale (Touvron et al. 2021, "Going deeper with Image Transformers", eq. 5; timm
/// `LayerScale`): y = γ ⊙ x, a learned per-channel scale on a block's attention and MLP
/// outputs before the residual add (`blocks.N.ls1.gamma`, `ls2.gamma`). DINOv2 and DeiT-III
/// use it; a plain ViT has none (`TransformerBlock.layerScale1 == nil`).
///
/// Forward, backward and relevance share nothing to cache but the input x (the unscaled
/// sublayer output, which the block's trace keeps).
public struct LayerScale<Scalar: TensorScalar>: Sendable {
    /// [D]
    public var gamma: Tensor<Scalar>

    public init(gamma: Tensor<Scalar>) {
        precondition(gamma.rank == 1, "LayerScale γ must be [D], got \(gamma.shape)")
        self.gamma = gamma
    }

    public var dimension: Int { gamma.count }

    public func zeroed() -> LayerScale { LayerScale(gamma: Tensor(zeros: gamma.shape)) }

    /// y = γ ⊙ x over rows of D.
    public func forward(_ x: [Scalar]) -> [Scalar] {
        var y = x
        forward(inPlace: &y)
        return y
    }

    /// x ← γ ⊙ x (the inference pass).
    public func forward(inPlace x: inout [Scalar]) {
        let d = dimension
        precondition(x.count % d == 0, "LayerScale of width \(d) on \(x.count) values")
        gamma.scalars.withUnsafeBufferPointer { g in
            x.withUnsafeMutableBufferPointer { xp in
                for row in 0..<(xp.count / d) {
                    let base = xp.baseAddress! + row * d
                    for i in 0..<d { base[i] *= g[i] }
                }
            }
        }
    }

    /// dx = γ ⊙ dy; dγ += Σ_rows x ⊙ dy. The map is linear, so the modified gradients
    /// (`GradientRule`: DeepLIFT rescale, the identity rules) are this same gradient.
    public func backward(_ dy: [Scalar], input x: [Scalar], gradient: inout LayerScale, accumulate: Bool = true) -> [Scalar] {
        let d = dimension
        precondition(dy.count == x.count && x.count % d == 0, "LayerScale backward shapes \(dy.count), \(x.count) for width \(d)")
        var dx = [Scalar].uninitialized(dy.count)
        let rows = x.count / d
        for row in 0..<rows {
            for i in 0..<d { dx[row * d + i] = gamma.scalars[i] * dy[row * d + i] }
        }
        if accumulate {
            for row in 0..<rows {
                for i in 0..<d { gradient.gamma.scalars[i] += x[row * d + i] * dy[row * d + i] }
            }
        }
        return dx
    }

    /// R_in = R_out, exactly, under every rule set.
    ///
    /// The map is diagonal with no bias: output j is z_j = γ_j x_j, one contribution from one
    /// input, so the z-rule (LRP-0, Bach et al. 2015 eq. 56) gives x_j γ_j · R_j / z_j = R_j,
    /// the ε-rule the same up to ε (which would only leak), and the γ- and αβ-rules the same
    /// (a single contribution is all positive or all negative). Chefer et al. 2021 and
    /// AttnLRP (Achtibat et al. 2024) treat elementwise scales of this kind as identities for
    /// that reason; taking the identity also keeps γ_j x_j = 0 (a zero γ) from dividing by 0.
    /// Conservative per channel, so the ledger's entry for it has a zero gap.
    public func relevance(_ r: [Scalar]) -> [Scalar] {
        precondition(r.count % dimension == 0, "LayerScale relevance of width \(dimension) on \(r.count) values")
        return r
    }
}
