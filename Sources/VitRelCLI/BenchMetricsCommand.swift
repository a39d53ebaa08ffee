import ArgumentParser
import Foundation
import VitRel

/// `vitrel bench metrics`: the forward passes each metric makes and whether its batched
/// evaluation runs at the forward benchmark's throughput.
struct BenchMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Forward passes per metric and their throughput against a plain batched forward (same run).",
        discussion: """
            Every perturbation metric on one seeded image with a seeded attribution map, with \
            the settings `vitrel compare` uses (one ViT patch per step; regions of the patch \
            size). For each: the passes it made, its seconds, passes per second, and that rate \
            as a share of a plain forward pass on batches of the same size timed just before \
            it — the share is what batching achieves; the rest is building perturbed inputs \
            and the metric's own arithmetic.
            """)

    @Option(help: "shipped (the model in Models/) or a timm architecture name.") var arch = "shipped"
    @Option(help: "Perturbed inputs per forward pass.") var batch = 32
    @Option(help: ArgumentHelp("Metrics, comma-separated (default: every metric that runs the model).", valueName: "m,m,..."))
    var metrics: String?
    @OptionGroup var precision: BenchPrecisionOptions
    @OptionGroup var gemm: BenchGEMMOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        gemm.apply()
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        let config = try benchConfig(arch)
        var network: VisionTransformer<Float>
        if arch == "shipped", let folder = ShippedModel.locate() {
            network = try ClassifierModel.load(from: folder).network
        } else {
            network = VisionTransformer<Float>(config: config, seed: 0)
        }
        try precision.apply(to: &network)
        let kinds = try metrics.map { try CompareCommand.parseList($0, what: "metric") { try MetricKind(name: $0) } }
            ?? MetricKind.allCases.filter(\.runsModel)
        var suite = MetricSuite.vit(patchSize: config.patchSize, channels: 3)
        suite[.regionPerturbation] = RegionPerturbation(patchSize: config.patchSize, baseline: .gaussianNoise(standardDeviation: 0.1))

        let input = benchInput(config, batch: 1).reshaped([3, config.imageHeight, config.imageWidth])
        var generator = SeededGenerator(seed: 5)
        let attribution = (0..<(config.imageHeight * config.imageWidth)).map { _ in Float(generator.nextGaussian()) }
        let counter = ForwardPassCounter()
        let metricModel = MetricModel(batchSize: batch, counter: counter) { try network($0) }

        // The reference: plain forward passes on batches of the metric batch size, against the
        // sgemm yardstick in paired rounds, and again just before each metric, whose rate is
        // divided by that adjacent reference (the host's speed moves from second to second).
        // Both sides are the fastest of enough passes or runs to fill half a second.
        let full = benchInput(config, batch: batch)
        let warmUp = try PairedTiming.timed { _ = try network(full) }
        let yardstick = GemmRate.fastest().yardstick
        let forwardPass = { try PairedTiming.timed { _ = try network(full) } }
        let forwardRepeats = PairedTiming.repeatsFilling(halfASecondAfter: warmUp.wall)
        let header = try PairedTiming.measure(
            rounds: 3, referenceRepeats: 3, reference: yardstick.time, subjectRepeats: forwardRepeats) { _ = try network(full) }
        let forwardRate = Double(batch) / header.medianSubjectSeconds
        let sgemm = header.referenceRate(work: yardstick.flops / 1e9)
        let share = header.rateRatio(subjectWork: config.forwardFlopsPerImage() * Double(batch), referenceWork: yardstick.flops)

        print("architecture      \(arch)  (\(config.imageHeight)×\(config.imageWidth), patch \(config.patchSize))")
        print("threads           \(Parallel.threadCount)")
        print(String(format: "sgemm GFLOP/s     %.1f  (%@ sgemm %d³, the faster library here; median of 3 paired rounds)", sgemm.median, yardstick.library.displayName, yardstick.size))
        print(String(format: "forward           %.1f images/s in batches of %d (%.1f%% of sgemm)", forwardRate, batch, 100 * share.median))
        print("")
        print("metric                      passes   batches   seconds   passes/s   of forward")
        for kind in kinds {
            guard kind.runsModel else {
                print("\(kind.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0))  runs no model")
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
            let seconds = timing.medianSubjectSeconds
            precondition(result!.forwardPasses == passes, "\(kind.rawValue) reported \(result!.forwardPasses) passes, the model counted \(passes)")
            let rate = Double(passes) / seconds
            let adjacentForwardRate = Double(batch) / timing.medianReferenceSeconds
            print(String(format: "%@  %6d   %7d   %7.3f   %8.1f   %6.1f%%",
                         kind.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0), passes, batches,
                         seconds, rate, 100 * rate / adjacentForwardRate))
        }
    }
}
