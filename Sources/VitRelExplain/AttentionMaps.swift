/// Head fusion and rollout of [N, N] attention-like matrices.
public enum AttentionMaps {
    /// I_N, row-major.
    public static func identity<S: TensorScalar>(_ n: Int) -> [S] {
        var m = [S](repeating: 0, count: n * n)
        for i in 0..<n { m[i * n + i] = 1 }
        return m
    }

    /// mean_h (x_h)⁺, or mean_h (g_h ⊙ x_h)⁺ when a gradient is given (Chefer et al. 2021 eq. 13).
    /// x, g: [H, N, N].
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public static func meanOverHeads<S: TensorScalar>(_ x: [S], gradient: [S]? = nil, heads: Int, tokens n: Int) -> [S] {
        var fused = [S](repeating: 0, count: n * n)
        for h in 0..<heads {
            for i in 0..<(n * n) {
                let value = gradient.map { $0[h * n * n + i] * x[h * n * n + i] } ?? x[h * n * n + i]
                fused[i] += max(value, 0)
            }
        }
        let scale = 1 / S(heads)
        for i in fused.indices { fused[i] *= scale }
        return fused
    }

    /// Head fusion for attention rollout (mean, max or min over heads of raw attention), with
    /// the floor(r·N²) smallest fused entries zeroed except [0, 0] (jacobgil/vit-explain).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public static func fuseHeads<S: TensorScalar>(
        _ x: [S], heads: Int, tokens n: Int, fusion: ExplanationOptions.HeadFusion, discardRatio: Double
    ) -> [S] {
        var fused = [S](repeating: 0, count: n * n)
        for i in 0..<(n * n) {
            var value = x[i]
            for h in 1..<max(heads, 1) {
                let v = x[h * n * n + i]
                switch fusion {
                case .mean: value += v
                case .max: value = max(value, v)
                case .min: value = min(value, v)
                }
            }
            fused[i] = fusion == .mean ? value / S(heads) : value
        }
        let discard = Int(discardRatio * Double(n * n))
        if discard > 0 {
            let order = (1..<(n * n)).sorted { (fused[$0], $0) < (fused[$1], $1) }
            for index in order.prefix(discard) { fused[index] = 0 }
        }
        return fused
    }

    /// C = (Â_{L−1}) ··· (Â_s) with Â = A + I (Chefer), or Â = rows-normalised 0.5·A + 0.5·I
    /// (Abnar & Zuidema 2020). Later layers multiply on the left.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public static func rollout<S: TensorScalar>(
        _ layers: [[S]], tokens n: Int, startLayer: Int, addIdentity: Bool, normaliseRows: Bool
    ) -> [S] {
        precondition(startLayer >= 0 && startLayer < layers.count, "start layer \(startLayer) of \(layers.count)")
        func prepared(_ a: [S]) -> [S] {
            var m = a
            if normaliseRows {
                for i in 0..<n {
                    for j in 0..<n { m[i * n + j] = m[i * n + j] / 2 + (i == j ? S(0.5) : 0) }
                    var total: S = 0
                    for j in 0..<n { total += m[i * n + j] }
                    if total != 0 { for j in 0..<n { m[i * n + j] /= total } }
                }
            } else if addIdentity {
                for i in 0..<n { m[i * n + i] += 1 }
            }
            return m
        }
        var joint = prepared(layers[startLayer])
        for l in (startLayer + 1)..<max(layers.count, startLayer + 1) {
            joint = MatrixProducts.times(prepared(layers[l]), joint, m: n, k: n, n: n)
        }
        return joint
    }
}
