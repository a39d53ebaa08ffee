import Foundation
import XCTest
import VitRelTestSupport
import VitRelCore
import VitRelModel
import VitRelData
@testable import VitRelTraining

/// A split evaluated as `vitrel evaluate` evaluates it (`SplitEvaluation`): its files streamed
/// through the tiny fixture model a batch at a time, unreadable files left out, and the logits
/// reported (`EvaluationReport`).
final class SplitEvaluationTests: XCTestCase {
    /// The evaluation of `split` of the dataset at `root`, and the files that could not be read.
    func evaluate(
        _ root: URL, split: DatasetSplit = .test, batch: Int = 32, aliases: [String: String] = [:], temperature: Double = 1,
        binCount: Int = CalibrationReport.defaultBinCount, fitTemperature: Bool = false
    ) throws -> (report: EvaluationReport, failed: [URL]) {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let index = try DatasetIndex.open(root).mapped(toModelClasses: model.classNames, aliases: aliases)
        let items = index.items(in: split)
        var failed = [URL]()
        let report = try SplitEvaluation(
            items: items, model: model, batchSize: batch, temperature: temperature, binCount: binCount, fitTemperature: fitTemperature,
            failed: { i, _ in failed.append(items[i].imageURL) }
        ).report
        return (report, failed)
    }

    /// The test split's 6 phantoms (numbers 13–14 of each class) in one unbatched forward pass.
    func oneForwardPass(_ root: URL) throws -> (labels: [Int], logits: Tensor<Float>) {
        let model = try ClassifierModel.load(from: TestPaths.tinyModel)
        let index = try DatasetIndex.open(root).mapped(toModelClasses: model.classNames)
        let split = PreparedSplit.prepare(index, split: .test, preprocessing: model.preprocessing)
        return (split.labels, try model.network(split.inputs))  // [6, 3]
    }

    /// In batches of 4 (4 + 2 images), the report equals the one of one unbatched forward pass
    /// over the same preprocessed split.
    func testEvaluatingInBatchesReportsWhatOneForwardPassOfTheWholeSplitGives() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: root, perClass: 14, seed: 3, size: 64, shortcutProbability: 0)  // Test: numbers 13–14
        let printed = try evaluate(root, batch: 4).report.classification

        let (labels, logits) = try oneForwardPass(root)
        let probabilities = (0..<labels.count).map { softmaxProbabilities(Array(logits.scalars[(3 * $0)..<(3 * $0 + 3)])) }
        let expected = try ClassificationReport(labels: labels, probabilities: probabilities, classNames: ["COVID-19", "Non-COVID", "Normal"])

        XCTAssertEqual(printed.sampleCount, 6)
        XCTAssertEqual(printed.confusionMatrix, expected.confusionMatrix)
        XCTAssertEqual(printed.accuracy, expected.accuracy)
        XCTAssertEqual(printed.classes.map(\.support), [2, 2, 2])
        for (a, b) in zip(printed.classes, expected.classes) {
            XCTAssertEqual(a.f1, b.f1, a.name)
            XCTAssertEqual(try XCTUnwrap(a.auroc), try XCTUnwrap(b.auroc), accuracy: 1e-9, a.name)
        }
    }

    /// The calibration of the split is what the library computes from one forward pass of it;
    /// with a fitted temperature, "before" is that calibration and "after" has no larger NLL;
    /// the text at another temperature and bin count names them, ECE, MCE, NLL and Brier.
    func testEvaluationReportsCalibrationAndTheFittedTemperature() throws {
        let root = try TestPaths.temporaryDirectory(self)
        try SyntheticDataset.write(to: root, perClass: 14, seed: 3, size: 64, shortcutProbability: 0)
        let printed = try evaluate(root, fitTemperature: true).report

        let (labels, logits) = try oneForwardPass(root)
        let rows = (0..<labels.count).map { row in (0..<3).map { Double(logits.scalars[3 * row + $0]) } }
        let expected = try CalibrationReport(labels: labels, logits: rows)

        XCTAssertEqual(printed.temperature, 1)
        XCTAssertEqual(printed.calibration.sampleCount, 6)
        XCTAssertEqual(printed.calibration.binCount, 15)
        XCTAssertEqual(printed.calibration.bins.map(\.count), expected.bins.map(\.count))
        XCTAssertEqual(printed.calibration.expectedCalibrationError, expected.expectedCalibrationError, accuracy: 1e-6)
        XCTAssertEqual(printed.calibration.negativeLogLikelihood, expected.negativeLogLikelihood, accuracy: 1e-6)
        XCTAssertEqual(printed.calibration.brierScore, expected.brierScore, accuracy: 1e-6)
        let fit = try XCTUnwrap(printed.temperatureScaling)
        XCTAssertEqual(fit.before, printed.calibration)
        XCTAssertLessThanOrEqual(fit.after.negativeLogLikelihood, fit.before.negativeLogLikelihood)

        let text = try evaluate(root, temperature: 1.5, binCount: 10).report.text(digits: 4)
        for line in ["calibration of softmax(logits / T), T = 1.5 (top label, 10 equal-width bins", "  ECE  ", "  MCE  ", "  NLL  ", "  Brier  "] {
            XCTAssertTrue(text.contains(line), "text lacks \"\(line)\":\n\(text)")
        }
    }

    /// A PNG cut short in a class folder: passed to `failed` once, and the report covers the
    /// five readable images.
    func testAnUnreadableImageIsLeftOutOnceAndTheOthersAreEvaluated() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/COVID-19/a.png", "val/COVID-19/b.png", "val/Non-COVID/c.png",
                                                "val/Normal/d.png", "val/Normal/e.png"])
        let broken = data.appendingPathComponent("val/Normal/broken.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: broken)  // a PNG cut short
        let (report, failed) = try evaluate(data, split: .validation)
        XCTAssertEqual(failed.map(\.path), [broken.path], "named once")
        XCTAssertEqual(report.classification.classes.map(\.support), [2, 1, 2], "the five readable images, the broken one left out")
    }

    /// A split none of whose files can be read has nothing to report: one error saying how
    /// many there were, not an empty report.
    func testASplitWithNoReadableImageIsAnError() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        let folder = data.appendingPathComponent("val/Normal")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: folder.appendingPathComponent("broken.png"))  // a PNG cut short
        XCTAssertThrowsError(try evaluate(data, split: .validation)) { error in
            XCTAssertEqual(error as? EvaluationError, .nothingReadable(count: 1))
            XCTAssertEqual("\(error)", "none of the 1 images could be read")
        }
    }

    /// Data classes named otherwise than the model's are an error until mapped (`--class-map`).
    func testAnUnknownDataClassIsAnErrorUntilMapped() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/covid 19/a.png", "val/pneumonia/b.png", "val/Normal/c.png"])
        XCTAssertThrowsError(try evaluate(data, split: .validation)) { error in
            XCTAssertTrue("\(error)".contains("unknown class \"pneumonia\""), "\(error)")
        }
        let report = try evaluate(data, split: .validation, aliases: ["pneumonia": "Non-COVID"]).report.classification
        XCTAssertEqual(report.classes.map(\.name), ["COVID-19", "Non-COVID", "Normal"])
        XCTAssertEqual(report.classes.map(\.support), [1, 1, 1], "covid 19 matched by its letters, pneumonia by the map")
    }
}
