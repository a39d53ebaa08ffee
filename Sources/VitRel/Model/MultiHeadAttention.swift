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
        gradient: inout MultiHeadAttention, accumulate: Bool = true
    ) -> (dx: [Scalar], dAttention: [Scalar]) {
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
                                        transposeA: true, transposeB: false, m: n, n: hd, k: n, alpha: 1,
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
                                transposeA: false, transposeB: false, m: n, n: hd, k: n, alpha: scale,
                                a: ds, lda: n, b: qkvp.baseAddress! + base + d, ldb: 3 * d, beta: 0,
                                c: dqkvp.baseAddress! + base, ldc: 3 * d)
                            Scalar.gemm(
                                transposeA: true, transposeB: false, m: n, n: hd, k: n, alpha: scale,
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
