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

/// One configured instance of every metric, run by `MetricKind`.
///
/// Starts from each kind's `defaultMetric` (Quantus 0.6.0's defaults, RISE's for
/// insertion/deletion, ROAD's reference for ROAD); `vit(patchSize:channels:)` sets the steps
/// that make the feature-wise metrics affordable on a ViT (one patch's worth of features per
/// step). The suite knows no metric by name: what a metric needs and how it scores lives in
/// its own type.
public struct MetricSuite: Sendable {
    private var metrics: [MetricKind: any Metric]

    public init() {
        metrics = Dictionary(uniqueKeysWithValues: MetricKind.allCases.map { ($0, $0.defaultMetric) })
    }

    /// Quantus defaults, except that Faithfulness Estimate, Monotonicity Correlation and Pixel
    /// Flipping step through C·p² features at a time (one ViT patch's worth).
    public static func vit(patchSize: Int, channels: Int) -> MetricSuite {
        var suite = MetricSuite()
        suite[.faithfulnessEstimate] = FaithfulnessEstimate.patchSized(patchSize: patchSize, channels: channels)
        suite[.monotonicityCorrelation] = MonotonicityCorrelation.patchSized(patchSize: patchSize, channels: channels)
        suite[.pixelFlipping] = PixelFlipping.patchSized(patchSize: patchSize, channels: channels)
        return suite
    }

    /// The configured metric of `kind`; a replacement must be of that kind.
    public subscript(kind: MetricKind) -> any Metric {
        get { metrics[kind]! }
        set {
            precondition(newValue.kind == kind, "a \(newValue.kind.rawValue) metric set as \(kind.rawValue)")
            metrics[kind] = newValue
        }
    }

    /// The configured metric of `kind` as its type, to change one setting:
    /// `suite[.pixelFlipping, as: PixelFlipping.self].seed = 7`.
    public subscript<M: Metric>(kind: MetricKind, as type: M.Type) -> M {
        get {
            guard let metric = metrics[kind] as? M else { preconditionFailure("\(kind.rawValue) is not a \(M.self)") }
            return metric
        }
        set { self[kind] = newValue }
    }

    /// Sets the seed of every metric that draws random numbers.
    public mutating func seed(_ seed: UInt64) {
        for (kind, metric) in metrics {
            guard var seeded = metric as? any SeededMetric else { continue }
            seeded.seed = seed
            metrics[kind] = seeded
        }
    }

    /// The configured perturbation metric of `kind`, nil for the others.
    public func perturbationMetric(_ kind: MetricKind) -> (any PerturbationMetric)? {
        metrics[kind] as? any PerturbationMetric
    }

    /// Forward passes `kind` makes on an input of `shape` (0 for metrics that run no model;
    /// MaxSensitivity's prediction check adds 1 + samples when enabled).
    public func forwardPasses(_ kind: MetricKind, shape: ImageShape) -> Int {
        self[kind].forwardPasses(for: shape)
    }

    /// Runs the metric `kind` on one image; localisation metrics read `inputs.masks[mask]`.
    public func run<Model>(_ kind: MetricKind, _ inputs: MetricInputs<Model>, mask: GroundTruthMask = .infection) throws -> MetricResult {
        try self[kind].evaluate(inputs, mask: mask)
    }
}
