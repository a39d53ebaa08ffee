/// Speed of training for a configuration and batch size, for `vitrel bench train`.
///
/// Uses random weights and random images (the arithmetic does not depend on the values);
/// one untimed warm-up step first, then one inference forward pass and `steps` training steps,
/// each phase timed separately. The medians are reported, so one slow step (page faults,
/// another process) does not move the result.
public struct TrainingBenchmark: Codable, Equatable, Sendable {
    public var batchSize: Int
    public var steps: Int
    public var parameterCount: Int
    /// One forward pass of the batch without training (`model(images)`).
    public var inferenceForwardSeconds: Double
    /// Median over steps: the training forward pass (keeps its trace).
    public var forwardSeconds: Double
    /// Median over steps: loss, its gradient and the backward pass.
    public var backwardSeconds: Double
    /// Median over steps: gradient clipping and the AdamW update.
    public var updateSeconds: Double
    /// Median over steps: the whole step.
    public var stepSeconds: Double

    /// Training throughput.
    public var imagesPerSecond: Double { Double(batchSize) / stepSeconds }
    /// Backward cost as a multiple of the forward pass (about 2 for GEMM-bound models).
    public var backwardToForwardRatio: Double { backwardSeconds / forwardSeconds }

    /// Times `steps` training steps (default AdamW and clipping settings) of a model built from
    /// `config` on batches of `batchSize` random images at the configuration's resolution, with
    /// the steps' products at `precision`.
    public static func measure(
        config: ViTConfig, batchSize: Int, steps: Int, seed: UInt64 = 0, precision: ProductPrecision = .fp32
    ) throws -> TrainingBenchmark {
        guard batchSize > 0, steps > 0 else {
            throw TrainingError.invalidConfiguration("benchmark batch size and steps must be positive")
        }
        var trainer = try Trainer(
            model: VisionTransformer<Float>(config: config, seed: seed),
            configuration: TrainingConfiguration(batchSize: batchSize, augment: false, seed: seed, precision: precision))
        var generator = SeededGenerator(seed: seed &+ 1)
        let shape = [batchSize, config.channels, config.imageHeight, config.imageWidth]
        let images = Tensor<Float>(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextGaussian()) })
        let labels = (0..<batchSize).map { _ in Int(generator.next() % UInt64(config.classCount)) }
        let batch = TrainingBatch(images: images, targets: .classes(labels))
        try trainer.step(on: batch, learningRate: 1e-4)  // warm-up: allocations, BLAS buffers
        let watch = Stopwatch()
        _ = try trainer.model(images)
        let inference = watch.seconds
        var results = [Trainer.StepResult]()
        var totals = [Double]()
        for _ in 0..<steps {
            let stepWatch = Stopwatch()
            results.append(try trainer.step(on: batch, learningRate: 1e-4))
            totals.append(stepWatch.seconds)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        return TrainingBenchmark(
            batchSize: batchSize, steps: steps, parameterCount: trainer.model.parameterCount,
            inferenceForwardSeconds: inference, forwardSeconds: median(results.map(\.forwardSeconds)),
            backwardSeconds: median(results.map(\.backwardSeconds)), updateSeconds: median(results.map(\.updateSeconds)),
            stepSeconds: median(totals))
    }
}
