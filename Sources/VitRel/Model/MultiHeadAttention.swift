/// Multi-head self-attention (Vaswani et al. 2017) as timm's `Attention`: one qkv projection
/// whose rows are q|k|v (head-major inside each), softmax(q·kᵀ·d^-½)·v per head, then an
/// output projection.
///
/// Queries, keys and values are never copied out of the qkv buffer: each head's GEMM reads
/// them in place with a leading dimension of 3D.
public struct MultiHeadAttention<Scalar: TensorScalar>: Sendable {
    /// [3D, D]
    public var queryKeyValue: Linear<Scalar>
    /// [D, D]
    public var projection: Linear<Scalar>
    public var headCount: Int

    public init(queryKeyValue: Linear<Scalar>, projection: Linear<Scalar>, headCount: Int) {
        precondition(queryKeyValue.outputCount == 3 * queryKeyValue.inputCount, "qkv must be [3D, D]")
        precondition(queryKeyValue.inputCount % headCount == 0, "width not divisible by heads")
        self.queryKeyValue = queryKeyValue
        self.projection = projection
        self.headCount = headCount
    }

    public var dimension: Int { projection.outputCount }
    public var headDimension: Int { dimension / headCount }
    public var scale: Scalar { 1 / Scalar(headDimension).squareRoot() }

    public func zeroed() -> MultiHeadAttention {
        MultiHeadAttention(queryKeyValue: queryKeyValue.zeroed(), projection: projection.zeroed(), headCount: headCount)
    }

    /// Activations the backward pass and the explanation methods need.
    public struct Cache: Sendable {
        /// [B·N, 3D]: q | k | v
        public var queryKeyValue: [Scalar]
        /// [B, H, N, N]: softmax probabilities (the "attention maps")
        public var attention: [Scalar]
        /// [B·N, D]: heads concatenated, before the output projection
        public var context: [Scalar]
    }

    /// x [B·N, D] → y [B·N, D]. `attentionOffset` [B, H, N, N], when given, is added to the
    /// probabilities after the softmax (finite-difference checks of ∂y/∂A, ablations).
    public func forward(
        _ x: [Scalar], batch: Int, tokens: Int, attentionOffset: [Scalar]? = nil
    ) -> (y: [Scalar], cache: Cache) {
        let n = tokens, d = dimension, h = headCount
        let qkv = queryKeyValue.forward(x, rows: batch * n)
        var attention = [Scalar].uninitialized(batch * h * n * n)
        var context = [Scalar].uninitialized(batch * n * d)
        if let attentionOffset { precondition(attentionOffset.count == attention.count, "attention offset size") }
        qkv.withUnsafeBufferPointer { qkvp in
            attention.withUnsafeMutableBufferPointer { ap in
                context.withUnsafeMutableBufferPointer { cp in
                    if let attentionOffset {
                        attentionOffset.withUnsafeBufferPointer { op in
                            attendHeads(
                                qkvp.baseAddress!, batch: batch, tokens: n, probabilities: ap.baseAddress!,
                                attentionOffset: op.baseAddress!, context: cp.baseAddress!)
                        }
                    } else {
                        attendHeads(
                            qkvp.baseAddress!, batch: batch, tokens: n, probabilities: ap.baseAddress!,
                            attentionOffset: nil, context: cp.baseAddress!)
                    }
                }
            }
        }
        let y = projection.forward(context, rows: batch * n)
        return (y, Cache(queryKeyValue: qkv, attention: attention, context: context))
    }

    /// The forward pass without a cache, for inference: x [B·N, D] → y [B·N, D] in caller-owned
    /// buffers (`queryKeyValue` [B·N, 3D] and `context` [B·N, D] are scratch). The attention
    /// maps live only in one [N, N] scratch per thread. Same arithmetic as `forward`, so the
    /// same bits.
    public func forward(
        _ x: [Scalar], batch: Int, tokens: Int, queryKeyValue qkv: inout [Scalar], context: inout [Scalar],
        into y: inout [Scalar]
    ) {
        let n = tokens
        queryKeyValue.forward(x, rows: batch * n, into: &qkv)
        qkv.withUnsafeBufferPointer { qkvp in
            context.withUnsafeMutableBufferPointer { cp in
                attendHeads(
                    qkvp.baseAddress!, batch: batch, tokens: n, probabilities: nil, attentionOffset: nil,
                    context: cp.baseAddress!)
            }
        }
        projection.forward(context, rows: batch * n, into: &y)
    }

    /// context = softmax(q·kᵀ·d^-½ ) (+ offset) · v for every (image, head), the heads shared
    /// out to the threads: each head's two small GEMMs (197×197×64 for ViT-B/16) and its
    /// softmax run on one thread, its [N, N] map still in cache between them. Heads are
    /// independent, so the result does not depend on the thread count.
    /// - Parameters:
    ///   - qkv: [B·N, 3D], rows q | k | v, read in place (leading dimension 3D).
    ///   - probabilities: [B, H, N, N] to keep the maps in, or nil for per-thread scratch.
    ///   - attentionOffset: [B, H, N, N] added after the softmax, or nil.
    ///   - context: [B·N, D] output, heads concatenated.
    func attendHeads(
        _ qkv: UnsafePointer<Scalar>, batch: Int, tokens n: Int, probabilities: UnsafeMutablePointer<Scalar>?,
        attentionOffset: UnsafePointer<Scalar>?, context: UnsafeMutablePointer<Scalar>
    ) {
        let d = dimension, hd = headDimension, h = headCount, scale = self.scale
        Parallel.forEachChunk(batch * h) { heads in
            var scratch = [Scalar].uninitialized(probabilities == nil ? n * n : 0)
            scratch.withUnsafeMutableBufferPointer { sp in
                for index in heads {
                    let b = index / h, head = index % h
                    let a = probabilities.map { $0 + index * n * n } ?? sp.baseAddress!
                    let q = qkv + b * n * 3 * d + head * hd
                    Scalar.gemm(
                        transposeA: false, transposeB: true, m: n, n: n, k: hd, alpha: scale,
                        a: q, lda: 3 * d, b: q + d, ldb: 3 * d, beta: 0, c: a, ldc: n)
                    Kernels.softmaxRows(a, rows: n, columns: n)
                    if let attentionOffset {
                        let offset = attentionOffset + index * n * n
                        for i in 0..<(n * n) { a[i] += offset[i] }
                    }
                    Scalar.gemm(
                        transposeA: false, transposeB: false, m: n, n: hd, k: n, alpha: 1,
                        a: a, lda: n, b: q + 2 * d, ldb: 3 * d, beta: 0, c: context + b * n * d + head * hd, ldc: d)
                }
            }
        }
    }

    /// Backward pass. Returns dx [B·N, D] and ∂loss/∂A [B, H, N, N] (the gradient with respect
    /// to the attention probabilities, which Chefer-style methods weight the maps with).
    public func backward(
        _ dy: [Scalar], input x: [Scalar], cache: Cache, batch: Int, tokens: Int,
        gradient: inout MultiHeadAttention, accumulate: Bool = true, rule: GradientRule = .exact
    ) -> (dx: [Scalar], dAttention: [Scalar]) {
        // Modified gradients (see `GradientRule`): the uniform rule on A·V halves ∂/∂A and
        // ∂/∂V; on q·kᵀ it halves ∂/∂q and ∂/∂k again; constant attention stops at A.
        let valueFactor: Scalar = rule == .attnLRP ? 0.5 : 1
        let scoreFactor: Scalar = rule == .attnLRP ? 0.25 : (rule == .constantAttention ? 0 : 1)
        let n = tokens, d = dimension, hd = headDimension, h = headCount
        let dContext = projection.backward(dy, input: cache.context, rows: batch * n, gradient: &gradient.projection, accumulate: accumulate)
        var dAttention = [Scalar].uninitialized(batch * h * n * n)
        var dScores = [Scalar].uninitialized(batch * h * n * n)
        var dqkv = [Scalar].zeros(batch * n * 3 * d)
        cache.queryKeyValue.withUnsafeBufferPointer { qkvp in
            cache.attention.withUnsafeBufferPointer { ap in
                dContext.withUnsafeBufferPointer { dcp in
                    dAttention.withUnsafeMutableBufferPointer { dap in
                        dqkv.withUnsafeMutableBufferPointer { dqkvp in
                            for b in 0..<batch {
                                for head in 0..<h {
                                    let base = b * n * 3 * d + head * hd
                                    let a = ap.baseAddress! + (b * h + head) * n * n
                                    let dc = dcp.baseAddress! + b * n * d + head * hd
                                    // dA = dContext·Vᵀ ; dV = Aᵀ·dContext
                                    Scalar.gemm(
                                        transposeA: false, transposeB: true, m: n, n: n, k: hd, alpha: 1,
                                        a: dc, lda: d, b: qkvp.baseAddress! + base + 2 * d, ldb: 3 * d, beta: 0,
                                        c: dap.baseAddress! + (b * h + head) * n * n, ldc: n)
                                    Scalar.gemm(
                                        transposeA: true, transposeB: false, m: n, n: hd, k: n, alpha: valueFactor,
                                        a: a, lda: n, b: dc, ldb: d, beta: 0,
                                        c: dqkvp.baseAddress! + base + 2 * d, ldc: 3 * d)
                                }
                            }
                        }
                    }
                }
                dAttention.withUnsafeBufferPointer { dap in
                    dScores.withUnsafeMutableBufferPointer { dsp in
                        Kernels.softmaxBackwardRows(
                            probabilities: ap.baseAddress!, gradient: dap.baseAddress!, into: dsp.baseAddress!,
                            rows: batch * h * n, columns: n)
                    }
                }
            }
            dScores.withUnsafeBufferPointer { dsp in
                dqkv.withUnsafeMutableBufferPointer { dqkvp in
                    for b in 0..<batch {
                        for head in 0..<h {
                            let base = b * n * 3 * d + head * hd
                            let ds = dsp.baseAddress! + (b * h + head) * n * n
                            // S = scale·Q·Kᵀ: dQ = scale·dS·K ; dK = scale·dSᵀ·Q
                            Scalar.gemm(
                                transposeA: false, transposeB: false, m: n, n: hd, k: n, alpha: scale * scoreFactor,
                                a: ds, lda: n, b: qkvp.baseAddress! + base + d, ldb: 3 * d, beta: 0,
                                c: dqkvp.baseAddress! + base, ldc: 3 * d)
                            Scalar.gemm(
                                transposeA: true, transposeB: false, m: n, n: hd, k: n, alpha: scale * scoreFactor,
                                a: ds, lda: n, b: qkvp.baseAddress! + base, ldb: 3 * d, beta: 0,
                                c: dqkvp.baseAddress! + base + d, ldc: 3 * d)
                        }
                    }
                }
            }
        }
        let dx = queryKeyValue.backward(dqkv, input: x, rows: batch * n, gradient: &gradient.queryKeyValue, accumulate: accumulate)
        return (dx, dAttention)
    }
}

// MARK: - Relevance

extension MultiHeadAttention {
    /// What the attention's relevance pass returns.
    public struct RelevanceResult: Sendable {
        /// [B·N, D] relevance of the attention's input (norm1's output)
        public var input: [Scalar]
        /// [B, H, N, N] relevance of the attention probabilities, R_A (Chefer's `attn_cam`)
        public var attention: [Scalar]
        /// Relevance absorbed by the qkv and projection biases.
        public var biasAbsorbed: Double
        /// Relevance created or lost by the softmax rule (AttnLRP's Taylor remainder).
        public var softmaxLeak: Double
    }

    /// Relevance r [B·N, D] at the output, propagated to the input (rules in `RelevanceRules`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relevance(
        _ r: [Scalar], input x: [Scalar], cache: Cache, batch: Int, tokens: Int, rules: RelevanceRules
    ) -> RelevanceResult {
        let n = tokens, d = dimension, hd = headDimension, h = headCount
        let (rContext, projectionAbsorbed) = projection.relevance(
            r, input: cache.context, rows: batch * n, rule: rules.linear, stabiliser: rules.stabiliser)
        var rQKV = [Scalar].zeros(batch * n * 3 * d)
        var rAttention = [Scalar].zeros(batch * h * n * n)
        var softmaxLeak = 0.0
        let eps = Scalar(rules.stabiliser)
        let qkv = cache.queryKeyValue
        for b in 0..<batch {
            for head in 0..<h {
                // Contiguous copies of this head's q, k, v [N, hd], context and relevance.
                func columns(_ source: [Scalar], stride: Int, offset: Int) -> [Scalar] {
                    var out = [Scalar].uninitialized(n * hd)
                    for t in 0..<n { for i in 0..<hd { out[t * hd + i] = source[(b * n + t) * stride + offset + i] } }
                    return out
                }
                let q = columns(qkv, stride: 3 * d, offset: head * hd)
                let k = columns(qkv, stride: 3 * d, offset: d + head * hd)
                let v = columns(qkv, stride: 3 * d, offset: 2 * d + head * hd)
                let context = columns(cache.context, stride: d, offset: head * hd)
                let rCtx = columns(rContext, stride: d, offset: head * hd)
                let aOffset = (b * h + head) * n * n
                let a = Array(cache.attention[aOffset..<(aOffset + n * n)])
                var rQ = [Scalar].zeros(n * hd), rK = [Scalar].zeros(n * hd), rV: [Scalar], rA: [Scalar]

                switch rules.attention {
                case .cheferHalved, .constantAttention:
                    // Generic rule on context = A·V: S = R ⊘ Z, R_A = A ⊙ (S·Vᵀ), R_V = V ⊙ (Aᵀ·S).
                    let s = rules.attention == .cheferHalved
                        ? RelevanceKernels.cheferQuotient(rCtx, context, epsilon: rules.stabiliser)
                        : RelevanceKernels.signedQuotient(rCtx, context, epsilon: rules.stabiliser)
                    rA = RelevanceKernels.product(a, MatrixProducts.timesTransposed(s, v, m: n, k: hd, n: n))
                    let aTransposeS = MatrixProducts.times(Self.transpose(a, n), s, m: n, k: n, n: hd)
                    rV = RelevanceKernels.product(v, aTransposeS)
                    if rules.attention == .cheferHalved {
                        for i in rA.indices { rA[i] /= 2 }
                        for i in rV.indices { rV[i] /= 2 }
                        // Softmax: identity. Then q·kᵀ (unscaled, as the official einsum): halved.
                        let scores = MatrixProducts.timesTransposed(q, k, m: n, k: hd, n: n)
                        let s2 = RelevanceKernels.cheferQuotient(rA, scores, epsilon: rules.stabiliser)
                        rQ = RelevanceKernels.product(q, MatrixProducts.times(s2, k, m: n, k: n, n: hd))
                        rK = RelevanceKernels.product(k, MatrixProducts.times(Self.transpose(s2, n), q, m: n, k: n, n: hd))
                        for i in rQ.indices { rQ[i] /= 2; rK[i] /= 2 }
                    }
                case .attnLRP:
                    // Uniform matmul rule (Achtibat et al. 2024, eq. 11): N = R ⊘ (2·Z).
                    var normalised = [Scalar].uninitialized(n * hd)
                    for i in 0..<(n * hd) { normalised[i] = Stabilise.signedDivide(rCtx[i], 2 * context[i], epsilon: eps) }
                    rA = RelevanceKernels.product(a, MatrixProducts.timesTransposed(normalised, v, m: n, k: hd, n: n))
                    rV = RelevanceKernels.product(v, MatrixProducts.times(Self.transpose(a, n), normalised, m: n, k: n, n: hd))
                    // Softmax rule (eq. 8): R_x = x ⊙ (R_A − A·ΣR_A) row-wise, x = scaled scores.
                    var scores = MatrixProducts.timesTransposed(q, k, m: n, k: hd, n: n)
                    for i in scores.indices { scores[i] *= scale }
                    var rScores = [Scalar].uninitialized(n * n)
                    var rowIn = 0.0, rowOut = 0.0
                    for row in 0..<n {
                        var total: Scalar = 0
                        for c in 0..<n { total += rA[row * n + c] }
                        for c in 0..<n {
                            let i = row * n + c
                            rScores[i] = scores[i] * (rA[i] - a[i] * total)
                            rowIn += Double(rScores[i])
                        }
                        rowOut += Double(total)
                    }
                    softmaxLeak += rowOut - rowIn
                    // Uniform rule on scores = scale·q·kᵀ.
                    var normalisedScores = [Scalar].uninitialized(n * n)
                    for i in 0..<(n * n) { normalisedScores[i] = Stabilise.signedDivide(rScores[i], 2 * scores[i], epsilon: eps) * scale }
                    rQ = RelevanceKernels.product(q, MatrixProducts.times(normalisedScores, k, m: n, k: n, n: hd))
                    rK = RelevanceKernels.product(k, MatrixProducts.times(Self.transpose(normalisedScores, n), q, m: n, k: n, n: hd))
                }
                for t in 0..<n {
                    for i in 0..<hd {
                        let row = (b * n + t) * 3 * d
                        rQKV[row + head * hd + i] = rQ[t * hd + i]
                        rQKV[row + d + head * hd + i] = rK[t * hd + i]
                        rQKV[row + 2 * d + head * hd + i] = rV[t * hd + i]
                    }
                }
                for i in 0..<(n * n) { rAttention[aOffset + i] = rA[i] }
            }
        }
        let (rInput, qkvAbsorbed) = queryKeyValue.relevance(
            rQKV, input: x, rows: batch * n, rule: rules.linear, stabiliser: rules.stabiliser)
        return RelevanceResult(
            input: rInput, attention: rAttention, biasAbsorbed: projectionAbsorbed + qkvAbsorbed, softmaxLeak: softmaxLeak)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func transpose(_ m: [Scalar], _ n: Int) -> [Scalar] {
        var t = [Scalar].uninitialized(n * n)
        for i in 0..<n { for j in 0..<n { t[j * n + i] = m[i * n + j] } }
        return t
    }
}
