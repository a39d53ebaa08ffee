/// The whole model's forward pass, its trace, and the backward pass read from that trace.
extension VisionTransformer {
    /// Everything the forward pass computed that gradients and explanations need.
    public struct Trace: Sendable {
        public var batch: Int
        public var imageHeight: Int
        public var imageWidth: Int
        public var gridHeight: Int
        public var gridWidth: Int
        /// Sequence length N = prefix + gridHeight·gridWidth.
        public var tokens: Int
        /// [B·P, C·p·p] unfolded input patches
        public var patches: [Scalar]
        /// [B·P, D] patch embeddings (projection output, before CLS and position)
        public var patchTokens: [Scalar]
        /// [N, D] position embedding used for this grid (zero rows for prefix tokens that get
        /// none, timm's `no_embed_class`)
        public var positionEmbedding: [Scalar]
        /// One trace per block; blocks[0].input is the embedded sequence (after `norm_pre`).
        public var blocks: [TransformerBlock<Scalar>.Trace]
        /// [B·N, D] output of the last block
        public var encoded: [Scalar]
        /// Final-norm cache and its input/output. Before pooling: rows B·N; after: rows B.
        public var normInput: [Scalar]
        public var normCache: LayerNorm<Scalar>.Cache
        public var normOutput: [Scalar]
        /// [B, D] head input
        public var pooled: [Scalar]
        /// [B, D] `head_dist`'s input, the distillation token's final state (empty without one)
        public var pooledDistillation: [Scalar]
        /// [B, classes] each head's own logits, before DeiT's average (nil with a single head)
        public var headOutputs: (classToken: [Scalar], distillation: [Scalar])?
        /// [B, classes]
        public var logits: Tensor<Scalar>
        /// With pre_norm (CLIP): `norm_pre`'s input, the embedded sequence [B·N, D], and its
        /// cache; its output is blocks[0].input. nil without pre_norm.
        public var preNorm: (input: [Scalar], cache: LayerNorm<Scalar>.Cache)? = nil

        /// Attention probabilities of block `index`, [B, H, N, N].
        public func attention(block index: Int) -> [Scalar] { blocks[index].attention.attention }
    }

    /// Gradients of a scalar function of the logits with respect to what explanations use.
    public struct InputGradients: Sendable {
        /// [B, C, H, W]
        public var images: Tensor<Scalar>
        /// ∂/∂A per block, each [B, H, N, N]
        public var attention: [[Scalar]]
        /// ∂/∂(block input) per block, each [B·N, D]; index depth is the last block's output.
        public var blockInputs: [[Scalar]]
        /// [N, D] summed over the batch: the position embedding's gradient
        public var positionEmbedding: [Scalar]
        /// [D] summed over the batch
        public var classToken: [Scalar]
        /// [prefix, D] summed over the batch: every prefix token's gradient (CLS, distillation
        /// token, registers, in sequence order)
        public var prefixTokens: [Scalar] = []
    }

    /// Logits [B, classes] for images [B, C, H, W] already preprocessed (the inference pass,
    /// `logits(_:)`, which keeps no trace).
    public func callAsFunction(_ images: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try logits(images)
    }

    /// The forward pass, keeping its trace. `attentionOffsets[l]` [B, H, N, N] is added to
    /// block l's attention probabilities (see `MultiHeadAttention.forward`). `precision`: of the
    /// blocks' Linear products (qkv, projection, fc1, fc2), which at bf16 keep their rounded
    /// operands in the trace for `backward`; bf16 is for training (`TrainingConfiguration.precision`,
    /// Float models on CPUs where `BFloat16Matrix.isSupported`), never for explanations.
    ///
    /// Specialised, as `backward` and `zeroed` are: the trainer and the explainer call them from
    /// other modules, where the generic body ran every layer's loops through witness tables
    /// (the zero fills of the gradient accumulators alone were 3% of `bench train`'s samples).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(
        _ images: Tensor<Scalar>, attentionOffsets: [Int: [Scalar]] = [:], precision: ProductPrecision = .fp32
    ) throws -> Trace {
        let embedding = try embed(images)
        let batch = embedding.batch, n = embedding.tokens
        var blockTraces = [TransformerBlock<Scalar>.Trace]()
        blockTraces.reserveCapacity(blocks.count)
        var x = embedding.sequence
        var preNorm: (input: [Scalar], cache: LayerNorm<Scalar>.Cache)?
        if let normPre {
            let (normalised, cache) = normPre.forward(x, rows: batch * n)
            preNorm = (x, cache)
            x = normalised
        }
        for (index, block) in blocks.enumerated() {
            let (y, trace) = block.forward(
                x, batch: batch, tokens: n, attentionOffset: attentionOffsets[index], precision: precision)
            blockTraces.append(trace)
            x = y
        }
        let encoded = x
        let output = classify(encoded, batch: batch, tokens: n)
        return Trace(
            batch: batch, imageHeight: embedding.imageHeight, imageWidth: embedding.imageWidth,
            gridHeight: embedding.gridHeight, gridWidth: embedding.gridWidth, tokens: n,
            patches: embedding.patches, patchTokens: embedding.patchTokens, positionEmbedding: embedding.positionEmbedding,
            blocks: blockTraces, encoded: encoded, normInput: output.normInput, normCache: output.normCache,
            normOutput: output.normOutput, pooled: output.pooled, pooledDistillation: output.pooledDistillation,
            headOutputs: output.headOutputs, logits: Tensor(shape: [batch, config.classCount], scalars: output.logits),
            preNorm: preNorm)
    }

    /// The embedded sequence, cat(prefix tokens, patch embeddings) + position, and what produced it.
    struct Embedding {
        var batch: Int
        var imageHeight: Int
        var imageWidth: Int
        var gridHeight: Int
        var gridWidth: Int
        var tokens: Int
        /// [B·P, C·p·p]
        var patches: [Scalar]
        /// [B·P, D]
        var patchTokens: [Scalar]
        /// [N, D]
        var positionEmbedding: [Scalar]
        /// [B·N, D] the first block's input
        var sequence: [Scalar]
    }

    /// Patch embedding, class token and position embedding for images [B, C, H, W].
    func embed(_ images: Tensor<Scalar>) throws -> Embedding {
        guard images.rank == 4, images.shape[1] == config.channels else {
            throw ModelError.inputShape("expected [batch, \(config.channels), height, width], got \(images.shape)")
        }
        let batch = images.shape[0], height = images.shape[2], width = images.shape[3]
        let p = config.patchSize
        guard height >= p, width >= p else {
            throw ModelError.inputShape("image \(height)x\(width) is smaller than one \(p)x\(p) patch")
        }
        let gridH = height / p, gridW = width / p
        let prefix = config.prefixTokenCount
        let n = prefix + gridH * gridW, d = config.embedDimension
        let position = try positionEmbedding(gridHeight: gridH, gridWidth: gridW)
        let prefixTable = prefixTokenTable

        let (patchTokens, patches) = patchEmbedding.forward(images.scalars, batch: batch, height: height, width: width)
        var sequence = [Scalar].uninitialized(batch * n * d)
        sequence.withUnsafeMutableBufferPointer { sp in
            patchTokens.withUnsafeBufferPointer { tp in
                position.withUnsafeBufferPointer { pp in
                    prefixTable.withUnsafeBufferPointer { cp in
                        for b in 0..<batch {
                            for t in 0..<n {
                                let out = sp.baseAddress! + (b * n + t) * d
                                let source = t < prefix ? cp.baseAddress! + t * d : tp.baseAddress! + (b * gridH * gridW + t - prefix) * d
                                let pos = pp.baseAddress! + t * d
                                for i in 0..<d { out[i] = source[i] + pos[i] }
                            }
                        }
                    }
                }
            }
        }
        return Embedding(
            batch: batch, imageHeight: height, imageWidth: width, gridHeight: gridH, gridWidth: gridW, tokens: n,
            patches: patches, patchTokens: patchTokens, positionEmbedding: position, sequence: sequence)
    }

    /// [prefix, D]: the prefix tokens in sequence order, CLS, distillation token, registers
    /// (timm's `_pos_embed` concatenation order).
    package var prefixTokenTable: [Scalar] {
        (config.classToken ? classToken.scalars : []) + distillationToken.scalars + registerTokens.scalars
    }

    /// Final norm, pooling and head over the last block's output [B·N, D]. With DeiT's
    /// distillation token, logits = (head(x_cls) + head_dist(x_dist)) / 2 (timm
    /// `VisionTransformerDistilled.forward_head` at inference).
    func classify(_ encoded: [Scalar], batch: Int, tokens n: Int) -> (
        normInput: [Scalar], normCache: LayerNorm<Scalar>.Cache, normOutput: [Scalar], pooled: [Scalar],
        pooledDistillation: [Scalar], headOutputs: (classToken: [Scalar], distillation: [Scalar])?, logits: [Scalar]
    ) {
        let normInput: [Scalar], normCache: LayerNorm<Scalar>.Cache, normOutput: [Scalar], pooled: [Scalar]
        if config.normAfterPooling {
            normInput = pool(encoded, batch: batch, tokens: n)
            (normOutput, normCache) = norm.forward(normInput, rows: batch)
            pooled = normOutput
        } else {
            normInput = encoded
            (normOutput, normCache) = norm.forward(encoded, rows: batch * n)
            pooled = pool(normOutput, batch: batch, tokens: n)
        }
        guard let distillationHead, let index = config.distillationTokenIndex else {
            return (normInput, normCache, normOutput, pooled, [], nil, head.forward(pooled, rows: batch))
        }
        let d = config.embedDimension
        var pooledDistillation = [Scalar].uninitialized(batch * d)
        for b in 0..<batch { for i in 0..<d { pooledDistillation[b * d + i] = normOutput[(b * n + index) * d + i] } }
        let a = head.forward(pooled, rows: batch), z = distillationHead.forward(pooledDistillation, rows: batch)
        var logits = [Scalar].uninitialized(a.count)
        for i in 0..<a.count { logits[i] = (a[i] + z[i]) / 2 }
        return (normInput, normCache, normOutput, pooled, pooledDistillation, (a, z), logits)
    }

    /// [B·N, D] → [B, D']: the CLS token, the mean of the patch tokens, or both side by side
    /// (D' = `config.headInputDimension`). Every prefix token (CLS, distillation token,
    /// registers) is left out of the mean.
    package func pool(_ x: [Scalar], batch: Int, tokens n: Int) -> [Scalar] {
        let d = config.embedDimension, width = config.headInputDimension
        var pooled = [Scalar].zeros(batch * width)
        let prefix = config.prefixTokenCount
        let weight = 1 / Scalar(n - prefix)
        for b in 0..<batch {
            let out = b * width
            switch config.pooling {
            case .token:
                for i in 0..<d { pooled[out + i] = x[b * n * d + i] }
            case .average:
                for t in prefix..<n { for i in 0..<d { pooled[out + i] += x[(b * n + t) * d + i] } }
                for i in 0..<d { pooled[out + i] *= weight }
            case .classTokenAndPatchMean:
                // torch.cat([cls, patches.mean(dim=1)]): the mean sums in order, then divides.
                for i in 0..<d { pooled[out + i] = x[b * n * d + i] }
                for t in prefix..<n { for i in 0..<d { pooled[out + d + i] += x[(b * n + t) * d + i] } }
                for i in 0..<d { pooled[out + d + i] *= weight }
            }
        }
        return pooled
    }

    /// Adjoint of `pool`: [B, D'] → [B·N, D].
    func unpool(_ dPooled: [Scalar], batch: Int, tokens n: Int) -> [Scalar] {
        let d = config.embedDimension, width = config.headInputDimension
        var dx = [Scalar].zeros(batch * n * d)
        let prefix = config.prefixTokenCount
        let weight = 1 / Scalar(n - prefix)
        let (classSlot, meanSlot) = config.pooledSlots
        for b in 0..<batch {
            if let classSlot { for i in 0..<d { dx[b * n * d + i] = dPooled[b * width + classSlot + i] } }
            if let meanSlot {
                for t in prefix..<n { for i in 0..<d { dx[(b * n + t) * d + i] = dPooled[b * width + meanSlot + i] * weight } }
            }
        }
        return dx
    }

    /// The position embedding for a patch grid, [prefix + gridH·gridW, D]: the stored one, or
    /// its patch part interpolated as `config.positionInterpolation` says (bicubic,
    /// antialiased, as timm's `resample_abs_pos_embed`; or PyTorch's plain bicubic, as
    /// transformers' DINOv2, `TorchBicubic`).
    /// Prefix tokens without a position embedding (timm `no_embed_class`: DeiT-III, DINOv2
    /// with registers) get zero rows, so that adding it is timm's add-then-concatenate.
    public func positionEmbedding(gridHeight: Int, gridWidth: Int) throws -> [Scalar] {
        let covered = try storedLayoutPositionEmbedding(gridHeight: gridHeight, gridWidth: gridWidth)
        let missing = config.prefixTokenCount - config.positionPrefixTokenCount
        return missing == 0 ? covered : [Scalar](repeating: 0, count: missing * config.embedDimension) + covered
    }

    /// `positionEmbedding(gridHeight:gridWidth:)` in the stored table's layout
    /// ([positionPrefix + gridH·gridW, D]).
    func storedLayoutPositionEmbedding(gridHeight: Int, gridWidth: Int) throws -> [Scalar] {
        if gridHeight == positionGrid.height && gridWidth == positionGrid.width { return positionEmbedding.scalars }
        let d = config.embedDimension, prefix = config.positionPrefixTokenCount
        let stored = positionEmbedding.scalars
        // [P, D] → planar [D, gh, gw], resampled, back to [P', D].
        let gh = positionGrid.height, gw = positionGrid.width
        var planes = [Scalar].uninitialized(d * gh * gw)
        for t in 0..<(gh * gw) { for i in 0..<d { planes[i * gh * gw + t] = stored[(prefix + t) * d + i] } }
        let resampled: [Scalar]
        switch config.positionInterpolation {
        case .antialiasedBicubic:
            resampled = Resampler.resize(
                planes, channels: d, height: gh, width: gw, toHeight: gridHeight, toWidth: gridWidth, filter: .bicubic)
        case .bicubic:
            resampled = TorchBicubic.resize(planes, channels: d, height: gh, width: gw, toHeight: gridHeight, toWidth: gridWidth)
        }
        var result = [Scalar].uninitialized((prefix + gridHeight * gridWidth) * d)
        for i in 0..<(prefix * d) { result[i] = stored[i] }
        for t in 0..<(gridHeight * gridWidth) {
            for i in 0..<d { result[(prefix + t) * d + i] = resampled[i * gridHeight * gridWidth + t] }
        }
        return result
    }

    /// Backward pass of `seed`·logits (seed [B, classes], e.g. one-hot of the target class).
    /// Returns the gradients explanations need; adds parameter gradients into `parameterGradient`
    /// when given (training). With `rule: .deepLIFTRescale`, `baseline` is the trace of the
    /// baseline input (same shape) and the results are DeepLIFT multipliers, not gradients.
    ///
    /// `attentionDownTo` l stops at ∂/∂A of block l, for the methods that use only the
    /// attention gradients of blocks l and above: `attention` is then empty below l,
    /// `blockInputs` for l and below, and `images`, `positionEmbedding` and `classToken` are empty.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(
        _ seed: Tensor<Scalar>, trace: Trace, parameterGradient: inout VisionTransformer, accumulate: Bool = true,
        rule: GradientRule = .exact, baseline: Trace? = nil, attentionDownTo lowestBlock: Int? = nil
    ) -> InputGradients {
        let batch = trace.batch, n = trace.tokens, d = config.embedDimension
        precondition(seed.shape == [batch, config.classCount], "seed \(seed.shape) for logits \(trace.logits.shape)")
        precondition((rule == .deepLIFTRescale) == (baseline != nil), "DeepLIFT needs the baseline's trace, and only it")
        if let lowestBlock {
            precondition(!accumulate && blocks.indices.contains(lowestBlock), "attentionDownTo \(lowestBlock) (accumulate \(accumulate))")
        }
        if let baseline {
            precondition(!accumulate, "DeepLIFT multipliers are not parameter gradients")
            precondition(
                baseline.batch == batch && baseline.imageHeight == trace.imageHeight && baseline.imageWidth == trace.imageWidth,
                "baseline trace \(baseline.batch)×\(baseline.imageHeight)×\(baseline.imageWidth) for input \(batch)×\(trace.imageHeight)×\(trace.imageWidth)")
        }
        // DeiT: logits = (a + z)/2, so each head's output gradient is half the seed.
        let headSeed = distillationHead == nil ? seed.scalars : seed.scalars.map { $0 / 2 }
        let dPooled = head.backward(
            headSeed, input: trace.pooled, rows: batch, gradient: &parameterGradient.head, accumulate: accumulate)
        let dPooledDistillation = distillationHead?.backward(
            headSeed, input: trace.pooledDistillation, rows: batch, gradient: &parameterGradient.distillationHead!,
            accumulate: accumulate)
        var dx: [Scalar]
        func normBackward(_ dy: [Scalar], rows: Int) -> [Scalar] {
            if let baseline {
                return norm.rescaleBackward(
                    dy, input: trace.normInput, cache: trace.normCache, baselineInput: baseline.normInput,
                    baselineCache: baseline.normCache, rows: rows)
            }
            return norm.backward(
                dy, input: trace.normInput, cache: trace.normCache, rows: rows, gradient: &parameterGradient.norm,
                accumulate: accumulate, detachDeviation: rule.detachesLayerNormDeviation)
        }
        if config.normAfterPooling {
            dx = unpool(normBackward(dPooled, rows: batch), batch: batch, tokens: n)
        } else {
            var dNormOutput = unpool(dPooled, batch: batch, tokens: n)
            if let dPooledDistillation, let index = config.distillationTokenIndex {
                for b in 0..<batch { for i in 0..<d { dNormOutput[(b * n + index) * d + i] = dPooledDistillation[b * d + i] } }
            }
            dx = normBackward(dNormOutput, rows: batch * n)
        }
        var dAttention = [[Scalar]](repeating: [], count: blocks.count)
        var dBlockInputs = [[Scalar]](repeating: [], count: blocks.count + 1)
        dBlockInputs[blocks.count] = dx
        for index in blocks.indices.reversed() {
            let (dInput, dA) = blocks[index].backward(
                dx, trace: trace.blocks[index], batch: batch, tokens: n, gradient: &parameterGradient.blocks[index],
                accumulate: accumulate, rule: rule, baseline: baseline?.blocks[index], needsInputGradient: index != lowestBlock)
            dAttention[index] = dA
            if index == lowestBlock {
                return InputGradients(
                    images: Tensor(zeros: [0]), attention: dAttention, blockInputs: dBlockInputs, positionEmbedding: [], classToken: [])
            }
            dBlockInputs[index] = dInput
            dx = dInput
        }
        if let normPre, let preNorm = trace.preNorm {
            if let baselinePreNorm = baseline?.preNorm {
                dx = normPre.rescaleBackward(
                    dx, input: preNorm.input, cache: preNorm.cache, baselineInput: baselinePreNorm.input,
                    baselineCache: baselinePreNorm.cache, rows: batch * n)
            } else {
                dx = normPre.backward(
                    dx, input: preNorm.input, cache: preNorm.cache, rows: batch * n, gradient: &parameterGradient.normPre!,
                    accumulate: accumulate, detachDeviation: rule.detachesLayerNormDeviation)
            }
        }
        // Embedding: sequence = cat(prefix tokens, patchTokens) + position.
        let prefix = config.prefixTokenCount, patchCount = trace.gridHeight * trace.gridWidth
        var dPatchTokens = [Scalar].uninitialized(batch * patchCount * d)
        var dPosition = [Scalar].zeros(n * d)
        var dPrefix = [Scalar].zeros(prefix * d)
        for b in 0..<batch {
            for t in 0..<n {
                for i in 0..<d {
                    let g = dx[(b * n + t) * d + i]
                    dPosition[t * d + i] += g
                    if t < prefix { dPrefix[t * d + i] += g } else { dPatchTokens[(b * patchCount + t - prefix) * d + i] = g }
                }
            }
        }
        let dClass = config.classToken ? Array(dPrefix[0..<d]) : []
        let dPatches = patchEmbedding.projection.backward(
            dPatchTokens, input: trace.patches, rows: batch * patchCount,
            gradient: &parameterGradient.patchEmbedding.projection, accumulate: accumulate)
        if accumulate {
            if config.classToken { Kernels.addInPlace(&parameterGradient.classToken.scalars, dClass) }
            if let index = config.distillationTokenIndex {
                Kernels.addInPlace(&parameterGradient.distillationToken.scalars, Array(dPrefix[(index * d)..<((index + 1) * d)]))
            }
            if config.registerTokenCount > 0 {
                Kernels.addInPlace(&parameterGradient.registerTokens.scalars, Array(dPrefix[((prefix - config.registerTokenCount) * d)...]))
            }
            if trace.gridHeight == positionGrid.height && trace.gridWidth == positionGrid.width {
                // Rows of prefix tokens without a position embedding are not parameters.
                let skipped = (prefix - config.positionPrefixTokenCount) * d
                Kernels.addInPlace(&parameterGradient.positionEmbedding.scalars, Array(dPosition[skipped...]))
            } else {
                preconditionFailure("training at a grid other than the position embedding's is not supported")
            }
        }
        let dImages = patchEmbedding.fold(dPatches, batch: batch, height: trace.imageHeight, width: trace.imageWidth)
        return InputGradients(
            images: Tensor(shape: [batch, config.channels, trace.imageHeight, trace.imageWidth], scalars: dImages),
            attention: dAttention, blockInputs: dBlockInputs, positionEmbedding: dPosition, classToken: dClass,
            prefixTokens: dPrefix)
    }

    /// Gradients of `seed`·logits without parameter gradients (explanations); `rule` selects
    /// a modified gradient (see `GradientRule`; `.deepLIFTRescale` takes the baseline's trace).
    /// `attentionDownTo`: see `backward`.
    public func inputGradients(
        _ seed: Tensor<Scalar>, trace: Trace, rule: GradientRule = .exact, baseline: Trace? = nil,
        attentionDownTo lowestBlock: Int? = nil
    ) -> InputGradients {
        var unused = self  // never written: shares storage, costs nothing
        return backward(
            seed, trace: trace, parameterGradient: &unused, accumulate: false, rule: rule, baseline: baseline,
            attentionDownTo: lowestBlock)
    }
}
