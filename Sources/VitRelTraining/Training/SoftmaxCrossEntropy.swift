import Foundation

/// Softmax cross-entropy of logits against class indices, with PyTorch's
/// `CrossEntropyLoss(weight:, label_smoothing:)` semantics and mean reduction.
///
/// With class weights w, smoothing ε and C classes, example i with label yᵢ contributes
///
///     ℓᵢ = (1 − ε)·w_{yᵢ}·(−log p_{i,yᵢ}) + (ε / C)·Σ_c w_c·(−log p_{i,c})
///
/// and the loss is Σᵢ ℓᵢ / Σᵢ w_{yᵢ} (torch normalises the smoothing term by the label weights
/// too, so ε = 0 gives exactly the weighted mean of `nll_loss`). Without weights every w is 1 and
/// the denominator is the batch size. Label smoothing is Szegedy et al. 2016 (Inception v3, §7).
///
/// Everything is computed in Double through a max-shifted log-sum-exp, so a confident logit
/// of 100 neither overflows nor loses the small probabilities; the gradient is rounded to
/// `Scalar` once at the end.
public struct SoftmaxCrossEntropy: Codable, Equatable, Sendable {
    /// One non-negative weight per class (class balancing), or nil for all ones.
    public var classWeights: [Double]?
    /// ε in [0, 1): the target puts 1 − ε on the label and ε/C on every class.
    public var labelSmoothing: Double

    public init(classWeights: [Double]? = nil, labelSmoothing: Double = 0) {
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
    }

    /// The mean loss over the batch and ∂loss/∂logits.
    ///
    /// - Parameters:
    ///   - logits: [B, C].
    ///   - labels: B class indices in 0..<C.
    /// - Complexity: O(B·C).
    public func callAsFunction<Scalar: TensorScalar>(
        logits: Tensor<Scalar>, labels: [Int]
    ) throws -> (loss: Double, dLogits: Tensor<Scalar>) {
        guard logits.rank == 2, logits.shape[0] == labels.count, !labels.isEmpty else {
            throw TrainingError.shapeMismatch("logits \(logits.shape) for \(labels.count) labels")
        }
        let batch = logits.shape[0], classes = logits.shape[1]
        let weights = classWeights ?? [Double](repeating: 1, count: classes)
        guard weights.count == classes else {
            throw TrainingError.invalidWeights("\(weights.count) class weights for \(classes) classes")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw TrainingError.invalidWeights("class weights must be finite and non-negative")
        }
        guard labelSmoothing >= 0 && labelSmoothing < 1 else {
            throw TrainingError.invalidConfiguration("label smoothing \(labelSmoothing) is outside [0, 1)")
        }
        for label in labels where label < 0 || label >= classes {
            throw TrainingError.labelOutOfRange(label: label, classCount: classes)
        }
        let denominator = labels.reduce(0.0) { $0 + weights[$1] }
        guard denominator > 0 else {
            throw TrainingError.invalidWeights("the batch's labels all have weight 0")
        }
        let epsilon = labelSmoothing, smoothingPerClass = epsilon / Double(classes)
        let weightSum = weights.reduce(0, +)
        var total = 0.0
        var dLogits = [Scalar].uninitialized(batch * classes)
        var logProbabilities = [Double](repeating: 0, count: classes)
        for i in 0..<batch {
            let row = i * classes
            var maximum = -Double.infinity
            for c in 0..<classes { maximum = max(maximum, Double(logits.scalars[row + c])) }
            var sumExp = 0.0
            for c in 0..<classes { sumExp += Foundation.exp(Double(logits.scalars[row + c]) - maximum) }
            let logSumExp = maximum + Foundation.log(sumExp)
            for c in 0..<classes { logProbabilities[c] = Double(logits.scalars[row + c]) - logSumExp }
            let label = labels[i], labelWeight = weights[label]
            var smoothTerm = 0.0
            if epsilon > 0 { for c in 0..<classes { smoothTerm -= weights[c] * logProbabilities[c] } }
            total += (1 - epsilon) * labelWeight * -logProbabilities[label] + smoothingPerClass * smoothTerm
            // ∂(−log p_c)/∂z_j = p_j − δ_cj, so the row's gradient is
            // (1 − ε)·w_y·(p − e_y) + (ε/C)·(Σ_c w_c · p − w).
            for j in 0..<classes {
                let p = Foundation.exp(logProbabilities[j])
                var g = (1 - epsilon) * labelWeight * (p - (j == label ? 1 : 0))
                if epsilon > 0 { g += smoothingPerClass * (weightSum * p - weights[j]) }
                dLogits[row + j] = Scalar(g / denominator)
            }
        }
        return (total / denominator, Tensor(shape: [batch, classes], scalars: dLogits))
    }

    /// sklearn's `compute_class_weight("balanced")`: w_c = n / (C · n_c), so every class carries
    /// the same total weight. A class absent from `labels` gets weight 0.
    public static func balancedClassWeights(labels: [Int], classCount: Int) throws -> [Double] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels {
            guard label >= 0 && label < classCount else {
                throw TrainingError.labelOutOfRange(label: label, classCount: classCount)
            }
            counts[label] += 1
        }
        return counts.map { $0 == 0 ? 0 : Double(labels.count) / (Double(classCount) * Double($0)) }
    }
}
