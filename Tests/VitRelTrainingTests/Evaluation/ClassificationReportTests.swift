import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelTraining

/// Fixture: Tests/VitRelTests/Fixtures/training/classification_report.json, written by
/// Tools/make_training_fixtures.py (sklearn classification_report, confusion_matrix,
/// roc_auc_score on 50 random predictions with tied scores).
struct ReportFixture: Decodable {
    var class_names: [String]
    var labels: [Int]
    var predictions: [Int]
    var scores: [Double]
    var precision: [Double]
    var recall: [Double]
    var f1: [Double]
    var support: [Int]
    var accuracy: Double
    var macro: [Double]
    var weighted: [Double]
    var confusion_matrix: [[Int]]
    var auroc: [Double]
    var macro_auroc: Double
    var text: String
    var text_digits4: String
}

final class ClassificationReportTests: XCTestCase {
    /// Four classes, eight examples; class 3 has no true examples but is predicted once.
    ///
    ///     labels      0 0 0 1 1 2 2 2          confusion (rows true)   tp  predicted  support
    ///     predictions 0 0 1 1 2 2 2 3          0: 2 1 0 0               2     2          3
    ///                                          1: 0 1 1 0               1     2          2
    ///                                          2: 0 0 2 1               2     3          3
    ///                                          3: 0 0 0 0               0     1          0
    ///
    /// precision tp/predicted: 1, 1/2, 2/3, 0      recall tp/support: 2/3, 1/2, 2/3, 0 (0/0 → 0)
    /// F1 = 2tp/(support + predicted): 4/5, 1/2, 2/3, 0
    /// accuracy 5/8; macro P = (13/6)/4 = 13/24, R = (11/6)/4 = 11/24, F1 = (59/30)/4 = 59/120;
    /// weighted (by support 3, 2, 3, 0): P = 6/8, R = 5/8, F1 = (12/5 + 1 + 2)/8 = 27/40.
    func testHandMadeReportHasTheHandComputedValues() throws {
        let report = try ClassificationReport(
            labels: [0, 0, 0, 1, 1, 2, 2, 2], predictions: [0, 0, 1, 1, 2, 2, 2, 3], classNames: ["a", "b", "c", "d"])
        let tolerance = 1e-15
        let expectations: [(Double, Double, Double, Int)] = [
            (1, 2.0 / 3, 0.8, 3), (0.5, 0.5, 0.5, 2), (2.0 / 3, 2.0 / 3, 2.0 / 3, 3), (0, 0, 0, 0),
        ]
        for (metrics, expected) in zip(report.classes, expectations) {
            XCTAssertEqual(metrics.precision, expected.0, accuracy: tolerance, metrics.name)
            XCTAssertEqual(metrics.recall, expected.1, accuracy: tolerance, metrics.name)
            XCTAssertEqual(metrics.f1, expected.2, accuracy: tolerance, metrics.name)
            XCTAssertEqual(metrics.support, expected.3, metrics.name)
            XCTAssertNil(metrics.auroc)
        }
        XCTAssertEqual(report.accuracy, 5.0 / 8)
        XCTAssertEqual(report.macroAverage.precision, 13.0 / 24, accuracy: tolerance)
        XCTAssertEqual(report.macroAverage.recall, 11.0 / 24, accuracy: tolerance)
        XCTAssertEqual(report.macroAverage.f1, 59.0 / 120, accuracy: tolerance)
        XCTAssertEqual(report.weightedAverage.precision, 0.75, accuracy: tolerance)
        XCTAssertEqual(report.weightedAverage.recall, 0.625, accuracy: tolerance)
        XCTAssertEqual(report.weightedAverage.f1, 27.0 / 40, accuracy: tolerance)
        XCTAssertEqual(report.macroRecall, report.macroAverage.recall)
        XCTAssertEqual(report.confusionMatrix.counts, [[2, 1, 0, 0], [0, 1, 1, 0], [0, 0, 2, 1], [0, 0, 0, 0]])
        XCTAssertNil(report.macroAUROC)
    }

    /// Positives score 0.35, 0.8, 0.4; negatives 0.1, 0.4. Of the 6 pairs the positive wins
    /// 4 and ties 1 (0.4 vs 0.4): AUROC = (4 + ½)/6 = 0.75 (the Mann–Whitney count).
    func testAUROCCountsTiesAsHalfPairs() throws {
        XCTAssertEqual(try AUROC.binary(scores: [0.1, 0.4, 0.35, 0.8, 0.4], positives: [false, false, true, true, true]), 0.75)
        XCTAssertEqual(try AUROC.binary(scores: [0.5, 0.5, 0.5, 0.5], positives: [true, false, true, false]), 0.5)
        XCTAssertEqual(try AUROC.binary(scores: [0.1, 0.2, 0.9], positives: [false, false, true]), 1)
        XCTAssertEqual(try AUROC.binary(scores: [0.9, 0.2, 0.1], positives: [false, false, true]), 0)
        XCTAssertNil(try AUROC.binary(scores: [0.1, 0.2], positives: [true, true]))
        // Only the order matters: a monotone transform of the scores leaves it unchanged.
        let scores = [0.3, 0.1, 0.7, 0.7, 0.2, 0.9, 0.3], positives = [true, false, true, false, false, true, false]
        XCTAssertEqual(try AUROC.binary(scores: scores, positives: positives), try AUROC.binary(scores: scores.map { exp(3 * $0) }, positives: positives))
    }

    func testReportMatchesSklearnOnFiftyPredictions() throws {
        let fixture = try JSONDecoder().decode(
            ReportFixture.self, from: Data(contentsOf: TestPaths.fixture("training/classification_report.json")))
        let classCount = fixture.class_names.count
        let scores = (0..<fixture.labels.count).map { Array(fixture.scores[($0 * classCount)..<(($0 + 1) * classCount)]) }
        let report = try ClassificationReport(
            labels: fixture.labels, predictions: fixture.predictions, scores: scores, classNames: fixture.class_names)
        XCTAssertEqual(fixture.labels.count, 50)
        let tolerance = 1e-12
        for c in 0..<classCount {
            XCTAssertEqual(report.classes[c].precision, fixture.precision[c], accuracy: tolerance)
            XCTAssertEqual(report.classes[c].recall, fixture.recall[c], accuracy: tolerance)
            XCTAssertEqual(report.classes[c].f1, fixture.f1[c], accuracy: tolerance)
            XCTAssertEqual(report.classes[c].support, fixture.support[c])
            XCTAssertEqual(report.classes[c].auroc!, fixture.auroc[c], accuracy: tolerance)
        }
        XCTAssertEqual(report.classes[3].precision, 0)  // never predicted: sklearn's zero_division
        XCTAssertEqual(report.accuracy, fixture.accuracy, accuracy: tolerance)
        for (ours, theirs) in zip([report.macroAverage.precision, report.macroAverage.recall, report.macroAverage.f1], fixture.macro) {
            XCTAssertEqual(ours, theirs, accuracy: tolerance)
        }
        for (ours, theirs) in zip([report.weightedAverage.precision, report.weightedAverage.recall, report.weightedAverage.f1], fixture.weighted) {
            XCTAssertEqual(ours, theirs, accuracy: tolerance)
        }
        XCTAssertEqual(report.confusionMatrix.counts, fixture.confusion_matrix)
        XCTAssertEqual(report.macroAUROC!, fixture.macro_auroc, accuracy: tolerance)
        XCTAssertEqual(report.sklearnText(), fixture.text)
        XCTAssertEqual(report.sklearnText(digits: 4), fixture.text_digits4)
        XCTAssertTrue(report.text().hasPrefix(fixture.text))
        XCTAssertTrue(report.text().contains("macro AUROC"))
    }

    func testArgmaxPredictionsAndJSONRoundTrip() throws {
        let probabilities = [[0.7, 0.2, 0.1], [0.4, 0.4, 0.2], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]]
        let report = try ClassificationReport(labels: [0, 1, 2, 1], probabilities: probabilities, classNames: ["x", "y", "z"])
        // Row 2 ties classes 0 and 1: the first wins, as numpy's argmax.
        XCTAssertEqual(report.confusionMatrix.counts, [[1, 0, 0], [1, 1, 0], [0, 0, 1]])
        let decoded = try JSONDecoder().decode(ClassificationReport.self, from: report.jsonData())
        XCTAssertEqual(decoded, report)
        XCTAssertNotNil(decoded.classes[0].auroc)
    }

    func testMismatchedInputsAreTypedErrors() {
        XCTAssertThrowsError(try ClassificationReport(labels: [0, 1], predictions: [0], classNames: ["a", "b"])) {
            XCTAssertEqual($0 as? EvaluationError, .lengthMismatch("2 labels, 1 predictions"))
        }
        XCTAssertThrowsError(try ClassificationReport(labels: [0, 2], predictions: [0, 1], classNames: ["a", "b"])) {
            XCTAssertEqual($0 as? EvaluationError, .labelOutOfRange(label: 2, classCount: 2))
        }
    }
}
