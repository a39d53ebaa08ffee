/// ROAD, RemOve And Debias (Rong et al. 2022, "A consistent and efficient evaluation strategy
/// for attribution methods"), following Quantus 0.6.0 `ROAD` and the ROAD reference code.
///
/// For each percentage p, the top ⌊H·W·p/100⌋ pixels by attribution (MoRF; LeRF takes the
/// bottom ones) are removed in every channel and filled by noisy linear imputation (see
/// `NoisyLinearImputation`), and the model is run on the imputed image. The curve holds, per
/// p, whether the prediction is still the target (Quantus's output) or the target's
/// probability; the score is the curve's mean, the area under it on equally spaced p. For
/// MoRF lower is better.
///
/// Pixels, not channel features, are ranked: Quantus 0.6.0 ranks the C·H·W features of the
/// spread map but uses the indices as pixels of an H·W mask, which only works for C = 1 (for
/// C > 1 it raises IndexError); with C = 1 the two agree, and ranking pixels is what the ROAD
/// reference does. A [C, H, W] attribution is summed over channels. Imputation noise comes
/// from `SeededGenerator(seed: seed, stream: percentage index)`; percentages are imputed in
/// parallel. Cost: one pass per percentage (50 by default).
public struct ROAD: PerturbationMetric, SeededMetric, Equatable {
    public enum Order: String, CaseIterable, Codable, Sendable {
        /// Most relevant pixels removed first.
        case morf
        /// Least relevant pixels removed first.
        case lerf
    }

    public enum Readout: String, CaseIterable, Codable, Sendable {
        /// 1 when the model still predicts the target, else 0 (Quantus).
        case accuracy
        /// The target's softmax probability.
        case probability
    }

    public var percentages: [Double]
    public var noise: Float
    public var order: Order
    public var readout: Readout
    public var preprocessing: AttributionPreprocessing
    public var seed: UInt64
    /// Relative residual at which the imputation's conjugate gradients stop.
    public var tolerance: Double

    /// Quantus 0.6.0 defaults: p = 1, 3, …, 99; noise 0.01; MoRF; accuracy; normalise.
    public init(
        percentages: [Double] = stride(from: 1, to: 100, by: 2).map(Double.init), noise: Float = 0.01,
        order: Order = .morf, readout: Readout = .accuracy,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false),
        seed: UInt64 = 0, tolerance: Double = 1e-8
    ) {
        self.percentages = percentages
        self.noise = noise
        self.order = order
        self.readout = readout
        self.preprocessing = preprocessing
        self.seed = seed
        self.tolerance = tolerance
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .road, summary: "accuracy after removing top pixels with noisy linear imputation (Rong et al. 2022)",
            higherIsBetter: false, needs: .perturbedInputs,
            curve: MetricCurve(title: "road curve (mean, 95% bootstrap band)", axis: "output after removal"))
    }

    public func forwardPasses(for shape: ImageShape) -> Int { percentages.count }

    /// Pixels removed at percentage `p` (Quantus: `int(a_size * p / 100)`).
    public static func removedCount(pixels: Int, percentage: Double) -> Int {
        Int(Double(pixels) * percentage / 100)
    }

    /// The imputed images, one per percentage ([C, H, W] each).
    public func imputedImages(input: Tensor<Float>, attribution: [Float]) throws -> [[Float]] {
        let (x, shape) = try input.metricImage()
        guard percentages.allSatisfy({ $0 >= 0 && $0 < 100 }) else {
            throw MetricError.invalidParameter("percentages", "must lie in [0, 100), got \(percentages)")
        }
        let saliency = preprocessing.apply(try AttributionFeatures.pixelMap(attribution, shape: shape))
        let ranking = order == .morf ? AttributionFeatures.descendingOrder(saliency) : AttributionFeatures.ascendingOrder(saliency)
        var images = [[Float]](repeating: [], count: percentages.count)
        images.withUnsafeMutableBufferPointer { slots in
            Parallel.forEachChunk(percentages.count) { range in
                for k in range {
                    var generator = SeededGenerator(seed: seed, stream: UInt64(k))
                    let removed = Array(ranking.prefix(Self.removedCount(pixels: shape.plane, percentage: percentages[k])))
                    slots[k] = NoisyLinearImputation.impute(
                        x, shape: shape, removed: removed, noise: noise, generator: &generator, tolerance: tolerance)
                }
            }
        }
        return images
    }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try requireTarget(target)
        let shape = try ImageShape(of: input)
        let images = try imputedImages(input: input, attribution: attribution)
        let rows = try model.rows(
            count: images.count, shape: shape, output: readout == .probability ? .softmax : .logits,
            requiredClasses: target + 1) { images[$0] }
        let curve = rows.map { row -> Double in
            switch readout {
            case .probability: return row[target]
            case .accuracy:
                // numpy argmax: the first maximum.
                let predicted = row.indices.reduce(0) { row[$1] > row[$0] ? $1 : $0 }
                return predicted == target ? 1 : 0
            }
        }
        return MetricResult(score: Statistics.mean(curve), curve: curve, forwardPasses: images.count)
    }
}
