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
        let watch = Stopwatch()
        var index = try DatasetIndex.open(URL(fileURLWithPath: data), subset: subset)
        if balance == .downsample { index = index.downsampledToSmallestClass(seed: seed) }
        let initial = try initFrom.map { try ClassifierModel.load(from: URL(fileURLWithPath: $0)) }
        if let initial, initial.classNames != index.classNames {
            throw CLIError("\(initFrom!): the model's classes \(initial.classNames.joined(separator: ", ")) are not the data's \(index.classNames.joined(separator: ", "))")
        }
        guard var config = initial?.config ?? ViTConfig.timm(architecture: arch, classCount: index.classNames.count) else {
            throw CLIError("unknown architecture \"\(arch)\"; expected vit_{tiny,small,base,large}_patch{8,16,32}_{224,384}")
        }
        if initial == nil, let imageSize { config.imageHeight = imageSize; config.imageWidth = imageSize }
        if let patchSize { config.patchSize = patchSize }
        if let embedDim { config.embedDimension = embedDim }
        if let depth { config.depth = depth }
        if let heads { config.headCount = heads }
        if initial == nil { config.mlpHiddenDimension = Int((mlpRatio ?? 4) * Double(config.embedDimension)) }
        config.classNames = index.classNames
        if let problem = config.validationProblem() { throw CLIError("invalid architecture: \(problem)") }
        var preprocessing = initial?.preprocessing ?? Preprocessing(
            inputHeight: config.imageHeight, inputWidth: config.imageWidth, interpolation: .bicubic,
            resizeMode: .resizeThenCenterCrop, cropPercent: 1, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        // Training resizes in float, as it always has (README: Preprocessing): the shipped
        // models and their recorded accuracies were made that way, and training's resize is not
        // timm's training transform (RandomResizedCrop) in any case. Evaluation is what follows Pillow.
        preprocessing.resizeArithmetic = .float

        printError("reading \(data) (\(index.layout.rawValue)): \(index.items.count) images, classes \(index.classNames.joined(separator: ", "))")
        let readOptions = try imageOptions.options()
        let train = PreparedSplit.prepare(index, split: .train, preprocessing: preprocessing, options: readOptions)
        let validation = PreparedSplit.prepare(index, split: .validation, preprocessing: preprocessing, options: readOptions)
        let problems = InputProblems()
        for skipped in train.skipped + validation.skipped { problems.report(skipped) }
        guard train.count > 0 else { throw CLIError("\(data): no readable training images") }
        printError("train \(train.count), validation \(validation.count) images at \(config.imageHeight)×\(config.imageWidth)")

        let stepsPerEpoch = (train.count + batch - 1) / batch
        var configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batch, learningRate: lr, minimumLearningRate: minLr,
            warmupSteps: Int(warmupEpochs * Double(stepsPerEpoch)),
            optimizer: AdamWHyperparameters(weightDecay: weightDecay), labelSmoothing: labelSmoothing,
            augment: !noAugment, seed: seed, layerDecay: layerDecay)
        if balance == .weights { configuration.classWeights = index.inverseFrequencyWeights() }

        let outDirectory = URL(fileURLWithPath: out)
        let outputs = TrainingOutputs(directory: outDirectory.appendingPathComponent("training")) { network, url in
            // The best checkpoint is the model folder itself; the last one stays under training/.
            let target = url.lastPathComponent == "best" ? outDirectory : url
            try ClassifierModel.write(network, preprocessing: preprocessing, to: target)
        }
        var trainer: Trainer
        if resume {
            trainer = try Trainer(resumingFrom: outputs.stateURL, configuration: configuration)
            printError("resuming after epoch \(trainer.history.count)")
        } else {
            trainer = try Trainer(model: initial?.network ?? VisionTransformer<Float>(config: config, seed: seed), configuration: configuration)
        }
        let bar = ProgressBar(label: "epoch", total: stepsPerEpoch)
        let history = try trainer.train(
            training: try train.dataSource(), validation: validation.count > 0 ? try validation.dataSource() : nil,
            outputs: outputs,
            onStep: { progress in
                bar.update(progress.step, extra: String(format: "%d/%d  loss %.4f  acc %.3f  %.0f img/s  ETA %@",
                    progress.epoch, progress.epochs, progress.runningLoss, progress.runningAccuracy,
                    progress.imagesPerSecond, ProgressBar.clock(progress.etaSeconds)))
            },
            onEpoch: { summary in
                var line = String(format: "epoch %d  loss %.4f  acc %.3f", summary.epoch, summary.trainingLoss, summary.trainingAccuracy)
                if let v = summary.validation {
                    line += String(format: "  val loss %.4f  acc %.3f  macro recall %.3f", v.loss, v.accuracy, v.macroRecall)
                }
                bar.finish(extra: line + (summary.isBest ? "  best" : ""))
                bar.restart()
            })
        let record = TrainingRecord(
            command: CommandLine.arguments.joined(separator: " "), data: data, seed: seed, epochs: history.count,
            trainImages: train.count, validationImages: validation.count, wallSeconds: watch.seconds,
            vitrelVersion: VitRel.version, history: history.map {
                TrainingRecord.Epoch(epoch: $0.epoch, loss: $0.trainingLoss, accuracy: $0.trainingAccuracy,
                    validationAccuracy: $0.validation?.accuracy, validationMacroRecall: $0.validation?.macroRecall, best: $0.isBest)
            })
        try jsonString(record).write(to: outDirectory.appendingPathComponent("training.json"), atomically: true, encoding: .utf8)
        printError("wrote \(out) (best validation macro recall) in \(ProgressBar.clock(watch.seconds))")
        try problems.finish()
    }

    struct TrainingRecord: Encodable {
        struct Epoch: Encodable {
            var epoch: Int, loss: Double, accuracy: Double, validationAccuracy: Double?, validationMacroRecall: Double?, best: Bool
        }
        var command: String, data: String, seed: UInt64, epochs: Int, trainImages: Int, validationImages: Int
        var wallSeconds: Double, vitrelVersion: String, history: [Epoch]
    }
}

/// `--balance`: how `train` evens out unequal classes.
enum ClassBalancing: String, CaseIterable, ExpressibleByArgument {
    /// Every training image, the loss unweighted.
    case none
    /// Each class drawn down (with the seed) to the size of the smallest.
    case downsample
    /// Every image, each class's loss weighted by its inverse frequency.
    case weights
}
