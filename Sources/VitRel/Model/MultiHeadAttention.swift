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
        let n = tokens, d = dimension, hd = headDimension, h = headCount
        let qkv = queryKeyValue.forward(x, rows: batch * n)
        var attention = [Scalar].uninitialized(batch * h * n * n)
        var context = [Scalar].uninitialized(batch * n * d)
        qkv.withUnsafeBufferPointer { qkvp in
            attention.withUnsafeMutableBufferPointer { ap in
                for b in 0..<batch {
                    for head in 0..<h {
                        let q = qkvp.baseAddress! + b * n * 3 * d + head * hd
                        let k = q + d
                        Scalar.gemm(
                            transposeA: false, transposeB: true, m: n, n: n, k: hd, alpha: scale,
                            a: q, lda: 3 * d, b: k, ldb: 3 * d, beta: 0,
                            c: ap.baseAddress! + (b * h + head) * n * n, ldc: n)
                    }
                }
                Kernels.softmaxRows(ap.baseAddress!, rows: batch * h * n, columns: n)
                if let attentionOffset {
                    precondition(attentionOffset.count == ap.count, "attention offset size")
                    for i in 0..<ap.count { ap[i] += attentionOffset[i] }
                }
                context.withUnsafeMutableBufferPointer { cp in
                    for b in 0..<batch {
                        for head in 0..<h {
                            let v = qkvp.baseAddress! + b * n * 3 * d + 2 * d + head * hd
                            Scalar.gemm(
                                transposeA: false, transposeB: false, m: n, n: hd, k: n, alpha: 1,
                                a: ap.baseAddress! + (b * h + head) * n * n, lda: n, b: v, ldb: 3 * d, beta: 0,
                                c: cp.baseAddress! + b * n * d + head * hd, ldc: d)
                        }
                    }
                }
            }
        }
        let y = projection.forward(context, rows: batch * n)
        return (y, Cache(queryKeyValue: qkv, attention: attention, context: context))
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
        let n = tokens, d = dimension, h = headCount
        let dContext = projection.backward(dy, input: cache.context, rows: batch * n, gradient: &gradient.projection, accumulate: accumulate)
        var dAttention = [Scalar].uninitialized(batch * h * n * n)
        var dqkv = [Scalar].zeros(batch * n * 3 * d)
        cache.queryKeyValue.withUnsafeBufferPointer { qkvp in
            cache.attention.withUnsafeBufferPointer { ap in
                dContext.withUnsafeBufferPointer { dcp in
                    dAttention.withUnsafeMutableBufferPointer { dap in
                        dqkv.withUnsafeMutableBufferPointer { dqkvp in
                            backwardHeads(
                                qkv: qkvp.baseAddress!, probabilities: ap.baseAddress!, dContext: dcp.baseAddress!,
                                batch: batch, tokens: n, valueFactor: valueFactor, scoreFactor: scoreFactor,
                                dAttention: dap.baseAddress!, dqkv: dqkvp.baseAddress!)
                        }
                    }
                }
            }
        }
        let dx = queryKeyValue.backward(dqkv, input: x, rows: batch * n, gradient: &gradient.queryKeyValue, accumulate: accumulate)
        return (dx, dAttention)
    }

    /// The per-head part of `backward` for every (image, head), the heads shared out to the
    /// threads as in the forward pass: each head's four small GEMMs (65×65×32 for the shipped
    /// model) and its softmax backward run on one thread with its [N, N] score gradient in a
    /// per-thread scratch. OpenBLAS runs products this small on the calling thread, so
    /// without this the heads ran one after another on one core. Heads write disjoint parts
    /// of `dAttention` and `dqkv`, so the result does not depend on the thread count.
    ///
    ///     dA = dC·Vᵀ ; dV = f_v·Aᵀ·dC ; dS = A ⊙ (dA − rowsum(A ⊙ dA))
    ///     S = scale·Q·Kᵀ: dQ = f_s·scale·dS·K ; dK = f_s·scale·dSᵀ·Q
    ///
    /// - Parameters:
    ///   - qkv: [B·N, 3D] q | k | v, read in place (leading dimension 3D).
    ///   - probabilities: [B, H, N, N]; dContext: [B·N, D] (heads concatenated).
    ///   - dAttention: [B, H, N, N] output; dqkv: [B·N, 3D] output (every entry written).
    func backwardHeads(
        qkv: UnsafePointer<Scalar>, probabilities: UnsafePointer<Scalar>, dContext: UnsafePointer<Scalar>,
        batch: Int, tokens n: Int, valueFactor: Scalar, scoreFactor: Scalar,
        dAttention: UnsafeMutablePointer<Scalar>, dqkv: UnsafeMutablePointer<Scalar>
    ) {
        let d = dimension, hd = headDimension, h = headCount, scale = self.scale
        Parallel.forEachChunk(batch * h) { heads in
            var dScores = [Scalar].uninitialized(n * n)  // [N, N] scratch of this thread
            dScores.withUnsafeMutableBufferPointer { dsp in
                let ds = dsp.baseAddress!
                for index in heads {
                    let b = index / h, head = index % h
                    let base = b * n * 3 * d + head * hd
                    let a = probabilities + index * n * n, da = dAttention + index * n * n
                    let dc = dContext + b * n * d + head * hd
                    Scalar.gemm(
                        transposeA: false, transposeB: true, m: n, n: n, k: hd, alpha: 1,
                        a: dc, lda: d, b: qkv + base + 2 * d, ldb: 3 * d, beta: 0, c: da, ldc: n)
                    Scalar.gemm(
                        transposeA: true, transposeB: false, m: n, n: hd, k: n, alpha: valueFactor,
                        a: a, lda: n, b: dc, ldb: d, beta: 0, c: dqkv + base + 2 * d, ldc: 3 * d)
                    Kernels.softmaxBackwardRows(probabilities: a, gradient: da, into: ds, rows: n, columns: n)
                    Scalar.gemm(
                        transposeA: false, transposeB: false, m: n, n: hd, k: n, alpha: scale * scoreFactor,
                        a: ds, lda: n, b: qkv + base + d, ldb: 3 * d, beta: 0, c: dqkv + base, ldc: 3 * d)
                    Scalar.gemm(
                        transposeA: true, transposeB: false, m: n, n: hd, k: n, alpha: scale * scoreFactor,
                        a: ds, lda: n, b: qkv + base, ldb: 3 * d, beta: 0, c: dqkv + base + d, ldc: 3 * d)
                }
            }
        }
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
