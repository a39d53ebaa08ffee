import Foundation

/// What `ProductPrecision.bf16` changes in what vitrel reports for one image, against Float32:
/// the logits and prediction, and LIME's explanation with the same seed (same superpixels, same
/// perturbed samples, only the classifier's precision differs). The evidence behind the
/// README's choice of default precision (`vitrel bench precision`).
public struct PrecisionFidelity: Codable, Sendable {
    public var file: String
    public var fp32Logits: [Float]
    public var bf16Logits: [Float]
    /// max |bf16 − fp32| over the classes.
    public var largestLogitChange: Double
    public var samePrediction: Bool
    /// The class explained (fp32's prediction).
    public var explainedClass: Int
    public var superpixels: Int
    /// Pearson correlation of LIME's superpixel weights (bf16 against fp32).
    public var limeCorrelation: Double
    /// How many of fp32's three most positive superpixels are also among bf16's three.
    public var limeTopThreeShared: Int

    /// Measures one image: `model` must be at fp32; its bf16 copy is made here.
    public static func measure(
        model: ClassifierModel, image url: URL, lime: LIMEExplainer, seed: UInt64
    ) throws -> PrecisionFidelity {
        precondition(model.network.inferencePrecision == .fp32, "measure from the fp32 model")
        var reduced = model
        try reduced.network.setInferencePrecision(.bf16)
        let image = try model.preprocessing.prepare(try ImageIO.read(url), file: url.path)
        let input = image.input
        let batch = input.reshaped([1] + input.shape)
        let fp32Logits = try model.network(batch).scalars
        let bf16Logits = try reduced.network(batch).scalars
        let predicted = fp32Logits.indexOfMaximum!
        let bf16Predicted = bf16Logits.indexOfMaximum!

        var explainer = lime
        explainer.topLabels = nil
        explainer.labels = [predicted]
        let pixels = image.pixels
        let fp32Weights = try explainer.explain(pixels, seed: seed, classifier: model.pixelSpaceProbabilities)
            .superpixelWeights(label: predicted)
        let bf16Weights = try explainer.explain(pixels, seed: seed, classifier: reduced.pixelSpaceProbabilities)
            .superpixelWeights(label: predicted)
        return PrecisionFidelity(
            file: url.path, fp32Logits: fp32Logits, bf16Logits: bf16Logits,
            largestLogitChange: zip(fp32Logits, bf16Logits).map { abs(Double($0) - Double($1)) }.max() ?? 0,
            samePrediction: predicted == bf16Predicted, explainedClass: predicted, superpixels: fp32Weights.count,
            limeCorrelation: Statistics.pearson(fp32Weights, bf16Weights),
            limeTopThreeShared: Set(topThree(fp32Weights)).intersection(topThree(bf16Weights)).count)
    }

    /// Indices of the three largest weights (ties: the lower index first).
    static func topThree(_ weights: [Double]) -> [Int] {
        Array(weights.indices.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }.prefix(3))
    }
}
