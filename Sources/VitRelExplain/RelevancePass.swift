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

        let (rPooled, rPooledDistillation) = headRelevance(outputRelevance.scalars, trace: trace, rules: rules, ledger: &ledger)

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
            var rNormOut = unpoolRelevance(rPooled, pooledInput: pooledInput, tokensInput: trace.normOutput, batch: batch, tokens: n)
            if let rPooledDistillation, let index = config.distillationTokenIndex {
                for b in 0..<batch { for i in 0..<d { rNormOut[(b * n + index) * d + i] = rPooledDistillation[b * d + i] } }
            }
            ledger.record("pool", out: total(rPooled) + (rPooledDistillation.map(total) ?? 0), in: total(rNormOut))
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
        if let normPre, let preNorm = trace.preNorm {
            // CLIP's norm_pre takes the rule of every other LayerNorm of the set (identity in
            // Chefer's, the conservative LN rule in AttnLRP and CP-LRP).
            let (rEmbedded, absorbed) = normPre.relevance(
                r, input: preNorm.input, output: trace.blocks.first?.input ?? trace.encoded, cache: preNorm.cache,
                rows: batch * n, rule: rules.layerNorm, epsilon: rules.stabiliser)
            ledger.record("norm_pre", out: total(r), in: total(rEmbedded), bias: absorbed)
            r = rEmbedded
        }

        // Embedding: sequence = cat(prefix tokens, patch tokens) + position embedding (zero rows
        // for prefix tokens without one: all their relevance then stays with the token).
        let prefix = config.prefixTokenCount, patchCount = trace.gridHeight * trace.gridWidth
        let prefixTable = prefixTokenTable
        var tokensPart = [Scalar].uninitialized(batch * n * d), positionPart = [Scalar].uninitialized(batch * n * d)
        for b in 0..<batch {
            for t in 0..<n {
                for i in 0..<d {
                    let index = (b * n + t) * d + i
                    tokensPart[index] = t < prefix ? prefixTable[t * d + i] : trace.patchTokens[(b * patchCount + t - prefix) * d + i]
                    positionPart[index] = trace.positionEmbedding[t * d + i]
                }
            }
        }
        let (rTokens, rPosition) = ResidualRelevance.split(
            r, a: tokensPart, b: positionPart, batch: batch, rule: rules.residual, epsilon: rules.stabiliser)
        ledger.record("pos_embed.add", out: total(r), in: total(rTokens) + total(rPosition))
        ledger.positionEmbedding = total(rPosition)
        var rPatchTokens = [Scalar].uninitialized(batch * patchCount * d)
        var prefixTotals = [Double](repeating: 0, count: prefix)  // per prefix token, sequence order
        for b in 0..<batch {
            for t in 0..<n {
                for i in 0..<d {
                    let value = rTokens[(b * n + t) * d + i]
                    if t < prefix { prefixTotals[t] += Double(value) } else { rPatchTokens[(b * patchCount + t - prefix) * d + i] = value }
                }
            }
        }
        // The prefix tokens are constants of the model, not pixels: each kind is its own leaf.
        ledger.classToken = config.classToken ? prefixTotals[0] : 0
        ledger.distillationToken = config.distillationTokenIndex.map { prefixTotals[$0] } ?? 0
        ledger.registerTokens = prefixTotals[(prefix - config.registerTokenCount)...].reduce(0, +)
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

    /// Relevance of the logits [B, classes] to the head input(s): (R of the pooled vector
    /// [B, D], R of the distillation token's final state [B, D] or nil).
    ///
    /// DeiT's distilled logits are y = a/2 + z/2 with a = head(x_cls), z = head_dist(x_dist).
    /// That average is a sum, so it is split as a residual add is (`rules.residual`: the
    /// z-rule R_a = R·(a/2)/y, or Chefer's renormalised split), conservatively and in
    /// proportion to each head's contribution; the factor ½ is a scale on one input and
    /// passes relevance on unchanged (as `LayerScale` does). The ledger records the split as
    /// "head.average" and each head's rule as "head" and "head_dist".
    func headRelevance(
        _ r: [Scalar], trace: Trace, rules: RelevanceRules, ledger: inout ConservationLedger
    ) -> (pooled: [Scalar], distillation: [Scalar]?) {
        func total(_ x: [Scalar]) -> Double { x.withUnsafeBufferPointer { Kernels.sumAsDouble($0) } }
        let batch = trace.batch
        guard let distillationHead, let outputs = trace.headOutputs else {
            let (rPooled, absorbed) = head.relevance(
                r, input: trace.pooled, rows: batch, rule: rules.head, stabiliser: rules.weightRuleStabiliser,
                output: rules.fastAlphaBeta ? trace.logits.scalars : nil)
            ledger.record("head", out: total(r), in: total(rPooled), bias: absorbed)
            return (rPooled, nil)
        }
        let (rClass, rDistillation) = ResidualRelevance.split(
            r, a: outputs.classToken.map { $0 / 2 }, b: outputs.distillation.map { $0 / 2 }, batch: batch,
            rule: rules.residual, epsilon: rules.stabiliser)
        ledger.record("head.average", out: total(r), in: total(rClass) + total(rDistillation))
        let (rPooled, absorbed) = head.relevance(
            rClass, input: trace.pooled, rows: batch, rule: rules.head, stabiliser: rules.weightRuleStabiliser,
            output: rules.fastAlphaBeta ? outputs.classToken : nil)
        ledger.record("head", out: total(rClass), in: total(rPooled), bias: absorbed)
        let (rPooledDistillation, distillationAbsorbed) = distillationHead.relevance(
            rDistillation, input: trace.pooledDistillation, rows: batch, rule: rules.head, stabiliser: rules.weightRuleStabiliser,
            output: rules.fastAlphaBeta ? outputs.distillation : nil)
        ledger.record("head_dist", out: total(rDistillation), in: total(rPooledDistillation), bias: distillationAbsorbed)
        return (rPooled, rPooledDistillation)
    }

    /// Relevance of the pooled vector [B, D'] back to the tokens [B·N, D], the rule of each
    /// slot of `config.pooledSlots`:
    /// - the CLS slot is a copy of the CLS token's state: its relevance goes to that token
    ///   unchanged (one input, one output: every LRP rule is the identity there);
    /// - the patch-mean slot m_i = (1/P) Σ_t x_ti is linear without bias, so the z-rule (LRP-0,
    ///   Bach et al. 2015 eq. 56) gives each patch token its share of the contributions,
    ///   R_ti = (x_ti / P) · R_i / m_i. It conserves per channel, Σ_t R_ti = R_i, wherever
    ///   m_i ≠ 0; a channel whose mean is exactly 0 passes nothing on (0/0 is taken as 0) and
    ///   the ledger's "pool" entry shows that as a gap. Prefix tokens (CLS, distillation token,
    ///   registers) are not in the mean and get nothing from it.
    /// DINOv2's [CLS ⊕ mean] head (`.classTokenAndPatchMean`) applies both, the CLS slot to
    /// features 0..<D and the mean slot to D..<2D, so the CLS token's row receives the CLS
    /// half and the patch rows the mean half: conservative as a whole, as timm's `.average`
    /// and DeiT's two-head average (`headRelevance`) are.
    func unpoolRelevance(_ r: [Scalar], pooledInput: [Scalar], tokensInput: [Scalar], batch: Int, tokens n: Int) -> [Scalar] {
        let d = config.embedDimension, width = config.headInputDimension
        var result = [Scalar].zeros(batch * n * d)
        let prefix = config.prefixTokenCount
        let weight = 1 / Scalar(n - prefix)
        let (classSlot, meanSlot) = config.pooledSlots
        for b in 0..<batch {
            if let classSlot { for i in 0..<d { result[b * n * d + i] = r[b * width + classSlot + i] } }
            if let meanSlot {
                for i in 0..<d {
                    let s = Stabilise.signedDivide(r[b * width + meanSlot + i], pooledInput[b * width + meanSlot + i], epsilon: 0)
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
