/// Max-Sensitivity (Yeh et al. 2019, "On the (in)fidelity and sensitivity of explanations"), as
/// Quantus 0.6.0 `MaxSensitivity` computes it.
///
/// `samples` times, every input feature gets independent U(−r, r) noise and the input is
/// explained again; the sensitivity of a sample is ‖a(x) − a(x + ε)‖₂ / ‖a(x)‖₂ (Frobenius
/// norms of the flattened maps) and the score is the largest. Lower is better (a stable
/// explanation). Noise of sample s comes from `SeededGenerator(seed: seed, stream: s)`.
///
/// With `nanWhenPredictionChanges`, samples whose predicted class differs from the input's
/// are NaN and then so is the score (Quantus `return_nan_when_prediction_changes`; that check
/// needs `predictor` and costs 1 + samples forward passes). Otherwise non-finite samples are
/// ignored (`np.nanmax`). Cost: `samples` explanations.
public struct MaxSensitivity: SeededMetric, Equatable {
    public var samples: Int
    /// r of the U(−r, r) noise (Quantus `lower_bound`).
    public var radius: Float
    public var preprocessing: AttributionPreprocessing
    public var nanWhenPredictionChanges: Bool
    public var seed: UInt64

    /// Quantus 0.6.0 defaults: 200 samples, r = 0.2, no normalisation or abs.
    public init(
        samples: Int = 200, radius: Float = 0.2,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: false, absolute: false),
        nanWhenPredictionChanges: Bool = false, seed: UInt64 = 0
    ) {
        self.samples = samples
        self.radius = radius
        self.preprocessing = preprocessing
        self.nanWhenPredictionChanges = nanWhenPredictionChanges
        self.seed = seed
    }

    /// `input` with sample `s`'s noise added.
    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .maxSensitivity,
            summary: "largest relative change of the explanation under U(−0.2, 0.2) input noise (Yeh et al. 2019)",
            higherIsBetter: false, needs: .reexplanation)
    }

    /// The prediction check's passes (1 + samples) when enabled; the re-explanations are not counted.
    public func forwardPasses(for shape: ImageShape) -> Int { nanWhenPredictionChanges ? 1 + samples : 0 }

    public func evaluate<Model>(_ inputs: MetricInputs<Model>, mask: GroundTruthMask) throws -> MetricResult {
        guard let explain = inputs.explain else { throw MetricError.missing(metric: kind.rawValue, what: "an explain function") }
        guard let subject = inputs.subject else { throw MetricError.missing(metric: kind.rawValue, what: "the model to explain") }
        return try evaluate(
            model: subject, input: inputs.input, attribution: inputs.attribution, target: inputs.target,
            explain: explain, predictor: inputs.model)
    }

    public func noisyInput(_ input: Tensor<Float>, sample s: Int) -> Tensor<Float> {
        var generator = SeededGenerator(seed: seed, stream: UInt64(s))
        var noisy = input
        for i in 0..<noisy.count {
            noisy.scalars[i] = Float(Double(noisy.scalars[i]) + Double(radius) * (2 * generator.nextUnit() - 1))
        }
        return noisy
    }

    public func evaluate<Model>(
        model: Model, input: Tensor<Float>, attribution: [Float], target: Int,
        explain: ExplainFunction<Model>, predictor: MetricModel? = nil
    ) throws -> MetricResult {
        try require("samples", samples, atLeast: 1)
        try requireTarget(target)
        let shape = try ImageShape(of: input)
        _ = try AttributionFeatures.channels(of: attribution, shape: shape)
        let batched = input.reshaped([1, shape.channels, shape.height, shape.width])
        let original = preprocessing.apply(attribution)
        let originalNorm = original.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()

        var changed = [Bool](repeating: false, count: samples)
        var passes = 0
        if nanWhenPredictionChanges {
            guard let predictor else { throw MetricError.missing(metric: "max-sensitivity", what: "a model to check predictions with") }
            let rows = try predictor.rows(count: 1 + samples, shape: shape, output: .logits) { i in
                i == 0 ? batched.scalars : noisyInput(batched, sample: i - 1).scalars
            }
            passes = rows.count
            func predicted(_ row: [Double]) -> Int { row.indices.reduce(0) { row[$1] > row[$0] ? $1 : $0 } }
            let reference = predicted(rows[0])
            for s in 0..<samples { changed[s] = predicted(rows[s + 1]) != reference }
        }

        let sensitivities = try (0..<samples).map { s -> Double in
            let explained = try explain(model, noisyInput(batched, sample: s), target)
            guard explained.count == attribution.count else {
                throw MetricError.explanationShape(count: explained.count, expected: attribution.count)
            }
            if changed[s] { return .nan }
            let perturbed = preprocessing.apply(explained)
            var squared = 0.0
            for i in original.indices {
                let d = Double(original[i]) - Double(perturbed[i])
                squared += d * d
            }
            return squared.squareRoot() / originalNorm
        }
        let score: Double
        if nanWhenPredictionChanges && sensitivities.contains(where: \.isNaN) {
            score = .nan
        } else {
            score = sensitivities.filter { !$0.isNaN }.max() ?? .nan
        }
        return MetricResult(score: score, curve: sensitivities, forwardPasses: passes, explanations: samples)
    }
}
