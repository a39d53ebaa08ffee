/// timm's `qk_norm=True`: a LayerNorm over the head dimension on every head's query and key,
/// after the qkv projection and before q·kᵀ (`attn.q_norm`, `attn.k_norm`; Dehghani et al.
/// 2023, "Scaling Vision Transformers to 22 Billion Parameters", "QK normalisation"). Its
/// forward, backward and relevance rule, as one hop between the qkv projection and the heads.
///
/// The q and k of all heads of one token are the contiguous columns [0, D) and [D, 2D) of
/// that token's qkv row (heads contiguous inside each), so gathered they are a
/// [B·N·H, head_dim] matrix, and q_norm is an ordinary `LayerNorm` of width head_dim over its
/// rows; its ε is the model's LayerNorm ε (timm builds it with the blocks' `norm_layer`).
///
/// Relevance rule. q and k reach the output only through the attention scores q·kᵀ and the
/// softmax: Chefer et al. 2021 split the scores' relevance between q and k with the generic
/// rule (halved), AttnLRP (Achtibat et al. 2024, eqs. 8 and 11) pass it through the softmax
/// rule and then split q·kᵀ bilinearly with the uniform rule, and CP-LRP (Ali et al. 2022)
/// sends none to q and k at all (the softmax output is held constant). Whatever relevance q
/// and k receive, the normalisation in front of them is a LayerNorm like norm1 and norm2 and
/// takes the same rule of the same rule set (`RelevanceRules.layerNorm`): the identity in
/// Chefer's set; in AttnLRP and CP-LRP the LN rule of Ali et al. 2022 ("XAI for Transformers:
/// Better Explanations through Conservative Propagation", the LN-rule): 1/σ treated as a constant, so
/// y − β = γ·(x − μ)/σ is linear and bias-free and LRP-0 through it conserves exactly; the
/// shift β absorbs Σβ·R/y, which the attention reports with its biases. Its modified gradient
/// (σ detached) is what `GradientRule.attnLRP` and `.constantAttention` run backwards.
extension MultiHeadAttention {
    /// What the q_norm / k_norm hop keeps for the backward and relevance passes.
    public struct QueryKeyNormCache: Sendable {
        /// [B·N, 3D] the qkv projection's output, before the norms (q and k are their input)
        public var projected: [Scalar]
        /// q_norm's mean and 1/σ per (token, head) row, [B·N·H]
        public var query: LayerNorm<Scalar>.Cache
        /// k_norm's mean and 1/σ per (token, head) row, [B·N·H]
        public var key: LayerNorm<Scalar>.Cache
    }

    /// Whether the heads' queries and keys are normalised (timm `qk_norm=True`).
    public var normalisesQueryAndKey: Bool { queryNorm != nil }

    /// Normalises the q and k columns of `qkv` [rows, 3D] in place (nothing without qk_norm).
    /// Returns the cache, with the unnormalised projection when `keepingProjection` (the
    /// traced pass; the inference pass needs neither).
    @discardableResult
    func normaliseQueryAndKey(_ qkv: inout [Scalar], rows: Int, keepingProjection: Bool = true) -> QueryKeyNormCache? {
        guard let queryNorm, let keyNorm else { return nil }
        let d = dimension, headRows = rows * headCount
        let projected = keepingProjection ? qkv : []
        var normalised = [Scalar].uninitialized(rows * d)
        let query = queryNorm.forward(Self.columns(qkv, rows: rows, offset: 0, width: d), rows: headRows, into: &normalised)
        Self.setColumns(&qkv, normalised, rows: rows, offset: 0, width: d)
        let key = keyNorm.forward(Self.columns(qkv, rows: rows, offset: d, width: d), rows: headRows, into: &normalised)
        Self.setColumns(&qkv, normalised, rows: rows, offset: d, width: d)
        return QueryKeyNormCache(projected: projected, query: query, key: key)
    }

    /// dqkv [rows, 3D] from the gradient at the normalised q and k to the gradient at the
    /// projection's output, in place; adds dγ, dβ of q_norm and k_norm into `gradient` when
    /// `accumulate`. `rule` and `baseline` as in `backward`: σ detached under the LRP
    /// modified gradients, DeepLIFT's secant multipliers (`LayerNorm.rescaleBackward`) with
    /// the baseline's cache.
    func queryKeyNormBackward(
        _ dqkv: inout [Scalar], cache: QueryKeyNormCache, rows: Int, gradient: inout MultiHeadAttention, accumulate: Bool,
        rule: GradientRule, baseline: QueryKeyNormCache?
    ) {
        guard let queryNorm, let keyNorm else { preconditionFailure("a qk_norm cache for attention without qk_norm") }
        let d = dimension, headRows = rows * headCount
        for offset in [0, d] {
            let norm = offset == 0 ? queryNorm : keyNorm
            let normCache = offset == 0 ? cache.query : cache.key
            let dy = Self.columns(dqkv, rows: rows, offset: offset, width: d)
            let x = Self.columns(cache.projected, rows: rows, offset: offset, width: d)
            let dx: [Scalar]
            if let baseline {
                dx = norm.rescaleBackward(
                    dy, input: x, cache: normCache, baselineInput: Self.columns(baseline.projected, rows: rows, offset: offset, width: d),
                    baselineCache: offset == 0 ? baseline.query : baseline.key, rows: headRows)
            } else if offset == 0 {
                dx = norm.backward(
                    dy, input: x, cache: normCache, rows: headRows, gradient: &gradient.queryNorm!, accumulate: accumulate,
                    detachDeviation: rule.detachesLayerNormDeviation)
            } else {
                dx = norm.backward(
                    dy, input: x, cache: normCache, rows: headRows, gradient: &gradient.keyNorm!, accumulate: accumulate,
                    detachDeviation: rule.detachesLayerNormDeviation)
            }
            Self.setColumns(&dqkv, dx, rows: rows, offset: offset, width: d)
        }
    }

    /// Relevance rQKV [rows, 3D] at the normalised q | k | v to the projection's output, in
    /// place: q and k through their LayerNorms with the rule set's LayerNorm rule (see the
    /// type's comment), v untouched. `normalised`: the cache's `queryKeyValue`, the norms'
    /// outputs. Returns Σβ·R/y of both norms (0 under the identity rule).
    func queryKeyNormRelevance(
        _ rQKV: inout [Scalar], cache: QueryKeyNormCache, normalised: [Scalar], rows: Int, rules: RelevanceRules
    ) -> Double {
        guard let queryNorm, let keyNorm else { preconditionFailure("a qk_norm cache for attention without qk_norm") }
        let d = dimension, headRows = rows * headCount
        var absorbed = 0.0
        for offset in [0, d] {
            let norm = offset == 0 ? queryNorm : keyNorm
            let (relevance, shiftAbsorbed) = norm.relevance(
                Self.columns(rQKV, rows: rows, offset: offset, width: d),
                input: Self.columns(cache.projected, rows: rows, offset: offset, width: d),
                output: Self.columns(normalised, rows: rows, offset: offset, width: d),
                cache: offset == 0 ? cache.query : cache.key, rows: headRows, rule: rules.layerNorm, epsilon: rules.stabiliser)
            Self.setColumns(&rQKV, relevance, rows: rows, offset: offset, width: d)
            absorbed += shiftAbsorbed
        }
        return absorbed
    }

    /// Columns [offset, offset + width) of a [rows, 3D] buffer, as a contiguous [rows, width].
    static func columns(_ source: [Scalar], rows: Int, offset: Int, width: Int) -> [Scalar] {
        let stride = 3 * width
        precondition(source.count == rows * stride, "qkv buffer \(source.count) for \(rows) rows of \(stride)")
        var out = [Scalar].uninitialized(rows * width)
        source.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer { op in
                for r in 0..<rows {
                    (op.baseAddress! + r * width).update(from: sp.baseAddress! + r * stride + offset, count: width)
                }
            }
        }
        return out
    }

    /// Writes a contiguous [rows, width] into columns [offset, offset + width) of a [rows, 3D] buffer.
    static func setColumns(_ target: inout [Scalar], _ values: [Scalar], rows: Int, offset: Int, width: Int) {
        let stride = 3 * width
        precondition(values.count == rows * width && target.count == rows * stride, "qkv columns \(values.count) into \(target.count)")
        values.withUnsafeBufferPointer { vp in
            target.withUnsafeMutableBufferPointer { tp in
                for r in 0..<rows {
                    (tp.baseAddress! + r * stride + offset).update(from: vp.baseAddress! + r * width, count: width)
                }
            }
        }
    }
}
