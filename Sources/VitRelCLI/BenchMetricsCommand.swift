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
        try MetricsBenchmark(network: network, batchSize: batch, metrics: kinds).measure(
            reference: { reference in
                print("architecture      \(arch)  (\(config.imageHeight)×\(config.imageWidth), patch \(config.patchSize))")
                print("threads           \(Parallel.threadCount)")
                print(String(format: "sgemm GFLOP/s     %.1f  (%@ sgemm %d³, the faster library here; median of 3 paired rounds)",
                             reference.sgemmRate.median, reference.yardstick.displayName, reference.yardstickSize))
                print(String(format: "forward           %.1f images/s in batches of %d (%.1f%% of sgemm)",
                             reference.imagesPerSecond, batch, 100 * reference.shareOfSGEMM))
                print("")
                print("metric                      passes   batches   seconds   passes/s   of forward")
            },
            row: { row in
                let name = row.metric.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0)
                guard let passes = row.passes else { return print("\(name)  runs no model") }
                print(String(format: "%@  %6d   %7d   %7.3f   %8.1f   %6.1f%%",
                             name, passes, row.batches, row.seconds, row.passesPerSecond, 100 * row.shareOfForward))
            })
    }
}
