/// One metric: what it is called, which way its score points, what it needs besides the
/// attribution, its settings, and how it scores one image.
///
/// The conforming struct's stored properties are its settings, so encoding the value is its
/// configuration (run.json records it field by field); `descriptor` holds the facts that do
/// not depend on the settings. Quantus's metric classes work the same way: a metric carries
/// its own name, direction and settings, so adding one means adding one type (and its line in
/// `MetricKind.defaultMetric`), not editing every place that lists metrics.
public protocol Metric: Codable, Sendable {
    /// Name, direction, needs and curve of this metric.
    var descriptor: MetricDescriptor { get }

    /// Scores `inputs.attribution`; the mask read by localisation metrics is `inputs.masks[mask]`.
    /// Throws `MetricError.missing` when `inputs` lacks something the metric needs.
    func evaluate<Model>(_ inputs: MetricInputs<Model>, mask: GroundTruthMask) throws -> MetricResult

    /// Forward passes `evaluate` makes on an input of `shape` (0 for metrics that run no model).
    func forwardPasses(for shape: ImageShape) -> Int
}

extension Metric {
    public var kind: MetricKind { descriptor.kind }
    public func forwardPasses(for shape: ImageShape) -> Int { 0 }
}

/// A metric whose random draws (noise, random orders, baselines) follow one seed.
public protocol SeededMetric: Metric {
    var seed: UInt64 { get set }
}

/// The facts about a metric that its settings do not change.
public struct MetricDescriptor: Sendable, Equatable {
    /// The registry (CLI) name.
    public var kind: MetricKind
    /// One line for `--help` and report headers.
    public var summary: String
    /// Whether a higher score means a better explanation (with default settings; region
    /// perturbation in LeRF order reverses it); nil for descriptive quantities.
    public var higherIsBetter: Bool?
    public var needs: MetricNeeds
    /// How the per-image curve is drawn, nil for metrics without one worth plotting.
    public var curve: MetricCurve?

    public init(kind: MetricKind, summary: String, higherIsBetter: Bool?, needs: MetricNeeds = [], curve: MetricCurve? = nil) {
        self.kind = kind
        self.summary = summary
        self.higherIsBetter = higherIsBetter
        self.needs = needs
        self.curve = curve
    }
}

/// What a metric needs besides the input, its attribution and the target (`MetricInputs`).
public struct MetricNeeds: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Runs the model on perturbed copies of the input (a `PerturbationMetric`).
    public static let perturbedInputs = MetricNeeds(rawValue: 1 << 0)
    /// Compares the attribution with a ground-truth mask.
    public static let groundTruthMask = MetricNeeds(rawValue: 1 << 1)
    /// Explains other inputs or other models again (`MetricInputs.explain`).
    public static let reexplanation = MetricNeeds(rawValue: 1 << 2)
    /// The cascade of randomised models (`MetricInputs.randomisation`).
    public static let randomisedModels = MetricNeeds(rawValue: 1 << 3)
    /// The explanation's conservation ledger or completeness gap.
    public static let conservationFacts = MetricNeeds(rawValue: 1 << 4)
    /// The explanation's wall time.
    public static let wallTime = MetricNeeds(rawValue: 1 << 5)
}

/// How a metric's per-image curve is plotted against its steps.
public struct MetricCurve: Sendable, Equatable {
    public enum Plotting: Sendable, Equatable {
        /// As stored.
        case asStored
        /// The running mean with a leading 0: Samek et al. 2017's AOPC(k) from the drops D_k.
        case runningMeanFromZero
    }

    /// The figure's title.
    public var title: String
    /// The y axis.
    public var axis: String
    public var plotting: Plotting
    /// Steps are randomised layers (MPRT), not perturbation steps.
    public var overLayers: Bool

    public init(title: String, axis: String, plotting: Plotting = .asStored, overLayers: Bool = false) {
        self.title = title
        self.axis = axis
        self.plotting = plotting
        self.overLayers = overLayers
    }
}
