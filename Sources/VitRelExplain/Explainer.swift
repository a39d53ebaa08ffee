/// Runs the model-internal explanation methods on a batch.
///
/// One forward pass with its trace, one backward pass for the gradients (∂y/∂A, ∂y/∂x), and
/// the relevance pass when the method needs it; batched throughout, any image and patch size,
/// CLS or average pooling.
public struct Explainer<Scalar: TensorScalar> {
    public var model: VisionTransformer<Scalar>
    public var options: ExplanationOptions

    public init(model: VisionTransformer<Scalar>, options: ExplanationOptions = ExplanationOptions()) {
        self.model = model
        self.options = options
    }

    /// Explains `targets[b]` for each image b of `images` [B, C, H, W] (preprocessed).
    /// `targets` nil means each image's predicted class. What is computed is decided by the
    /// method's descriptor (`ExplanationMethod.descriptor`), not here.
    ///
    /// `trace` is `model.forward(images)` when the caller has run it already (to read the
    /// prediction, or for another method on the same input): every pass of the explanation
    /// then starts from it, and the input's forward pass runs once.
    public func explain(
        _ images: Tensor<Scalar>, method: ExplanationMethod, targets requested: [Int]? = nil,
        trace known: VisionTransformer<Scalar>.Trace? = nil
    ) throws -> Explanation {
        let clock = Stopwatch()
        let descriptor = method.descriptor
        guard descriptor.needsModelInternals else {
            throw ExplanationError.notApplicable(method.rawValue, "it is model-agnostic; use the LIME explainer")
        }
        if let known {
            precondition(known.batch == images.shape[0] && known.imageHeight == images.shape[2] && known.imageWidth == images.shape[3],
                         "a trace of \(known.batch) × \(known.imageHeight)×\(known.imageWidth) for images \(images.shape)")
        }
        let trace = try known ?? model.forward(images)
        let batch = trace.batch, classes = model.config.classCount
        let targets = requested ?? (0..<batch).map { b in
            let row = trace.logits.scalars[(b * classes)..<((b + 1) * classes)]
            return row.indexOfMaximum! - b * classes
        }
        guard targets.count == batch else { throw ExplanationError.targetCount(targets.count, batch) }
        for target in targets where target < 0 || target >= classes {
            throw ClassLookupError.targetOutOfRange(target, classes)
        }
        let oneHot = Self.oneHot(targets, classes: classes)
        func explanation(_ maps: [[Scalar]], height: Int, width: Int, ledgers: [ConservationLedger]?, gaps: [Double]?) -> Explanation {
            Explanation(
                method: method, targets: targets,
                maps: maps.map { Heatmap(width: width, height: height, values: $0.map(Float.init)) },
                inputHeight: trace.imageHeight, inputWidth: trace.imageWidth, ledgers: ledgers, completenessGaps: gaps,
                seconds: clock.seconds)
        }
        func tokenExplanation(_ maps: [[Scalar]]) -> Explanation {
            explanation(maps, height: trace.gridHeight, width: trace.gridWidth, ledgers: nil, gaps: nil)
        }
        func pixelExplanation(_ maps: [[Scalar]], ledgers: [ConservationLedger]? = nil, gaps: [Double]? = nil) -> Explanation {
            explanation(maps, height: trace.imageHeight, width: trace.imageWidth, ledgers: ledgers, gaps: gaps)
        }

        if descriptor.needs.contains(.predictionRow) { try requireClassTokenReadout(method) }
        switch descriptor.computation {
        case .attentionRelevance(let ruleSet, let blocks, let weightedByGradient):
            // Only blocks from the start layer (the last block for lrp-last-layer) are used:
            // both passes stop at that block's attention.
            let lowest = blocks == .lastBlock ? model.blocks.count - 1 : options.startLayer
            let pass = model.relevance(oneHot, trace: trace, rules: ruleSet.rules(options), toPixels: false, attentionDownTo: lowest)
            let gradients = weightedByGradient ? model.inputGradients(oneHot, trace: trace, attentionDownTo: lowest) : nil
            return tokenExplanation((0..<batch).map { b in
                let fused = (0..<model.blocks.count).map { l -> [Scalar] in
                    if l < lowest { return [] }
                    let relevance = headSlice(pass.attention[l], sample: b, tokens: trace.tokens)
                    if let gradients {
                        let gradient = headSlice(gradients.attention[l], sample: b, tokens: trace.tokens)
                        return AttentionMaps.meanOverHeads(relevance, gradient: gradient, heads: model.config.headCount, tokens: trace.tokens)
                    }
                    return AttentionMaps.meanOverHeads(relevance, heads: model.config.headCount, tokens: trace.tokens)
                }
                if blocks == .lastBlock { return readout(fused[fused.count - 1], tokens: trace.tokens) }
                let rollout = AttentionMaps.rollout(fused, tokens: trace.tokens, startLayer: options.startLayer, addIdentity: true, normaliseRows: false)
                return readout(rollout, tokens: trace.tokens)
            })

        case .rawAttention:
            let last = model.blocks.count - 1
            return tokenExplanation((0..<batch).map { b in
                let attention = headSlice(trace.attention(block: last), sample: b, tokens: trace.tokens)
                return readout(AttentionMaps.meanOverHeads(attention, heads: model.config.headCount, tokens: trace.tokens), tokens: trace.tokens)
            })

        case .gradientWeightedRollout:
            let gradients = model.inputGradients(oneHot, trace: trace)
            return tokenExplanation((0..<batch).map { b in
                let n = trace.tokens
                var relevance: [Scalar] = AttentionMaps.identity(n)
                for l in 0..<model.blocks.count {
                    let attention = headSlice(trace.attention(block: l), sample: b, tokens: n)
                    let gradient = headSlice(gradients.attention[l], sample: b, tokens: n)
                    let fused = AttentionMaps.meanOverHeads(attention, gradient: gradient, heads: model.config.headCount, tokens: n)
                    Kernels.addInPlace(&relevance, MatrixProducts.times(fused, relevance, m: n, k: n, n: n))
                }
                return readout(relevance, tokens: n)
            })

        case .attentionRollout:
            return tokenExplanation((0..<batch).map { b in
                let n = trace.tokens
                let fused = (0..<model.blocks.count).map { l in
                    AttentionMaps.fuseHeads(
                        headSlice(trace.attention(block: l), sample: b, tokens: n), heads: model.config.headCount, tokens: n,
                        fusion: options.headFusion, discardRatio: options.discardRatio)
                }
                let rollout = AttentionMaps.rollout(fused, tokens: n, startLayer: 0, addIdentity: true, normaliseRows: true)
                return readout(rollout, tokens: n)
            })

        case .attentionGradCAM:
            let gradients = model.inputGradients(oneHot, trace: trace)
            let last = model.blocks.count - 1, n = trace.tokens, heads = model.config.headCount
            let prefix = model.config.prefixTokenCount
            return tokenExplanation((0..<batch).map { b in
                let attention = headSlice(trace.attention(block: last), sample: b, tokens: n)
                let gradient = headSlice(gradients.attention[last], sample: b, tokens: n)
                var map = [Scalar](repeating: 0, count: n - prefix)
                for h in 0..<heads {
                    let row = h * n * n  // query row 0 (CLS) of head h
                    var weight: Scalar = 0
                    for t in prefix..<n { weight += gradient[row + t] }
                    weight /= Scalar(n - prefix)
                    for t in prefix..<n { map[t - prefix] += weight * attention[row + t] / Scalar(heads) }
                }
                return map.map { max($0, 0) }
            })

        case .tokenGradCAM:
            let gradients = model.inputGradients(oneHot, trace: trace)
            let last = model.blocks.count - 1, n = trace.tokens, d = model.config.embedDimension
            let prefix = model.config.prefixTokenCount, patches = n - prefix
            return tokenExplanation((0..<batch).map { b in
                let activation = trace.blocks[last].input, gradient = gradients.blockInputs[last]
                var map = [Scalar](repeating: 0, count: patches)
                switch options.gradCAMVariant {
                case .globalAveragePooling:
                    var weights = [Scalar](repeating: 0, count: d)
                    for t in prefix..<n { for c in 0..<d { weights[c] += gradient[(b * n + t) * d + c] } }
                    for c in 0..<d { weights[c] /= Scalar(patches) }
                    for t in prefix..<n {
                        var value: Scalar = 0
                        for c in 0..<d { value += weights[c] * activation[(b * n + t) * d + c] }
                        map[t - prefix] = max(value, 0)
                    }
                case .elementwise:
                    for t in prefix..<n {
                        var value: Scalar = 0
                        for c in 0..<d { value += max(gradient[(b * n + t) * d + c], 0) * activation[(b * n + t) * d + c] }
                        map[t - prefix] = max(value, 0)
                    }
                }
                return map
            })

        case .pixelRelevance(let ruleSet):
            let rules = ruleSet.rules(options)
            var seed = oneHot
            if ruleSet.startsFromLogit {
                // The conservative rule sets explain the logit itself: Σ R_pixels ≈ logit.
                for b in 0..<batch { seed.scalars[b * classes + targets[b]] = trace.logits.scalars[b * classes + targets[b]] }
            }
            var ledgers = [ConservationLedger]()
            var maps = [[Scalar]]()
            for b in 0..<batch {
                // One image at a time so that every ledger is per image (a single image's
                // pass starts from the trace it has).
                let single = try batch == 1 ? trace : model.forward(images.slice(b).reshaped([1] + Array(images.shape.dropFirst())))
                let singleSeed = Tensor(shape: [1, classes], scalars: Array(seed.scalars[(b * classes)..<((b + 1) * classes)]))
                let pass = model.relevance(singleSeed, trace: single, rules: rules, toPixels: true)
                ledgers.append(pass.ledger)
                maps.append(Self.sumOverChannels(pass.pixels!.scalars, channels: model.config.channels))
            }
            return pixelExplanation(maps, ledgers: ledgers)

        case .inputGradient(let reduction):
            let gradients = model.inputGradients(oneHot, trace: trace)
            let c = model.config.channels, plane = trace.imageHeight * trace.imageWidth
            return pixelExplanation((0..<batch).map { b in
                (0..<plane).map { p in
                    var value: Scalar = 0
                    for channel in 0..<c {
                        let i = (b * c + channel) * plane + p
                        let g = gradients.images.scalars[i]
                        switch reduction {
                        case .largestMagnitude: value = max(value, abs(g))
                        case .timesInput: value += images.scalars[i] * g
                        }
                    }
                    return value
                }
            })

        case .integratedGradients:
            let (attributions, gaps) = try integratedGradients(images, targets: targets, endLogits: trace.logits)
            return pixelExplanation(
                (0..<batch).map { b in Self.sumOverChannels(attributions.slice(b).scalars, channels: model.config.channels) },
                gaps: gaps)

        case .deepLIFT:
            let (attributions, gaps) = try deepLIFT(images, targets: targets, trace: trace)
            return pixelExplanation(
                (0..<batch).map { b in Self.sumOverChannels(attributions.slice(b).scalars, channels: model.config.channels) },
                gaps: gaps)

        case .lime:
            fatalError("unreachable")
        }
    }

    /// DeepLIFT-rescale attributions (x − x′) ⊙ m [B, C, H, W], m the multipliers of the
    /// modified backward pass `GradientRule.deepLIFTRescale` (Shrikumar et al. 2017, eq. 1–3),
    /// and the summation-to-delta gap Σ attr − (F(x) − F(x′)) per image, which the rules make
    /// zero up to rounding. `baseline` defaults to the constant `options.baselineValue`;
    /// `trace` is the input's forward trace when the caller has it.
    public func deepLIFT(
        _ images: Tensor<Scalar>, baseline: Tensor<Scalar>? = nil, targets: [Int], trace: VisionTransformer<Scalar>.Trace? = nil
    ) throws -> (Tensor<Scalar>, [Double]) {
        let reference = baseline ?? Tensor(repeating: Scalar(options.baselineValue), shape: images.shape)
        precondition(reference.shape == images.shape, "baseline \(reference.shape) for images \(images.shape)")
        let inputTrace = try trace ?? model.forward(images)
        let baselineTrace = try model.forward(reference)
        let multipliers = model.inputGradients(
            Self.oneHot(targets, classes: model.config.classCount), trace: inputTrace, rule: .deepLIFTRescale, baseline: baselineTrace)
        var attributions = multipliers.images
        for i in 0..<attributions.count { attributions.scalars[i] *= images.scalars[i] - reference.scalars[i] }
        let gaps = deltaGaps(attributions, targets: targets, endLogits: inputTrace.logits, baselineLogits: baselineTrace.logits)
        return (attributions, gaps)
    }

    /// Integrated gradients along the straight path from the baseline, with Gauss–Legendre
    /// nodes α_k = (1 + t_k)/2 and weights ω_k/2; returns attributions [B, C, H, W] and the
    /// completeness gap Σ attr − (F(x) − F(x')) per image.
    public func integratedGradients(
        _ images: Tensor<Scalar>, targets: [Int], endLogits: Tensor<Scalar>
    ) throws -> (Tensor<Scalar>, [Double]) {
        let (nodes, weights) = GaussLegendre.rule(order: options.integrationSteps)
        let baseline = Scalar(options.baselineValue)
        var accumulated = [Scalar](repeating: 0, count: images.count)
        let oneHot = Self.oneHot(targets, classes: model.config.classCount)
        for (node, weight) in zip(nodes, weights) {
            let alpha = Scalar((1 + node) / 2)
            var point = images
            for i in 0..<point.count { point.scalars[i] = baseline + alpha * (images.scalars[i] - baseline) }
            let trace = try model.forward(point)
            let gradients = model.inputGradients(oneHot, trace: trace)
            let w = Scalar(weight / 2)
            for i in 0..<accumulated.count { accumulated[i] += w * gradients.images.scalars[i] }
        }
        var attributions = images
        for i in 0..<attributions.count { attributions.scalars[i] = (images.scalars[i] - baseline) * accumulated[i] }
        let baselineLogits = try model(Tensor(repeating: baseline, shape: images.shape))
        return (attributions, deltaGaps(attributions, targets: targets, endLogits: endLogits, baselineLogits: baselineLogits))
    }

    /// Σ attributions − (F(x) − F(x′)) of each image's target logit, summed in Double.
    func deltaGaps(
        _ attributions: Tensor<Scalar>, targets: [Int], endLogits: Tensor<Scalar>, baselineLogits: Tensor<Scalar>
    ) -> [Double] {
        let batch = attributions.shape[0], perImage = attributions.count / batch, classes = model.config.classCount
        return (0..<batch).map { b -> Double in
            let total = attributions.scalars[(b * perImage)..<((b + 1) * perImage)].reduce(0.0) { $0 + Double($1) }
            let difference = Double(endLogits.scalars[b * classes + targets[b]]) - Double(baselineLogits.scalars[b * classes + targets[b]])
            return total - difference
        }
    }

    // MARK: helpers

    static func oneHot(_ targets: [Int], classes: Int) -> Tensor<Scalar> {
        var seed = Tensor<Scalar>(zeros: [targets.count, classes])
        for (b, target) in targets.enumerated() { seed.scalars[b * classes + target] = 1 }
        return seed
    }

    /// [H, N, N] of sample b from a [B, H, N, N] array.
    func headSlice(_ all: [Scalar], sample b: Int, tokens n: Int) -> [Scalar] {
        let size = model.config.headCount * n * n
        return Array(all[(b * size)..<((b + 1) * size)])
    }

    /// The row the prediction reads: CLS (row 0), or the mean of the patch rows for average
    /// pooling; columns of the patch tokens (registers and other prefix tokens are not
    /// pixels, so they are not in the map). DeiT's distilled models read two rows, CLS and
    /// the distillation token, whose heads' logits are averaged: their rows are averaged too
    /// (`ViTConfig.readoutTokens`). DINOv2's [CLS ⊕ patch mean] head reads both the CLS row
    /// and the mean of the patch rows, one half of its input each: the map is the average of
    /// the two readouts, as for DeiT's two heads.
    func readout(_ matrix: [Scalar], tokens n: Int) -> [Scalar] {
        let prefix = model.config.prefixTokenCount
        var map = [Scalar](repeating: 0, count: n - prefix)
        func addPatchMean(weight: Scalar) {
            for row in prefix..<n { for t in prefix..<n { map[t - prefix] += matrix[row * n + t] * weight / Scalar(n - prefix) } }
        }
        switch model.config.pooling {
        case .token:
            let rows = model.config.readoutTokens
            for t in prefix..<n { map[t - prefix] = matrix[t] }
            if rows.count > 1 {
                for row in rows.dropFirst() { for t in prefix..<n { map[t - prefix] += matrix[row * n + t] } }
                for t in map.indices { map[t] /= Scalar(rows.count) }
            }
        case .average:
            addPatchMean(weight: 1)
        case .classTokenAndPatchMean:
            for t in prefix..<n { map[t - prefix] = matrix[t] / 2 }
            addPatchMean(weight: 1 / 2)
        }
        return map
    }

    func requireClassTokenReadout(_ method: ExplanationMethod) throws {
        if !model.config.classToken && model.config.pooling != .average {
            throw ExplanationError.notApplicable(method.rawValue, "the model has no class token")
        }
    }

    static func sumOverChannels(_ planes: [Scalar], channels: Int) -> [Scalar] {
        let plane = planes.count / channels
        return (0..<plane).map { p in (0..<channels).reduce(Scalar(0)) { $0 + planes[$1 * plane + p] } }
    }
}

/// Problems with an explanation request; one-line messages.
public enum ExplanationError: Error, CustomStringConvertible, Equatable {
    case unknownMethod(String)
    case notApplicable(String, String)
    case targetCount(Int, Int)

    public var description: String {
        switch self {
        case .unknownMethod(let name):
            return "unknown method \"\(name)\"; choose one of: \(ExplanationMethod.allCases.map(\.rawValue).joined(separator: ", "))"
        case .notApplicable(let method, let reason): return "method \(method) does not apply: \(reason)"
        case .targetCount(let given, let images): return "\(given) targets for \(images) images"
        }
    }
}
