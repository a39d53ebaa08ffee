/// A fully connected layer y = x·Wᵀ + b, with PyTorch's weight layout W[out, in].
///
/// Forward, backward and (later) relevance rules live here together; the input the backward
/// needs is passed back in by the caller, which keeps it in its trace.
public struct Linear<Scalar: TensorScalar>: Sendable {
    /// [outputCount, inputCount]
    public var weight: Tensor<Scalar>
    /// [outputCount], or nil for a bias-free layer.
    public var bias: Tensor<Scalar>?

    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "bias \(bias.shape) for weight \(weight.shape)") }
        self.weight = weight
        self.bias = bias
    }

    /// A zero layer of the same shape (gradient accumulator).
    public func zeroed() -> Linear {
        Linear(weight: Tensor(zeros: weight.shape), bias: bias.map { Tensor(zeros: $0.shape) })
    }

    public var inputCount: Int { weight.shape[1] }
    public var outputCount: Int { weight.shape[0] }

    /// y[rows, out] = x[rows, in]·Wᵀ + b.
    public func forward(_ x: [Scalar], rows: Int) -> [Scalar] {
        precondition(x.count == rows * inputCount, "Linear input \(x.count) ≠ \(rows)×\(inputCount)")
        var y = [Scalar].uninitialized(rows * outputCount)
        forward(x, rows: rows, into: &y)
        return y
    }

    /// Writes x·Wᵀ + b into `y` (which may be a preallocated buffer).
    public func forward(_ x: [Scalar], rows: Int, into y: inout [Scalar]) {
        let m = rows, n = outputCount, k = inputCount
        precondition(x.count == m * k && y.count == m * n, "Linear input \(x.count) ≠ \(m)×\(k) or output \(y.count) ≠ \(m)×\(n)")
        guard m > 0 && n > 0 else { return }
        x.withUnsafeBufferPointer { xp in
            weight.scalars.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    guard let bias else {
                        Scalar.gemm(
                            transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                            a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: k, beta: 0, c: yp.baseAddress!, ldc: n)
                        return
                    }
                    bias.scalars.withUnsafeBufferPointer { bp in
                        Scalar.gemm(
                            transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                            a: xp.baseAddress!, lda: k, b: wp.baseAddress!, ldb: k, c: yp.baseAddress!, ldc: n,
                            rowBias: bp.baseAddress!)
                    }
                }
            }
        }
    }

    /// Backward pass: returns dx = dy·W (when `needInputGradient`, else an empty array) and,
    /// when `accumulate`, adds dW += dyᵀ·x and db += Σ_rows dy into `gradient`.
    public func backward(
        _ dy: [Scalar], input x: [Scalar], rows: Int, gradient: inout Linear, accumulate: Bool = true,
        needInputGradient: Bool = true
    ) -> [Scalar] {
        let m = rows, n = outputCount, k = inputCount
        precondition(dy.count == m * n && x.count == m * k, "Linear backward shapes")
        if accumulate { accumulateParameterGradients(dy, input: x, rows: rows, into: &gradient) }
        guard needInputGradient else { return [] }
        return inputGradient(dy, rows: rows)
    }

    /// dW += dyᵀ·x ; db += Σ_rows dy.
    public func accumulateParameterGradients(_ dy: [Scalar], input x: [Scalar], rows: Int, into gradient: inout Linear) {
        let m = rows, n = outputCount, k = inputCount
        dy.withUnsafeBufferPointer { dyp in
            x.withUnsafeBufferPointer { xp in
                gradient.weight.scalars.withUnsafeMutableBufferPointer { dwp in
                    Scalar.gemm(
                        transposeA: true, transposeB: false, m: n, n: k, k: m, alpha: 1,
                        a: dyp.baseAddress!, lda: n, b: xp.baseAddress!, ldb: k, beta: 1, c: dwp.baseAddress!, ldc: k)
                }
            }
            if gradient.bias != nil {
                gradient.bias!.scalars.withUnsafeMutableBufferPointer { dbp in
                    Kernels.accumulateColumnSums(dyp.baseAddress!, rows: m, columns: n, into: dbp.baseAddress!)
                }
            }
        }
    }

    /// dx = dy·W (no parameter gradients). Rows of dy that are all zero (the last block's
    /// tokens other than CLS under CLS pooling) are skipped: their dx rows are exactly 0.
    public func inputGradient(_ dy: [Scalar], rows: Int) -> [Scalar] {
        let m = rows, n = outputCount, k = inputCount
        let active = Kernels.nonZeroRows(dy, rows: m, columns: n)
        if active.count < m {
            var dx = [Scalar].zeros(m * k)
            if !active.isEmpty {
                Kernels.scatterRows(
                    inputGradient(Kernels.gatherRows(dy, active, columns: n), rows: active.count), active, columns: k, into: &dx)
            }
            return dx
        }
        var dx = [Scalar].uninitialized(m * k)
        dy.withUnsafeBufferPointer { dyp in
            weight.scalars.withUnsafeBufferPointer { wp in
                dx.withUnsafeMutableBufferPointer { dxp in
                    Scalar.gemm(
                        transposeA: false, transposeB: false, m: m, n: k, k: n, alpha: 1,
                        a: dyp.baseAddress!, lda: n, b: wp.baseAddress!, ldb: k, beta: 0, c: dxp.baseAddress!, ldc: k)
                }
            }
        }
        return dx
    }
}

// MARK: - Relevance

extension Linear {
    /// Relevance of the input x [rows, in] given relevance r [rows, out] at the output.
    /// Returns the input relevance and the relevance the bias absorbed (Σ b_j·R_j/z_j; zero
    /// for rules that ignore the bias). Any remaining gap is the stabiliser's, or (αβ, z⁺)
    /// relevance at outputs without a single positive contribution, which those rules drop.
    /// `stabiliser` is the ε of the divisions in the αβ, z⁺ and γ rules (Chefer: 1e-9).
    ///
    /// `output`: this layer's forward output x·Wᵀ + b [rows, out] as the trace holds it. With
    /// it, αβ with β = 0 runs `activatorRelevance` (3 GEMMs instead of 4); without it, the
    /// textbook form `alphaBetaRelevance`. `absoluteWeight`: |W|, when the caller keeps it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relevance(
        _ r: [Scalar], input x: [Scalar], rows: Int, rule: RelevanceRules.LinearRule, stabiliser: Double = 1e-9,
        output: [Scalar]? = nil, absoluteWeight: [Scalar]? = nil
    ) -> (relevance: [Scalar], biasAbsorbed: Double) {
        let m = rows, n = outputCount, k = inputCount
        precondition(r.count == m * n && x.count == m * k, "Linear relevance shapes")
        switch rule {
        case .epsilon(let epsilon):
            let z = forward(x, rows: m)
            let s = RelevanceKernels.signedQuotient(r, z, epsilon: epsilon)
            let c = MatrixProducts.times(s, weight.scalars, m: m, k: n, n: k)
            let absorbed = bias.map { RelevanceKernels.biasAbsorption(s, bias: $0.scalars, rows: m) } ?? 0
            return (RelevanceKernels.product(x, c), absorbed)

        case .alphaBeta(let alpha, let beta):
            if beta == 0, let output {
                return (activatorRelevance(r, input: x, output: output, rows: m, alpha: alpha, stabiliser: stabiliser,
                                           absoluteWeight: absoluteWeight), 0)
            }
            return (alphaBetaRelevance(r, input: x, rows: m, alpha: alpha, beta: beta, stabiliser: stabiliser), 0)

        case .zPlus:
            let positiveWeights = weight.scalars.map { max($0, 0) }
            let z = MatrixProducts.timesTransposed(x, positiveWeights, m: m, k: k, n: n)
            let s = RelevanceKernels.cheferQuotient(r, z, epsilon: stabiliser)
            let c = MatrixProducts.times(s, positiveWeights, m: m, k: n, n: k)
            return (RelevanceKernels.product(x, c), 0)

        case .gamma(let gamma):
            let g = Scalar(gamma)
            let upWeights = weight.scalars.map { $0 + g * max($0, 0) }
            let downWeights = weight.scalars.map { $0 + g * min($0, 0) }
            let z = forward(x, rows: m)
            var zUp = MatrixProducts.timesTransposed(x, upWeights, m: m, k: k, n: n)
            var zDown = MatrixProducts.timesTransposed(x, downWeights, m: m, k: k, n: n)
            if let bias {
                for row in 0..<m { for j in 0..<n { zUp[row * n + j] += bias.scalars[j]; zDown[row * n + j] += bias.scalars[j] } }
            }
            var sUp = [Scalar].zeros(m * n), sDown = [Scalar].zeros(m * n)
            for i in 0..<(m * n) {
                if z[i] > 0 {
                    sUp[i] = Stabilise.signedDivide(r[i], zUp[i], epsilon: Scalar(stabiliser))
                } else {
                    sDown[i] = Stabilise.signedDivide(r[i], zDown[i], epsilon: Scalar(stabiliser))
                }
            }
            var c = MatrixProducts.times(sUp, upWeights, m: m, k: n, n: k)
            Kernels.addInPlace(&c, MatrixProducts.times(sDown, downWeights, m: m, k: n, n: k))
            var absorbed = 0.0
            if let bias {
                absorbed = RelevanceKernels.biasAbsorption(sUp, bias: bias.scalars, rows: m)
                    + RelevanceKernels.biasAbsorption(sDown, bias: bias.scalars, rows: m)
            }
            return (RelevanceKernels.product(x, c), absorbed)
        }
    }
}

// MARK: - The αβ rule, textbook and fast forms

extension Linear {
    /// LRP-αβ as Chefer et al. 2021 write it (layers_ours.Linear.relprop): X± = [x⁺ | x⁻]
    /// against [W⁺ | W⁻] (activators) and [W⁻ | W⁺] (inhibitors), bias ignored. Two GEMMs
    /// of twice the layer's size per term: the reference `activatorRelevance` is tested against.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func alphaBetaRelevance(
        _ r: [Scalar], input x: [Scalar], rows m: Int, alpha: Double, beta: Double, stabiliser: Double
    ) -> [Scalar] {
        let n = outputCount, k = inputCount
        let split = RelevanceKernels.signSplitRows(x, rows: m, columns: k)
        func term(positiveFirst: Bool) -> [Scalar] {
            var weights = [Scalar].uninitialized(n * 2 * k)
            for j in 0..<n {
                for i in 0..<k {
                    let w = weight.scalars[j * k + i]
                    let positive = max(w, 0), negative = min(w, 0)
                    weights[j * 2 * k + i] = positiveFirst ? positive : negative
                    weights[j * 2 * k + k + i] = positiveFirst ? negative : positive
                }
            }
            let z = MatrixProducts.timesTransposed(split, weights, m: m, k: 2 * k, n: n)
            let s = RelevanceKernels.cheferQuotient(r, z, epsilon: stabiliser)
            let c = MatrixProducts.times(s, weights, m: m, k: n, n: 2 * k)
            return RelevanceKernels.signSplitProduct(x, c, rows: m, columns: k)
        }
        var result = term(positiveFirst: true)
        if alpha != 1 { for i in result.indices { result[i] *= Scalar(alpha) } }
        if beta != 0 {
            let inhibitors = term(positiveFirst: false)
            for i in result.indices { result[i] -= Scalar(beta) * inhibitors[i] }
        }
        return result
    }

    /// LRP-αβ with β = 0 (Chefer's α = 1), the same rule as `alphaBetaRelevance` in three GEMMs
    /// instead of four, from the forward output the trace already holds:
    /// - activators z = x⁺W⁺ᵀ + x⁻W⁻ᵀ = ½(x·Wᵀ + |x|·|W|ᵀ), since x·Wᵀ adds the inhibitors
    ///   x⁺W⁻ᵀ + x⁻W⁺ᵀ and |x|·|W|ᵀ subtracts them; x·Wᵀ = output − b (no GEMM);
    /// - R = x⁺ ⊙ (s·W⁺) + x⁻ ⊙ (s·W⁻) = ½(x ⊙ (s·W) + |x| ⊙ (s·|W|)), s = R ⊘ z.
    /// Both sums cancel where an output's activators are a small part of |x|·|W|ᵀ: z would
    /// lose digits, and a large s would swamp the other outputs' terms. Such outputs
    /// (z < |x|·|W|ᵀ/16, which bounds every other term s·|x|·|w| by 16·|R|) are done directly:
    /// z = Σ_i max(x_i·w_ji, 0) and R_i += s·max(x_i·w_ji, 0), which also keeps an output
    /// without activators at exactly 0, as the textbook form does.
    /// Rows with no relevance (the last block under CLS pooling: all but CLS) are skipped;
    /// they would get exactly 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func activatorRelevance(
        _ r: [Scalar], input x: [Scalar], output y: [Scalar], rows m: Int, alpha: Double, stabiliser: Double,
        absoluteWeight: [Scalar]? = nil
    ) -> [Scalar] {
        let n = outputCount, k = inputCount
        precondition(r.count == m * n && x.count == m * k && y.count == m * n, "Linear relevance shapes")
        let active = Kernels.nonZeroRows(r, rows: m, columns: n)
        if active.count < m {
            var result = [Scalar].zeros(m * k)
            guard !active.isEmpty else { return result }
            let compact = activatorRelevance(
                Kernels.gatherRows(r, active, columns: n), input: Kernels.gatherRows(x, active, columns: k),
                output: Kernels.gatherRows(y, active, columns: n), rows: active.count, alpha: alpha, stabiliser: stabiliser,
                absoluteWeight: absoluteWeight)
            Kernels.scatterRows(compact, active, columns: k, into: &result)
            return result
        }
        let absoluteW = absoluteWeight ?? Kernels.absolute(weight.scalars)
        let absoluteX = Kernels.absolute(x)
        var z = MatrixProducts.timesTransposed(absoluteX, absoluteW, m: m, k: k, n: n)  // |x|·|W|ᵀ until overwritten
        var direct = [Bool](repeating: false, count: m * n)
        let half: Scalar = 0.5
        let bias = self.bias?.scalars ?? [Scalar].zeros(n)
        z.withUnsafeMutableBufferPointer { zp in
            direct.withUnsafeMutableBufferPointer { dp in
                y.withUnsafeBufferPointer { yp in
                    x.withUnsafeBufferPointer { xp in
                        weight.scalars.withUnsafeBufferPointer { wp in
                            Parallel.forEachChunk(m, grain: max(1, 16384 / n)) { range in
                                for row in range {
                                    for j in 0..<n {
                                        let i = row * n + j
                                        let magnitude = zp[i]
                                        let activators = half * (yp[i] - bias[j] + magnitude)
                                        if magnitude == 0 {
                                            zp[i] = 0
                                        } else if activators < magnitude / 16 {
                                            var sum: Scalar = 0
                                            let xr = xp.baseAddress! + row * k, wr = wp.baseAddress! + j * k
                                            for c in 0..<k { sum += max(xr[c] * wr[c], 0) }
                                            zp[i] = sum
                                            dp[i] = true
                                        } else {
                                            zp[i] = activators
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var s = RelevanceKernels.cheferQuotient(r, z, epsilon: stabiliser)
        var directOutputs = [(index: Int, s: Scalar)]()
        for i in 0..<(m * n) where direct[i] && s[i] != 0 {
            directOutputs.append((i, s[i]))
            s[i] = 0
        }
        let signed = MatrixProducts.times(s, weight.scalars, m: m, k: n, n: k)
        let magnitudes = MatrixProducts.times(s, absoluteW, m: m, k: n, n: k)
        var result = [Scalar].uninitialized(m * k)
        let factor = half * Scalar(alpha)
        result.withUnsafeMutableBufferPointer { rp in
            x.withUnsafeBufferPointer { xp in
                absoluteX.withUnsafeBufferPointer { ap in
                    signed.withUnsafeBufferPointer { sp in
                        magnitudes.withUnsafeBufferPointer { mp in
                            Parallel.forEachChunk(m * k, grain: 16384) { range in
                                for i in range { rp[i] = factor * (xp[i] * sp[i] + ap[i] * mp[i]) }
                            }
                        }
                    }
                }
            }
            for (index, sj) in directOutputs {
                let row = index / n, j = index % n
                for c in 0..<k {
                    let product = x[row * k + c] * weight.scalars[j * k + c]
                    if product > 0 { rp[row * k + c] += Scalar(alpha) * product * sj }
                }
            }
        }
        return result
    }
}
