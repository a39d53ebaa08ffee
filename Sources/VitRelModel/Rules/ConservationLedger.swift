/// Where relevance goes: Σ relevance in and out of every layer and every leak by source.
///
/// "Conservation is the contract": each rule states what it conserves; the ledger measures
/// what it actually did, so a leak (biases, ε, the softmax remainder, constants such as the
/// CLS token and the position embedding) is reported rather than hidden.
public struct ConservationLedger: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// e.g. "blocks.3.mlp", "blocks.3.add2", "head"
        public var layer: String
        /// Σ relevance arriving at the layer's output
        public var relevanceOut: Double
        /// Σ relevance the rule gave the layer's input(s)
        public var relevanceIn: Double
        /// relevance absorbed by biases (Σ b·R/z)
        public var biasAbsorbed: Double
        /// relevance lost (+) or created (−) by the softmax rule
        public var softmaxLeak: Double

        /// Σout − Σin: everything this layer did not pass on.
        public var gap: Double { relevanceOut - relevanceIn }
        /// The part of the gap that biases and the softmax do not explain: stabilisers (ε),
        /// safe divisions, and rules that are not conservative.
        public var stabiliserLeak: Double { gap - biasAbsorbed - softmaxLeak }
    }

    public var entries: [Entry] = []
    /// Σ relevance of the explained output (the starting relevance).
    public var explainedOutput: Double = 0
    /// Σ relevance reaching the pixels (nil when the pass stopped at the tokens).
    public var pixels: Double?
    /// Σ relevance given to the CLS token (a constant input of the model).
    public var classToken: Double = 0
    /// Σ relevance given to the position embedding (a constant input).
    public var positionEmbedding: Double = 0
    /// Σ relevance given to DeiT's distillation token (a constant input).
    public var distillationToken: Double = 0
    /// Σ relevance given to DINOv2's register tokens (constant inputs, not image patches:
    /// what lands there is a leak to a non-pixel leaf, as for the CLS token).
    public var registerTokens: Double = 0

    public init() {}

    package mutating func record(_ layer: String, out: Double, in relevanceIn: Double, bias: Double = 0, softmax: Double = 0) {
        entries.append(Entry(layer: layer, relevanceOut: out, relevanceIn: relevanceIn, biasAbsorbed: bias, softmaxLeak: softmax))
    }

    /// Σ of every leaf that received relevance: pixels, CLS token, position embedding,
    /// distillation token, registers.
    public var leaves: Double { (pixels ?? 0) + classToken + positionEmbedding + distillationToken + registerTokens }
    /// Explained output minus every leaf: what leaked on the way down.
    public var endToEndGap: Double { explainedOutput - leaves }
    public var totalBiasAbsorbed: Double { entries.reduce(0) { $0 + $1.biasAbsorbed } }
    public var totalSoftmaxLeak: Double { entries.reduce(0) { $0 + $1.softmaxLeak } }
    public var totalStabiliserLeak: Double { entries.reduce(0) { $0 + $1.stabiliserLeak } }
}

extension ConservationLedger {
    private enum CodingKeys: String, CodingKey {
        case entries, explainedOutput, pixels, classToken, positionEmbedding, distillationToken, registerTokens
    }

    /// Reads ledgers written before the distillation and register leaves existed (0 then).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entries = try c.decode([Entry].self, forKey: .entries)
        explainedOutput = try c.decode(Double.self, forKey: .explainedOutput)
        pixels = try c.decodeIfPresent(Double.self, forKey: .pixels)
        classToken = try c.decode(Double.self, forKey: .classToken)
        positionEmbedding = try c.decode(Double.self, forKey: .positionEmbedding)
        distillationToken = try c.decodeIfPresent(Double.self, forKey: .distillationToken) ?? 0
        registerTokens = try c.decodeIfPresent(Double.self, forKey: .registerTokens) ?? 0
    }
}
