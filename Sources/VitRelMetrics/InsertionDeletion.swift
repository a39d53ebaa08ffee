/// The insertion and deletion games of RISE (Petsiuk et al. 2018, "RISE: Randomized input
/// sampling for explanation of black-box models"), as `CausalMetric` in the authors'
/// `evaluation.py` computes them.
///
/// Pixels are ranked by saliency (a [C, H, W] attribution is summed over channels first) and
/// moved `pixelsPerStep` at a time, all channels together, from a start image to a finish
/// image: deletion goes from the input to the substrate (zeros), insertion from the substrate
/// (the input blurred with RISE's 11×11, σ = 5 kernel) to the input. The curve is the target
/// probability at each of the n + 1 stages, n = ⌈H·W / step⌉; the score is RISE's normalised
/// area (Σ − first/2 − last/2) / n. Deletion: lower is better; insertion: higher is better.
///
/// RISE scores the class the model predicts for the input; here the caller's `target` is used,
/// which is the same when the predicted class is explained. Cost: n + 1 passes (225 at 224²).
public struct InsertionDeletion: PerturbationMetric, SeededMetric, Equatable {
    public enum Game: String, CaseIterable, Codable, Sendable {
        case insertion
        case deletion
    }

    public var game: Game
    public var pixelsPerStep: Int
    /// The image pixels are taken from (deletion) or start as (insertion).
    public var substrate: PerturbationBaseline
    public var output: ModelOutput
    public var seed: UInt64

    public init(
        game: Game, pixelsPerStep: Int = 224, substrate: PerturbationBaseline? = nil,
        output: ModelOutput = .softmax, seed: UInt64 = 0
    ) {
        self.game = game
        self.pixelsPerStep = pixelsPerStep
        self.substrate = substrate ?? (game == .deletion ? .constant(0) : .riseBlur)
        self.output = output
        self.seed = seed
    }

    /// RISE's deletion game: 224 pixels per step into zeros, softmax.
    public static let deletion = InsertionDeletion(game: .deletion)
    /// RISE's insertion game: 224 pixels per step from the blurred image, softmax.
    public static let insertion = InsertionDeletion(game: .insertion)

    public var descriptor: MetricDescriptor {
        switch game {
        case .insertion:
            return MetricDescriptor(
                kind: .insertion, summary: "area under the probability as pixels are inserted into a blurred image (Petsiuk et al. 2018)",
                higherIsBetter: true, needs: .perturbedInputs,
                curve: MetricCurve(title: "insertion curve (mean, 95% bootstrap band)", axis: "model output"))
        case .deletion:
            return MetricDescriptor(
                kind: .deletion, summary: "area under the probability as pixels are deleted (Petsiuk et al. 2018)",
                higherIsBetter: false, needs: .perturbedInputs,
                curve: MetricCurve(title: "deletion curve (mean, 95% bootstrap band)", axis: "model output"))
        }
    }

    public func forwardPasses(for shape: ImageShape) -> Int { ceilDivide(shape.plane, pixelsPerStep) + 1 }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try require("pixelsPerStep", pixelsPerStep, atLeast: 1)
        try requireTarget(target)
        let (x, shape) = try input.metricImage()
        let saliency = try AttributionFeatures.pixelMap(attribution, shape: shape)
        let order = AttributionFeatures.descendingOrder(saliency)
        var generator = SeededGenerator(seed: seed, stream: 0)
        let substrateImage = try Perturber(substrate, original: x, shape: shape).substrate(of: x, generator: &generator)
        let (start, finish) = game == .deletion ? (x, substrateImage) : (substrateImage, x)
        let steps = ceilDivide(shape.plane, pixelsPerStep)
        var current = start
        let curve = try model.scores(count: steps + 1, shape: shape, target: target, output: output) { i in
            if i > 0 {
                for p in order[((i - 1) * pixelsPerStep)..<min(shape.plane, i * pixelsPerStep)] {
                    for c in 0..<shape.channels { current[c * shape.plane + p] = finish[c * shape.plane + p] }
                }
            }
            return current
        }
        return MetricResult(score: Self.normalisedArea(curve), curve: curve, forwardPasses: steps + 1)
    }

    /// RISE's `auc`: (Σ y − y₀/2 − y_n/2) / n, the trapezoid area on [0, 1].
    public static func normalisedArea(_ y: [Double]) -> Double {
        guard y.count >= 2 else { return y.first ?? .nan }
        return (y.reduce(0, +) - y[0] / 2 - y[y.count - 1] / 2) / Double(y.count - 1)
    }
}
