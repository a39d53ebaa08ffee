/// Faithfulness Correlation (Bhatt et al. 2020, "Evaluating and aggregating feature-based model
/// explanations"), as Quantus 0.6.0 `FaithfulnessCorrelation` computes it.
///
/// `runs` times, a random subset S_r of `subsetSize` features is set to the baseline in the
/// original input; D_r = f_y(x) − f_y(x_{S_r}) and A_r = Σ_{S_r} a. The score is the
/// correlation of A and D over the runs (Pearson by default).
///
/// Subsets come from `SeededGenerator(seed: seed, stream: r)`; Quantus draws them with
/// `np.random.choice`, whose stream cannot be reproduced here, so the parity test feeds the
/// subsets Quantus drew through `evaluate(…, subsets:)`. Cost: 1 + runs forward passes.
public struct FaithfulnessCorrelation: PerturbationMetric, SeededMetric, Equatable {
    public var runs: Int
    public var subsetSize: Int
    public var baseline: PerturbationBaseline
    public var similarity: Correlation
    public var preprocessing: AttributionPreprocessing
    public var output: ModelOutput
    public var seed: UInt64

    /// Quantus 0.6.0 defaults: 100 runs, subsets of 224, black, Pearson, normalise, logits.
    public init(
        runs: Int = 100, subsetSize: Int = 224, baseline: PerturbationBaseline = .black, similarity: Correlation = .pearson,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false),
        output: ModelOutput = .logits, seed: UInt64 = 0
    ) {
        self.runs = runs
        self.subsetSize = subsetSize
        self.baseline = baseline
        self.similarity = similarity
        self.preprocessing = preprocessing
        self.output = output
        self.seed = seed
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .faithfulnessCorrelation, summary: "Pearson r of attribution and output drop over random subsets (Bhatt et al. 2020)",
            higherIsBetter: true, needs: .perturbedInputs)
    }

    public func forwardPasses(for shape: ImageShape) -> Int { 1 + runs }

    /// The feature subsets `evaluate` perturbs for an input with `featureCount` features.
    public func subsets(featureCount: Int) -> [[Int]] {
        (0..<runs).map { r in
            var generator = SeededGenerator(seed: seed, stream: UInt64(r))
            return generator.subset(of: featureCount, count: subsetSize)
        }
    }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try require("runs", runs, atLeast: 2)
        try require("subsetSize", subsetSize, atLeast: 1)
        let shape = try ImageShape(of: input)
        guard subsetSize <= shape.count else {
            throw MetricError.invalidParameter("subsetSize", "\(subsetSize) exceeds the input's \(shape.count) features")
        }
        return try evaluate(model: model, input: input, attribution: attribution, target: target, subsets: subsets(featureCount: shape.count))
    }

    /// The metric on given subsets of feature indices (one run each).
    public func evaluate(
        model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int, subsets: [[Int]]
    ) throws -> MetricResult {
        try requireTarget(target)
        let (x, shape) = try input.metricImage()
        guard subsets.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0 < shape.count } }) else {
            throw MetricError.invalidParameter("subsets", "an index is outside the input's \(shape.count) features")
        }
        let features = try AttributionFeatures(attribution, shape: shape, preprocessing: preprocessing)
        let perturber = try Perturber(baseline, original: x, shape: shape)
        let outputs = try model.scores(count: 1 + subsets.count, shape: shape, target: target, output: output) { i in
            guard i > 0 else { return x }
            var perturbed = x
            var generator = SeededGenerator(seed: seed, stream: UInt64(runs + i - 1))
            perturber.perturb(&perturbed, at: subsets[i - 1], generator: &generator)
            return perturbed
        }
        let drops = outputs.dropFirst().map { outputs[0] - $0 }
        let masses = subsets.map { features.sum(over: $0) }
        return MetricResult(score: similarity(masses, drops), curve: drops, forwardPasses: 1 + subsets.count)
    }
}
