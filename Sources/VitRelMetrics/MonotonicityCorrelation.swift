/// Monotonicity Correlation (Nguyen & Rodríguez Martínez 2020, "On quantitative aspects of model
/// interpretability"), as Quantus 0.6.0 `MonotonicityCorrelation` computes it.
///
/// Features are visited in INCREASING attribution, `featuresInStep` at a time. For each step,
/// `samples` copies of the original input get that step's features set to the baseline (a new
/// uniform draw per copy by default) and the step's effect is the mean squared change of the
/// target output, scaled by 1/f_y(x)² (when |f_y(x)| ≥ ε): V_k = mean_s (f_y(x'_s) − f_y(x))² / f_y(x)².
/// The score is the Spearman correlation of the step attribution A_k = Σ a with V_k; a faithful
/// explanation gives ρ near 1.
///
/// Cost: 1 + ⌈F / s⌉ · samples passes; Quantus's defaults (s = 1, 100 samples) are 15 million
/// passes on 3×224², so use `patchSized(patchSize:channels:)` (s = C·p²: 1 + 196·100 passes).
public struct MonotonicityCorrelation: PerturbationMetric, SeededMetric, Equatable {
    public var samples: Int
    public var featuresInStep: Int
    public var baseline: PerturbationBaseline
    public var similarity: Correlation
    /// |f_y(x)| below which the 1/f_y(x)² scale is dropped.
    public var epsilon: Double
    public var preprocessing: AttributionPreprocessing
    public var output: ModelOutput
    public var seed: UInt64

    /// Quantus 0.6.0 defaults: 100 samples, s = 1, uniform baseline, Spearman, ε = 1e-5,
    /// normalise and abs, softmax.
    public init(
        samples: Int = 100, featuresInStep: Int = 1, baseline: PerturbationBaseline = .uniformUnit,
        similarity: Correlation = .spearman, epsilon: Double = 1e-5,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: true),
        output: ModelOutput = .softmax, seed: UInt64 = 0
    ) {
        self.samples = samples
        self.featuresInStep = featuresInStep
        self.baseline = baseline
        self.similarity = similarity
        self.epsilon = epsilon
        self.preprocessing = preprocessing
        self.output = output
        self.seed = seed
    }

    /// The Quantus defaults with one step = one patch across all channels (C·p² features).
    public static func patchSized(patchSize: Int, channels: Int) -> MonotonicityCorrelation {
        MonotonicityCorrelation(featuresInStep: channels * patchSize * patchSize)
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .monotonicityCorrelation, summary: "Spearman ρ of step attribution and output variance (Nguyen & Rodríguez Martínez 2020)",
            higherIsBetter: true, needs: .perturbedInputs)
    }

    public func forwardPasses(for shape: ImageShape) -> Int { 1 + ceilDivide(shape.count, featuresInStep) * samples }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try require("featuresInStep", featuresInStep, atLeast: 1)
        try require("samples", samples, atLeast: 1)
        try requireTarget(target)
        let (x, shape) = try input.metricImage()
        let features = try AttributionFeatures(attribution, shape: shape, preprocessing: preprocessing)
        let order = features.ascendingOrder
        let perturber = try Perturber(baseline, original: x, shape: shape)
        let steps = ceilDivide(shape.count, featuresInStep)
        func step(_ k: Int) -> ArraySlice<Int> { order[(k * featuresInStep)..<min(shape.count, (k + 1) * featuresInStep)] }

        let outputs = try model.scores(count: 1 + steps * samples, shape: shape, target: target, output: output) { i in
            guard i > 0 else { return x }
            var perturbed = x
            var generator = SeededGenerator(seed: seed, stream: UInt64(i - 1))
            perturber.perturb(&perturbed, at: step((i - 1) / samples), generator: &generator)
            return perturbed
        }
        let original = outputs[0]
        let scale = Swift.abs(original) >= epsilon ? 1 / (original * original) : 1
        let variances = (0..<steps).map { k -> Double in
            let drawn = outputs[(1 + k * samples)..<(1 + (k + 1) * samples)]
            return drawn.reduce(0) { $0 + ($1 - original) * ($1 - original) } / Double(samples) * scale
        }
        let masses = (0..<steps).map { features.sum(over: step($0)) }
        return MetricResult(score: similarity(masses, variances), curve: variances, forwardPasses: 1 + steps * samples)
    }
}
