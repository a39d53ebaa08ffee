import Foundation

/// A model's logits for every item of a data source, in order and without augmentation,
/// with the items' targets: the input of every evaluation (validation during training,
/// `ClassificationReport` of a finished checkpoint).
public struct ModelPredictions: Sendable {
    /// [N, classes]
    public var logits: Tensor<Float>
    public var targets: TrainingTargets

    /// Runs `model` over `source` in batches of `batchSize` images; `progress(done, total)` is
    /// called after each batch. This is the one batched-inference path: validation during
    /// training and `vitrel evaluate` both go through it. The logits do not depend on
    /// `batchSize` beyond the last bits of the GEMMs' summation order.
    public init(
        model: VisionTransformer<Float>, source: any TrainingDataSource, batchSize: Int,
        progress: ((Int, Int) -> Void)? = nil
    ) throws {
        precondition(batchSize > 0, "batch size must be positive")
        let count = source.count
        guard count > 0 else { throw DataSourceError.empty("evaluation") }
        var unusedGenerator = SeededGenerator(seed: 0)  // no augmentation, so never drawn from
        var logits = [Float](), labels = [Int](), rows = [[Float]]()
        var start = 0
        while start < count {
            let indices = Array(start..<(start + min(batchSize, count - start)))  // start + batchSize may overflow
            let batch = try source.batch(indices: indices, augment: false, generator: &unusedGenerator)
            guard batch.targets.count == indices.count else {
                throw DataSourceError.shapeMismatch("\(indices.count) items asked, \(batch.targets.count) targets returned")
            }
            logits += try model(batch.images).scalars
            switch batch.targets {
            case .classes(let batchLabels): labels += batchLabels
            case .multiHot(let batchRows): rows += batchRows
            }
            start += indices.count
            progress?(start, count)
        }
        guard labels.isEmpty || rows.isEmpty else {
            throw DataSourceError.shapeMismatch("the source mixes class labels and multi-hot targets")
        }
        self.logits = Tensor(shape: [count, model.config.classCount], scalars: logits)
        targets = rows.isEmpty ? .classes(labels) : .multiHot(rows)
    }

    /// Logits [N, classes] computed elsewhere (`ClassifierModel.logits(reading:…)`) and their targets.
    public init(logits: Tensor<Float>, targets: TrainingTargets) {
        precondition(logits.rank == 2 && logits.shape[0] == targets.count, "logits \(logits.shape) for \(targets.count) targets")
        self.logits = logits
        self.targets = targets
    }

    public var count: Int { logits.shape[0] }
    public var classCount: Int { logits.shape[1] }

    /// Row-wise softmax, in Double (single-label models).
    public var softmaxProbabilities: [[Double]] {
        (0..<count).map { row in
            rowSoftmax(Array(logits.scalars[(row * classCount)..<((row + 1) * classCount)]))
        }
    }

    /// Elementwise sigmoid, in Double (multi-label models).
    public var sigmoidProbabilities: [[Double]] {
        (0..<count).map { row in
            (0..<classCount).map { 1 / (1 + Foundation.exp(-Double(logits.scalars[row * classCount + $0]))) }
        }
    }

    /// The logits as Double rows, [N][classes]: the input of calibration and temperature scaling.
    public var logitRows: [[Double]] {
        (0..<count).map { row in logits.scalars[(row * classCount)..<((row + 1) * classCount)].map(Double.init) }
    }

    /// The class labels of single-label targets; `purpose` names what needs them in the error.
    func classLabels(for purpose: String) throws -> [Int] {
        guard case .classes(let labels) = targets else {
            throw EvaluationError.invalidScores("\(purpose) needs class labels, not multi-hot targets")
        }
        return labels
    }

    /// The report of single-label predictions: arg-max classes, softmax(logits / `temperature`)
    /// as the AUROC scores (at the default T = 1, exactly `softmaxProbabilities`).
    public func classificationReport(classNames: [String], temperature: Double = 1) throws -> ClassificationReport {
        let labels = try classLabels(for: "a classification report")
        let probabilities = temperature == 1 ? softmaxProbabilities : logitRows.map { TemperatureScaling.probabilities($0, temperature: temperature) }
        return try ClassificationReport(labels: labels, probabilities: probabilities, classNames: classNames)
    }

    /// The calibration of softmax(logits / `temperature`) over `binCount` bins.
    public func calibrationReport(temperature: Double = 1, binCount: Int = CalibrationReport.defaultBinCount) throws -> CalibrationReport {
        try CalibrationReport(labels: classLabels(for: "calibration"), logits: logitRows, temperature: temperature, binCount: binCount)
    }

    /// The temperature of least NLL on these predictions (fit on a held-out split).
    public func fitTemperature(binCount: Int = CalibrationReport.defaultBinCount) throws -> TemperatureScaling {
        try TemperatureScaling(labels: classLabels(for: "temperature scaling"), logits: logitRows, binCount: binCount)
    }
}

/// The library's stable softmax (`softmaxProbabilities(_:)`), named here because the property
/// of the same name shadows it inside `ModelPredictions`.
private let rowSoftmax: ([Float]) -> [Double] = softmaxProbabilities
