/// Everything a metric may need for one image; metrics take what they use.
///
/// `Model` is what `explain` receives: the Vision Transformer for the model-internal methods,
/// or whatever a model-agnostic explainer wraps.
public struct MetricInputs<Model> {
    public var model: MetricModel
    /// [C, H, W] or [1, C, H, W], in the model's input space.
    public var input: Tensor<Float>
    /// [H, W] (token maps upsampled by the caller) or [C, H, W].
    public var attribution: [Float]
    public var target: Int
    /// H·W booleans per mask.
    public var masks: [GroundTruthMask: [Bool]]
    /// The model `explain` explains (for MaxSensitivity).
    public var subject: Model?
    /// Re-explains an input (MaxSensitivity, MPRT).
    public var explain: ExplainFunction<Model>?
    /// The cascade of randomised models (MPRT).
    public var randomisation: LayerRandomisation<Model>?
    /// From the explanation's ledger or completeness gap (conservation gap).
    public var conservation: ConservationFacts?
    /// Wall time of the explanation (seconds metric).
    public var seconds: Double?

    public init(
        model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int,
        masks: [GroundTruthMask: [Bool]] = [:], subject: Model? = nil, explain: ExplainFunction<Model>? = nil,
        randomisation: LayerRandomisation<Model>? = nil, conservation: ConservationFacts? = nil, seconds: Double? = nil
    ) {
        self.model = model
        self.input = input
        self.attribution = attribution
        self.target = target
        self.masks = masks
        self.subject = subject
        self.explain = explain
        self.randomisation = randomisation
        self.conservation = conservation
        self.seconds = seconds
    }
}

/// The registry: one configured instance of every metric, run by `MetricKind`.
///
/// Defaults are Quantus 0.6.0's (RISE's for insertion/deletion, ROAD's reference for ROAD);
/// `vit(patchSize:channels:)` sets the steps that make the feature-wise metrics affordable on a
/// ViT (one patch's worth of features per step).
public struct MetricSuite: Sendable {
    public var faithfulnessEstimate = FaithfulnessEstimate()
    public var faithfulnessCorrelation = FaithfulnessCorrelation()
    public var monotonicityCorrelation = MonotonicityCorrelation()
    public var pixelFlipping = PixelFlipping()
    public var regionPerturbation = RegionPerturbation()
    public var selectivity = Selectivity()
    public var insertion = InsertionDeletion.insertion
    public var deletion = InsertionDeletion.deletion
    public var road = ROAD()
    public var relevanceMass = RelevanceMassAccuracy()
    public var relevanceRank = RelevanceRankAccuracy()
    public var pointingGame = PointingGame()
    public var randomisation = ModelParameterRandomisation()
    public var maxSensitivity = MaxSensitivity()
    public var conservationGap = ConservationGap()
    public var seconds = ExplanationSeconds()

    public init() {}

    /// Quantus defaults, except that Faithfulness Estimate, Monotonicity Correlation and Pixel
    /// Flipping step through C·p² features at a time (one ViT patch's worth).
    public static func vit(patchSize: Int, channels: Int) -> MetricSuite {
        var suite = MetricSuite()
        suite.faithfulnessEstimate = .patchSized(patchSize: patchSize, channels: channels)
        suite.monotonicityCorrelation = .patchSized(patchSize: patchSize, channels: channels)
        suite.pixelFlipping = .patchSized(patchSize: patchSize, channels: channels)
        return suite
    }

    /// The configured perturbation metric of `kind`, nil for the others.
    public func perturbationMetric(_ kind: MetricKind) -> (any PerturbationMetric)? {
        switch kind {
        case .faithfulnessEstimate: return faithfulnessEstimate
        case .faithfulnessCorrelation: return faithfulnessCorrelation
        case .monotonicityCorrelation: return monotonicityCorrelation
        case .pixelFlipping: return pixelFlipping
        case .regionPerturbation: return regionPerturbation
        case .selectivity: return selectivity
        case .insertion: return insertion
        case .deletion: return deletion
        case .road: return road
        default: return nil
        }
    }

    /// Forward passes `kind` makes on an input of `shape` (0 for metrics that run no model;
    /// MaxSensitivity's prediction check adds 1 + samples when enabled).
    public func forwardPasses(_ kind: MetricKind, shape: ImageShape) -> Int {
        if let metric = perturbationMetric(kind) { return metric.forwardPasses(for: shape) }
        if kind == .maxSensitivity && maxSensitivity.nanWhenPredictionChanges { return 1 + maxSensitivity.samples }
        return 0
    }

    /// Runs the metric `kind` on one image; localisation metrics read `inputs.masks[mask]`.
    public func run<Model>(_ kind: MetricKind, _ inputs: MetricInputs<Model>, mask: GroundTruthMask = .infection) throws -> MetricResult {
        if let metric = perturbationMetric(kind) {
            return try metric.evaluate(model: inputs.model, input: inputs.input, attribution: inputs.attribution, target: inputs.target)
        }
        func groundTruth() throws -> [Bool] {
            guard let values = inputs.masks[mask] else { throw MetricError.missing(metric: kind.rawValue, what: "the \(mask) mask") }
            return values
        }
        switch kind {
        case .relevanceMass: return try relevanceMass.evaluate(attribution: inputs.attribution, mask: groundTruth())
        case .relevanceRank: return try relevanceRank.evaluate(attribution: inputs.attribution, mask: groundTruth())
        case .pointingGame: return try pointingGame.evaluate(attribution: inputs.attribution, mask: groundTruth())
        case .randomisation:
            guard let explain = inputs.explain else { throw MetricError.missing(metric: kind.rawValue, what: "an explain function") }
            guard let cascade = inputs.randomisation else { throw MetricError.missing(metric: kind.rawValue, what: "a layer randomisation") }
            return try randomisation.evaluate(
                input: inputs.input, attribution: inputs.attribution, target: inputs.target, randomisation: cascade, explain: explain)
        case .maxSensitivity:
            guard let explain = inputs.explain else { throw MetricError.missing(metric: kind.rawValue, what: "an explain function") }
            guard let subject = inputs.subject else { throw MetricError.missing(metric: kind.rawValue, what: "the model to explain") }
            return try maxSensitivity.evaluate(
                model: subject, input: inputs.input, attribution: inputs.attribution, target: inputs.target,
                explain: explain, predictor: inputs.model)
        case .conservationGap:
            guard let facts = inputs.conservation else {
                throw MetricError.missing(metric: kind.rawValue, what: "a conservation ledger or completeness gap (LRP or integrated gradients)")
            }
            return conservationGap.evaluate(facts)
        case .seconds:
            guard let value = inputs.seconds else { throw MetricError.missing(metric: kind.rawValue, what: "the explanation's wall time") }
            return seconds.evaluate(seconds: value)
        default:
            fatalError("unreachable: \(kind) is a perturbation metric")
        }
    }
}
