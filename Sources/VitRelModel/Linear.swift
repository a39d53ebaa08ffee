/// A fully connected layer y = x·Wᵀ + b, with PyTorch's weight layout W[out, in].
///
/// Forward, backward and relevance rules live here together; the input the backward needs is
/// passed back in by the caller, which keeps it in its trace.
public struct Linear<Scalar: TensorScalar>: Sendable {
    /// [outputCount, inputCount]
    public var weight: Tensor<Scalar>
    /// [outputCount], or nil for a bias-free layer.
    public var bias: Tensor<Scalar>?
    /// The weight rounded to bfloat16, present when the model's untraced pass runs at
    /// `ProductPrecision.bf16` (`VisionTransformer.setInferencePrecision`); only
    /// `inferenceForward` reads it. Made from `weight` once: whoever changes `weight` afterwards
    /// (the optimiser) must not set it.
    public var reducedWeight: BFloat16Matrix?

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
    /// when `accumulate`, adds dW += dyᵀ·x and db += Σ_rows dy into `gradient`. `operands`: the
    /// bfloat16 operands of a `tracedForward` at bf16; with them the two products run at bf16
    /// as well (`bfloat16Backward`).
    public func backward(
        _ dy: [Scalar], input x: [Scalar], rows: Int, gradient: inout Linear, accumulate: Bool = true,
        needInputGradient: Bool = true, operands: BFloat16Operands? = nil
    ) -> [Scalar] {
        let m = rows, n = outputCount, k = inputCount
        precondition(dy.count == m * n && x.count == m * k, "Linear backward shapes")
        if let operands {
            return bfloat16Backward(
                dy, input: x, operands: operands, rows: rows, gradient: &gradient, accumulate: accumulate,
                needInputGradient: needInputGradient)
        }
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
    /// Returns the input relevance and the relevance the bias absorbed: Σ b_j·R_j/z_j for ε,
    /// Σ c_j·s_j of the modified bias term c (b⁺ for z⁺, b + γb± for γ) for the signed-input
    /// rules, zero for αβ, which ignores the bias. Any remaining gap is the stabiliser's, or
    /// relevance a rule drops: at outputs without a single positive contribution (αβ, z⁺) or
    /// with z = 0 exactly (γ). `stabiliser` is the ε of the divisions in the αβ, z⁺ and γ
    /// rules (Chefer: 1e-9; zennit: 1e-6).
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
            return signedInputRelevance(
                r, input: x, rows: m, terms: [zPlusTerm()], stabiliser: stabiliser, output: output)

        case .gamma(let gamma):
            let (positive, negative) = gammaTerms(gamma)
            return signedInputRelevance(
                r, input: x, rows: m, terms: [positive, negative], stabiliser: stabiliser, output: output)
        }
    }
}

// MARK: - Rules that treat positive and negative inputs apart (generalised z⁺ and γ)

extension Linear {
    /// Which outputs a `SignedInputTerm` explains.
    public enum OutputSign: Sendable {
        /// Every output (z⁺).
        case any
        /// Outputs with z = x·Wᵀ + b > 0 (γ, first term).
        case positive
        /// Outputs with z < 0 (γ, second term). Outputs with z = 0 exactly belong to neither γ
        /// term: their relevance is dropped, as zennit drops it, and shows as a stabiliser leak.
        case negative
    }

    /// One term of a rule that modifies the weights by the sign of the input, as zennit's
    /// `BasicHook` runs its rules (`zennit/core.py`; input modifiers x⁺ = max(x, 0) and
    /// x⁻ = min(x, 0), one parameter modifier each): for the outputs j it selects,
    ///   z′_j = Σ_i x⁺_i·A_ji + Σ_i x⁻_i·B_ji + c_j,   s_j = R_j ⊘ (z′_j + ε·sign z′_j),
    ///   R_i += x⁺_i·Σ_j s_j·A_ji + x⁻_i·Σ_j s_j·B_ji,
    /// and the bias term c absorbs Σ_j c_j·s_j. Reading signed inputs through x⁺ and x⁻ apart is
    /// what makes these rules valid for normalised pixels and LayerNorm outputs: the rules
    /// written for x ≥ 0 apply one modified W to all of x, and a negative x_i then turns an
    /// added "positive" contribution x_i·γw⁺_ji negative, so z′ can shrink, reach zero or flip
    /// sign against z (issue 17).
    public struct SignedInputTerm: Sendable {
        /// Weights for x⁺ [out, in].
        public var positiveInputWeight: [Scalar]
        /// Weights for x⁻ [out, in].
        public var negativeInputWeight: [Scalar]
        /// c [out], or nil for no bias term.
        public var bias: [Scalar]?
        public var outputs: OutputSign
    }

    /// LRP-z⁺ for signed inputs (Montavon et al. 2017, "Explaining nonlinear classification
    /// decisions with deep Taylor decomposition", the z⁺-rule for x ≥ 0, generalised to x of
    /// either sign as zennit's `rules.ZPlus` does it, `zennit/rules.py`): x⁺ against W⁺ with the bias term b⁺, x⁻ against
    /// W⁻ and no bias, for every output: z′ = x⁺·W⁺ᵀ + x⁻·W⁻ᵀ + b⁺ ≥ 0. Only positive
    /// contributions x_i·w_ji > 0 receive relevance (αβ with α = 1, β = 0, plus b⁺). For x ≥ 0
    /// this is Montavon's x·W⁺ᵀ with b⁺ added to the denominator.
    public func zPlusTerm() -> SignedInputTerm {
        SignedInputTerm(
            positiveInputWeight: weight.scalars.map { max($0, 0) }, negativeInputWeight: weight.scalars.map { min($0, 0) },
            bias: bias?.scalars.map { max($0, 0) }, outputs: .any)
    }

    /// The generalised LRP-γ for signed inputs (Montavon et al. 2019, "Layer-wise relevance
    /// propagation: an overview", §10.2.3, generalised by Andéol et al. 2021; zennit
    /// `rules.Gamma`, `zennit/rules.py`, which LXT's ViT example uses on the patch embedding).
    /// With W↑ = W + γW⁺, W↓ = W + γW⁻:
    /// - outputs with z > 0: x⁺ against W↑ and x⁻ against W↓, bias b + γb⁺, so
    ///   z′ = z + γ(x⁺·W⁺ᵀ + x⁻·W⁻ᵀ + b⁺) ≥ z: every positive contribution is boosted by 1 + γ;
    /// - outputs with z < 0: x⁺ against W↓ and x⁻ against W↑, bias b + γb⁻, so
    ///   z′ = z + γ(x⁺·W⁻ᵀ + x⁻·W⁺ᵀ + b⁻) ≤ z: the negative contributions are boosted.
    /// |z′| ≥ |z| and z′ has the sign of z whatever the signs of x, so the denominator never
    /// flips. For x ≥ 0 it equals the textbook form (W + γW⁺ where z > 0, W + γW⁻ elsewhere)
    /// except for the γb± term of the bias; γ = 0 is LRP-ε with ε the stabiliser, except that
    /// outputs with z = 0 exactly are dropped.
    public func gammaTerms(_ gamma: Double) -> (positive: SignedInputTerm, negative: SignedInputTerm) {
        let g = Scalar(gamma)
        let up = weight.scalars.map { $0 + g * max($0, 0) }, down = weight.scalars.map { $0 + g * min($0, 0) }
        return (
            SignedInputTerm(
                positiveInputWeight: up, negativeInputWeight: down, bias: bias?.scalars.map { $0 + g * max($0, 0) },
                outputs: .positive),
            SignedInputTerm(
                positiveInputWeight: down, negativeInputWeight: up, bias: bias?.scalars.map { $0 + g * min($0, 0) },
                outputs: .negative))
    }

    /// Runs the terms of a signed-input rule and adds up their input relevance and bias
    /// absorption. Each term is one GEMM of [x⁺ | x⁻] against [A | B] forward and one back.
    /// `output`: this layer's forward output when the caller has it (spares a GEMM when a term
    /// selects outputs by sign). The stabiliser is sign-aware with sign(0) = +1, as zennit's
    /// `core.stabilize`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func signedInputRelevance(
        _ r: [Scalar], input x: [Scalar], rows m: Int, terms: [SignedInputTerm], stabiliser: Double, output: [Scalar]? = nil
    ) -> (relevance: [Scalar], biasAbsorbed: Double) {
        let n = outputCount, k = inputCount
        precondition(r.count == m * n && x.count == m * k, "Linear relevance shapes")
        let needsSign = terms.contains { $0.outputs != .any }
        let z = needsSign ? (output ?? forward(x, rows: m)) : []
        let split = RelevanceKernels.signSplitRows(x, rows: m, columns: k)  // [m, 2k]
        var c = [Scalar].zeros(m * 2 * k)
        var absorbed = 0.0
        let epsilon = Scalar(stabiliser)
        for term in terms {
            precondition(term.positiveInputWeight.count == n * k && term.negativeInputWeight.count == n * k, "term weights")
            var stacked = [Scalar].uninitialized(n * 2 * k)  // [A | B] per output row: [n, 2k]
            for j in 0..<n {
                for i in 0..<k {
                    stacked[j * 2 * k + i] = term.positiveInputWeight[j * k + i]
                    stacked[j * 2 * k + k + i] = term.negativeInputWeight[j * k + i]
                }
            }
            var denominator = MatrixProducts.timesTransposed(split, stacked, m: m, k: 2 * k, n: n)
            if let bias = term.bias {
                for row in 0..<m { for j in 0..<n { denominator[row * n + j] += bias[j] } }
            }
            var s = [Scalar].zeros(m * n)
            for i in 0..<(m * n) {
                let selected: Bool
                switch term.outputs {
                case .any: selected = true
                case .positive: selected = z[i] > 0
                case .negative: selected = z[i] < 0
                }
                if selected { s[i] = Stabilise.signedDivide(r[i], denominator[i], epsilon: epsilon) }
            }
            Kernels.addInPlace(&c, MatrixProducts.times(s, stacked, m: m, k: n, n: 2 * k))
            if let bias = term.bias { absorbed += RelevanceKernels.biasAbsorption(s, bias: bias, rows: m) }
        }
        return (RelevanceKernels.signSplitProduct(x, c, rows: m, columns: k), absorbed)
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
