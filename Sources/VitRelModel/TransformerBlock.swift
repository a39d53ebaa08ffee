/// A pre-norm transformer encoder block (timm `Block`):
/// x₁ = x + ls1(attn(norm1(x))); y = x₁ + ls2(mlp(norm2(x₁))), where the LayerScales ls1 and
/// ls2 (DINOv2, DeiT-III) are the identity in a plain ViT (nil: no work, no extra buffers).
public struct TransformerBlock<Scalar: TensorScalar>: Sendable {
    public var norm1: LayerNorm<Scalar>
    public var attention: MultiHeadAttention<Scalar>
    public var layerScale1: LayerScale<Scalar>?
    public var norm2: LayerNorm<Scalar>
    public var mlp: MLP<Scalar>
    public var layerScale2: LayerScale<Scalar>?

    public init(
        norm1: LayerNorm<Scalar>, attention: MultiHeadAttention<Scalar>, layerScale1: LayerScale<Scalar>? = nil,
        norm2: LayerNorm<Scalar>, mlp: MLP<Scalar>, layerScale2: LayerScale<Scalar>? = nil
    ) {
        precondition((layerScale1 == nil) == (layerScale2 == nil), "a block has both LayerScales or neither")
        self.norm1 = norm1
        self.attention = attention
        self.layerScale1 = layerScale1
        self.norm2 = norm2
        self.mlp = mlp
        self.layerScale2 = layerScale2
    }

    public func zeroed() -> TransformerBlock {
        TransformerBlock(
            norm1: norm1.zeroed(), attention: attention.zeroed(), layerScale1: layerScale1?.zeroed(),
            norm2: norm2.zeroed(), mlp: mlp.zeroed(), layerScale2: layerScale2?.zeroed())
    }

    /// Everything one block's forward pass computed, in order (the block's "trace").
    public struct Trace: Sendable {
        /// [B·N, D] block input
        public var input: [Scalar]
        public var norm1: LayerNorm<Scalar>.Cache
        /// [B·N, D] norm1 output, the attention's input
        public var normalisedInput: [Scalar]
        public var attention: MultiHeadAttention<Scalar>.Cache
        /// [B·N, D] attention output before LayerScale (nil without LayerScale)
        public var attentionUnscaled: [Scalar]?
        /// [B·N, D] x + attention output
        public var afterAttention: [Scalar]
        public var norm2: LayerNorm<Scalar>.Cache
        /// [B·N, D] norm2 output, the MLP's input
        public var normalisedAfterAttention: [Scalar]
        public var mlp: MLP<Scalar>.Cache
        /// [B·N, D] MLP output before LayerScale (nil without LayerScale)
        public var mlpUnscaled: [Scalar]?
    }

    /// `precision`: of the attention's and MLP's Linear products; bf16 only for training.
    public func forward(
        _ x: [Scalar], batch: Int, tokens: Int, attentionOffset: [Scalar]? = nil, precision: ProductPrecision = .fp32
    ) -> (y: [Scalar], trace: Trace) {
        let rows = batch * tokens
        let (n1, c1) = norm1.forward(x, rows: rows)
        let (attended, attentionCache) = attention.forward(
            n1, batch: batch, tokens: tokens, attentionOffset: attentionOffset, precision: precision)
        let afterAttention = Kernels.add(x, layerScale1?.forward(attended) ?? attended)
        let (n2, c2) = norm2.forward(afterAttention, rows: rows)
        let (mlpOut, mlpCache) = mlp.forward(n2, rows: rows, precision: precision)
        let y = Kernels.add(afterAttention, layerScale2?.forward(mlpOut) ?? mlpOut)
        return (y, Trace(
            input: x, norm1: c1, normalisedInput: n1, attention: attentionCache,
            attentionUnscaled: layerScale1 == nil ? nil : attended,
            afterAttention: afterAttention, norm2: c2, normalisedAfterAttention: n2, mlp: mlpCache,
            mlpUnscaled: layerScale2 == nil ? nil : mlpOut))
    }

    /// Scratch buffers of the inference pass, allocated once per batch and reused by every
    /// block (the traced pass keeps ~11 such arrays per block: 4.4 GB for ViT-B at batch 32).
    public struct InferenceBuffers {
        /// [rows, D] norm1 / norm2 output
        var normalised: [Scalar]
        /// [rows, 3D]
        var queryKeyValue: [Scalar]
        /// [rows, D] attention heads before the projection
        var context: [Scalar]
        /// [rows, D] attention or MLP output, before the residual add
        var output: [Scalar]
        /// [rows, hidden] MLP hidden layer
        var hidden: [Scalar]
        /// [rows, hidden / 2] SwiGLU's gated product, fc2's input (empty for a plain MLP)
        var gated: [Scalar]

        /// `gatedDimension`: fc2's input width when the MLP is SwiGLU (`ViTConfig.mlpInnerDimension`), else 0.
        public init(rows: Int, dimension d: Int, hiddenDimension: Int, gatedDimension: Int = 0) {
            normalised = .uninitialized(rows * d)
            queryKeyValue = .uninitialized(rows * 3 * d)
            context = .uninitialized(rows * d)
            output = .uninitialized(rows * d)
            hidden = .uninitialized(rows * hiddenDimension)
            gated = .uninitialized(rows * gatedDimension)
        }
    }

    /// x ← block(x) without a trace (inference). Same arithmetic as `forward`, so the same bits.
    public func forward(inPlace x: inout [Scalar], batch: Int, tokens: Int, buffers: inout InferenceBuffers) {
        let rows = batch * tokens
        norm1.forward(x, rows: rows, into: &buffers.normalised)
        attention.forward(
            buffers.normalised, batch: batch, tokens: tokens, queryKeyValue: &buffers.queryKeyValue,
            context: &buffers.context, into: &buffers.output)
        layerScale1?.forward(inPlace: &buffers.output)
        Kernels.addInPlace(&x, buffers.output)
        norm2.forward(x, rows: rows, into: &buffers.normalised)
        mlp.forward(buffers.normalised, rows: rows, hidden: &buffers.hidden, gated: &buffers.gated, into: &buffers.output)
        layerScale2?.forward(inPlace: &buffers.output)
        Kernels.addInPlace(&x, buffers.output)
    }

    /// The forward pass read backwards. Returns dx and ∂loss/∂A for this block. `baseline` is
    /// the baseline's trace of this block, for `GradientRule.deepLIFTRescale` only (then dx
    /// and dA are DeepLIFT multipliers). `needsInputGradient` false stops at dA (dx empty).
    public func backward(
        _ dy: [Scalar], trace: Trace, batch: Int, tokens: Int, gradient: inout TransformerBlock,
        accumulate: Bool = true, rule: GradientRule = .exact, baseline: Trace? = nil, needsInputGradient: Bool = true
    ) -> (dx: [Scalar], dAttention: [Scalar]) {
        precondition((rule == .deepLIFTRescale) == (baseline != nil), "DeepLIFT needs the baseline's trace, and only it")
        let rows = batch * tokens
        // Through ls2 (linear: the same for every GradientRule).
        let dMLPOut = layerScale2.map {
            $0.backward(dy, input: trace.mlpUnscaled!, gradient: &gradient.layerScale2!, accumulate: accumulate)
        } ?? dy
        let dn2 = mlp.backward(dMLPOut, input: trace.normalisedAfterAttention, cache: trace.mlp, rows: rows, gradient: &gradient.mlp, accumulate: accumulate,
            rule: rule, baseline: baseline?.mlp)
        var dAfterAttention = baseline.map {
            norm2.rescaleBackward(dn2, input: trace.afterAttention, cache: trace.norm2, baselineInput: $0.afterAttention, baselineCache: $0.norm2, rows: rows)
        } ?? norm2.backward(dn2, input: trace.afterAttention, cache: trace.norm2, rows: rows, gradient: &gradient.norm2, accumulate: accumulate,
            detachDeviation: rule.detachesLayerNormDeviation)
        Kernels.addInPlace(&dAfterAttention, dy)
        let dAttentionOut = layerScale1.map {
            $0.backward(dAfterAttention, input: trace.attentionUnscaled!, gradient: &gradient.layerScale1!, accumulate: accumulate)
        } ?? dAfterAttention
        let (dn1, dAttention) = attention.backward(
            dAttentionOut, input: trace.normalisedInput, cache: trace.attention, batch: batch, tokens: tokens,
            gradient: &gradient.attention, accumulate: accumulate, rule: rule, baseline: baseline?.attention,
            needsInputGradient: needsInputGradient)
        guard needsInputGradient else { return ([], dAttention) }
        var dx = baseline.map {
            norm1.rescaleBackward(dn1, input: trace.input, cache: trace.norm1, baselineInput: $0.input, baselineCache: $0.norm1, rows: rows)
        } ?? norm1.backward(dn1, input: trace.input, cache: trace.norm1, rows: rows, gradient: &gradient.norm1, accumulate: accumulate,
            detachDeviation: rule.detachesLayerNormDeviation)
        Kernels.addInPlace(&dx, dAfterAttention)
        return (dx, dAttention)
    }
}

// MARK: - Relevance

extension TransformerBlock {
    public struct RelevanceResult: Sendable {
        /// [B·N, D] relevance of the block's input
        public var input: [Scalar]
        /// [B, H, N, N] relevance of the attention probabilities
        public var attention: [Scalar]
    }

    /// The forward pass read backwards (Chefer's `Block.relprop` order): add2 → ls2 → mlp →
    /// norm2 → clone2 → add1 → ls1 → attention → norm1 → clone1. `output` is the block's output
    /// y. The LayerScales pass relevance on unchanged (`LayerScale.relevance`); the ledger
    /// records them as "ls1" / "ls2" with a zero gap.
    /// `needsInput` false stops once R_A is known (`input` is then empty).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relevance(
        _ r: [Scalar], trace: Trace, output: [Scalar], batch: Int, tokens: Int, rules: RelevanceRules,
        name: String, ledger: inout ConservationLedger, needsInput: Bool = true
    ) -> RelevanceResult {
        let rows = batch * tokens
        func total(_ x: [Scalar]) -> Double { x.withUnsafeBufferPointer { Kernels.sumAsDouble($0) } }
        // y = x₁ + mlp(norm2(x₁))
        var mlpOutput = output
        for i in mlpOutput.indices { mlpOutput[i] -= trace.afterAttention[i] }
        let (rResidual2, rMLPOut) = ResidualRelevance.split(
            r, a: trace.afterAttention, b: mlpOutput, batch: batch, rule: rules.residual, epsilon: rules.stabiliser)
        ledger.record(name + ".add2", out: total(r), in: total(rResidual2) + total(rMLPOut))
        var rMLPUnscaled = rMLPOut
        if let layerScale2 {
            rMLPUnscaled = layerScale2.relevance(rMLPOut)
            ledger.record(name + ".ls2", out: total(rMLPOut), in: total(rMLPUnscaled))
        }
        let (rNorm2Out, mlpAbsorbed) = mlp.relevance(
            rMLPUnscaled, input: trace.normalisedAfterAttention, cache: trace.mlp, rows: rows, rules: rules,
            output: trace.mlpUnscaled ?? mlpOutput)
        ledger.record(name + ".mlp", out: total(rMLPUnscaled), in: total(rNorm2Out), bias: mlpAbsorbed)
        let (rNorm2In, norm2Absorbed) = norm2.relevance(
            rNorm2Out, input: trace.afterAttention, output: trace.normalisedAfterAttention, cache: trace.norm2, rows: rows,
            rule: rules.layerNorm, epsilon: rules.stabiliser)
        ledger.record(name + ".norm2", out: total(rNorm2Out), in: total(rNorm2In), bias: norm2Absorbed)
        let rAfterAttention = Kernels.add(rResidual2, rNorm2In)

        // x₁ = x + attention(norm1(x))
        var attentionOutput = trace.afterAttention
        for i in attentionOutput.indices { attentionOutput[i] -= trace.input[i] }
        let (rResidual1, rAttentionOut) = ResidualRelevance.split(
            rAfterAttention, a: trace.input, b: attentionOutput, batch: batch, rule: rules.residual, epsilon: rules.stabiliser)
        ledger.record(name + ".add1", out: total(rAfterAttention), in: total(rResidual1) + total(rAttentionOut))
        var rAttentionUnscaled = rAttentionOut
        if let layerScale1 {
            rAttentionUnscaled = layerScale1.relevance(rAttentionOut)
            ledger.record(name + ".ls1", out: total(rAttentionOut), in: total(rAttentionUnscaled))
        }
        let attentionResult = attention.relevance(
            rAttentionUnscaled, input: trace.normalisedInput, cache: trace.attention, batch: batch, tokens: tokens, rules: rules,
            output: trace.attentionUnscaled ?? attentionOutput, needsInput: needsInput)
        guard needsInput else { return RelevanceResult(input: [], attention: attentionResult.attention) }
        ledger.record(
            name + ".attn", out: total(rAttentionUnscaled), in: total(attentionResult.input),
            bias: attentionResult.biasAbsorbed, softmax: attentionResult.softmaxLeak)
        let (rNorm1In, norm1Absorbed) = norm1.relevance(
            attentionResult.input, input: trace.input, output: trace.normalisedInput, cache: trace.norm1, rows: rows,
            rule: rules.layerNorm, epsilon: rules.stabiliser)
        ledger.record(name + ".norm1", out: total(attentionResult.input), in: total(rNorm1In), bias: norm1Absorbed)
        return RelevanceResult(input: Kernels.add(rResidual1, rNorm1In), attention: attentionResult.attention)
    }
}
