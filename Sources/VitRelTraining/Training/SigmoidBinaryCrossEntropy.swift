import Foundation

/// Multi-label loss: an independent sigmoid per class with binary cross-entropy, as PyTorch's
/// `BCEWithLogitsLoss(pos_weight:)` with mean reduction over all B·C entries.
///
/// For logit x, target t ∈ [0, 1] and positive weight q:
///
///     ℓ = q·t·softplus(−x) + (1 − t)·softplus(x),   ∂ℓ/∂x = q·t·(σ(x) − 1) + (1 − t)·σ(x)
///
/// using −log σ(x) = softplus(−x) and −log(1 − σ(x)) = softplus(x), with
/// softplus(x) = max(x, 0) + log1p(exp(−|x|)), which never overflows: a logit of ±100 gives a
/// finite loss where log(sigmoid(x)) would give −∞.
public struct SigmoidBinaryCrossEntropy: Codable, Equatable, Sendable {
    /// One weight per class for the positive term (torch `pos_weight`), or nil for all ones.
    public var positiveWeights: [Double]?

    public init(positiveWeights: [Double]? = nil) {
        self.positiveWeights = positiveWeights
    }

    /// The mean loss over all entries and ∂loss/∂logits.
    ///
    /// - Parameters:
    ///   - logits: [B, C].
    ///   - targets: [B, C], multi-hot (or soft) targets in [0, 1].
    public func callAsFunction<Scalar: TensorScalar>(
        logits: Tensor<Scalar>, targets: Tensor<Scalar>
    ) throws -> (loss: Double, dLogits: Tensor<Scalar>) {
        guard logits.rank == 2, targets.shape == logits.shape, logits.count > 0 else {
            throw TrainingError.shapeMismatch("logits \(logits.shape) for targets \(targets.shape)")
        }
        let classes = logits.shape[1]
        let weights = positiveWeights ?? [Double](repeating: 1, count: classes)
        guard weights.count == classes, weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw TrainingError.invalidWeights("\(weights.count) positive weights for \(classes) classes (finite, ≥ 0)")
        }
        let scale = 1 / Double(logits.count)
        var total = 0.0
        var dLogits = [Scalar].uninitialized(logits.count)
        for index in 0..<logits.count {
            let x = Double(logits.scalars[index]), t = Double(targets.scalars[index])
            let q = weights[index % classes]
            let tail = Foundation.log1p(Foundation.exp(-abs(x)))  // log(1 + e^−|x|)
            let softplusX = max(x, 0) + tail, softplusMinusX = max(-x, 0) + tail
            total += q * t * softplusMinusX + (1 - t) * softplusX
            // σ(x) − 1 = −σ(−x): taking σ(−x) directly keeps its tiny values for large x.
            let e = Foundation.exp(-abs(x))
            let sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e), sigmoidOfMinusX = x >= 0 ? e / (1 + e) : 1 / (1 + e)
            dLogits[index] = Scalar((-q * t * sigmoidOfMinusX + (1 - t) * sigmoid) * scale)
        }
        return (total * scale, Tensor(shape: logits.shape, scalars: dLogits))
    }
}
