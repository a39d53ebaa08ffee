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
}
