import ArgumentParser
import Foundation
import VitRel
import VitRelCompare

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a ViT on COVID-QU-Ex-style data and write a timm-format model folder.",
        discussion: """
            Reads the COVID-QU-Ex layout (Train/Val/Test folders), split folders \
            (<dir>/{train,val,test}/<class>/*: trains on train/, selects on val/) or plain class \
            folders (deterministic splits). AdamW with linear warm-up and cosine decay, gradient clipping, \
            light augmentation, validation every epoch; the checkpoint with the best validation \
            macro recall is written to --out (config.json + model.safetensors, loadable by timm). \
            Training state is saved after every epoch in --out/training; --resume continues an \
            interrupted run and gives the same weights as an uninterrupted one.
            """)

    @Option(help: ArgumentHelp("Dataset root: COVID-QU-Ex layout, split folders (<dir>/{train,val,test}/<class>/*) or class folders.", valueName: "dir"))
    var data: String
    @Option(help: "COVID-QU-Ex subset (which of its mask folders).")
    var subset = CovidQuExSubset.infection
    @Option(help: "timm architecture whose defaults the options below override.")
    var arch = "vit_tiny_patch16_224"
    @Option(help: "Input size (square).") var imageSize: Int?
    @Option(help: "Patch size.") var patchSize: Int?
    @Option(help: "Embedding width.") var embedDim: Int?
    @Option(help: "Number of blocks.") var depth: Int?
    @Option(help: "Attention heads.") var heads: Int?
    @Option(help: "MLP hidden width as a multiple of the embedding width.") var mlpRatio: Double?
    @Option(help: "Epochs.") var epochs = 20
    @Option(help: "Mini-batch size.") var batch = 32
    @Option(help: "Peak learning rate.") var lr = 1e-3
    @Option(help: "Final learning rate of the cosine schedule.") var minLr = 1e-5
    @Option(help: "AdamW weight decay (not applied to biases, norms, cls/pos embeddings).") var weightDecay = 0.05
    @Option(help: "Warm-up length in epochs.") var warmupEpochs = 2.0
    @Option(help: "Label smoothing.") var labelSmoothing = 0.0
    @Option(help: "Layer-wise learning-rate decay r in (0, 1]: block k of L learns at r^(L−k) times the rate, the embeddings at r^(L+1), the head at the full rate (BEiT/timm; for fine-tuning a pretrained backbone, e.g. 0.75). Default: none.")
    var layerDecay: Double?
    @Option(help: ArgumentHelp(
        "Precision of the blocks' matrix products in training's forward and backward passes: fp32, or bf16 (bfloat16 operands, Float32 sums, weights, gradients and optimiser state; needs AVX-512; validation stays fp32).",
        valueName: "fp32|bf16"))
    var precision: ProductPrecision = .fp32
    @Option(help: "Class balancing: downsample (each class to the smallest) or weights (inverse frequency in the loss).")
    var balance = ClassBalancing.none
    @Flag(help: "Train without augmentation.") var noAugment = false
    @Option(help: "Seed of initialisation, shuffling and augmentation.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Model folder to write.", valueName: "dir")) var out: String
    @Flag(help: "Continue from --out/training/training-state.vtstate.") var resume = false
    @Option(help: ArgumentHelp(
        "Start from this model folder's weights, architecture and preprocessing (a second cycle, or fine-tuning); its classes must be the data's.",
        valueName: "dir"))
    var initFrom: String?
    @OptionGroup var imageOptions: ImageReadingOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if epochs < 1 || batch < 1 { throw ValidationError("--epochs and --batch must be positive") }
        if initFrom != nil && (imageSize != nil || patchSize != nil || embedDim != nil || depth != nil || heads != nil || mlpRatio != nil) {
            throw ValidationError("--init-from takes the architecture of its model; drop --image-size, --patch-size, --embed-dim, --depth, --heads and --mlp-ratio")
        }
        if initFrom != nil && resume { throw ValidationError("--init-from starts a run; --resume continues one: give one of them") }
    }

    func run() throws {
        runtime.apply()
        let training = TrainingRun(
            data: data, subset: subset, imageOptions: try imageOptions.options(), architecture: arch,
            imageSize: imageSize, patchSize: patchSize, embedDimension: embedDim, depth: depth, headCount: heads,
            mlpRatio: mlpRatio, epochs: epochs, batchSize: batch, learningRate: lr, minimumLearningRate: minLr,
            weightDecay: weightDecay, warmupEpochs: warmupEpochs, labelSmoothing: labelSmoothing, layerDecay: layerDecay,
            precision: precision, balance: balance, augment: !noAugment, seed: seed, output: URL(fileURLWithPath: out), resume: resume,
            initFrom: initFrom, command: CommandLine.arguments.joined(separator: " "))
        let terminal = TerminalTrainingObserver(data: data, precision: precision)
        let result = try training.run(observer: terminal)
        printError("wrote \(out) (best validation macro recall) in \(ProgressBar.clock(result.record.wallSeconds))")
        try terminal.problems.finish()
    }
}

/// `vitrel train`'s lines on standard error: what is read, files left out, the epoch bar and
/// each epoch's line.
private final class TerminalTrainingObserver: TrainingRunObserver {
    let data: String
    let precision: ProductPrecision
    let problems = InputProblems()
    private var bar: ProgressBar?

    init(data: String, precision: ProductPrecision) {
        self.data = data
        self.precision = precision
    }

    func willPrepare(_ dataset: DatasetIndex) {
        printError("reading \(data) (\(dataset.layout.rawValue)): \(dataset.items.count) images, classes \(dataset.classNames.joined(separator: ", "))")
    }

    func inputProblem(_ file: SkippedFile) { problems.report(file) }

    func prepared(training: Int, validation: Int, config: ViTConfig) {
        printError("train \(training), validation \(validation) images at \(config.imageHeight)×\(config.imageWidth)"
            + (precision == .bf16 ? "; steps' products in bf16 (mixed precision), validation in fp32" : ""))
    }

    func resumed(afterEpoch: Int) { printError("resuming after epoch \(afterEpoch)") }

    func step(_ progress: TrainingProgress) {
        let bar = self.bar ?? ProgressBar(label: "epoch", total: progress.stepsPerEpoch)
        self.bar = bar
        bar.update(progress.step, extra: String(format: "%d/%d  loss %.4f  acc %.3f  %.0f img/s  ETA %@",
            progress.epoch, progress.epochs, progress.runningLoss, progress.runningAccuracy,
            progress.imagesPerSecond, ProgressBar.clock(progress.etaSeconds)))
    }

    func epochFinished(_ summary: EpochSummary) {
        var line = String(format: "epoch %d  loss %.4f  acc %.3f", summary.epoch, summary.trainingLoss, summary.trainingAccuracy)
        if let v = summary.validation {
            line += String(format: "  val loss %.4f  acc %.3f  macro recall %.3f", v.loss, v.accuracy, v.macroRecall)
        }
        bar?.finish(extra: line + (summary.isBest ? "  best" : ""))
        bar?.restart()
    }
}
