import Foundation

/// Any explanation method — model-internal (`Explainer`) or LIME — applied to one input,
/// giving maps at the input size: what the metrics, figures and `vitrel compare` consume.
///
/// Token-grid maps are upsampled bilinearly (align_corners = false) to the input size, as
/// Chefer et al. 2021 draw them; pixel-level maps (LRP to the pixels, gradients, LIME) are used
/// as they are. LIME explains the pixel image (a `PreparedImage`'s computed picture; for an input
/// the caller made itself, the input with its normalisation undone) through
/// `ClassifierModel.pixelSpaceProbabilities`, as `lime_image` explains a classifier fed with
/// raw pixels.
public struct PixelExplainer {
    public var method: ExplanationMethod
    public var options: ExplanationOptions
    /// LIME's settings (labels are set per call); required when `method` is `.lime`.
    public var lime: LIMEExplainer?
    public var limeSeed: UInt64

    public init(method: ExplanationMethod, options: ExplanationOptions = ExplanationOptions(), lime: LIMEExplainer? = nil, limeSeed: UInt64 = 0) {
        precondition(method != .lime || lime != nil, "the LIME method needs a LIMEExplainer")
        self.method = method
        self.options = options
        self.lime = lime
        self.limeSeed = limeSeed
    }

    /// The maps of one input for each of `targets`.
    public struct Result {
        /// One map per target at the input size, row-major [H, W].
        public var pixels: [Heatmap]
        /// One map per target on the method's own grid (the patch grid for token methods).
        public var raw: [Heatmap]
        /// LRP to the pixels: each target's ledger.
        public var ledgers: [ConservationLedger]?
        /// Integrated gradients: each target's completeness gap.
        public var completenessGaps: [Double]?
        /// LIME: the whole explanation (segmentation, surrogates per target).
        public var lime: LIMEExplanation?
        /// Wall time of the explanation.
        public var seconds: Double

        /// What the conservation-gap metric reads for target k, when the method defines it.
        public func conservation(_ k: Int) -> ConservationFacts? {
            if let ledgers { return ConservationFacts(ledger: ledgers[k]) }
            if let completenessGaps { return ConservationFacts(attributionSum: raw[k].sum, completenessGap: completenessGaps[k]) }
            return nil
        }
    }

    /// Explains `image` (prepared by `model.preprocessing`) for each target class with the
    /// model's network. LIME perturbs `image.pixels`. `trace` is the network's forward trace of
    /// the input as a batch of one, when the caller has it: with a single target, the
    /// explanation starts from it instead of running the forward pass again.
    public func explain(
        _ image: PreparedImage, targets: [Int], model: ClassifierModel, trace: VisionTransformer<Float>.Trace? = nil,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Result {
        try explain(image.input, pixels: image.pixels, targets: targets, model: model, network: nil,
                    trace: targets.count == 1 ? trace : nil, progress: progress)
    }

    /// Explains `input` ([3, H, W], preprocessed by `model`) with `network` (the model's own
    /// network by default; MPRT passes randomised ones) for each target class. For inputs the
    /// caller made itself (perturbed, noised): LIME perturbs the input with its normalisation
    /// undone.
    public func explain(
        _ input: Tensor<Float>, targets: [Int], model: ClassifierModel, network: VisionTransformer<Float>? = nil,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Result {
        try explain(input, pixels: nil, targets: targets, model: model, network: network, trace: nil, progress: progress)
    }

    private func explain(
        _ input: Tensor<Float>, pixels: Image?, targets: [Int], model: ClassifierModel, network: VisionTransformer<Float>?,
        trace: VisionTransformer<Float>.Trace?, progress: ((Int, Int) -> Void)?
    ) throws -> Result {
        precondition(input.rank == 3, "input must be [C, H, W], got \(input.shape)")
        precondition(!targets.isEmpty, "no target to explain")
        let network = network ?? model.network
        let height = input.shape[1], width = input.shape[2]
        let clock = Stopwatch()
        if method == .lime, var lime {
            lime.labels = targets
            lime.topLabels = nil
            let pixelImage = pixels ?? model.preprocessing.pixelImage(fromInput: input)
            var explained = model
            explained.network = network
            let explanation = try lime.explain(
                pixelImage, seed: limeSeed, progress: progress, classifier: explained.pixelSpaceProbabilities)
            let maps = try targets.map { Heatmap(width: width, height: height, values: try explanation.heatmap(label: $0).scalars) }
            return Result(pixels: maps, raw: maps, lime: explanation, seconds: clock.seconds)
        }
        // One batch holding the input once per target: a single forward and backward pass.
        let batch = Tensor.stack([Tensor<Float>](repeating: input, count: targets.count))
        let explanation = try Explainer(model: network, options: options).explain(batch, method: method, targets: targets, trace: trace)
        let raw = explanation.maps.map { Heatmap(width: explanation.width, height: explanation.height, values: $0) }
        return Result(
            pixels: raw.map { $0.resized(width: width, height: height) }, raw: raw, ledgers: explanation.ledgers,
            completenessGaps: explanation.completenessGaps, seconds: clock.seconds)
    }
}
