/// What an explanation says about itself: how much of the explained output it conserved, and
/// how long it took. Neither runs the model; both come from the explanation's own record.

/// The two sums the conservation gap compares.
public struct ConservationFacts: Sendable, Equatable, Codable {
    /// The output the explanation started from (the explained logit or relevance seed).
    public var explained: Double
    /// The relevance that arrived where it is counted (pixels, or every leaf).
    public var distributed: Double

    public init(explained: Double, distributed: Double) {
        self.explained = explained
        self.distributed = distributed
    }

    /// From an LRP ledger: relevance reaching the pixels, or every leaf (pixels, CLS token,
    /// position embedding) when `pixelsOnly` is false.
    public init(ledger: ConservationLedger, pixelsOnly: Bool = true) {
        self.init(explained: ledger.explainedOutput, distributed: pixelsOnly ? (ledger.pixels ?? 0) : ledger.leaves)
    }

    /// From integrated gradients: Σ attributions and their completeness gap
    /// (Σ attributions − (F(x) − F(x'))).
    public init(attributionSum: Double, completenessGap: Double) {
        self.init(explained: attributionSum - completenessGap, distributed: attributionSum)
    }
}

/// The conservation gap (Bach et al. 2015's conservation property: Σ relevance = f(x)), relative
/// to the explained output: (explained − distributed) / |explained|. 0 for a conservative
/// explanation; positive when relevance leaked (biases, ε, the softmax), negative when created.
public struct ConservationGap: Metric, Equatable {
    public init() {}

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .conservationGap, summary: "(explained output − relevance distributed) / |explained output|",
            higherIsBetter: nil, needs: .conservationFacts)
    }

    public func evaluate<Model>(_ inputs: MetricInputs<Model>, mask: GroundTruthMask) throws -> MetricResult {
        guard let facts = inputs.conservation else {
            throw MetricError.missing(metric: kind.rawValue, what: "a conservation ledger or completeness gap (LRP or integrated gradients)")
        }
        return evaluate(facts)
    }

    public func evaluate(_ facts: ConservationFacts) -> MetricResult {
        MetricResult(score: (facts.explained - facts.distributed) / Swift.abs(facts.explained))
    }
}

/// Wall time of producing the explanation, in seconds (measured by the caller with `Stopwatch`).
public struct ExplanationSeconds: Metric, Equatable {
    public init() {}

    public var descriptor: MetricDescriptor {
        MetricDescriptor(kind: .seconds, summary: "wall time of the explanation in seconds", higherIsBetter: nil, needs: .wallTime)
    }

    public func evaluate<Model>(_ inputs: MetricInputs<Model>, mask: GroundTruthMask) throws -> MetricResult {
        guard let value = inputs.seconds else { throw MetricError.missing(metric: kind.rawValue, what: "the explanation's wall time") }
        return evaluate(seconds: value)
    }

    public func evaluate(seconds: Double) -> MetricResult {
        MetricResult(score: seconds)
    }
}
