import Foundation

/// Mini-batch training of a Float32 Vision Transformer: shuffle → batch (augmented) →
/// forward → loss → backward → clip → AdamW at the scheduled rate, then validation once per
/// epoch, best-model selection by validation macro recall, and a resume state on disk. The
/// steps' products run at `configuration.precision` (fp32, or mixed-precision bf16);
/// validation always runs at fp32.
///
/// Reproducibility: every random draw comes from streams derived from the configuration's
/// seed and the epoch (`SeededGenerator(seed:stream: epoch)` shuffles the epoch and gives the
/// seed of its per-batch augmentation streams), all reductions run in a fixed order, and
/// parallel work is split only over independent items. Hence the same seed gives the same
/// weights bit for bit on any thread count, and resuming from the state after epoch k gives
/// exactly the weights of an uninterrupted run.
public struct Trainer {
    public let configuration: TrainingConfiguration
    public private(set) var model: VisionTransformer<Float>
    public private(set) var optimizer: AdamW<Float>
    public private(set) var epochsCompleted: Int
    public private(set) var history: [EpochSummary]
    public private(set) var bestValidationMacroRecall: Double?
    /// 1-based epoch of the best validation macro recall.
    public private(set) var bestEpoch: Int?

    /// A fresh run starting from `model`'s weights.
    public init(model: VisionTransformer<Float>, configuration: TrainingConfiguration) throws {
        if let problem = configuration.validationProblem() { throw TrainingError.invalidConfiguration(problem) }
        if let problem = model.config.validationProblem() { throw ModelError.invalidConfig(problem) }
        try configuration.precision.requireSupported()
        try Self.checkWeights(configuration, classCount: model.config.classCount)
        self.configuration = configuration
        self.model = model
        optimizer = AdamW(hyperparameters: configuration.optimizer)
        epochsCompleted = 0
        history = []
    }

    /// Continues the run saved in `state`. When `configuration` is given it must equal the
    /// saved one (a changed batch size, rate or seed would silently make another run).
    public init(resuming state: TrainingState, configuration: TrainingConfiguration? = nil) throws {
        if let configuration, configuration != state.configuration {
            throw TrainingError.stateMismatch("the training configuration differs from the one the state was saved with")
        }
        var model = VisionTransformer<Float>(config: state.modelConfiguration, seed: nil)
        var index = 0
        try model.forEachParameter { name, tensor in
            guard index < state.parameters.names.count, state.parameters.names[index] == name,
                  state.parameters.tensors[index].shape == tensor.shape
            else { throw TrainingError.stateMismatch("parameter \(name) is missing or has another shape in the state") }
            tensor = state.parameters.tensors[index]
            index += 1
        }
        guard index == state.parameters.names.count else {
            throw TrainingError.stateMismatch("the state has \(state.parameters.names.count) parameters, the model \(index)")
        }
        try self.init(model: model, configuration: state.configuration)
        optimizer = AdamW(
            hyperparameters: state.configuration.optimizer, stepCount: state.optimizerStepCount,
            firstMoments: state.firstMoments, secondMoments: state.secondMoments)
        epochsCompleted = state.epochsCompleted
        history = state.history
        bestValidationMacroRecall = state.bestValidationMacroRecall
        bestEpoch = state.bestEpoch
    }

    /// Continues the run saved at `url` (see `TrainingState` for the format).
    public init(resumingFrom url: URL, configuration: TrainingConfiguration? = nil) throws {
        try self.init(resuming: TrainingState(contentsOf: url), configuration: configuration)
    }

    /// The state to save: resuming from it continues this run exactly.
    public var state: TrainingState {
        TrainingState(
            modelConfiguration: model.config, configuration: configuration, epochsCompleted: epochsCompleted,
            optimizerStepCount: optimizer.stepCount, bestValidationMacroRecall: bestValidationMacroRecall,
            bestEpoch: bestEpoch, history: history, parameters: ParameterList(model),
            firstMoments: optimizer.firstMoments, secondMoments: optimizer.secondMoments)
    }

    /// Trains until `configuration.epochs` epochs are done (or `stopAfterEpoch`, counted from
    /// the start of the run, for a planned interruption), validating after every epoch.
    ///
    /// - Parameters:
    ///   - training: the training set; its `count` must not change across a resume.
    ///   - validation: evaluated without augmentation after every epoch; nil skips validation
    ///     and best-model selection.
    ///   - outputs: where the state (every epoch) and checkpoints go; nil keeps everything in memory.
    ///   - onStep: called after every optimiser step.
    ///   - onEpoch: called after every epoch, once its state is saved.
    /// - Returns: the summaries of all epochs of the run so far (including resumed ones).
    @discardableResult
    public mutating func train(
        training: any TrainingDataSource, validation: (any TrainingDataSource)? = nil,
        outputs: TrainingOutputs? = nil, stopAfterEpoch: Int? = nil,
        onStep: (TrainingProgress) -> Void = { _ in }, onEpoch: (EpochSummary) -> Void = { _ in }
    ) throws -> [EpochSummary] {
        let itemCount = training.count
        guard itemCount > 0 else { throw TrainingError.emptyDataSource("training") }
        if let validation, validation.count == 0 { throw TrainingError.emptyDataSource("validation") }
        let stepsPerEpoch = configuration.stepsPerEpoch(itemCount: itemCount)
        guard optimizer.stepCount == epochsCompleted * stepsPerEpoch else {
            throw TrainingError.stateMismatch(
                "\(optimizer.stepCount) optimiser steps after \(epochsCompleted) epochs do not fit \(stepsPerEpoch) steps per epoch; the training set changed size")
        }
        if let outputs {
            try FileManager.default.createDirectory(at: outputs.directory, withIntermediateDirectories: true)
        }
        let schedule = configuration.schedule(itemCount: itemCount)
        let lastEpoch = min(configuration.epochs, stopAfterEpoch ?? configuration.epochs)
        let batchSize = configuration.batchSize
        let stepsToRun = max(0, lastEpoch - epochsCompleted) * stepsPerEpoch
        var stepsRun = 0, imagesRun = 0, secondsRun = 0.0

        while epochsCompleted < lastEpoch {
            let epoch = epochsCompleted  // 0-based here, 1-based in reports
            var epochGenerator = SeededGenerator(seed: configuration.seed, stream: UInt64(epoch))
            let order = Self.shuffledIndices(itemCount, using: &epochGenerator)
            let batchSeed = epochGenerator.next()
            var lossSum = 0.0, examples = 0, correct = 0, judged = 0
            var learningRate = 0.0
            let epochWatch = Stopwatch()
            for step in 0..<stepsPerEpoch {
                let stepWatch = Stopwatch()
                let indices = Array(order[(step * batchSize)..<min(itemCount, (step + 1) * batchSize)])
                var batchGenerator = SeededGenerator(seed: batchSeed, stream: UInt64(step))
                let batch = try training.batch(indices: indices, augment: configuration.augment, generator: &batchGenerator)
                learningRate = schedule.learningRate(atStep: epoch * stepsPerEpoch + step)
                let result = try self.step(on: batch, learningRate: learningRate)
                lossSum += result.loss * Double(indices.count)
                examples += indices.count
                correct += result.correct
                judged += result.judged
                stepsRun += 1
                imagesRun += indices.count
                secondsRun += stepWatch.seconds
                onStep(TrainingProgress(
                    epoch: epoch + 1, epochs: configuration.epochs, step: step + 1, stepsPerEpoch: stepsPerEpoch,
                    runningLoss: lossSum / Double(examples), runningAccuracy: Double(correct) / Double(max(1, judged)),
                    learningRate: learningRate, imagesPerSecond: Double(imagesRun) / max(secondsRun, 1e-9),
                    etaSeconds: Double(stepsToRun - stepsRun) * secondsRun / Double(stepsRun)))
            }
            let trainingSeconds = epochWatch.seconds
            let validationSummary = try validation.map { try evaluate($0) }
            var isBest = false
            if let validationSummary, bestValidationMacroRecall.map({ validationSummary.macroRecall > $0 }) ?? true {
                isBest = true
                bestValidationMacroRecall = validationSummary.macroRecall
                bestEpoch = epoch + 1
                if let outputs, let save = outputs.saveCheckpoint { try save(model, outputs.bestCheckpointURL) }
            }
            let summary = EpochSummary(
                epoch: epoch + 1, trainingLoss: lossSum / Double(examples),
                trainingAccuracy: Double(correct) / Double(max(1, judged)), learningRate: learningRate,
                validation: validationSummary, isBest: isBest, seconds: trainingSeconds)
            history.append(summary)
            epochsCompleted += 1
            if let outputs { try state.write(to: outputs.stateURL) }
            onEpoch(summary)
        }
        if epochsCompleted == configuration.epochs, let outputs, let save = outputs.saveCheckpoint {
            try save(model, outputs.finalCheckpointURL)
        }
        return history
    }

    /// What one optimiser step did, with the time of each phase (for benchmarks).
    public struct StepResult: Sendable {
        /// Mean loss of the batch before the update.
        public var loss: Double
        /// Correct decisions and decisions judged: images for single-label data, image×class
        /// entries (sigmoid > ½ against target ≥ ½) for multi-hot data.
        public var correct: Int
        public var judged: Int
        /// Global gradient norm before clipping.
        public var gradientNorm: Double
        public var forwardSeconds: Double
        /// Loss, its gradient and the backward pass.
        public var backwardSeconds: Double
        /// Clipping and the AdamW update.
        public var updateSeconds: Double
    }

    /// One optimiser step on `batch` at `learningRate` (no schedule, no bookkeeping of epochs).
    @discardableResult
    public mutating func step(on batch: TrainingBatch, learningRate: Double) throws -> StepResult {
        guard batch.images.rank == 4, batch.images.shape[0] == batch.targets.count, batch.targets.count > 0 else {
            throw TrainingError.shapeMismatch("images \(batch.images.shape) for \(batch.targets.count) targets")
        }
        var watch = Stopwatch()
        let trace = try model.forward(batch.images, precision: configuration.precision)
        let forwardSeconds = watch.seconds
        watch = Stopwatch()
        let (loss, dLogits, correct, judged) = try lossAndGradient(logits: trace.logits, targets: batch.targets)
        var gradient = model.zeroed()
        _ = model.backward(dLogits, trace: trace, parameterGradient: &gradient)
        let backwardSeconds = watch.seconds
        watch = Stopwatch()
        let norm: Double
        if let limit = configuration.maximumGradientNorm {
            norm = GradientClipping.clipGlobalNorm(&gradient, maximumNorm: limit)
        } else {
            norm = GradientClipping.globalNorm(gradient)
        }
        let layerDecay = configuration.layerDecay.map { LayerwiseLearningRateDecay(rate: $0, depth: model.config.depth) }
        optimizer.step(&model, gradient: gradient, learningRate: learningRate, layerDecay: layerDecay)
        return StepResult(
            loss: loss, correct: correct, judged: judged, gradientNorm: norm, forwardSeconds: forwardSeconds,
            backwardSeconds: backwardSeconds, updateSeconds: watch.seconds)
    }

    /// Loss, ∂loss/∂logits and the number of correct decisions for `targets`.
    func lossAndGradient(
        logits: Tensor<Float>, targets: TrainingTargets
    ) throws -> (loss: Double, dLogits: Tensor<Float>, correct: Int, judged: Int) {
        let classes = logits.shape[1]
        switch targets {
        case .classes(let labels):
            let criterion = SoftmaxCrossEntropy(classWeights: configuration.classWeights, labelSmoothing: configuration.labelSmoothing)
            let (loss, dLogits) = try criterion(logits: logits, labels: labels)
            let predictions = Self.argmaxRows(logits)
            return (loss, dLogits, zip(predictions, labels).filter { $0 == $1 }.count, labels.count)
        case .multiHot(let rows):
            let targetTensor = try Self.multiHotTensor(rows, classCount: classes)
            let criterion = SigmoidBinaryCrossEntropy(positiveWeights: configuration.positiveWeights)
            let (loss, dLogits) = try criterion(logits: logits, targets: targetTensor)
            let correct = zip(logits.scalars, targetTensor.scalars).filter { ($0 > 0) == ($1 >= 0.5) }.count
            return (loss, dLogits, correct, logits.count)
        }
    }

    /// Validation: the whole source in order, without augmentation, in batches of
    /// `configuration.validationBatchSize`. The loss is the training loss (same weights and
    /// smoothing) over the whole set at once.
    ///
    /// Single-label data gets a full `ClassificationReport` (class names from the model's
    /// configuration). Multi-hot data is judged per class at probability ½: accuracy over
    /// image×class entries, macro recall over classes (a class without positives counts 0),
    /// AUROC of each class's sigmoid.
    public func evaluate(_ source: any TrainingDataSource) throws -> ValidationSummary {
        let predictions = try ModelPredictions(model: model, source: source, batchSize: configuration.validationBatchSize)
        let loss = try lossAndGradient(logits: predictions.logits, targets: predictions.targets).loss
        switch predictions.targets {
        case .classes:
            let report = try predictions.classificationReport(classNames: model.config.classNames)
            return ValidationSummary(
                loss: loss, accuracy: report.accuracy, macroRecall: report.macroRecall, macroAUROC: report.macroAUROC,
                report: report)
        case .multiHot(let rows):
            let probabilities = predictions.sigmoidProbabilities
            var correct = 0, recalls = [Double](), aurocs = [Double]()
            for c in 0..<predictions.classCount {
                let positives = rows.map { $0[c] >= 0.5 }
                let decided = probabilities.map { $0[c] > 0.5 }
                correct += zip(positives, decided).filter { $0 == $1 }.count
                let positiveCount = positives.filter { $0 }.count
                let found = zip(positives, decided).filter { $0 && $1 }.count
                recalls.append(positiveCount == 0 ? 0 : Double(found) / Double(positiveCount))
                if let auroc = try AUROC.binary(scores: probabilities.map { $0[c] }, positives: positives) { aurocs.append(auroc) }
            }
            return ValidationSummary(
                loss: loss, accuracy: Double(correct) / Double(predictions.logits.count),
                macroRecall: recalls.reduce(0, +) / Double(predictions.classCount),
                macroAUROC: aurocs.isEmpty ? nil : aurocs.reduce(0, +) / Double(aurocs.count), report: nil)
        }
    }

    /// A seeded Fisher–Yates permutation of 0..<count. Written out (rather than the standard
    /// library's `shuffle(using:)`, whose draws may change between toolchains) so a seed fixes
    /// the order forever.
    public static func shuffledIndices(_ count: Int, using generator: inout SeededGenerator) -> [Int] {
        var indices = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = Int(generator.nextUnit() * Double(i + 1))  // nextUnit < 1, so j ≤ i
            indices.swapAt(i, j)
            i -= 1
        }
        return indices
    }

    static func argmaxRows(_ logits: Tensor<Float>) -> [Int] {
        let classes = logits.shape[1]
        return (0..<logits.shape[0]).map { row in
            var best = 0
            for c in 1..<classes where logits.scalars[row * classes + c] > logits.scalars[row * classes + best] { best = c }
            return best
        }
    }

    static func multiHotTensor(_ rows: [[Float]], classCount: Int) throws -> Tensor<Float> {
        guard rows.allSatisfy({ $0.count == classCount }) else {
            throw TrainingError.shapeMismatch("multi-hot targets must have \(classCount) entries per image")
        }
        return Tensor(shape: [rows.count, classCount], scalars: rows.flatMap { $0 })
    }

    static func checkWeights(_ configuration: TrainingConfiguration, classCount: Int) throws {
        for (name, weights) in [("class", configuration.classWeights), ("positive", configuration.positiveWeights)] {
            guard let weights else { continue }
            guard weights.count == classCount else {
                throw TrainingError.invalidWeights("\(weights.count) \(name) weights for a model with \(classCount) classes")
            }
            guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw TrainingError.invalidWeights("\(name) weights must be finite and non-negative")
            }
        }
    }
}
