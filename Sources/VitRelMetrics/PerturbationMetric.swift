/// A metric that scores an attribution by running the model on perturbed copies of the input.
///
/// Each conforming struct holds its parameters with Quantus 0.6.0's defaults (or the reference
/// code's, where Quantus has no such metric), evaluates one image, and can say how many
/// forward passes that costs before running it.
public protocol PerturbationMetric: Metric {
    /// Scores `attribution` ([H, W], or [C, H, W] where it has channels) of `input`
    /// ([C, H, W] or [1, C, H, W], in the model's input space) for class `target`.
    func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult

    /// Forward passes `evaluate` makes for an input of `shape` (the formula; tests check that
    /// it is what actually happens).
    func forwardPasses(for shape: ImageShape) -> Int
}

extension PerturbationMetric {
    public func evaluate<Model>(_ inputs: MetricInputs<Model>, mask: GroundTruthMask) throws -> MetricResult {
        try evaluate(model: inputs.model, input: inputs.input, attribution: inputs.attribution, target: inputs.target)
    }

    /// One result per image; each image's perturbed inputs are batched by `model`.
    public func evaluate(
        model: MetricModel, inputs: [Tensor<Float>], attributions: [[Float]], targets: [Int]
    ) throws -> [MetricResult] {
        precondition(inputs.count == attributions.count && inputs.count == targets.count,
                     "\(inputs.count) inputs, \(attributions.count) attributions, \(targets.count) targets")
        return try inputs.indices.map { try evaluate(model: model, input: inputs[$0], attribution: attributions[$0], target: targets[$0]) }
    }
}

/// ⌈a / b⌉ for positive integers.
@inline(__always)
func ceilDivide(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

/// Throws unless `value` ≥ `minimum`.
func require(_ name: String, _ value: Int, atLeast minimum: Int) throws {
    guard value >= minimum else { throw MetricError.invalidParameter(name, "must be at least \(minimum), got \(value)") }
}

/// Throws unless `target` ≥ 0.
func requireTarget(_ target: Int) throws {
    guard target >= 0 else { throw MetricError.invalidParameter("target", "must be a class index ≥ 0, got \(target)") }
}
