import ArgumentParser
import Foundation
import VitRel

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against this machine's best sgemm rate (oneDNN's or OpenBLAS's, measured in the same run).",
        subcommands: [BenchForward.self, BenchTrain.self, BenchExplain.self, BenchLIME.self, BenchMetrics.self, BenchPrecision.self]
    )
}

struct BenchForward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Seconds per image and achieved GFLOP/s of a forward pass with random weights.",
        discussion: """
            First measures sgemm 2048³ in oneDNN and in OpenBLAS (each with its own threads) and \
            takes the faster as the yardstick. Times --repetitions rounds. Each round measures \
            the yardstick's rate (best of 3) and then the forward pass (the \
            fastest of enough passes to fill half a second). The ratio printed is the median \
            of the rounds' ratios, with their range: on a shared machine the sgemm rate moves \
            from minute to minute, and a ratio of two measurements taken apart moves with it. \
            "ratio by CPU time" divides by process CPU seconds instead, which the machine's \
            other jobs do not inflate.
            """)

    @Option(help: "timm architecture name (vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}).")
    var arch = "vit_base_patch16_224"
    @Option(help: "Images per forward pass.")
    var batch = 16
    @Option(help: "Timed rounds, each one forward pass after a fresh sgemm yardstick (medians reported).")
    var repetitions = 5
    @OptionGroup var precision: BenchPrecisionOptions
    @OptionGroup var gemm: BenchGEMMOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        gemm.apply()
        let config = try benchConfig(arch)
        let result: ForwardBenchmark.Result
        do {
            result = try ForwardBenchmark(config: config, batchSize: batch, rounds: repetitions, precision: precision.precision).measure()
        } catch let error as ProductPrecisionError { throw CLIError("\(error)") }
        print("architecture      \(arch)  (\(result.parameterCount) parameters)")
        print("threads           \(Parallel.threadCount)")
        print("kernels           \(VitRel.kernelInstructionSet)  (GELU and softmax)")
        print("matrix products   \(BenchGEMMOptions.describeCurrent())")
        print("batch             \(batch)")
        print("precision         \(result.precision.rawValue)\(result.precision == .bf16 ? (BFloat16Matrix.isNative ? "  (native AVX512-BF16 dot products)" : "  (emulated)") : "")")
        print(String(format: "seconds/image     %.4f  (median of %d rounds%@)", result.secondsPerImage, result.rounds,
                     result.passesPerRound > 1 ? ", each the fastest of \(result.passesPerRound) passes" : ""))
        print(String(format: "forward GFLOP/s   %.1f  (%.2f GFLOP per image, matrix products only)",
                     result.gflopsPerSecond, config.forwardFlopsPerImage() / 1e9))
        print("sgemm survey      \(GemmRate.describe(result.survey, yardstick: result.yardstick, size: result.yardstickSize))")
        print(String(format: "sgemm GFLOP/s     %.1f  (%@ sgemm %d³ before each round, best of 3; range %.1f–%.1f)",
                     result.sgemmRate.median, result.yardstick.displayName, result.yardstickSize, result.sgemmRate.lowest,
                     result.sgemmRate.highest))
        print(String(format: "forward / sgemm   %.1f%%  (against the best sgemm; median of the rounds' ratios; range %.1f–%.1f%%)",
                     100 * result.ratio.median, 100 * result.ratio.lowest, 100 * result.ratio.highest))
        if let bfloat16Rate = result.bfloat16Rate {
            print(String(format: "bf16 matmul GFLOP/s %.1f  (vitrel's bfloat16 product 2048³ in its blocks, before the rounds); forward / bf16 matmul %.1f%%",
                         bfloat16Rate, 100 * result.gflopsPerSecond / bfloat16Rate))
        }
        // On a shared machine the wall-clock ratio moves with other jobs; per CPU second it
        // does not (but idle waits cost nothing there, so it flatters uneven splits).
        print(String(format: "CPU s/image       %.4f  (%.2f of %d threads busy on average)",
                     result.cpuSeconds / Double(batch), result.busyThreads, Parallel.threadCount))
        print(String(format: "ratio by CPU time %.1f%%  (forward vs sgemm FLOPs per CPU second, median)", 100 * result.cpuRatio.median))
    }
}

/// A timm architecture by name, or the shipped model's architecture for "shipped".
func benchConfig(_ arch: String) throws -> ViTConfig {
    if arch == "shipped" {
        guard let folder = ShippedModel.locate() else { throw CLIError(ShippedModel.notFoundMessage()) }
        return try ClassifierModel.load(from: folder).config
    }
    guard let config = ViTConfig.timm(architecture: arch, classCount: 3) else {
        throw ValidationError("unknown architecture \"\(arch)\"; expected shipped or vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}")
    }
    return config
}

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training images/s and backward cost as a multiple of forward (same run).")

    @Option(help: "shipped (the model in Models/) or a timm architecture name.")
    var arch = "shipped"
    @Option(help: "Mini-batch size.") var batch = 32
    @Option(help: "Timed optimiser steps (median reported).") var steps = 5
    @Option(help: ArgumentHelp(
        "Precision of the steps' matrix products, as `vitrel train --precision`: fp32 or bf16.", valueName: "fp32|bf16"))
    var precision: ProductPrecision = .fp32
    @OptionGroup var gemm: BenchGEMMOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        gemm.apply()
        let config = try benchConfig(arch)
        let result: TrainingBenchmark
        do {
            result = try TrainingBenchmark.measure(config: config, batchSize: batch, steps: steps, precision: precision)
        } catch let error as ProductPrecisionError { throw CLIError("\(error)") }
        let survey = GemmRate.fastest()
        let sgemm = survey.rates[survey.yardstick.library]!
        let flops = config.forwardFlopsPerImage() * Double(batch)
        print("architecture        \(arch)  (\(result.parameterCount) parameters, \(config.imageHeight)×\(config.imageWidth), patch \(config.patchSize))")
        print("threads             \(Parallel.threadCount)")
        print("batch               \(batch)")
        print("matrix products     \(BenchGEMMOptions.describeCurrent())")
        print("precision           \(precision.rawValue)\(precision == .bf16 ? "  (the blocks' Linear products; attention heads, patch embedding and head fp32)" : "")")
        print(String(format: "images/s            %.1f  (forward + backward + AdamW)", result.imagesPerSecond))
        print(String(format: "forward s/step      %.4f", result.forwardSeconds))
        print(String(format: "backward s/step     %.4f", result.backwardSeconds))
        print(String(format: "update s/step       %.4f", result.updateSeconds))
        print(String(format: "backward / forward  %.2f×", result.backwardToForwardRatio))
        print(String(format: "train GFLOP/s       %.1f  (3 × forward matrix FLOPs per step)", 3 * flops / result.stepSeconds / 1e9))
        print(String(format: "sgemm GFLOP/s       %.1f  (the best sgemm, same run: %@)", sgemm,
                     GemmRate.describe(survey.rates, yardstick: survey.yardstick.library, size: survey.yardstick.size)))
        print(String(format: "train / sgemm       %.1f%%", 100 * 3 * flops / result.stepSeconds / 1e9 / sgemm))
        if precision == .bf16, let bfloat16Rate = GemmRate.bfloat16Rate() {
            print(String(format: "bf16 matmul GFLOP/s %.1f  (vitrel's bfloat16 product 2048³ in its blocks); train / bf16 matmul %.1f%%",
                         bfloat16Rate, 100 * 3 * flops / result.stepSeconds / 1e9 / bfloat16Rate))
        }
    }
}

struct BenchExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Seconds of one explanation and its cost as a multiple of one forward pass (same run).")

    @Option(help: "shipped (the model in Models/) or a timm architecture name.")
    var arch = "vit_base_patch16_224"
    @Option(help: "Explanation method.") var method = "chefer-lrp"
    @Option(help: "Timed rounds, each a forward pass then an explanation (medians reported).") var repetitions = 5
    @OptionGroup var gemm: BenchGEMMOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        gemm.apply()
        guard let method = ExplanationMethod(rawValue: method) else { throw ExplanationError.unknownMethod(self.method) }
        guard method != .lime else { throw ValidationError("--method lime: LIME runs no model internals; time it with `vitrel bench lime`") }
        let result = try ExplanationBenchmark(config: try benchConfig(arch), method: method, rounds: repetitions).measure()
        print("architecture         \(arch)")
        print("method               \(method.rawValue)")
        print("threads              \(Parallel.threadCount)")
        print("matrix products      \(BenchGEMMOptions.describeCurrent())")
        print(String(format: "forward s            %.4f  (median of %d rounds)", result.forwardSeconds, result.rounds))
        print(String(format: "explanation s        %.4f", result.explanationSeconds))
        print(String(format: "explanation/forward  %.2f×  (median of the rounds' ratios; range %.2f–%.2f×)",
                     result.ratio.median, result.ratio.lowest, result.ratio.highest))
    }
}

struct BenchLIME: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lime",
        abstract: "LIME wall time per image and the time of its forward passes, measured in the same run.",
        discussion: """
            Runs LIME (quickshift superpixels, 1000 samples by default) on a seeded synthetic \
            X-ray-sized image. The classifier closure is timed separately, so the overhead \
            (segmentation, masking, regression) = wall time − forward time.
            """)

    @Option(help: "shipped (the model in Models/) or a timm architecture name.")
    var arch = "shipped"
    @Option(help: "LIME samples (forward passes).") var samples = 1000
    @Option(help: "Images per forward pass.") var batch = 32
    @Option(help: "Superpixels: quickshift, slic or grid.") var segmentation = SuperpixelMethod.quickshift
    @Option(help: "Timed explanations (medians reported).") var repetitions = 3
    @OptionGroup var precision: BenchPrecisionOptions
    @OptionGroup var gemm: BenchGEMMOptions
    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        runtime.apply()
        gemm.apply()
        let config = try benchConfig(arch)
        var network: VisionTransformer<Float>
        let preprocessing: Preprocessing
        if arch == "shipped", let folder = ShippedModel.locate() {
            let model = try ClassifierModel.load(from: folder)
            network = model.network
            preprocessing = model.preprocessing
        } else {
            network = VisionTransformer<Float>(config: config, seed: 0)
            preprocessing = Preprocessing(inputHeight: config.imageHeight, inputWidth: config.imageWidth)
        }
        try precision.apply(to: &network)
        let model = ClassifierModel(network: network, preprocessing: preprocessing, directory: URL(fileURLWithPath: "."), format: .timm)
        let segmenter: LIMEExplainer.Segmenter
        switch segmentation {
        case .slic: segmenter = .slic(SLIC())
        case .grid: segmenter = .patchGrid(PatchGrid(patchSize: config.patchSize))
        case .quickshift: segmenter = .quickshift(Quickshift())
        }
        let explainer = LIMEExplainer(segmenter: segmenter, sampleCount: samples, batchSize: batch)
        let result = try LIMEBenchmark(model: model, explainer: explainer, rounds: repetitions).measure()
        print("architecture        \(arch)  (\(config.imageHeight)×\(config.imageWidth), patch \(config.patchSize))")
        print("threads             \(Parallel.threadCount)")
        print("matrix products     \(BenchGEMMOptions.describeCurrent())")
        print("precision           \(network.inferencePrecision.rawValue)")
        print("samples             \(samples) in batches of \(batch), \(result.superpixels) \(segmentation) superpixels")
        print(String(format: "seconds per image   %.3f  (median of %d explanations)", result.seconds, result.rounds))
        print(String(format: "forward passes s    %.3f", result.forwardSeconds))
        print(String(format: "overhead            %.1f%% of the wall time  (median; range %.1f–%.1f%%)",
                     result.overheadPercent.median, result.overheadPercent.lowest, result.overheadPercent.highest))
    }
}

/// `--gemm`: the library behind vitrel's own single-precision products during a benchmark, so
/// that the two can be compared on the same machine in one sitting.
struct BenchGEMMOptions: ParsableArguments {
    @Option(help: "Library for vitrel's single-precision matrix products: onednn (vitrel's) or openblas (to compare).")
    var gemm: MatrixLibrary = .oneDNN

    func apply() { MatrixLibrary.current = gemm }

    static func describeCurrent() -> String {
        MatrixLibrary.current == .oneDNN
            ? "oneDNN \(OneDNNGEMM.version) sgemm (\(OneDNNGEMM.instructionSet)), one call per fixed block"
            : "OpenBLAS sgemm, one call per fixed block"
    }
}

/// `--precision` for the benchmarks of untraced passes (forward, LIME, metrics).
struct BenchPrecisionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Precision of the untraced forward passes: fp32 or bf16.", valueName: "fp32|bf16"))
    var precision: ProductPrecision = .fp32

    func apply(to network: inout VisionTransformer<Float>) throws {
        do { try network.setInferencePrecision(precision) } catch { throw CLIError("\(error)") }
    }
}
