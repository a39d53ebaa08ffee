/// How LIME picks the superpixels its surrogate uses (lime_base's `feature_selection`).
public enum LIMEFeatureSelection: String, CaseIterable, Codable, Sendable {
    /// forward selection for at most 6 features, else highest weights.
    case auto
    /// Greedily add the feature that most raises the weighted R² of an unregularised fit.
    case forwardSelection = "forward_selection"
    /// Fit all features with Ridge α = 0.01; keep the largest |coefficient|s.
    case highestWeights = "highest_weights"
    /// Use every feature, whatever the feature count.
    case none
}

/// One superpixel's weight in a surrogate model.
public struct LIMEFeatureWeight: Equatable, Sendable, Codable {
    /// The superpixel label.
    public let feature: Int
    public let weight: Double

    public init(feature: Int, weight: Double) {
        self.feature = feature
        self.weight = weight
    }
}

/// The surrogate for one class: lime_base's `explain_instance_with_data` output.
public struct LIMELabelExplanation: Equatable, Sendable, Codable {
    public let label: Int
    public let intercept: Double
    /// The selected superpixels and their coefficients, by decreasing |weight| (ties keep the
    /// selection order, as Python's stable sort does).
    public let weights: [LIMEFeatureWeight]
    /// Weighted R² of the surrogate on the samples (how faithful it is locally).
    public let score: Double
    /// The surrogate at the unperturbed image: intercept + Σ coefficients.
    public let localPrediction: Double
    /// The classifier's own probability for the unperturbed image, to compare with `localPrediction`.
    public let modelPrediction: Double
}

/// LIME's local surrogate (Ribeiro et al. 2016, Algorithm 1 with lime_base's feature
/// selection): given the samples, the classifier's outputs and the proximity weights, select
/// features and fit a weighted ridge regression, per label.
///
/// Matches lime 0.2.0.1's `LimeBase.explain_instance_with_data` (checked to 1e-6 against it):
/// selection by forward selection (Ridge α = 0, best weighted R², ties to the lower feature),
/// highest weights (Ridge α = 0.01 on everything, largest |coef · x₀|, stable order) or none;
/// final model Ridge(α = `alpha`) on the selected features.
public struct LIMESurrogate: Sendable, Equatable {
    public var featureSelection: LIMEFeatureSelection
    /// How many superpixels the explanation keeps; nil keeps them all (lime_image's default
    /// `num_features=100000`, which makes 'auto' mean highest weights).
    public var featureCount: Int?
    /// Ridge penalty of the surrogate (lime's default 1).
    public var alpha: Double

    public init(featureSelection: LIMEFeatureSelection = .auto, featureCount: Int? = nil, alpha: Double = 1) {
        self.featureSelection = featureSelection
        self.featureCount = featureCount
        self.alpha = alpha
    }

    /// Explains each of `labels`.
    ///
    /// - Parameters:
    ///   - samples: the interpretable samples; row 0 must be the unperturbed image.
    ///   - predictions: row-major [sampleCount, classCount] classifier outputs.
    ///   - weights: the kernel weight of each sample.
    public func explain(
        samples: LIMESampleMatrix, predictions: [Double], classCount: Int, weights: [Double], labels: [Int]
    ) throws -> [LIMELabelExplanation] {
        guard samples.sampleCount >= 2 else { throw LIMEError.tooFewSamples(count: samples.sampleCount, minimum: 2) }
        if let count = featureCount {
            guard count >= 1 else { throw LIMEError.invalidParameter(name: "featureCount", value: "\(count)", requirement: "at least 1") }
            guard count <= samples.featureCount else { throw LIMEError.tooManyFeatures(requested: count, segments: samples.featureCount) }
        }
        guard alpha >= 0, alpha.isFinite else { throw LIMEError.invalidParameter(name: "alpha", value: "\(alpha)", requirement: "0 or positive") }
        precondition(predictions.count == samples.sampleCount * classCount, "predictions \(predictions.count) ≠ \(samples.sampleCount)×\(classCount)")
        precondition(weights.count == samples.sampleCount, "\(weights.count) weights for \(samples.sampleCount) samples")
        for label in labels where label < 0 || label >= classCount {
            throw LIMEError.labelOutOfRange(label: label, classCount: classCount)
        }
        let design = WeightedRidgeDesign(samples: samples, weights: weights)
        return labels.map { label in
            let y = (0..<samples.sampleCount).map { predictions[$0 * classCount + label] }
            let targets = design.targets(y)
            let features = selectFeatures(design, targets)
            let fit = design.fit(features: features, alpha: alpha, targets: targets)
            // Python's sorted(..., key=|w|, reverse=True) is stable: equal |w| keep their order.
            let ranked = zip(fit.features, fit.coefficients).enumerated()
                .sorted { a, b in
                    abs(a.element.1) != abs(b.element.1) ? abs(a.element.1) > abs(b.element.1) : a.offset < b.offset
                }
                .map { LIMEFeatureWeight(feature: $0.element.0, weight: $0.element.1) }
            return LIMELabelExplanation(
                label: label, intercept: fit.intercept, weights: ranked,
                score: design.score(fit, targets: targets),
                localPrediction: design.predict(fit, sample: 0),
                modelPrediction: y[0])
        }
    }

    private func selectFeatures(_ design: WeightedRidgeDesign, _ targets: WeightedRidgeDesign.Targets) -> [Int] {
        let all = design.featureCount
        switch featureSelection {
        case .none:
            return Array(0..<all)
        case .forwardSelection:
            return forwardSelection(design, targets, count: featureCount ?? all)
        case .highestWeights:
            return highestWeights(design, targets, count: featureCount ?? all)
        case .auto:
            if let count = featureCount, count <= 6 { return forwardSelection(design, targets, count: count) }
            return highestWeights(design, targets, count: featureCount ?? all)
        }
    }

    /// lime_base.forward_selection: `count` rounds, each adding the unused feature whose
    /// unregularised fit with the features so far scores highest (strictly, so ties go to the
    /// lower feature index).
    private func forwardSelection(_ design: WeightedRidgeDesign, _ targets: WeightedRidgeDesign.Targets, count: Int) -> [Int] {
        var used = [Int]()
        for _ in 0..<min(count, design.featureCount) {
            var bestScore = -100_000_000.0
            var best = 0
            for feature in 0..<design.featureCount where !used.contains(feature) {
                let fit = design.fit(features: used + [feature], alpha: 0, targets: targets)
                let score = design.score(fit, targets: targets)
                if score > bestScore {
                    best = feature
                    bestScore = score
                }
            }
            used.append(best)
        }
        return used
    }

    /// lime_base's 'highest_weights': Ridge α = 0.01 on all features, rank by |coef · x₀|
    /// (x₀ = row 0, all ones for LIME images) with a stable sort, keep the first `count`.
    private func highestWeights(_ design: WeightedRidgeDesign, _ targets: WeightedRidgeDesign.Targets, count: Int) -> [Int] {
        let all = Array(0..<design.featureCount)
        let fit = design.fit(features: all, alpha: 0.01, targets: targets)
        let scores = all.map { abs(fit.coefficients[$0] * design.x[$0]) }
        let ranked = all.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        return Array(ranked.prefix(count))
    }
}
