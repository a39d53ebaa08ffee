/// Localisation metrics: how much of an attribution falls on a ground-truth region (the
/// infection or lung masks of COVID-QU-Ex). They run no model.
///
/// Attributions are [H, W] pixel maps and masks are H·W booleans; Quantus 0.6.0 also requires
/// one-channel masks and fails on a [C, H, W] attribution, so those are rejected here (sum the
/// channels first). An empty mask gives NaN, which `Statistics.summary` skips.
/// A metric comparing a pixel map with a ground-truth mask, without the model.
public protocol LocalisationMetric: Metric {
    func evaluate(attribution: [Float], mask: [Bool]) throws -> MetricResult
}

extension LocalisationMetric {
    public func evaluate<Model>(_ inputs: MetricInputs<Model>, mask: GroundTruthMask) throws -> MetricResult {
        guard let values = inputs.masks[mask] else { throw MetricError.missing(metric: kind.rawValue, what: "the \(mask) mask") }
        return try evaluate(attribution: inputs.attribution, mask: values)
    }

    /// One result per image.
    public func evaluate(attributions: [[Float]], masks: [[Bool]]) throws -> [MetricResult] {
        precondition(attributions.count == masks.count, "\(attributions.count) attributions for \(masks.count) masks")
        return try zip(attributions, masks).map { try evaluate(attribution: $0, mask: $1) }
    }
}

public enum Localisation {
    /// The preprocessed map, checked against the mask.
    static func prepare(_ attribution: [Float], mask: [Bool], preprocessing: AttributionPreprocessing) throws -> [Float] {
        guard attribution.count == mask.count else {
            throw MetricError.maskShape(count: mask.count, expected: attribution.count)
        }
        return preprocessing.apply(attribution)
    }
}

/// Relevance Mass Accuracy (Arras et al. 2022, "CLEVR-XAI: A benchmark dataset for the ground
/// truth evaluation of neural network explanations"), as Quantus 0.6.0 computes it:
/// Σ_{i∈S} a_i / Σ_i a_i, with signed values unless `absolute` is set. 1 when all relevance
/// lies in the mask; NaN for an empty mask.
public struct RelevanceMassAccuracy: LocalisationMetric, Equatable {
    public var preprocessing: AttributionPreprocessing

    /// Quantus 0.6.0 defaults: normalise, no abs.
    public init(preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false)) {
        self.preprocessing = preprocessing
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .relevanceMass, summary: "share of relevance inside the mask (Arras et al. 2022)",
            higherIsBetter: true, needs: .groundTruthMask)
    }

    public func evaluate(attribution: [Float], mask: [Bool]) throws -> MetricResult {
        let a = try Localisation.prepare(attribution, mask: mask, preprocessing: preprocessing)
        guard mask.contains(true) else { return MetricResult(score: .nan) }
        var inside = 0.0, total = 0.0
        for i in a.indices {
            total += Double(a[i])
            if mask[i] { inside += Double(a[i]) }
        }
        return MetricResult(score: inside / total)
    }
}

/// Relevance Rank Accuracy (Arras et al. 2022), as Quantus 0.6.0 computes it: of the |S|
/// highest-ranked pixels, the fraction inside the mask S. NaN for an empty mask. Ties are
/// ranked by pixel index (numpy's argsort order on ties is not defined).
public struct RelevanceRankAccuracy: LocalisationMetric, Equatable {
    public var preprocessing: AttributionPreprocessing

    /// Quantus 0.6.0 defaults: normalise, no abs.
    public init(preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false)) {
        self.preprocessing = preprocessing
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .relevanceRank, summary: "share of the top-|S| pixels inside the mask S (Arras et al. 2022)",
            higherIsBetter: true, needs: .groundTruthMask)
    }

    public func evaluate(attribution: [Float], mask: [Bool]) throws -> MetricResult {
        let a = try Localisation.prepare(attribution, mask: mask, preprocessing: preprocessing)
        let size = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard size > 0 else { return MetricResult(score: .nan) }
        let hits = AttributionFeatures.descendingOrder(a).prefix(size).reduce(0) { $0 + (mask[$1] ? 1 : 0) }
        return MetricResult(score: Double(hits) / Double(size))
    }
}

/// Pointing Game (Zhang et al. 2018, "Top-down neural attention by excitation backprop"), as
/// Quantus 0.6.0 computes it: 1 (hit) when a pixel holding the map's maximum lies in the mask,
/// else 0.
///
/// An empty mask gives NaN, as Quantus intends (`hit[empty] = np.nan`); Quantus 0.6.0 writes
/// that NaN into a boolean array, where it becomes True, so it reports a hit instead. The
/// weighted variant is the intended 1 − |S|/N for a hit (Quantus 0.6.0 raises TypeError on it).
public struct PointingGame: LocalisationMetric, Equatable {
    public var weighted: Bool
    public var preprocessing: AttributionPreprocessing

    /// Quantus 0.6.0 defaults: unweighted, normalise, no abs.
    public init(weighted: Bool = false, preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false)) {
        self.weighted = weighted
        self.preprocessing = preprocessing
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .pointingGame, summary: "whether the maximum lies inside the mask (Zhang et al. 2018)",
            higherIsBetter: true, needs: .groundTruthMask)
    }

    public func evaluate(attribution: [Float], mask: [Bool]) throws -> MetricResult {
        let a = try Localisation.prepare(attribution, mask: mask, preprocessing: preprocessing)
        let size = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard size > 0, let maximum = a.max() else { return MetricResult(score: .nan) }
        let hit = a.indices.contains { a[$0] == maximum && mask[$0] }
        guard hit else { return MetricResult(score: 0) }
        return MetricResult(score: weighted ? 1 - Double(size) / Double(mask.count) : 1)
    }
}
