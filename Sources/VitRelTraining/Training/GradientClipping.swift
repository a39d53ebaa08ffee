/// Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_(max_norm, norm_type=2)`
/// (Pascanu et al. 2013): when ‖g‖₂ over all tensors together exceeds the limit, every
/// gradient is scaled by max_norm / (‖g‖ + 1e-6).
///
/// The norm is accumulated in Double, tensor by tensor in visiting order and element by element
/// in a fixed order, so it is the same on any thread count (torch accumulates in the gradient's
/// own precision).
public enum GradientClipping {
    /// ‖g‖₂ over every tensor of `gradient`.
    public static func globalNorm<P: NamedParameters>(_ gradient: P) -> Double {
        var total = 0.0
        for tensor in gradient.parameterTensors {
            total += tensor.scalars.withUnsafeBufferPointer { sumOfSquares($0) }
        }
        return total.squareRoot()
    }

    /// Scales `gradient` so its global norm is at most `maximumNorm`; returns the norm before
    /// clipping (for logging). Gradients under the limit are left bit for bit unchanged.
    @discardableResult
    public static func clipGlobalNorm<P: NamedParameters>(_ gradient: inout P, maximumNorm: Double) -> Double {
        precondition(maximumNorm > 0, "maximum gradient norm must be positive, got \(maximumNorm)")
        let norm = globalNorm(gradient)
        let coefficient = maximumNorm / (norm + 1e-6)
        guard coefficient < 1 else { return norm }
        let scale = P.Scalar(coefficient)
        gradient.forEachParameter { _, tensor in
            tensor.scalars.withUnsafeMutableBufferPointer { scaleInPlace($0, by: scale) }
        }
        return norm
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func scaleInPlace<Scalar: TensorScalar>(_ x: UnsafeMutableBufferPointer<Scalar>, by scale: Scalar) {
        for i in x.indices { x[i] *= scale }
    }

    /// Σ x², in Double with four partial sums combined in a fixed order.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func sumOfSquares<Scalar: TensorScalar>(_ x: UnsafeBufferPointer<Scalar>) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        let n = x.count
        while i + 4 <= n {
            let a = Double(x[i]), b = Double(x[i + 1]), c = Double(x[i + 2]), d = Double(x[i + 3])
            s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
            i += 4
        }
        while i < n { let a = Double(x[i]); s0 += a * a; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }
}
