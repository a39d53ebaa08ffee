/// Multi-head self-attention (Vaswani et al. 2017) as timm's `Attention`: one qkv projection
/// whose rows are q|k|v (head-major inside each), softmax(q·kᵀ·d^-½)·v per head, then an
/// output projection.
///
/// Queries, keys and values are never copied out of the qkv buffer: each head's GEMM reads
/// them in place with a leading dimension of 3D.
///
/// With timm's `qk_norm=True` (Dehghani et al. 2023, "Scaling Vision Transformers to 22
/// Billion Parameters": LayerNorm on queries and keys keeps the attention logits from
/// growing without bound) each head's q and k pass through a LayerNorm over the head
/// dimension before the product (`attn.q_norm`, `attn.k_norm`, weights [head_dim], shared by
/// the heads). The qkv buffer the heads read then holds the normalised q and k; the
/// projection's own output is kept beside it for the backward and relevance passes
/// (`QueryKeyNorm.swift` holds the forward, backward and relevance of that hop).
public struct MultiHeadAttention<Scalar: TensorScalar>: Sendable {
    /// [3D, D]
    public var queryKeyValue: Linear<Scalar>
    /// [D, D]
    public var projection: Linear<Scalar>
    public var headCount: Int
    /// timm `attn.q_norm`: LayerNorm over each head's query, [head_dim]; nil without qk_norm.
    public var queryNorm: LayerNorm<Scalar>?
    /// timm `attn.k_norm`: LayerNorm over each head's key, [head_dim]; nil without qk_norm.
    public var keyNorm: LayerNorm<Scalar>?

    public init(
        queryKeyValue: Linear<Scalar>, projection: Linear<Scalar>, headCount: Int,
        queryNorm: LayerNorm<Scalar>? = nil, keyNorm: LayerNorm<Scalar>? = nil
    ) {
        precondition(queryKeyValue.outputCount == 3 * queryKeyValue.inputCount, "qkv must be [3D, D]")
        precondition(queryKeyValue.inputCount % headCount == 0, "width not divisible by heads")
        precondition((queryNorm == nil) == (keyNorm == nil), "qk_norm normalises both q and k or neither")
        for norm in [queryNorm, keyNorm].compactMap({ $0 }) {
            precondition(norm.dimension * headCount == queryKeyValue.inputCount, "q/k norm of width \(norm.dimension) for \(headCount) heads of width \(queryKeyValue.inputCount)")
        }
        self.queryKeyValue = queryKeyValue
        self.projection = projection
        self.headCount = headCount
        self.queryNorm = queryNorm
        self.keyNorm = keyNorm
    }

    public var dimension: Int { projection.outputCount }
    public var headDimension: Int { dimension / headCount }
    public var scale: Scalar { 1 / Scalar(headDimension).squareRoot() }

    public func zeroed() -> MultiHeadAttention {
        MultiHeadAttention(
            queryKeyValue: queryKeyValue.zeroed(), projection: projection.zeroed(), headCount: headCount,
            queryNorm: queryNorm?.zeroed(), keyNorm: keyNorm?.zeroed())
    }

    /// Activations the backward pass and the explanation methods need.
    public struct Cache: Sendable {
        /// [B·N, 3D]: q | k | v as the heads read them (q and k normalised with qk_norm)
        public var queryKeyValue: [Scalar]
        /// [B, H, N, N]: softmax probabilities (the "attention maps")
        public var attention: [Scalar]
        /// [B·N, D]: heads concatenated, before the output projection
        public var context: [Scalar]
        /// With qk_norm: the qkv projection's output before q_norm and k_norm, [B·N, 3D], and
        /// the two norms' caches (rows B·N·H of head_dim). nil without qk_norm.
        public var queryKeyNorm: QueryKeyNormCache? = nil
        /// The qkv and output projections' rounded operands when the pass ran at bf16
        /// (training), else nil. The heads' own products stay Float32.
        public var queryKeyValueOperands: BFloat16Operands? = nil
        public var projectionOperands: BFloat16Operands? = nil
    }

    /// x [B·N, D] → y [B·N, D]. `attentionOffset` [B, H, N, N], when given, is added to the
    /// probabilities after the softmax (finite-difference checks of ∂y/∂A, ablations).
    /// `precision`: of the qkv and output projections (`Linear.tracedForward`); bf16 only for
    /// training.
    public func forward(
        _ x: [Scalar], batch: Int, tokens: Int, attentionOffset: [Scalar]? = nil, precision: ProductPrecision = .fp32
    ) -> (y: [Scalar], cache: Cache) {
        let n = tokens, d = dimension, h = headCount
        var (qkv, queryKeyValueOperands) = queryKeyValue.tracedForward(x, rows: batch * n, precision: precision)
        let queryKeyNormCache = normaliseQueryAndKey(&qkv, rows: batch * n)
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
        let (y, projectionOperands) = projection.tracedForward(context, rows: batch * n, precision: precision)
        return (y, Cache(
            queryKeyValue: qkv, attention: attention, context: context, queryKeyNorm: queryKeyNormCache,
            queryKeyValueOperands: queryKeyValueOperands, projectionOperands: projectionOperands))
    }

    /// The forward pass without a cache, for inference: x [B·N, D] → y [B·N, D] in caller-owned
    /// buffers (`queryKeyValue` [B·N, 3D] and `context` [B·N, D] are scratch). The attention
    /// maps live only in one [N, N] scratch per thread. Same arithmetic as `forward`, so the
    /// same bits (unless the projections carry bfloat16 weights, `ProductPrecision.bf16`).
    public func forward(
        _ x: [Scalar], batch: Int, tokens: Int, queryKeyValue qkv: inout [Scalar], context: inout [Scalar],
        into y: inout [Scalar]
    ) {
        let n = tokens
        queryKeyValue.inferenceForward(x, rows: batch * n, into: &qkv)
        normaliseQueryAndKey(&qkv, rows: batch * n, keepingProjection: false)
        qkv.withUnsafeBufferPointer { qkvp in
            context.withUnsafeMutableBufferPointer { cp in
                attendHeads(
                    qkvp.baseAddress!, batch: batch, tokens: n, probabilities: nil, attentionOffset: nil,
                    context: cp.baseAddress!)
            }
        }
        projection.inferenceForward(context, rows: batch * n, into: &y)
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
    ///
    /// `baseline`: the baseline's cache, for `GradientRule.deepLIFTRescale` only. The products
    /// then use the endpoint means q̄, k̄, v̄, Ā (the product rule Δ(ab) = ā·Δb + Δa·b̄) and the
    /// softmax its secant multipliers (`softmaxRescaleBackward`); the results are multipliers.
    ///
    /// `needsInputGradient` false stops at ∂loss/∂A (dx empty, no parameter gradients of qkv).
    public func backward(
        _ dy: [Scalar], input x: [Scalar], cache: Cache, batch: Int, tokens: Int,
        gradient: inout MultiHeadAttention, accumulate: Bool = true, rule: GradientRule = .exact, baseline: Cache? = nil,
        needsInputGradient: Bool = true
    ) -> (dx: [Scalar], dAttention: [Scalar]) {
        precondition((rule == .deepLIFTRescale) == (baseline != nil), "DeepLIFT needs the baseline's cache, and only it")
        // The operands the backward GEMMs read: the forward's, or the endpoint means (DeepLIFT).
        let qkvOperand = baseline.map { Kernels.midpoint(cache.queryKeyValue, $0.queryKeyValue) } ?? cache.queryKeyValue
        let attentionOperand = baseline.map { Kernels.midpoint(cache.attention, $0.attention) } ?? cache.attention
        // Modified gradients (see `GradientRule`): the uniform rule on A·V halves ∂/∂A and
        // ∂/∂V; on q·kᵀ it halves ∂/∂q and ∂/∂k again; constant attention stops at A.
        let valueFactor: Scalar = rule == .attnLRP ? 0.5 : 1
        let scoreFactor: Scalar = rule == .attnLRP ? 0.25 : (rule == .constantAttention ? 0 : 1)
        let n = tokens, d = dimension, h = headCount
        let dContext = projection.backward(
            dy, input: cache.context, rows: batch * n, gradient: &gradient.projection, accumulate: accumulate,
            operands: cache.projectionOperands)
        var dAttention = [Scalar].uninitialized(batch * h * n * n)
        var dqkv = [Scalar].zeros(needsInputGradient ? batch * n * 3 * d : 0)
        if baseline == nil && needsInputGradient {
            // The common case: every head's four GEMMs and softmax backward on one thread.
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
        } else {
            // DeepLIFT (endpoint means, softmax secants) or a pass that stops at ∂/∂A.
            let hd = headDimension
            var dScores = [Scalar].uninitialized(needsInputGradient ? batch * h * n * n : 0)
            qkvOperand.withUnsafeBufferPointer { qkvp in
                attentionOperand.withUnsafeBufferPointer { ap in
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
                                        guard needsInputGradient else { continue }
                                        Scalar.gemm(
                                            transposeA: true, transposeB: false, m: n, n: hd, k: n, alpha: valueFactor,
                                            a: a, lda: n, b: dc, ldb: d, beta: 0,
                                            c: dqkvp.baseAddress! + base + 2 * d, ldc: 3 * d)
                                    }
                                }
                            }
                        }
                    }
                    guard needsInputGradient else { return }
                    if let baseline {
                        let scores = self.scores(cache.queryKeyValue, batch: batch, tokens: n)
                        let baselineScores = self.scores(baseline.queryKeyValue, batch: batch, tokens: n)
                        dScores = Self.softmaxRescaleBackward(dAttention, scores: scores, baselineScores: baselineScores, rows: batch * h * n, columns: n)
                        return
                    }
                    dAttention.withUnsafeBufferPointer { dap in
                        dScores.withUnsafeMutableBufferPointer { dsp in
                            Kernels.softmaxBackwardRows(
                                probabilities: ap.baseAddress!, gradient: dap.baseAddress!, into: dsp.baseAddress!,
                                rows: batch * h * n, columns: n)
                        }
                    }
                }
                guard needsInputGradient else { return }
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
        }
        guard needsInputGradient else { return ([], dAttention) }
        if let normCache = cache.queryKeyNorm {
            // Through k_norm and q_norm to the projection's output (σ detached under the LRP
            // rules, endpoint secants under DeepLIFT, as for norm1 and norm2).
            queryKeyNormBackward(
                &dqkv, cache: normCache, rows: batch * n, gradient: &gradient, accumulate: accumulate, rule: rule,
                baseline: baseline?.queryKeyNorm)
        }
        let dx = queryKeyValue.backward(
            dqkv, input: x, rows: batch * n, gradient: &gradient.queryKeyValue, accumulate: accumulate,
            operands: cache.queryKeyValueOperands)
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

// MARK: - DeepLIFT

extension MultiHeadAttention {
    /// Scaled scores d^-½·q·kᵀ per head, [B, H, N, N], from a [B·N, 3D] qkv buffer (the
    /// softmax's input, which the forward pass does not keep).
    func scores(_ qkv: [Scalar], batch: Int, tokens n: Int) -> [Scalar] {
        let d = dimension, hd = headDimension, h = headCount
        var scores = [Scalar].uninitialized(batch * h * n * n)
        qkv.withUnsafeBufferPointer { qkvp in
            scores.withUnsafeMutableBufferPointer { sp in
                for b in 0..<batch {
                    for head in 0..<h {
                        let q = qkvp.baseAddress! + b * n * 3 * d + head * hd
                        Scalar.gemm(
                            transposeA: false, transposeB: true, m: n, n: n, k: hd, alpha: scale,
                            a: q, lda: 3 * d, b: q + d, ldb: 3 * d, beta: 0,
                            c: sp.baseAddress! + (b * h + head) * n * n, ldc: n)
                    }
                }
            }
        }
        return scores
    }

    /// DeepLIFT multipliers of the softmax input s given multipliers g of p = softmax(s), per
    /// row, between the scores s at the input and s′ at the baseline.
    ///
    /// p = e·(1/Z) with e = exp(s − c) (c: the larger of the two rows' maxima, the same for
    /// both endpoints so e is one function), Z = Σe. Rescale rule per element:
    /// Δe = m_e ⊙ Δs, m_e = Δe/Δs; the secant of 1/Z is exactly −1/(Z·Z′); product rule
    /// Δp = ē·Δ(1/Z) + Δe·mean(1/Z). Hence Δp = mean(1/Z)·m_e ⊙ Δs − ē·(m_e·Δs)/(Z·Z′) exactly,
    /// and its transpose gives ds = m_e ⊙ (mean(1/Z)·g − (ē·g)/(Z·Z′)). As s′ → s this is the
    /// softmax's exact backward p ⊙ (g − p·g).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func softmaxRescaleBackward(
        _ g: [Scalar], scores s: [Scalar], baselineScores s0: [Scalar], rows: Int, columns n: Int
    ) -> [Scalar] {
        precondition(g.count == rows * n && s.count == rows * n && s0.count == rows * n, "softmax rescale shapes")
        var ds = [Scalar].uninitialized(rows * n)
        var e = [Scalar].uninitialized(n), e0 = [Scalar].uninitialized(n)
        for row in 0..<rows {
            let base = row * n
            var shift = s[base]
            for j in 0..<n { shift = max(shift, s[base + j], s0[base + j]) }
            var z: Scalar = 0, z0: Scalar = 0
            for j in 0..<n {
                e[j] = Scalar.exp(s[base + j] - shift)
                e0[j] = Scalar.exp(s0[base + j] - shift)
                z += e[j]
                z0 += e0[j]
            }
            var meanEG: Scalar = 0
            for j in 0..<n { meanEG += (e[j] + e0[j]) / 2 * g[base + j] }
            let meanInverse = (1 / z + 1 / z0) / 2
            let inverseSecant = -1 / (z * z0)
            for j in 0..<n {
                let midpoint = (s[base + j] + s0[base + j]) / 2
                let multiplier = RescaleMultiplier.secant(
                    dy: e[j] - e0[j], dx: s[base + j] - s0[base + j], midpoint: midpoint,
                    derivative: Scalar.exp(midpoint - shift))
                ds[base + j] = multiplier * (meanInverse * g[base + j] + inverseSecant * meanEG)
            }
        }
        return ds
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
        /// The part of `biasAbsorbed` that q_norm's and k_norm's shifts β absorbed (qk_norm).
        public var queryKeyNormAbsorbed: Double = 0
    }

    /// Relevance r [B·N, D] at the output, propagated to the input (rules in `RelevanceRules`).
    /// `output`: the attention's forward output (for the fast αβ form of the projection).
    /// `needsInput` false stops once R_A is known (the rollout methods' lowest block): the
    /// q·kᵀ rule and the qkv rule are skipped and `input` is empty.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relevance(
        _ r: [Scalar], input x: [Scalar], cache: Cache, batch: Int, tokens: Int, rules: RelevanceRules,
        output: [Scalar]? = nil, needsInput: Bool = true
    ) -> RelevanceResult {
        let n = tokens, d = dimension, hd = headDimension, h = headCount
        let (rContext, projectionAbsorbed) = projection.relevance(
            r, input: cache.context, rows: batch * n, rule: rules.linear, stabiliser: rules.weightRuleStabiliser,
            output: rules.fastAlphaBeta ? output : nil)
        var rQKV = [Scalar].zeros(batch * n * 3 * d)
        var rAttention = [Scalar].zeros(batch * h * n * n)
        var headLeaks = [Double](repeating: 0, count: batch * h)
        // Heads in parallel, each on one thread with its small GEMMs serial (as `backwardHeads`):
        // one after another they left a core idle (90 against 45 ms of a ViT-B explanation).
        // Each head writes its own slices, and the leaks are summed in head order, so nothing
        // depends on the thread count.
        rQKV.withUnsafeMutableBufferPointer { relevanceQKV in
            rAttention.withUnsafeMutableBufferPointer { relevanceAttention in
                headLeaks.withUnsafeMutableBufferPointer { leaks in
                    Parallel.forEachChunk(batch * h) { indices in
                        for index in indices {
                            let head = headRelevance(
                                index: index, relevanceOfContext: rContext, cache: cache, tokens: n, rules: rules,
                                needsInput: needsInput)
                            let b = index / h, column = (index % h) * hd
                            for t in 0..<n where needsInput {
                                let row = (b * n + t) * 3 * d + column
                                for i in 0..<hd {
                                    relevanceQKV[row + i] = head.query[t * hd + i]
                                    relevanceQKV[row + d + i] = head.key[t * hd + i]
                                    relevanceQKV[row + 2 * d + i] = head.value[t * hd + i]
                                }
                            }
                            let offset = index * n * n
                            for i in 0..<(n * n) { relevanceAttention[offset + i] = head.attention[i] }
                            leaks[index] = head.softmaxLeak
                        }
                    }
                }
            }
        }
        let softmaxLeak = headLeaks.reduce(0, +)
        guard needsInput else {
            return RelevanceResult(input: [], attention: rAttention, biasAbsorbed: projectionAbsorbed, softmaxLeak: 0)
        }
        var normAbsorbed = 0.0
        if let normCache = cache.queryKeyNorm {
            normAbsorbed = queryKeyNormRelevance(&rQKV, cache: normCache, normalised: cache.queryKeyValue, rows: batch * n, rules: rules)
        }
        let (rInput, qkvAbsorbed) = queryKeyValue.relevance(
            rQKV, input: x, rows: batch * n, rule: rules.linear, stabiliser: rules.weightRuleStabiliser,
            output: rules.fastAlphaBeta ? (cache.queryKeyNorm?.projected ?? cache.queryKeyValue) : nil)
        return RelevanceResult(
            input: rInput, attention: rAttention, biasAbsorbed: projectionAbsorbed + normAbsorbed + qkvAbsorbed,
            softmaxLeak: softmaxLeak, queryKeyNormAbsorbed: normAbsorbed)
    }

    /// One head's share of `relevance`: R of its q, k, v [N, hd] (empty when `needsInput` is
    /// false) and of its attention probabilities [N, N], and the relevance the softmax rule
    /// leaked (AttnLRP only). `index` = b·H + head.
    private func headRelevance(
        index: Int, relevanceOfContext rContext: [Scalar], cache: Cache, tokens n: Int, rules: RelevanceRules,
        needsInput: Bool
    ) -> (query: [Scalar], key: [Scalar], value: [Scalar], attention: [Scalar], softmaxLeak: Double) {
        let d = dimension, hd = headDimension, h = headCount
        let b = index / h, head = index % h
        let eps = Scalar(rules.stabiliser)
        let qkv = cache.queryKeyValue
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
        let aOffset = index * n * n
        let a = Array(cache.attention[aOffset..<(aOffset + n * n)])
        var rQ = [Scalar].zeros(n * hd), rK = [Scalar].zeros(n * hd), rV: [Scalar], rA: [Scalar]
        var leak = 0.0

        switch rules.attention {
        case .cheferHalved, .constantAttention:
            // Generic rule on context = A·V: S = R ⊘ Z, R_A = A ⊙ (S·Vᵀ), R_V = V ⊙ (Aᵀ·S).
            let s = rules.attention == .cheferHalved
                ? RelevanceKernels.cheferQuotient(rCtx, context, epsilon: rules.stabiliser)
                : RelevanceKernels.signedQuotient(rCtx, context, epsilon: rules.stabiliser)
            rA = RelevanceKernels.product(a, MatrixProducts.timesTransposed(s, v, m: n, k: hd, n: n))
            if rules.attention == .cheferHalved { for i in rA.indices { rA[i] /= 2 } }
            guard needsInput else {
                rV = []
                break
            }
            let aTransposeS = MatrixProducts.times(Self.transpose(a, n), s, m: n, k: n, n: hd)
            rV = RelevanceKernels.product(v, aTransposeS)
            if rules.attention == .cheferHalved {
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
            guard needsInput else {
                rV = []
                break
            }
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
            leak = rowOut - rowIn
            // Uniform rule on scores = scale·q·kᵀ.
            var normalisedScores = [Scalar].uninitialized(n * n)
            for i in 0..<(n * n) { normalisedScores[i] = Stabilise.signedDivide(rScores[i], 2 * scores[i], epsilon: eps) * scale }
            rQ = RelevanceKernels.product(q, MatrixProducts.times(normalisedScores, k, m: n, k: n, n: hd))
            rK = RelevanceKernels.product(k, MatrixProducts.times(Self.transpose(normalisedScores, n), q, m: n, k: n, n: hd))
        }
        return (rQ, rK, rV, rA, leak)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func transpose(_ m: [Scalar], _ n: Int) -> [Scalar] {
        var t = [Scalar].uninitialized(n * n)
        for i in 0..<n { for j in 0..<n { t[j * n + i] = m[i * n + j] } }
        return t
    }
}
