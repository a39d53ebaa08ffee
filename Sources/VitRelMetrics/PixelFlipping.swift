/// Pixel Flipping (Bach et al. 2015, "On pixel-wise explanations for non-linear classifier
/// decisions by layer-wise relevance propagation"), as Quantus 0.6.0 `PixelFlipping` computes it.
///
/// Features are set to the baseline cumulatively, most relevant first, `featuresInStep` at a
/// time; the curve is the target output after each step (the unperturbed input is not part of
/// it, as in Quantus). A faithful explanation makes the curve fall fast, so a LOWER area is
/// better. The score is the trapezoidal area under the curve with unit spacing (Quantus
/// `get_auc_score`).
///
/// Cost: ⌈F / s⌉ passes; `patchSized(patchSize:channels:)` flips one patch's worth per step.
/// As for Faithfulness Estimate, s need not divide H·W (Quantus asserts that it does).
public struct PixelFlipping: PerturbationMetric, SeededMetric, Equatable {
    public var featuresInStep: Int
    public var baseline: PerturbationBaseline
    public var preprocessing: AttributionPreprocessing
    public var output: ModelOutput
    public var seed: UInt64

    /// Quantus 0.6.0 defaults: s = 1, black, normalise, no abs, softmax.
    public init(
        featuresInStep: Int = 1, baseline: PerturbationBaseline = .black,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false),
        output: ModelOutput = .softmax, seed: UInt64 = 0
    ) {
        self.featuresInStep = featuresInStep
        self.baseline = baseline
        self.preprocessing = preprocessing
        self.output = output
        self.seed = seed
    }

    /// The Quantus defaults with one step = one patch across all channels (C·p² features).
    public static func patchSized(patchSize: Int, channels: Int) -> PixelFlipping {
        PixelFlipping(featuresInStep: channels * patchSize * patchSize)
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .pixelFlipping, summary: "area under the output while features are flipped, most relevant first (Bach et al. 2015)",
            higherIsBetter: false, needs: .perturbedInputs,
            curve: MetricCurve(title: "pixel-flipping curve (mean, 95% bootstrap band)", axis: "model output"))
    }

    public func forwardPasses(for shape: ImageShape) -> Int { ceilDivide(shape.count, featuresInStep) }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try require("featuresInStep", featuresInStep, atLeast: 1)
        try requireTarget(target)
        let (x, shape) = try input.metricImage()
        let features = try AttributionFeatures(attribution, shape: shape, preprocessing: preprocessing)
        let order = features.descendingOrder
        let perturber = try Perturber(baseline, original: x, shape: shape)
        let steps = ceilDivide(shape.count, featuresInStep)
        var perturbed = x
        let curve = try model.scores(count: steps, shape: shape, target: target, output: output) { k in
            var generator = SeededGenerator(seed: seed, stream: UInt64(k))
            perturber.perturb(&perturbed, at: order[(k * featuresInStep)..<min(shape.count, (k + 1) * featuresInStep)], generator: &generator)
            return perturbed
        }
        return MetricResult(score: Statistics.trapezoidArea(curve), curve: curve, forwardPasses: steps)
    }
}
