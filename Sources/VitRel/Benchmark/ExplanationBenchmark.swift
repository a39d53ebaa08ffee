/// Seconds of one explanation of a model-internal method and its cost as a multiple of one
/// forward pass, measured in the same rounds (`vitrel bench explain`): each round times a
/// forward pass of the image and then its explanation.
public struct ExplanationBenchmark: Sendable {
    public var config: ViTConfig
    public var method: ExplanationMethod
    public var rounds: Int

    public init(config: ViTConfig, method: ExplanationMethod, rounds: Int = 5) {
        self.config = config
        self.method = method
        self.rounds = rounds
    }

    public struct Result: Sendable {
        public var rounds: Int
        /// Medians over the rounds.
        public var forwardSeconds: Double
        public var explanationSeconds: Double
        /// Explanation / forward: the median of the rounds' ratios and their range.
        public var ratio: (median: Double, lowest: Double, highest: Double)
    }

    /// Runs the rounds on a model of `config` with seeded random weights and one seeded image
    /// (after one untimed explanation). LIME is not model-internal: `LIMEBenchmark` times it.
    public func measure() throws -> Result {
        guard method.descriptor.needsModelInternals else {
            throw ExplanationError.notApplicable(method.rawValue, "it is model-agnostic; use the LIME benchmark")
        }
        let model = VisionTransformer<Float>(config: config, seed: 0)
        let input = ForwardBenchmark.seededInput(config, batch: 1)
        let explainer = Explainer(model: model)
        _ = try explainer.explain(input, method: method)
        let timing = try PairedTiming.measure(
            rounds: rounds, reference: { try PairedTiming.timed { _ = try model(input) } },
            subject: { _ = try explainer.explain(input, method: method) })
        return Result(
            rounds: timing.rounds.count, forwardSeconds: timing.medianReferenceSeconds,
            explanationSeconds: timing.medianSubjectSeconds, ratio: timing.timeRatio)
    }
}
