/// Region Perturbation and AOPC (Samek et al. 2017, "Evaluating the visualization of what a deep
/// neural network has learned"), as Quantus 0.6.0 `RegionPerturbation` computes it.
///
/// The input is cut into a fixed grid of `patchSize` squares (see `RegionGrid`), ranked by
/// their attribution sums: most relevant first (MoRF), least relevant first (LeRF) or at
/// random. The first `regions` of them are perturbed cumulatively, and the curve holds
/// D_k = f_y(x⁰) − f_y(x^k) for k = 1…L (Quantus's output).
///
/// The score is Samek's per-image AOPC, (1/(L+1)) Σ_{k=0…L} (f_y(x⁰) − f_y(x^k)), whose k = 0
/// term is 0; averaging it over images gives the dataset AOPC. For MoRF higher is better,
/// for LeRF lower is better.
///
/// The COVID-19 Radiography protocol (`covidAOPC`) perturbs 34×34 regions by adding Gaussian
/// noise of std 0.1. Cost: 1 + min(L, regions in the grid) passes.
public struct RegionPerturbation: PerturbationMetric, SeededMetric, Equatable {
    public enum Order: String, CaseIterable, Codable, Sendable {
        /// Most relevant first.
        case morf
        /// Least relevant first.
        case lerf
        /// A seeded random order (a baseline for the other two).
        case random
    }

    public var patchSize: Int
    public var order: Order
    /// L, the number of regions perturbed.
    public var regions: Int
    public var baseline: PerturbationBaseline
    public var preprocessing: AttributionPreprocessing
    public var output: ModelOutput
    public var seed: UInt64

    /// Quantus 0.6.0 defaults: 8×8 regions, MoRF, 100 regions, black, normalise, softmax.
    public init(
        patchSize: Int = 8, order: Order = .morf, regions: Int = 100, baseline: PerturbationBaseline = .black,
        preprocessing: AttributionPreprocessing = AttributionPreprocessing(normalise: true, absolute: false),
        output: ModelOutput = .softmax, seed: UInt64 = 0
    ) {
        self.patchSize = patchSize
        self.order = order
        self.regions = regions
        self.baseline = baseline
        self.preprocessing = preprocessing
        self.output = output
        self.seed = seed
    }

    /// The COVID-19 Radiography AOPC protocol: MoRF over 34×34 regions, additive Gaussian noise
    /// (mean 0, std 0.1).
    public static func covidAOPC(regions: Int = 100, order: Order = .morf) -> RegionPerturbation {
        RegionPerturbation(patchSize: 34, order: order, regions: regions, baseline: .gaussianNoise(standardDeviation: 0.1))
    }

    public var descriptor: MetricDescriptor {
        MetricDescriptor(
            kind: .regionPerturbation, summary: "AOPC: mean output drop as regions are perturbed in relevance order (Samek et al. 2017)",
            higherIsBetter: true, needs: .perturbedInputs,
            curve: MetricCurve(title: "AOPC against perturbation steps (mean, 95% bootstrap band)", axis: "AOPC", plotting: .runningMeanFromZero))
    }

    public func forwardPasses(for shape: ImageShape) -> Int {
        guard let grid = try? RegionGrid(shape: shape, patchSize: patchSize) else { return 0 }
        return 1 + min(regions, grid.regionCount)
    }

    public func evaluate(model: MetricModel, input: Tensor<Float>, attribution: [Float], target: Int) throws -> MetricResult {
        try require("regions", regions, atLeast: 1)
        try requireTarget(target)
        let (x, shape) = try input.metricImage()
        let grid = try RegionGrid(shape: shape, patchSize: patchSize)
        let features = try AttributionFeatures(attribution, shape: shape, preprocessing: preprocessing)
        let sums = grid.regionSums(grid.zeroPadded(features.values))
        let ranking: [Int]
        switch order {
        case .morf: ranking = AttributionFeatures.descendingOrder(sums)
        case .lerf: ranking = AttributionFeatures.ascendingOrder(sums)
        case .random:
            var generator = SeededGenerator(seed: seed, stream: 1 << 40)
            ranking = generator.permutation(grid.regionCount)
        }
        let count = min(regions, grid.regionCount)
        var padded = grid.edgePadded(x)
        let perturber = try Perturber(baseline, original: padded, shape: grid.padded)
        let outputs = try model.scores(count: 1 + count, shape: shape, target: target, output: output) { i in
            guard i > 0 else { return x }
            var generator = SeededGenerator(seed: seed, stream: UInt64(i - 1))
            perturber.perturb(&padded, at: grid.features(ofRegion: ranking[i - 1]), generator: &generator)
            return grid.cropped(padded)
        }
        let drops = outputs.dropFirst().map { outputs[0] - $0 }
        let aopc = drops.reduce(0, +) / Double(count + 1)
        return MetricResult(score: aopc, curve: drops, forwardPasses: 1 + count)
    }
}
