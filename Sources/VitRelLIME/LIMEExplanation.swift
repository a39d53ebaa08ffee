import VitRelCore

/// The result of `LIMEExplainer.explain`: the superpixels, the samples and classifier outputs
/// they produced, and one surrogate per explained label (lime_image's `ImageExplanation`,
/// with the score and local prediction kept per label instead of overwritten).
public struct LIMEExplanation: Sendable {
    public let segmentation: Segmentation
    public let samples: LIMESampleMatrix
    /// Row-major [sampleCount, classCount] classifier outputs; row 0 is the unperturbed image.
    public let predictions: [Float]
    public let classCount: Int
    /// Kernel weight π of each sample.
    public let kernelWeights: [Double]
    /// The explained labels, most probable first when chosen by `topLabels`.
    public let explainedLabels: [Int]
    /// One surrogate per entry of `explainedLabels`, in the same order.
    public let labelExplanations: [LIMELabelExplanation]

    public init(
        segmentation: Segmentation, samples: LIMESampleMatrix, predictions: [Float], classCount: Int,
        kernelWeights: [Double], labelExplanations: [LIMELabelExplanation]
    ) {
        self.segmentation = segmentation
        self.samples = samples
        self.predictions = predictions
        self.classCount = classCount
        self.kernelWeights = kernelWeights
        self.explainedLabels = labelExplanations.map(\.label)
        self.labelExplanations = labelExplanations
    }

    /// The surrogate of `label`.
    public func explanation(label: Int) throws -> LIMELabelExplanation {
        guard let found = labelExplanations.first(where: { $0.label == label }) else {
            throw LIMEError.labelNotExplained(label: label, explained: explainedLabels)
        }
        return found
    }

    /// Weight of every superpixel for `label`, indexed by superpixel (0 for those the feature
    /// selection left out).
    public func superpixelWeights(label: Int) throws -> [Double] {
        var weights = [Double](repeating: 0, count: segmentation.count)
        for entry in try explanation(label: label).weights { weights[entry.feature] = entry.weight }
        return weights
    }

    /// A [height, width] relevance map: each pixel carries its superpixel's weight, so the
    /// metrics and figures can treat LIME like any other relevance method.
    public func heatmap(label: Int) throws -> Tensor<Float> {
        let weights = try superpixelWeights(label: label).map { Float($0) }
        return Tensor(shape: [segmentation.height, segmentation.width], scalars: segmentation.paint(weights))
    }

    /// The superpixels that make the explanation figure, as lime_image's `get_image_and_mask`:
    /// a row-major [height, width] mask.
    ///
    /// - `positiveOnly`: the first `numberOfFeatures` superpixels with weight > max(0, minWeight),
    ///   marked 1 (the default; the COVID ViT paper shows 3 and 8).
    /// - `negativeOnly`: the first `numberOfFeatures` with weight < 0 and |weight| > minWeight,
    ///   marked 1 (as lime does).
    /// - neither: the first `numberOfFeatures` by |weight|, skipping |weight| < minWeight,
    ///   marked 1 if positive and −1 if negative.
    public func mask(
        label: Int, positiveOnly: Bool = true, negativeOnly: Bool = false, numberOfFeatures: Int = 5,
        minWeight: Double = 0
    ) throws -> [Int8] {
        guard !(positiveOnly && negativeOnly) else {
            throw LIMEError.invalidParameter(name: "positiveOnly/negativeOnly", value: "both true", requirement: "at most one of them")
        }
        guard numberOfFeatures >= 0 else {
            throw LIMEError.invalidParameter(name: "numberOfFeatures", value: "\(numberOfFeatures)", requirement: "0 or more")
        }
        let ranked = try explanation(label: label).weights
        var marks = [Int8](repeating: 0, count: segmentation.count)
        if positiveOnly || negativeOnly {
            let chosen = ranked.filter {
                positiveOnly ? ($0.weight > 0 && $0.weight > minWeight) : ($0.weight < 0 && abs($0.weight) > minWeight)
            }
            for entry in chosen.prefix(numberOfFeatures) { marks[entry.feature] = 1 }
        } else {
            for entry in ranked.prefix(numberOfFeatures) where abs(entry.weight) >= minWeight {
                marks[entry.feature] = entry.weight < 0 ? -1 : 1
            }
        }
        return segmentation.labels.map { marks[Int($0)] }
    }
}
