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

    /// Whether the metric runs the model on perturbed inputs.
    public var runsModel: Bool {
        switch self {
        case .faithfulnessEstimate, .faithfulnessCorrelation, .monotonicityCorrelation, .pixelFlipping,
             .regionPerturbation, .selectivity, .insertion, .deletion, .road:
            return true
        default:
            return false
        }
    }

    /// Whether the metric compares the attribution with a ground-truth mask.
    public var needsMask: Bool { self == .relevanceMass || self == .relevanceRank || self == .pointingGame }

    /// Whether a higher score means a better explanation (with default settings; region
    /// perturbation in LeRF order reverses it); nil for descriptive quantities.
    public var higherIsBetter: Bool? {
        switch self {
        case .faithfulnessEstimate, .faithfulnessCorrelation, .monotonicityCorrelation, .regionPerturbation,
             .insertion, .relevanceMass, .relevanceRank, .pointingGame:
            return true
        case .pixelFlipping, .selectivity, .deletion, .road, .randomisation, .maxSensitivity:
            return false
        case .conservationGap, .seconds:
            return nil
        }
    }

    /// One line for `--help` and report headers.
    public var summary: String {
        switch self {
        case .faithfulnessEstimate: return "Pearson r of step attribution and output drop, one step at a time (Alvarez-Melis & Jaakkola 2018)"
        case .faithfulnessCorrelation: return "Pearson r of attribution and output drop over random subsets (Bhatt et al. 2020)"
        case .monotonicityCorrelation: return "Spearman ρ of step attribution and output variance (Nguyen & Rodríguez Martínez 2020)"
        case .pixelFlipping: return "area under the output while features are flipped, most relevant first (Bach et al. 2015)"
        case .regionPerturbation: return "AOPC: mean output drop as regions are perturbed in relevance order (Samek et al. 2017)"
        case .selectivity: return "area under the output as regions are removed, most relevant first (Montavon et al. 2018)"
        case .insertion: return "area under the probability as pixels are inserted into a blurred image (Petsiuk et al. 2018)"
        case .deletion: return "area under the probability as pixels are deleted (Petsiuk et al. 2018)"
        case .road: return "accuracy after removing top pixels with noisy linear imputation (Rong et al. 2022)"
        case .relevanceMass: return "share of relevance inside the mask (Arras et al. 2022)"
        case .relevanceRank: return "share of the top-|S| pixels inside the mask S (Arras et al. 2022)"
        case .pointingGame: return "whether the maximum lies inside the mask (Zhang et al. 2018)"
        case .randomisation: return "Spearman ρ with the explanation of a cascadingly randomised model (Adebayo et al. 2018)"
        case .maxSensitivity: return "largest relative change of the explanation under U(−0.2, 0.2) input noise (Yeh et al. 2019)"
        case .conservationGap: return "(explained output − relevance distributed) / |explained output|"
        case .seconds: return "wall time of the explanation in seconds"
        }
    }
}
