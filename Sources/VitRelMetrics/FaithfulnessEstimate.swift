/// Faithfulness Estimate (Alvarez-Melis & Jaakkola 2018, "Towards robust interpretability with
/// self-explaining neural networks"), as Quantus 0.6.0 `FaithfulnessEstimate` computes it.
///
/// Features are visited in decreasing attribution, `featuresInStep` at a time. Each step
/// removes only its own features from the ORIGINAL input (not cumulatively) and records the
/// drop of the target output, D_k = f_y(x) − f_y(x with step k at the baseline), next to the
/// attribution mass of the step, A_k = Σ a. The score is the correlation of A and D (Pearson
/// by default): 1 when the attribution predicts every step's effect up to scale.
///
/// Cost: 1 + ⌈F / s⌉ forward passes for F = C·H·W features. Quantus's default s = 1 is
/// 150,529 passes on a 3×224² input, so `patchSized(patchSize:channels:)` gives the step the
/// COVID-19 ViT comparison needs: one patch's worth of features (3·16² = 768 → 197 passes).
/// Quantus asserts that s divides H·W (768 does not divide 224²); any s ≥ 1 is accepted here,
/// the last step taking what is left, which is what Quantus's loop does when the check passes.
public struct FaithfulnessEstimate: PerturbationMetric, SeededMetric, Equatable {
    public var featuresInStep: Int
    public var baseline: PerturbationBaseline
    public var similarity: Correlation
    public var preprocessing: AttributionPreprocessing
    public var output: ModelOutput
    /// Seeds the random baselines (uniform, noise); unused by the default black baseline.
    public var seed: UInt64

    /// Quantus 0.6.0 defaults: s = 1, black, Pearson, normalise, no abs, logits.
    public init(
        featuresInStep: Int = 1, baseline: PerturbationBaseline = .black, similarity: Correlation = .pearson,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false),
        output: ModelOutput = .logits, seed: UInt64 = 0
    ) {
        self.featuresInStep = featuresInStep
        self.baseline = baseline
        self.similarity = similarity
        self.preprocessing = preprocessing
        self.output = output
        self.seed = seed
    }

    /// The Quantus defaults with one step = one ViT patch across all channels (C·p² features).
    public static func patchSized(patchSize: Int, channels: Int) -> FaithfulnessEstimate {
        FaithfulnessEstimate(featuresInStep: channels * patchSize * patchSize)
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .faithfulnessEstimate, summary: "Pearson r of step attribution and output drop, one step at a time (Alvarez-Melis & Jaakkola 2018)",
            higherIsBetter: true, needs: .perturbedInputs)
    }

    public func forwardPasses(for shape: ImageShape) -> Int { 1 + ceilDivide(shape.count, featuresInStep) }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try require("featuresInStep", featuresInStep, atLeast: 1)
        try requireTarget(target)
        let (x, shape) = try input.metricImage()
        let features = try AttributionFeatures(attribution, shape: shape, preprocessing: preprocessing)
        let order = features.descendingOrder
        let perturber = try Perturber(baseline, original: x, shape: shape)
        let steps = ceilDivide(shape.count, featuresInStep)
        func step(_ k: Int) -> ArraySlice<Int> { order[(k * featuresInStep)..<min(shape.count, (k + 1) * featuresInStep)] }

        let outputs = try model.scores(count: 1 + steps, shape: shape, target: target, output: output) { i in
            guard i > 0 else { return x }
            var perturbed = x
            var generator = SeededGenerator(seed: seed, stream: UInt64(i - 1))
            perturber.perturb(&perturbed, at: step(i - 1), generator: &generator)
            return perturbed
        }
        let drops = outputs.dropFirst().map { outputs[0] - $0 }
        let masses = (0..<steps).map { features.sum(over: step($0)) }
        return MetricResult(score: similarity(masses, drops), curve: drops, forwardPasses: 1 + steps)
    }
}
