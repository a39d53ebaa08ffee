/// Selectivity (Montavon et al. 2018, "Methods for interpreting and understanding deep neural
/// networks"), as Quantus 0.6.0 `Selectivity` computes it.
///
/// Every region of the `patchSize` grid (see `RegionGrid`) is perturbed cumulatively in
/// decreasing attribution sum; the curve is the target output after each region. A faithful
/// explanation makes it drop quickly, so a LOWER score is better. The score is the trapezoidal
/// area under the curve with unit spacing (Quantus `get_auc_score`).
///
/// Cost: one pass per region, (224/8)² = 784 on a 224² input.
public struct Selectivity: PerturbationMetric, SeededMetric, Equatable {
    public var patchSize: Int
    public var baseline: PerturbationBaseline
    public var preprocessing: AttributionPreprocessing
    public var output: ModelOutput
    public var seed: UInt64

    /// Quantus 0.6.0 defaults: 8×8 regions, black, normalise, softmax.
    public init(
        patchSize: Int = 8, baseline: PerturbationBaseline = .black,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false),
        output: ModelOutput = .softmax, seed: UInt64 = 0
    ) {
        self.patchSize = patchSize
        self.baseline = baseline
        self.preprocessing = preprocessing
        self.output = output
        self.seed = seed
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .selectivity, summary: "area under the output as regions are removed, most relevant first (Montavon et al. 2018)",
            higherIsBetter: false, needs: .perturbedInputs,
            curve: MetricCurve(title: "selectivity curve (mean, 95% bootstrap band)", axis: "model output"))
    }

    public func forwardPasses(for shape: ImageShape) -> Int {
        (try? RegionGrid(shape: shape, patchSize: patchSize).regionCount) ?? 0
    }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try requireTarget(target)
        let (x, shape) = try input.metricImage()
        let grid = try RegionGrid(shape: shape, patchSize: patchSize)
        let features = try AttributionFeatures(attribution, shape: shape, preprocessing: preprocessing)
        let ranking = AttributionFeatures.descendingOrder(grid.regionSums(grid.zeroPadded(features.values)))
        var padded = grid.edgePadded(x)
        let perturber = try Perturber(baseline, original: padded, shape: grid.padded)
        let curve = try model.scores(count: grid.regionCount, shape: shape, target: target, output: output) { k in
            var generator = SeededGenerator(seed: seed, stream: UInt64(k))
            perturber.perturb(&padded, at: grid.features(ofRegion: ranking[k]), generator: &generator)
            return grid.cropped(padded)
        }
        return MetricResult(score: Statistics.trapezoidArea(curve), curve: curve, forwardPasses: grid.regionCount)
    }
}
