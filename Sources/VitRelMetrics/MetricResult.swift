/// The outcome of one metric on one image.
///
/// `score` is the scalar the comparison tables use; `curve` keeps the per-step values the
/// scalar was reduced from (pixel-flipping predictions, AOPC deltas, MPRT correlations per
/// layer, …) so that curves can be plotted and averaged over images.
public struct MetricResult: Sendable, Equatable, Codable {
    public var score: Double
    public var curve: [Double]?
    /// Model inputs the metric evaluated (one per perturbed input, not per batch).
    public var forwardPasses: Int
    /// Explanations the metric recomputed (MPRT, MaxSensitivity); 0 for the others.
    public var explanations: Int

    public init(score: Double, curve: [Double]? = nil, forwardPasses: Int = 0, explanations: Int = 0) {
        self.score = score
        self.curve = curve
        self.forwardPasses = forwardPasses
        self.explanations = explanations
    }

    /// `Equatable` that treats NaN scores as equal (an empty mask gives NaN every time).
    public static func == (lhs: MetricResult, rhs: MetricResult) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
        guard same(lhs.score, rhs.score), lhs.forwardPasses == rhs.forwardPasses,
              lhs.explanations == rhs.explanations else { return false }
        switch (lhs.curve, rhs.curve) {
        case (nil, nil): return true
        case let (a?, b?): return a.count == b.count && zip(a, b).allSatisfy(same)
        default: return false
        }
    }
}

/// Problems with a metric request; one-line messages that name what is wrong.
public enum MetricError: Error, CustomStringConvertible, Equatable {
    /// An input tensor whose shape is not [C, H, W] or [1, C, H, W].
    case inputShape([Int])
    /// An attribution whose element count fits neither [H, W] nor [C, H, W] of the input.
    case attributionShape(count: Int, channels: Int, height: Int, width: Int)
    /// A ground-truth mask whose element count is not H·W.
    case maskShape(count: Int, expected: Int)
    /// A re-explanation whose element count differs from the original attribution's.
    case explanationShape(count: Int, expected: Int)
    /// A model output that is not [inputs, classes] or has no column for the target.
    case modelOutput(shape: [Int], inputs: Int, target: Int)
    /// A parameter outside its valid range.
    case invalidParameter(String, String)
    /// A metric that needs something the caller did not supply.
    case missing(metric: String, what: String)
    /// A baseline name the parser does not know.
    case unknownBaseline(String)
    /// A metric name the registry does not know.
    case unknownMetric(String)

    public var description: String {
        switch self {
        case .inputShape(let shape):
            return "metric input has shape \(shape); expected [C, H, W] or [1, C, H, W]"
        case .attributionShape(let count, let c, let h, let w):
            return "attribution has \(count) values; expected \(h * w) ([\(h), \(w)]) or \(c * h * w) ([\(c), \(h), \(w)])"
        case .maskShape(let count, let expected):
            return "mask has \(count) values; expected \(expected) (one per pixel)"
        case .explanationShape(let count, let expected):
            return "re-explanation has \(count) values; the original attribution has \(expected)"
        case .modelOutput(let shape, let inputs, let target):
            return "model returned shape \(shape) for \(inputs) inputs; expected [\(inputs), classes > \(target)]"
        case .invalidParameter(let name, let reason):
            return "invalid metric parameter \(name): \(reason)"
        case .missing(let metric, let what):
            return "metric \(metric) needs \(what)"
        case .unknownBaseline(let name):
            return "unknown perturbation baseline \"\(name)\"; choose black, white, mean, uniform, zero, constant:V, noise:SIGMA or blur:SIGMA"
        case .unknownMetric(let name):
            return "unknown metric \"\(name)\"; choose one of: \(MetricKind.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}
