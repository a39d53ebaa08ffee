/// An explanation method as the re-explaining metrics call it: (model, input [1, C, H, W],
/// target class) → attribution ([H, W] or [C, H, W], the shape of the original attribution).
public typealias ExplainFunction<Model> = (Model, Tensor<Float>, Int) throws -> [Float]

/// The layers a model-randomisation test walks through, in order, and the model with the first
/// k + 1 of them randomised (cascading: layer k's model has layers 0…k random).
public struct LayerRandomisation<Model> {
    public var layerNames: [String]
    public var randomisedModel: (Int) throws -> Model

    public init(layerNames: [String], randomisedModel: @escaping (Int) throws -> Model) {
        self.layerNames = layerNames
        self.randomisedModel = randomisedModel
    }
}

/// Model Parameter Randomisation Test (Adebayo et al. 2018, "Sanity checks for saliency maps"),
/// as Quantus 0.6.0 `MPRT` computes it with `layer_order="top_down"`.
///
/// Layers are randomised cumulatively from the output end; after each one the input is
/// explained again and compared with the original attribution by Spearman's ρ (after |a| and
/// max-normalisation, Quantus's defaults). An explanation that depends on the learned weights
/// decorrelates quickly, so LOWER is better. The curve holds ρ per layer; the score is their
/// mean (`summary: .average`, Quantus `return_average_correlation`, which in 0.6.0 also
/// averages in the unrandomised model's self-correlation through an `'orig'`/`'original'` key
/// mismatch; not here) or the fully randomised model's ρ (`.last`).
/// Cost: one explanation per layer and no forward passes of its own.
public struct ModelParameterRandomisation: Metric, Equatable {
    public enum Summary: String, CaseIterable, Codable, Sendable {
        case average
        case last
    }

    public var similarity: Correlation
    public var preprocessing: AttributionPreprocessing
    public var summary: Summary

    /// Quantus 0.6.0 defaults: Spearman, normalise and abs.
    public init(
        similarity: Correlation = .spearman,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: true),
        summary: Summary = .average
    ) {
        self.similarity = similarity
        self.preprocessing = preprocessing
        self.summary = summary
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .randomisation,
            summary: "Spearman ρ with the explanation of a cascadingly randomised model (Adebayo et al. 2018)",
            higherIsBetter: false, needs: [.reexplanation, .randomisedModels],
            curve: MetricCurve(
                title: "Spearman rho with the randomised model's map, per layer", axis: "rank correlation", overLayers: true))
    }

    public func evaluate<Model>(_ inputs: MetricInputs<Model>, mask: GroundTruthMask) throws -> MetricResult {
        guard let explain = inputs.explain else { throw MetricError.missing(metric: kind.rawValue, what: "an explain function") }
        guard let cascade = inputs.randomisation else { throw MetricError.missing(metric: kind.rawValue, what: "a layer randomisation") }
        return try evaluate(
            input: inputs.input, attribution: inputs.attribution, target: inputs.target, randomisation: cascade, explain: explain)
    }

    public func evaluate<Model>(
        input: Tensor<Float>, attribution: [Float], target: Int,
        randomisation: LayerRandomisation<Model>, explain: ExplainFunction<Model>
    ) throws -> MetricResult {
        try requireTarget(target)
        let shape = try ImageShape(of: input)
        _ = try AttributionFeatures.channels(of: attribution, shape: shape)
        guard !randomisation.layerNames.isEmpty else {
            throw MetricError.invalidParameter("layers", "the randomisation has no layers")
        }
        let batched = input.reshaped([1, shape.channels, shape.height, shape.width])
        let original = preprocessing.apply(attribution).map(Double.init)
        let correlations = try randomisation.layerNames.indices.map { layer -> Double in
            let randomised = try explain(try randomisation.randomisedModel(layer), batched, target)
            guard randomised.count == attribution.count else {
                throw MetricError.explanationShape(count: randomised.count, expected: attribution.count)
            }
            return similarity(original, preprocessing.apply(randomised).map(Double.init))
        }
        let score = summary == .average ? Statistics.mean(correlations) : correlations[correlations.count - 1]
        return MetricResult(score: score, curve: correlations, explanations: correlations.count)
    }
}
