import Foundation

/// A training run as `vitrel train` makes one: a dataset on disk in, a timm-format model folder
/// out.
///
/// The dataset is opened (and balanced), the architecture assembled from a timm name and the
/// overrides (or taken from `initFrom`'s model, whose classes must be the data's), both splits
/// decoded and preprocessed once, and a `Trainer` run (or resumed) with warm-up counted in
/// epochs. The best checkpoint by validation macro recall is the output folder itself
/// (`config.json` + `model.safetensors`); the resume state and the last epoch's model stay in
/// `<output>/training`; `<output>/training.json` records what was run (`TrainingRecord`).
///
/// ```swift
/// var run = TrainingRun(data: "data/synth", output: URL(fileURLWithPath: "models/tiny"), command: "example")
/// run.epochs = 2
/// let result = try run.run()
/// print(result.record.history.map(\.loss))
/// ```
public struct TrainingRun {
    /// The dataset root as given (COVID-QU-Ex layout, split folders or class folders): messages
    /// quote it as the user typed it, and training.json records it.
    public var data: String
    /// Which COVID-QU-Ex subset (its mask folders) when the data has that layout.
    public var subset: CovidQuExSubset
    /// How DICOM files are decoded.
    public var imageOptions: ImageReadOptions

    /// timm architecture whose defaults the overrides below change (ignored with `initFrom`).
    public var architecture: String
    // The overrides. With `initFrom` the architecture is its model's: leave them nil (`vitrel
    // train` refuses them), as a changed patch, width, depth or head count would not fit its weights.
    /// Square input size; not applied with `initFrom` (its model's size stays).
    public var imageSize: Int?
    public var patchSize: Int?
    public var embedDimension: Int?
    public var depth: Int?
    public var headCount: Int?
    /// MLP hidden width as a multiple of the embedding width: 4 when nil; not applied with
    /// `initFrom` (its model's width stays).
    public var mlpRatio: Double?

    public var epochs: Int
    public var batchSize: Int
    /// Peak learning rate, reached after warm-up.
    public var learningRate: Double
    /// Final learning rate of the cosine schedule.
    public var minimumLearningRate: Double
    /// AdamW weight decay (not applied to biases, norms, cls/pos embeddings).
    public var weightDecay: Double
    /// Warm-up length in epochs: ⌊warmupEpochs × steps per epoch⌋ optimiser steps.
    public var warmupEpochs: Double
    public var labelSmoothing: Double
    /// Layer-wise learning-rate decay rate (`LayerwiseLearningRateDecay`); nil for none.
    public var layerDecay: Double?
    /// Precision of the training steps' Linear products (`TrainingConfiguration.precision`).
    public var precision: ProductPrecision
    public var balance: ClassBalancing
    public var augment: Bool
    /// Seed of initialisation, balancing, shuffling and augmentation.
    public var seed: UInt64

    /// The model folder to write; the run's state goes to `<output>/training`.
    public var output: URL
    /// Continue the run saved in `<output>/training` instead of starting one.
    public var resume: Bool
    /// A model folder as given, whose weights, architecture and preprocessing the run starts
    /// from (its classes must be the data's); nil starts from a seeded initialisation.
    public var initFrom: String?
    /// The command line, recorded in training.json.
    public var command: String
    /// Stop once this many epochs (counted from the start of the run) are done, as an
    /// interruption would: the state is saved and `resume` continues it. Nil runs every epoch.
    public var stopAfterEpoch: Int?

    public init(
        data: String, subset: CovidQuExSubset = .infection, imageOptions: ImageReadOptions = .fileDefaults,
        architecture: String = "vit_tiny_patch16_224", imageSize: Int? = nil, patchSize: Int? = nil,
        embedDimension: Int? = nil, depth: Int? = nil, headCount: Int? = nil, mlpRatio: Double? = nil,
        epochs: Int = 20, batchSize: Int = 32, learningRate: Double = 1e-3, minimumLearningRate: Double = 1e-5,
        weightDecay: Double = 0.05, warmupEpochs: Double = 2, labelSmoothing: Double = 0, layerDecay: Double? = nil,
        precision: ProductPrecision = .fp32, balance: ClassBalancing = .none, augment: Bool = true, seed: UInt64 = 0,
        output: URL, resume: Bool = false, initFrom: String? = nil, command: String, stopAfterEpoch: Int? = nil
    ) {
        self.data = data
        self.subset = subset
        self.imageOptions = imageOptions
        self.architecture = architecture
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.embedDimension = embedDimension
        self.depth = depth
        self.headCount = headCount
        self.mlpRatio = mlpRatio
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.minimumLearningRate = minimumLearningRate
        self.weightDecay = weightDecay
        self.warmupEpochs = warmupEpochs
        self.labelSmoothing = labelSmoothing
        self.layerDecay = layerDecay
        self.precision = precision
        self.balance = balance
        self.augment = augment
        self.seed = seed
        self.output = output
        self.resume = resume
        self.initFrom = initFrom
        self.command = command
        self.stopAfterEpoch = stopAfterEpoch
    }

    /// What a finished run made.
    public struct Result {
        /// The architecture trained (with the data's class names).
        public var config: ViTConfig
        /// Every epoch of the run, resumed ones included.
        public var history: [EpochSummary]
        /// What training.json holds.
        public var record: TrainingRecord
        /// Files left out because they could not be decoded (each was reported to the observer).
        public var skipped: [SkippedFile]
    }

    /// `<output>/training`: the resume state and the last epoch's model.
    public var trainingDirectory: URL { output.appendingPathComponent("training") }
    /// `<output>/training.json`.
    public var recordURL: URL { output.appendingPathComponent(TrainingRecord.fileName) }

    /// Runs the training and writes the model folder and training.json.
    ///
    /// - Throws: `TrainingRunError` for an unknown or invalid architecture, `initFrom`
    ///   classes that are not the data's, or no readable training image; the dataset's,
    ///   checkpoint's and trainer's own errors as they come; `ProductPrecisionError` before
    ///   reading anything when bf16 is asked for where oneDNN has no bfloat16 matmul.
    @discardableResult
    public func run(observer: TrainingRunObserver = SilentTrainingRunObserver()) throws -> Result {
        let watch = Stopwatch()
        try precision.requireSupported()
        var index = try DatasetIndex.open(URL(fileURLWithPath: data), subset: subset)
        if balance == .downsample { index = index.downsampledToSmallestClass(seed: seed) }
        let initial = try initFrom.map { try ClassifierModel.load(from: URL(fileURLWithPath: $0)) }
        if let initFrom, let initial, initial.classNames != index.classNames {
            throw TrainingRunError.classesDiffer(model: initFrom, modelClasses: initial.classNames, dataClasses: index.classNames)
        }
        let config = try architecture(classNames: index.classNames, initial: initial?.config)
        var preprocessing = initial?.preprocessing ?? Preprocessing(
            inputHeight: config.imageHeight, inputWidth: config.imageWidth, interpolation: .bicubic,
            resizeMode: .resizeThenCenterCrop, cropPercent: 1, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        // Training resizes in float, as it always has (README: Preprocessing): the shipped
        // models and their recorded accuracies were made that way, and training's resize is not
        // timm's training transform (RandomResizedCrop) in any case. Evaluation is what follows Pillow.
        preprocessing.resizeArithmetic = .float

        observer.willPrepare(index)
        let train = PreparedSplit.prepare(index, split: .train, preprocessing: preprocessing, options: imageOptions)
        let validation = PreparedSplit.prepare(index, split: .validation, preprocessing: preprocessing, options: imageOptions)
        let skipped = train.skipped + validation.skipped
        for file in skipped { observer.inputProblem(file) }
        guard train.count > 0 else { throw TrainingRunError.noReadableTrainingImages(data: data) }
        observer.prepared(training: train.count, validation: validation.count, config: config)

        var configuration = TrainingConfiguration(
            epochs: epochs, batchSize: batchSize, learningRate: learningRate, minimumLearningRate: minimumLearningRate,
            warmupSteps: 0, optimizer: AdamWHyperparameters(weightDecay: weightDecay), labelSmoothing: labelSmoothing,
            augment: augment, seed: seed, layerDecay: layerDecay, precision: precision)
        configuration.warmupSteps = Int(warmupEpochs * Double(configuration.stepsPerEpoch(itemCount: train.count)))
        if balance == .weights { configuration.classWeights = index.inverseFrequencyWeights() }

        let output = self.output
        let outputs = TrainingOutputs(directory: trainingDirectory) { network, url in
            // The best checkpoint is the model folder itself; the last one stays under training/.
            let target = url.lastPathComponent == "best" ? output : url
            try ClassifierModel.write(network, preprocessing: preprocessing, to: target)
        }
        var trainer: Trainer
        if resume {
            trainer = try Trainer(resumingFrom: outputs.stateURL, configuration: configuration)
            observer.resumed(afterEpoch: trainer.history.count)
        } else {
            trainer = try Trainer(
                model: initial?.network ?? VisionTransformer<Float>(config: config, seed: seed), configuration: configuration)
        }
        let history = try trainer.train(
            training: try train.dataSource(), validation: validation.count > 0 ? try validation.dataSource() : nil,
            outputs: outputs, stopAfterEpoch: stopAfterEpoch, onStep: observer.step, onEpoch: observer.epochFinished)
        let record = TrainingRecord(
            command: command, data: data, seed: seed, precision: trainer.configuration.precision, epochs: history.count, trainImages: train.count,
            validationImages: validation.count, wallSeconds: watch.seconds, vitrelVersion: VitRel.version,
            history: history.map(TrainingRecord.Epoch.init))
        try record.write(to: recordURL)
        return Result(config: config, history: history, record: record, skipped: skipped)
    }

    /// The architecture to train: `initial`'s (a model to start from) with the patch, width,
    /// depth and head overrides, or the timm architecture's with every override, named after
    /// the data's classes and checked.
    func architecture(classNames: [String], initial: ViTConfig?) throws -> ViTConfig {
        guard var config = initial ?? ViTConfig.timm(architecture: architecture, classCount: classNames.count) else {
            throw TrainingRunError.unknownArchitecture(architecture)
        }
        if initial == nil, let imageSize { config.imageHeight = imageSize; config.imageWidth = imageSize }
        if let patchSize { config.patchSize = patchSize }
        if let embedDimension { config.embedDimension = embedDimension }
        if let depth { config.depth = depth }
        if let headCount { config.headCount = headCount }
        if initial == nil { config.mlpHiddenDimension = Int((mlpRatio ?? 4) * Double(config.embedDimension)) }
        config.classNames = classNames
        if let problem = config.validationProblem() { throw TrainingRunError.invalidArchitecture(problem) }
        return config
    }
}

/// What a `TrainingRun` says while it runs, in this order: the dataset opened, unreadable
/// files, the prepared splits, a resumption, then every optimiser step and epoch. Every
/// method does nothing unless implemented; `vitrel train` prints the lines and draws the bar.
public protocol TrainingRunObserver {
    /// The dataset (balanced) is open and about to be decoded.
    func willPrepare(_ dataset: DatasetIndex)
    /// A file left out because it could not be decoded or resized.
    func inputProblem(_ file: SkippedFile)
    /// Both splits are decoded: `training` and `validation` images at `config`'s input size.
    func prepared(training: Int, validation: Int, config: ViTConfig)
    /// A saved run continues after `afterEpoch` epochs.
    func resumed(afterEpoch: Int)
    /// After every optimiser step.
    func step(_ progress: TrainingProgress)
    /// After every epoch, once its state is saved.
    func epochFinished(_ summary: EpochSummary)
}

extension TrainingRunObserver {
    public func willPrepare(_ dataset: DatasetIndex) {}
    public func inputProblem(_ file: SkippedFile) {}
    public func prepared(training: Int, validation: Int, config: ViTConfig) {}
    public func resumed(afterEpoch: Int) {}
    public func step(_ progress: TrainingProgress) {}
    public func epochFinished(_ summary: EpochSummary) {}
}

/// Hears nothing: for library callers and tests that read the result.
public struct SilentTrainingRunObserver: TrainingRunObserver {
    public init() {}
}
