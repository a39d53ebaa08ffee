import Foundation
import XCTest
@testable import VitRelTraining

final class EvaluationReportTests: XCTestCase {
    /// `evaluate --json` prints an `EvaluationReport`: the classification report's keys stay at
    /// the top level (it still decodes as one), beside calibration, temperature and the fit.
    func testEvaluationReportKeepsTheClassificationKeysAtTheTopLevel() throws {
        let (images, labels) = TrainerTests.quadrantImages(count: 9, seed: 5)
        let source = try InMemoryDataSource(images: images, targets: .classes(labels))
        let predictions = try ModelPredictions(model: VisionTransformer<Float>(config: TrainerTests.tinyConfig, seed: 3), source: source, batchSize: 4)
        let report = try EvaluationReport(predictions: predictions, classNames: ["a", "b", "c"], binCount: 10, fitTemperature: true)
        XCTAssertEqual(report.classification, try predictions.classificationReport(classNames: ["a", "b", "c"]))
        XCTAssertEqual(report.calibration, try predictions.calibrationReport(binCount: 10))
        XCTAssertEqual(report.temperatureScaling?.before, report.calibration)
        let data = try report.jsonData()
        XCTAssertEqual(try JSONDecoder().decode(ClassificationReport.self, from: data), report.classification)
        XCTAssertEqual(try JSONDecoder().decode(EvaluationReport.self, from: data), report)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertNotNil(json["confusionMatrix"])
        XCTAssertNotNil(json["calibration"])
        XCTAssertEqual((json["temperature"] as? NSNumber)?.doubleValue, 1)
        XCTAssertTrue(report.text().contains("temperature scaling"))
        // A given temperature reaches the classification report's AUROC scores and the calibration.
        let scaled = try EvaluationReport(predictions: predictions, classNames: ["a", "b", "c"], temperature: 2)
        XCTAssertEqual(scaled.calibration, try CalibrationReport(labels: labels, logits: predictions.logitRows, temperature: 2))
        XCTAssertEqual(scaled.classification.confusionMatrix, report.classification.confusionMatrix)
        XCTAssertNil(scaled.temperatureScaling)
        XCTAssertTrue(scaled.text().contains("T = 2.0"))
    }
}
