import ArgumentParser
import Foundation
import VitRel

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against this machine's own sgemm rate (measured in the same run).",
        subcommands: [BenchForward.self]
    )
}

struct BenchForward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Seconds per image and achieved GFLOP/s of a forward pass with random weights.")

    @Option(help: "timm architecture name (vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}).")
    var arch = "vit_base_patch16_224"
    @Option(help: "Images per forward pass.")
    var batch = 16
    @Option(help: "Timed repetitions (median reported).")
    var repetitions = 3
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        guard let config = ViTConfig.timm(architecture: arch) else {
            throw ValidationError("unknown architecture \"\(arch)\"; expected vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}")
        }
        let model = VisionTransformer<Float>(config: config, seed: 0)
        var generator = SeededGenerator(seed: 2)
        let input = Tensor<Float>(
            shape: [batch, 3, config.imageHeight, config.imageWidth],
            scalars: (0..<(batch * 3 * config.imageHeight * config.imageWidth)).map { _ in Float(generator.nextGaussian()) })
        let sgemm = GemmRate.measure()
        _ = try model(input)  // warm-up
        let seconds = try Stopwatch.median(repetitions: repetitions) { _ = try model(input) }
        let flops = config.forwardFlopsPerImage() * Double(batch)
        let achieved = flops / seconds / 1e9
        print("architecture      \(arch)  (\(model.parameterCount) parameters)")
        print("threads           \(Parallel.threadCount)")
        print("batch             \(batch)")
        print(String(format: "seconds/image     %.4f", seconds / Double(batch)))
        print(String(format: "forward GFLOP/s   %.1f  (%.2f GFLOP per image, matrix products only)", achieved, config.forwardFlopsPerImage() / 1e9))
        print(String(format: "sgemm GFLOP/s     %.1f  (cblas_sgemm 2048³, same run)", sgemm))
        print(String(format: "forward / sgemm   %.1f%%", 100 * achieved / sgemm))
    }
}
