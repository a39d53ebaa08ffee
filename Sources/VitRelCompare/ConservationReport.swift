/// A conservation audit's findings (`vitrel conservation --json` prints it as it is): the
/// ledger summed per layer, the leaves, the end-to-end gap and its parts, and the check.
public struct ConservationReport: Encodable, Sendable {
    /// One layer of the ledger: Σ relevance arriving at its output and given to its input(s),
    /// and the gap's parts (gap = out − in = bias + softmax + stabiliser).
    public struct Layer: Encodable, Sendable {
        public var layer: String
        public var relevanceOut: Double
        public var relevanceIn: Double
        public var gap: Double
        public var biasAbsorbed: Double
        public var softmaxLeak: Double
        public var stabiliserLeak: Double
    }

    public struct Check: Encodable, Sendable {
        /// False for chefer, which is reported only.
        public var applied: Bool
        /// Σ |stabiliser leak| + |end-to-end gap − Σ layer gaps|
        public var unaccounted: Double
        /// unaccounted / |explained output|
        public var relative: Double
        public var tolerance: Double
        public var passed: Bool
    }

    public var model: String
    public var image: String
    public var target: Int
    public var targetName: String
    public var logit: Double
    public var probability: Double
    public var ruleSet: String
    public var epsilon: Double?
    public var gamma: Double?
    /// "double" or "float"
    public var precision: String
    /// "logit" or "one-hot"
    public var startingRelevance: String
    public var explainedOutput: Double
    public var layers: [Layer]
    /// pixels, classToken, positionEmbedding and their total.
    public var leaves: [String: Double]
    public var endToEndGap: Double
    public var totalBiasAbsorbed: Double
    public var totalSoftmaxLeak: Double
    public var totalStabiliserLeak: Double
    /// end-to-end gap − Σ layer gaps: relevance lost between recorded layers
    public var unrecorded: Double
    public var check: Check
}
