import Foundation

/// A list of labelled files evaluated as `vitrel evaluate` evaluates a split: streamed through
/// the model a batch at a time (`ClassifierModel.logits(reading:)`: peak memory one batch),
/// files that cannot be read left out and reported once each, and the logits of the rest
/// reported (`EvaluationReport`: classification, calibration, optionally a fitted T).
public struct SplitEvaluation: Sendable {
    public var report: EvaluationReport
    /// How many of the files were evaluated (the others could not be read).
    public var evaluatedCount: Int

    /// Evaluates `items` with `model`. `failed` receives each unreadable file's index in
    /// `items` and its error; `progress` the files done so far. Throws when no file could be
    /// read (there is nothing to report), and for errors of the network itself.
    public init(
        items: [LabelledImage], model: ClassifierModel, options: ImageReadOptions = .fileDefaults, batchSize: Int = 32,
        temperature: Double = 1, binCount: Int = CalibrationReport.defaultBinCount, fitTemperature: Bool = false,
        failed: (_ index: Int, _ error: Error) -> Void = { _, _ in }, progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws {
        let rows = try model.logits(
            reading: items.map(\.imageURL), options: options, batchSize: batchSize, failed: failed, progress: progress)
        guard !rows.isEmpty else { throw EvaluationError.nothingReadable(count: items.count) }
        let predictions = ModelPredictions(
            logits: Tensor(shape: [rows.count, model.classNames.count], scalars: rows.flatMap(\.logits)),
            targets: .classes(rows.map { items[$0.index].classIndex }))
        report = try EvaluationReport(
            predictions: predictions, classNames: model.classNames, temperature: temperature, binCount: binCount,
            fitTemperature: fitTemperature)
        evaluatedCount = rows.count
    }
}
