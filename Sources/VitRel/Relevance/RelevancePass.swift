/// The model's relevance pass: the forward pass read backwards, layer by layer, with the
/// rules of a `RelevanceRules` set (Chefer et al. 2021 `VisionTransformer.relprop`).
extension VisionTransformer {
    public struct RelevancePass: Sendable {
        /// R_A per block, each [B, H, N, N] (Chefer's `attn_cam`)
        public var attention: [[Scalar]]
        /// Σ_D relevance of each block's input per token, [B, N] per block; index depth is
        /// the encoder output.
        public var tokenRelevance: [[Scalar]]
        /// [B, P] relevance of the patch tokens after the embedding split (before the pixel rule)
        public var patchTokens: [Scalar]
        /// [B, C, H, W] relevance of the input pixels (nil when not propagated to pixels)
        public var pixels: Tensor<Scalar>?
        public var ledger: ConservationLedger
    }

    /// Propagates `outputRelevance` [B, classes] (Chefer: one-hot of the target with value 1;
    /// LRP convention: the target's logit) down to the pixels.
    ///
    /// `attentionDownTo` l stops as soon as R_A of block l is known, for the methods that use
    /// only the attention relevance of blocks l and above (Chefer's rollouts from a start
    /// layer, the last layer): `attention` and `tokenRelevance` are empty for block l and
    /// below, there are no patch-token or pixel relevances, and the ledger ends at block l's
    /// residual split. Requires `toPixels` false.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relevance(
        _ outputRelevance: Tensor<Scalar>, trace: Trace, rules: RelevanceRules, toPixels: Bool = true,
        attentionDownTo lowestBlock: Int? = nil
    ) -> RelevancePass {
        let batch = trace.batch, n = trace.tokens, d = config.embedDimension
        precondition(outputRelevance.shape == [batch, config.classCount], "relevance seed shape")
        if let lowestBlock {
            precondition(!toPixels && blocks.indices.contains(lowestBlock), "attentionDownTo \(lowestBlock) with toPixels \(toPixels)")
        }
        var ledger = ConservationLedger()
        func total(_ x: [Scalar]) -> Double { x.withUnsafeBufferPointer { Kernels.sumAsDouble($0) } }
        ledger.explainedOutput = total(outputRelevance.scalars)

        let (rPooled, headAbsorbed) = head.relevance(
            outputRelevance.scalars, input: trace.pooled, rows: batch, rule: rules.head, stabiliser: rules.weightRuleStabiliser,
            output: rules.fastAlphaBeta ? trace.logits.scalars : nil)
        ledger.record("head", out: ledger.explainedOutput, in: total(rPooled), bias: headAbsorbed)

        var r: [Scalar]
        if config.normAfterPooling {
            let (rNormIn, absorbed) = norm.relevance(
                rPooled, input: trace.normInput, output: trace.normOutput, cache: trace.normCache, rows: batch,
                rule: rules.layerNorm, epsilon: rules.stabiliser)
            ledger.record("fc_norm", out: total(rPooled), in: total(rNormIn), bias: absorbed)
            r = unpoolRelevance(rNormIn, pooledInput: trace.normInput, tokensInput: trace.encoded, batch: batch, tokens: n)
            ledger.record("pool", out: total(rNormIn), in: total(r))
        } else {
            let pooledInput = pool(trace.normOutput, batch: batch, tokens: n)
            let rNormOut = unpoolRelevance(rPooled, pooledInput: pooledInput, tokensInput: trace.normOutput, batch: batch, tokens: n)
            ledger.record("pool", out: total(rPooled), in: total(rNormOut))
            let (rNormIn, absorbed) = norm.relevance(
                rNormOut, input: trace.encoded, output: trace.normOutput, cache: trace.normCache, rows: batch * n,
                rule: rules.layerNorm, epsilon: rules.stabiliser)
            ledger.record("norm", out: total(rNormOut), in: total(rNormIn), bias: absorbed)
            r = rNormIn
        }

        var attention = [[Scalar]](repeating: [], count: blocks.count)
        var tokenRelevance = [[Scalar]](repeating: [], count: blocks.count + 1)
        tokenRelevance[blocks.count] = Self.sumOverFeatures(r, rows: batch * n, d: d)
        for index in blocks.indices.reversed() {
            let output = index + 1 < blocks.count ? trace.blocks[index + 1].input : trace.encoded
            let isLowest = index == lowestBlock
            let result = blocks[index].relevance(
                r, trace: trace.blocks[index], output: output, batch: batch, tokens: n, rules: rules,
                name: "blocks.\(index)", ledger: &ledger, needsInput: !isLowest)
            attention[index] = result.attention
            if isLowest {
                return RelevancePass(attention: attention, tokenRelevance: tokenRelevance, patchTokens: [], pixels: nil, ledger: ledger)
            }
            r = result.input
            tokenRelevance[index] = Self.sumOverFeatures(r, rows: batch * n, d: d)
        }

        // Embedding: sequence = cat(cls, patch tokens) + position embedding.
        let prefix = config.prefixTokenCount, patchCount = trace.gridHeight * trace.gridWidth
        var tokensPart = [Scalar].uninitialized(batch * n * d), positionPart = [Scalar].uninitialized(batch * n * d)
        for b in 0..<batch {
            for t in 0..<n {
                for i in 0..<d {
                    let index = (b * n + t) * d + i
                    tokensPart[index] = t < prefix ? classToken.scalars[i] : trace.patchTokens[(b * patchCount + t - prefix) * d + i]
                    positionPart[index] = trace.positionEmbedding[t * d + i]
                }
            }
        }
        let (rTokens, rPosition) = ResidualRelevance.split(
            r, a: tokensPart, b: positionPart, batch: batch, rule: rules.residual, epsilon: rules.stabiliser)
        ledger.record("pos_embed.add", out: total(r), in: total(rTokens) + total(rPosition))
        ledger.positionEmbedding = total(rPosition)
        var rPatchTokens = [Scalar].uninitialized(batch * patchCount * d)
        var classTotal = 0.0
        for b in 0..<batch {
            for t in 0..<n {
                for i in 0..<d {
                    let value = rTokens[(b * n + t) * d + i]
                    if t < prefix { classTotal += Double(value) } else { rPatchTokens[(b * patchCount + t - prefix) * d + i] = value }
                }
            }
        }
        ledger.classToken = classTotal
        let patchTokenSums = Self.sumOverFeatures(rPatchTokens, rows: batch * patchCount, d: d)

        var pixels: Tensor<Scalar>?
        if toPixels {
            let (rPatches, absorbed) = patchEmbedding.relevance(
                rPatchTokens, patches: trace.patches, batch: batch, patchesPerImage: patchCount, rule: rules.patch,
                stabiliser: rules.weightRuleStabiliser)
            ledger.record("patch_embed", out: total(rPatchTokens), in: total(rPatches), bias: absorbed)
            let image = patchEmbedding.fold(rPatches, batch: batch, height: trace.imageHeight, width: trace.imageWidth)
            ledger.pixels = total(image)
            pixels = Tensor(shape: [batch, config.channels, trace.imageHeight, trace.imageWidth], scalars: image)
        }
        return RelevancePass(
            attention: attention, tokenRelevance: tokenRelevance, patchTokens: patchTokenSums, pixels: pixels, ledger: ledger)
    }

    /// Relevance of the pooled vector [B, D] back to the tokens [B·N, D]: all to the CLS token
    /// for token pooling; for the mean, each token in proportion to its share (z-rule).
    func unpoolRelevance(_ r: [Scalar], pooledInput: [Scalar], tokensInput: [Scalar], batch: Int, tokens n: Int) -> [Scalar] {
        let d = config.embedDimension
        var result = [Scalar].zeros(batch * n * d)
        switch config.pooling {
        case .token:
            for b in 0..<batch { for i in 0..<d { result[b * n * d + i] = r[b * d + i] } }
        case .average:
            let prefix = config.prefixTokenCount
            let weight = 1 / Scalar(n - prefix)
            for b in 0..<batch {
                for i in 0..<d {
                    let s = Stabilise.signedDivide(r[b * d + i], pooledInput[b * d + i], epsilon: 0)
                    for t in prefix..<n { result[(b * n + t) * d + i] = tokensInput[(b * n + t) * d + i] * weight * s }
                }
            }
        }
        return result
    }

    /// [rows, d] → [rows]: relevance per token.
    static func sumOverFeatures(_ x: [Scalar], rows: Int, d: Int) -> [Scalar] {
        (0..<rows).map { row in
            var sum: Scalar = 0
            for i in 0..<d { sum += x[row * d + i] }
            return sum
        }
    }
}
