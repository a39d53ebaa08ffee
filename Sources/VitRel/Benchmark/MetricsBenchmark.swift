/// The forward passes each perturbation metric makes and whether its batched evaluation runs
/// at a plain batched forward pass's throughput (`vitrel bench metrics`).
///
/// Every metric runs on one seeded image with a seeded random attribution map, with the
/// settings `vitrel compare` uses (one ViT patch per step; regions of the patch size). The
/// reference is a plain forward pass on batches of the metric batch size, timed against the
/// sgemm yardstick in paired rounds, and again just before each metric, whose rate is divided
/// by that adjacent reference (the host's speed moves from second to second). Both sides are
/// the fastest of enough passes or runs to fill half a second.
public struct MetricsBenchmark {
    public var network: VisionTransformer<Float>
    /// Perturbed inputs per forward pass.
    public var batchSize: Int
    public var metrics: [MetricKind]
    /// Side of the yardstick's square sgemm (`ForwardBenchmark.yardstickSize`).
    public var yardstickSize: Int

    public init(
        network: VisionTransformer<Float>, batchSize: Int = 32, metrics: [MetricKind] = MetricKind.allCases.filter(\.runsModel),
        yardstickSize: Int = 2048
    ) {
        precondition(batchSize >= 1, "metric batch size must be at least 1")
        self.network = network
        self.batchSize = batchSize
        self.metrics = metrics
        self.yardstickSize = yardstickSize
    }

    /// The plain forward pass the metrics are measured against.
    public struct Reference: Sendable {
        public var yardstick: MatrixLibrary
        public var yardstickSize: Int
        /// The yardstick's rate (GFLOP/s) over 3 paired rounds.
        public var sgemmRate: (median: Double, lowest: Double, highest: Double)
        /// Images per second of the plain forward pass, and its share of the sgemm rate.
        public var imagesPerSecond: Double
        public var shareOfSGEMM: Double
    }

    /// One metric's measurement; `passes` is nil for a metric that runs no model.
    public struct Row: Sendable {
        public var metric: MetricKind
        public var passes: Int?
        public var batches: Int
        public var seconds: Double
        /// Forward passes per second, and that rate as a share of the adjacent plain forward.
        public var passesPerSecond: Double
        public var shareOfForward: Double
    }

    /// Measures the reference, hands it to `reference`, then each metric in turn, handing
    /// each row to `row` as soon as it is measured (a run takes minutes).
    public func measure(reference: (Reference) -> Void, row: (Row) -> Void) throws {
        let config = network.config, network = network, batch = batchSize
        var suite = MetricSuite.vit(patchSize: config.patchSize, channels: 3)
        suite[.regionPerturbation] = RegionPerturbation(patchSize: config.patchSize, baseline: .gaussianNoise(standardDeviation: 0.1))
        let input = ForwardBenchmark.seededInput(config, batch: 1).reshaped([3, config.imageHeight, config.imageWidth])
        var generator = SeededGenerator(seed: 5)
        let attribution = (0..<(config.imageHeight * config.imageWidth)).map { _ in Float(generator.nextGaussian()) }
        let counter = ForwardPassCounter()
        let metricModel = MetricModel(batchSize: batch, counter: counter) { try network($0) }

        let full = ForwardBenchmark.seededInput(config, batch: batch)
        let warmUp = try PairedTiming.timed { _ = try network(full) }
        let yardstick = GemmRate.fastest(size: yardstickSize).yardstick
        let forwardPass = { try PairedTiming.timed { _ = try network(full) } }
        let forwardRepeats = PairedTiming.repeatsFilling(halfASecondAfter: warmUp.wall)
        let header = try PairedTiming.measure(
            rounds: 3, referenceRepeats: 3, reference: yardstick.time, subjectRepeats: forwardRepeats) { _ = try network(full) }
        reference(Reference(
            yardstick: yardstick.library, yardstickSize: yardstick.size, sgemmRate: header.referenceRate(work: yardstick.flops / 1e9),
            imagesPerSecond: Double(batch) / header.medianSubjectSeconds,
            shareOfSGEMM: header.rateRatio(subjectWork: config.forwardFlopsPerImage() * Double(batch), referenceWork: yardstick.flops).median))

        for kind in metrics {
            guard kind.runsModel else {
                row(Row(metric: kind, passes: nil, batches: 0, seconds: 0, passesPerSecond: 0, shareOfForward: 0))
                continue
            }
            let inputs = MetricInputs<VisionTransformer<Float>>(model: metricModel, input: input, attribution: attribution, target: 0)
            // One untimed run counts the passes (and warms up).
            counter.reset()
            let first = try PairedTiming.timed { _ = try suite.run(kind, inputs) }
            let passes = counter.passes, batches = counter.batches
            var result: MetricResult?
            let timing = try PairedTiming.measure(
                rounds: 1, referenceRepeats: forwardRepeats, reference: forwardPass,
                subjectRepeats: PairedTiming.repeatsFilling(halfASecondAfter: first.wall)
            ) {
                result = try suite.run(kind, inputs)
            }
            precondition(result!.forwardPasses == passes, "\(kind.rawValue) reported \(result!.forwardPasses) passes, the model counted \(passes)")
            let seconds = timing.medianSubjectSeconds
            let rate = Double(passes) / seconds
            row(Row(
                metric: kind, passes: passes, batches: batches, seconds: seconds, passesPerSecond: rate,
                shareOfForward: rate / (Double(batch) / timing.medianReferenceSeconds)))
        }
    }
}
