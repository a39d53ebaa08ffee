import Foundation

/// Speed of a ViT's untraced forward pass against the best single-precision GEMM rate this
/// machine offers, measured in the same run (`vitrel bench forward`).
///
/// The yardstick is the faster of oneDNN's and OpenBLAS's sgemm 2048³ (`GemmRate.fastest`).
/// Each of `rounds` rounds times the yardstick (best of 3) and then the forward pass (the
/// fastest of enough passes to fill half a second), so the ratio compares two measurements
/// taken seconds apart: on a shared machine the sgemm rate moves from minute to minute.
public struct ForwardBenchmark: Sendable {
    public var config: ViTConfig
    public var batchSize: Int
    public var rounds: Int
    public var precision: ProductPrecision
    /// Side of the yardstick's square sgemm (2048: large enough for either library's peak).
    public var yardstickSize: Int

    public init(
        config: ViTConfig, batchSize: Int = 16, rounds: Int = 5, precision: ProductPrecision = .fp32, yardstickSize: Int = 2048
    ) {
        self.config = config
        self.batchSize = batchSize
        self.rounds = rounds
        self.precision = precision
        self.yardstickSize = yardstickSize
    }

    public struct Result: Sendable {
        public var parameterCount: Int
        public var precision: ProductPrecision
        /// Rounds measured and forward passes per round (the fastest kept).
        public var rounds: Int
        public var passesPerRound: Int
        /// Median over rounds of the forward pass of the batch.
        public var seconds: Double
        public var cpuSeconds: Double
        /// Matrix-product FLOPs of one forward pass of the batch.
        public var flops: Double
        /// Every library's sgemm rate before the rounds, and the yardstick chosen.
        public var survey: [MatrixLibrary: Double]
        public var yardstick: MatrixLibrary
        public var yardstickSize: Int
        /// The yardstick's rate in the rounds (GFLOP/s) and the forward's rate as a share of it.
        public var sgemmRate: (median: Double, lowest: Double, highest: Double)
        public var ratio: (median: Double, lowest: Double, highest: Double)
        /// The same share per process CPU second (which other jobs do not inflate).
        public var cpuRatio: (median: Double, lowest: Double, highest: Double)
        /// bf16 runs: vitrel's bfloat16 matrix product rate 2048³ (GFLOP/s), before the rounds.
        public var bfloat16Rate: Double?

        public var secondsPerImage: Double { seconds / Double(batchSize) }
        public var batchSize: Int
        public var gflopsPerSecond: Double { flops / seconds / 1e9 }
        /// Threads busy on average during the forward pass.
        public var busyThreads: Double { cpuSeconds / seconds }
    }

    /// Runs the rounds on a model of `config` with seeded random weights and a seeded random
    /// input batch.
    public func measure() throws -> Result {
        // The yardsticks first: oneDNN sizes its thread use from its first call, which must not
        // be the single-threaded bfloat16 probe of bf16.
        let survey = GemmRate.fastest(size: yardstickSize)
        let bfloat16Rate = precision == .bf16 ? GemmRate.bfloat16Rate(size: yardstickSize) : nil
        var model = VisionTransformer<Float>(config: config, seed: 0)
        try model.setInferencePrecision(precision)
        let input = Self.seededInput(config, batch: batchSize)
        let yardstick = survey.yardstick
        let warmUp = try PairedTiming.timed { _ = try model(input) }
        let passes = PairedTiming.repeatsFilling(halfASecondAfter: warmUp.wall)
        let timing = try PairedTiming.measure(
            rounds: rounds, referenceRepeats: 3, reference: yardstick.time, subjectRepeats: passes
        ) {
            _ = try model(input)
        }
        let flops = config.forwardFlopsPerImage() * Double(batchSize)
        return Result(
            parameterCount: model.parameterCount, precision: model.inferencePrecision, rounds: timing.rounds.count,
            passesPerRound: passes, seconds: timing.medianSubjectSeconds, cpuSeconds: timing.medianSubjectCPUSeconds,
            flops: flops, survey: survey.rates, yardstick: yardstick.library, yardstickSize: yardstick.size,
            sgemmRate: timing.referenceRate(work: yardstick.flops / 1e9),
            ratio: timing.rateRatio(subjectWork: flops, referenceWork: yardstick.flops),
            cpuRatio: timing.rateRatio(subjectWork: flops, referenceWork: yardstick.flops, perCPUSecond: true),
            bfloat16Rate: bfloat16Rate, batchSize: batchSize)
    }

    /// A seeded Gaussian input batch [B, 3, H, W] at the configuration's size (the
    /// benchmarks' arithmetic does not depend on the values).
    public static func seededInput(_ config: ViTConfig, batch: Int) -> Tensor<Float> {
        var generator = SeededGenerator(seed: 2)
        return Tensor<Float>(
            shape: [batch, 3, config.imageHeight, config.imageWidth],
            scalars: (0..<(batch * 3 * config.imageHeight * config.imageWidth)).map { _ in Float(generator.nextGaussian()) })
    }
}
