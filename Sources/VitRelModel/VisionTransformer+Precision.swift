/// The same network in another precision.
extension VisionTransformer {
    /// Every parameter of `other` converted to `Scalar` (e.g. a Float checkpoint as Float64,
    /// "Float32 for speed, Float64 for truth": a conservation audit in Float64 tells a rule's
    /// leak from Float32 rounding).
    public init<Other: TensorScalar>(converting other: VisionTransformer<Other>) {
        self.init(config: other.config, seed: nil)
        var source = other
        var converted = [String: Tensor<Scalar>]()
        source.forEachParameter { name, tensor in converted[name] = Tensor<Scalar>(tensor) }
        forEachParameter { name, tensor in tensor = converted[name]! }
        positionGrid = other.positionGrid
    }

    /// The precision of the untraced pass (`logits`, `callAsFunction`): bf16 when the blocks'
    /// Linear layers carry bfloat16 weights.
    public var inferencePrecision: ProductPrecision {
        blocks.first?.mlp.fc1.reducedWeight != nil ? .bf16 : .fp32
    }

    /// Runs the untraced pass at `precision` from now on: bf16 rounds every block's qkv,
    /// projection, fc1 and fc2 weight to bfloat16 once (Float models only; Float64 models stay
    /// Float64). Traced passes (`forward`: explanations, and training, which chooses its own
    /// precision) are untouched. Throws when this machine's oneDNN has no bfloat16 matmul.
    public mutating func setInferencePrecision(_ precision: ProductPrecision) throws {
        if Scalar.self == Float.self { try precision.requireSupported() }
        for index in blocks.indices {
            blocks[index].attention.queryKeyValue.setInferencePrecision(precision)
            blocks[index].attention.projection.setInferencePrecision(precision)
            blocks[index].mlp.fc1.setInferencePrecision(precision)
            blocks[index].mlp.fc2.setInferencePrecision(precision)
        }
    }
}
