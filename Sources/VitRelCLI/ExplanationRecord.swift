import VitRel

/// What `vitrel explain` writes to `<stem>.<method>.json` for one image (and prints, for all
/// images, with `--json`).
struct ExplanationRecord: Encodable {
    struct ClassProbability: Encodable {
        var index: Int
        var name: String
        var probability: Double
    }

    /// Where relevance went, from the conservation ledger (methods that propagate to pixels).
    struct ConservationSummary: Encodable {
        /// "logit" (attnlrp, cp-lrp) or "one-hot" (lrp-full, Chefer's convention).
        var startingRelevance: String
        var explainedOutput: Double
        var pixels: Double
        var classToken: Double
        var positionEmbedding: Double
        /// explained output − (pixels + CLS token + position embedding)
        var endToEndGap: Double
        var biasAbsorbed: Double
        var softmaxLeak: Double
        var stabiliserLeak: Double

        init(_ ledger: ConservationLedger, startingRelevance: String) {
            self.startingRelevance = startingRelevance
            explainedOutput = ledger.explainedOutput
            pixels = ledger.pixels ?? 0
            classToken = ledger.classToken
            positionEmbedding = ledger.positionEmbedding
            endToEndGap = ledger.endToEndGap
            biasAbsorbed = ledger.totalBiasAbsorbed
            softmaxLeak = ledger.totalSoftmaxLeak
            stabiliserLeak = ledger.totalStabiliserLeak
        }
    }

    struct LIMESummary: Encodable {
        /// Superpixel weights by decreasing |weight|.
        var weights: [LIMEFeatureWeight]
        var intercept: Double
        /// Weighted R² of the surrogate.
        var score: Double
        var localPrediction: Double
        var modelPrediction: Double
        /// Superpixels of each top-feature mask drawn, by mask size.
        var masks: [String: [Int]]
    }

    struct Target: Encodable {
        var index: Int
        var name: String
        var probability: Double
        /// Σ of the raw map (token grid or pixels), before any normalisation.
        var relevanceSum: Double
        var files: [String: String]
        var conservation: ConservationSummary?
        /// Σ attributions − (F(x) − F(baseline)) (integrated gradients: completeness; deeplift:
        /// summation-to-delta).
        var completenessGap: Double?
        var lime: LIMESummary?
    }

    struct LIMESettings: Encodable {
        var segmentation: String
        var superpixels: Int
        var samples: Int
        var seed: UInt64
        var batchSize: Int
        var superpixelFile: String
    }

    var file: String
    var model: String
    var method: String
    /// The method's settings by flag name.
    var options: [String: String]
    var classes: [String]
    var prediction: ClassProbability
    var probabilities: [String: Double]
    var logits: [Float]
    /// [height, width] of the model input the maps are aligned with.
    var inputSize: [Int]
    /// [height, width] of the raw map: the patch grid (token-level methods) or the input.
    var mapSize: [Int]
    /// How the figures scale the maps: "min-max" to [0, 1] or "max-abs" to [−1, 1].
    var displayScaling: String
    var colorMap: String
    var alpha: Float
    var targets: [Target]
    var lime: LIMESettings?
    var panel: String
    /// The same panel as SVG (text as text, tiles embedded as PNG).
    var panelSVG: String
    var seconds: Double
}

/// `vitrel explain --json`: every image's record and every image's error.
struct ExplanationReport: Encodable {
    var images: [ExplanationRecord]
    var errors: [String: String]
    /// `--save-relevance`: the stacked maps [images, classes, H, W] and the files in its order.
    var relevanceFile: String?
}
