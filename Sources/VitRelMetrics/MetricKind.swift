/// The metrics `vitrel compare` can select, by their CLI names.
public enum MetricKind: String, CaseIterable, Codable, Sendable {
    case faithfulnessEstimate = "faithfulness-estimate"
    case faithfulnessCorrelation = "faithfulness-correlation"
    case monotonicityCorrelation = "monotonicity-correlation"
    case pixelFlipping = "pixel-flipping"
    /// Region perturbation / AOPC, MoRF or LeRF.
    case regionPerturbation = "region-perturbation"
    case selectivity
    case insertion
    case deletion
    case road
    case relevanceMass = "relevance-mass"
    case relevanceRank = "relevance-rank"
    case pointingGame = "pointing-game"
    /// Model parameter randomisation test (MPRT).
    case randomisation
    case maxSensitivity = "max-sensitivity"
    case conservationGap = "conservation-gap"
    case seconds

    /// Parses a CLI name; the error lists the valid ones.
    public init(name: String) throws {
        guard let kind = MetricKind(rawValue: name.lowercased()) else { throw MetricError.unknownMetric(name) }
        self = kind
    }

    /// The metric of this kind with its default settings (Quantus 0.6.0's, RISE's for
    /// insertion/deletion, ROAD's reference for ROAD): the registry. A new metric is a case
    /// above, a line here, and its implementation file (which holds its descriptor).
    public var defaultMetric: any Metric {
        switch self {
        case .faithfulnessEstimate: return FaithfulnessEstimate()
        case .faithfulnessCorrelation: return FaithfulnessCorrelation()
        case .monotonicityCorrelation: return MonotonicityCorrelation()
        case .pixelFlipping: return PixelFlipping()
        case .regionPerturbation: return RegionPerturbation()
        case .selectivity: return Selectivity()
        case .insertion: return InsertionDeletion.insertion
        case .deletion: return InsertionDeletion.deletion
        case .road: return ROAD()
        case .relevanceMass: return RelevanceMassAccuracy()
        case .relevanceRank: return RelevanceRankAccuracy()
        case .pointingGame: return PointingGame()
        case .randomisation: return ModelParameterRandomisation()
        case .maxSensitivity: return MaxSensitivity()
        case .conservationGap: return ConservationGap()
        case .seconds: return ExplanationSeconds()
        }
    }

    /// Name, direction, needs and curve, from the metric itself.
    public var descriptor: MetricDescriptor { defaultMetric.descriptor }

    /// Whether the metric runs the model on perturbed inputs.
    public var runsModel: Bool { descriptor.needs.contains(.perturbedInputs) }

    /// Whether the metric compares the attribution with a ground-truth mask.
    public var needsMask: Bool { descriptor.needs.contains(.groundTruthMask) }

    /// Whether a higher score means a better explanation (with default settings; region
    /// perturbation in LeRF order reverses it); nil for descriptive quantities.
    public var higherIsBetter: Bool? { descriptor.higherIsBetter }

    /// One line for `--help` and report headers.
    public var summary: String { descriptor.summary }
}
