import VitRel

/// What `vitrel explain` writes to `<stem>.<method>.json` for one image (and prints, for all
/// images, with `--json`).
package struct ExplanationRecord: Encodable {
    package struct ClassProbability: Encodable {
        package var index: Int
        package var name: String
        package var probability: Double
    }

    /// Where relevance went, from the conservation ledger (methods that propagate to pixels).
    package struct ConservationSummary: Encodable {
        /// "logit" (attnlrp, cp-lrp) or "one-hot" (lrp-full, Chefer's convention).
        package var startingRelevance: String
        package var explainedOutput: Double
        package var pixels: Double
        package var classToken: Double
        package var positionEmbedding: Double
        /// explained output − (pixels + CLS token + position embedding)
        package var endToEndGap: Double
        package var biasAbsorbed: Double
        package var softmaxLeak: Double
        package var stabiliserLeak: Double

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

    package struct LIMESummary: Encodable {
        /// Superpixel weights by decreasing |weight|.
        package var weights: [LIMEFeatureWeight]
        package var intercept: Double
        /// Weighted R² of the surrogate.
        package var score: Double
        package var localPrediction: Double
        package var modelPrediction: Double
        /// Superpixels of each top-feature mask drawn, by mask size.
        package var masks: [String: [Int]]
    }

    package struct Target: Encodable {
        package var index: Int
        package var name: String
        package var probability: Double
        /// Σ of the raw map (token grid or pixels), before any normalisation.
        package var relevanceSum: Double
        package var files: [String: String]
        package var conservation: ConservationSummary?
        /// Σ attributions − (F(x) − F(baseline)) (integrated gradients: completeness; deeplift:
        /// summation-to-delta).
        package var completenessGap: Double?
        package var lime: LIMESummary?
    }

    package struct LIMESettings: Encodable {
        package var segmentation: String
        package var superpixels: Int
        package var samples: Int
        package var seed: UInt64
        package var batchSize: Int
        package var superpixelFile: String
    }

    package var file: String
    package var model: String
    package var method: String
    /// The method's settings by flag name.
    package var options: [String: String]
    package var classes: [String]
    package var prediction: ClassProbability
    package var probabilities: [String: Double]
    package var logits: [Float]
    /// [height, width] of the model input the maps are aligned with.
    package var inputSize: [Int]
    /// [height, width] of the raw map: the patch grid (token-level methods) or the input.
    package var mapSize: [Int]
    /// How the figures scale the maps: "min-max" to [0, 1] or "max-abs" to [−1, 1].
    package var displayScaling: String
    package var colorMap: String
    package var alpha: Float
    package var targets: [Target]
    package var lime: LIMESettings?
    package var panel: String
    /// The same panel as SVG (text as text, tiles embedded as PNG).
    package var panelSVG: String
    package var seconds: Double
}

/// `vitrel explain --json`: every image's record and every image's error.
package struct ExplanationReport: Encodable {
    package var images: [ExplanationRecord]
    package var errors: [String: String]
    /// `--save-relevance`: the stacked maps [images, classes, H, W] and the files in its order.
    package var relevanceFile: String?
    /// `--shard K/N` (absent for a whole run).
    package var shard: String?
    /// Images of the shard skipped because an earlier run of it finished them (absent for a
    /// whole run).
    package var resumedImages: Int?
}
