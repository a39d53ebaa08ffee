import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelTraining

/// Fixture: Tests/VitRelTests/Fixtures/evaluation/calibration.json, written by
/// Tools/make_calibration_fixtures.py (a plain numpy loop over bins for ECE/MCE/per-bin
/// statistics, NLL, Brier; scipy.optimize.minimize_scalar for the temperature, checked
/// against brentq on the NLL's derivative).
struct CalibrationFixture: Decodable {
    struct Bins: Decodable {
        var ece: Double
        var mce: Double
        var count: [Int]
        var mean_confidence: [Double?]
        var accuracy: [Double?]
    }

    struct Statistics: Decodable {
        var bins: [String: Bins]
        var nll: Double
        var brier: Double
        var accuracy: Double
        var mean_confidence: Double
    }

    struct ProbabilitySet: Decodable {
        var labels: [Int]
        var probabilities: [Double]
        var bins: [String: Bins]
        var nll: Double
        var brier: Double
        var accuracy: Double
        var mean_confidence: Double

        var statistics: Statistics {
            Statistics(bins: bins, nll: nll, brier: brier, accuracy: accuracy, mean_confidence: mean_confidence)
        }
    }

    struct LogitSet: Decodable {
        var labels: [Int]
        var logits: [Double]
        var search_bounds: [Double]
        var temperature: Double
        var temperature_from_slope_root: Double
        var at_1: Statistics
        var at_fitted: Statistics
    }

    var classes: Int
    var probability_set: ProbabilitySet
    var logit_set: LogitSet

    static func load() throws -> CalibrationFixture {
        try JSONDecoder().decode(CalibrationFixture.self, from: Data(contentsOf: TestPaths.fixture("evaluation/calibration.json")))
    }

    func rows(_ flat: [Double]) -> [[Double]] {
        stride(from: 0, to: flat.count, by: classes).map { Array(flat[$0..<($0 + classes)]) }
    }
}

final class CalibrationTests: XCTestCase {
    /// Every statistic of `report` against the fixture's, to `tolerance`.
    func assertMatches(_ report: CalibrationReport, _ expected: CalibrationFixture.Statistics, bins: Int, tolerance: Double, _ name: String) {
        let reference = expected.bins[String(bins)]!
        XCTAssertEqual(report.binCount, bins, name)
        XCTAssertEqual(report.bins.map(\.count), reference.count, "\(name): bin counts")
        XCTAssertEqual(report.expectedCalibrationError, reference.ece, accuracy: tolerance, "\(name): ECE")
        XCTAssertEqual(report.maximumCalibrationError, reference.mce, accuracy: tolerance, "\(name): MCE")
        for (m, bin) in report.bins.enumerated() {
            XCTAssertEqual(bin.lower, Double(m) / Double(bins))
            XCTAssertEqual(bin.upper, Double(m + 1) / Double(bins))
            XCTAssertEqual(bin.meanConfidence == nil, reference.mean_confidence[m] == nil, "\(name): bin \(m) emptiness")
            if let confidence = bin.meanConfidence, let accuracy = bin.accuracy {
                XCTAssertEqual(confidence, reference.mean_confidence[m]!, accuracy: tolerance, "\(name): bin \(m) confidence")
                XCTAssertEqual(accuracy, reference.accuracy[m]!, accuracy: tolerance, "\(name): bin \(m) accuracy")
            }
        }
        XCTAssertEqual(report.negativeLogLikelihood, expected.nll, accuracy: tolerance, "\(name): NLL")
        XCTAssertEqual(report.brierScore, expected.brier, accuracy: tolerance, "\(name): Brier")
        XCTAssertEqual(report.accuracy, expected.accuracy, accuracy: tolerance, "\(name): accuracy")
        XCTAssertEqual(report.meanConfidence, expected.mean_confidence, accuracy: tolerance, "\(name): mean confidence")
    }

    /// 200 rows of exact fractions, many confidences exactly on the edges of both binnings:
    /// every bin count must agree, not just the ECE.
    func testProbabilitiesMatchTheNumpyReferenceIncludingConfidencesOnBinEdges() throws {
        let fixture = try CalibrationFixture.load(), set = fixture.probability_set
        XCTAssertEqual(set.labels.count, 200)
        for bins in [15, 10] {
            let report = try CalibrationReport(labels: set.labels, probabilities: fixture.rows(set.probabilities), binCount: bins)
            assertMatches(report, set.statistics, bins: bins, tolerance: 1e-12, "probabilities, \(bins) bins")
        }
        XCTAssertEqual(CalibrationReport.defaultBinCount, 15)
    }

    func testLogitsMatchTheNumpyReferenceAtTemperatureOneAndAtTheFittedTemperature() throws {
        let fixture = try CalibrationFixture.load(), set = fixture.logit_set
        let logits = fixture.rows(set.logits)
        for bins in [15, 10] {
            let unscaled = try CalibrationReport(labels: set.labels, logits: logits, binCount: bins)
            assertMatches(unscaled, set.at_1, bins: bins, tolerance: 1e-12, "logits at T = 1, \(bins) bins")
            let scaled = try CalibrationReport(labels: set.labels, logits: logits, temperature: set.temperature, binCount: bins)
            assertMatches(scaled, set.at_fitted, bins: bins, tolerance: 1e-12, "logits at scipy's T, \(bins) bins")
        }
    }

    /// scipy's bounded Brent search on the NLL is good to ~1e-8 relative (the NLL is flat to
    /// rounding near its minimum); the root of its derivative, which vitrel's Newton finds, to
    /// the last bits.
    func testFittedTemperatureMatchesScipy() throws {
        let fixture = try CalibrationFixture.load(), set = fixture.logit_set
        let fit = try TemperatureScaling(labels: set.labels, logits: fixture.rows(set.logits))
        XCTAssertFalse(fit.isAtSearchBound)
        XCTAssertEqual(set.search_bounds, [TemperatureScaling.searchRange.lowerBound, TemperatureScaling.searchRange.upperBound])
        XCTAssertEqual(fit.temperature, set.temperature, accuracy: 1e-6 * set.temperature)
        XCTAssertEqual(fit.temperature, set.temperature_from_slope_root, accuracy: 1e-9 * set.temperature)
        XCTAssertLessThan(fit.iterations, 30)
        XCTAssertEqual(fit.before.negativeLogLikelihood, set.at_1.nll, accuracy: 1e-12)
        XCTAssertEqual(fit.after.negativeLogLikelihood, set.at_fitted.nll, accuracy: 1e-10)
        XCTAssertEqual(fit.before.expectedCalibrationError, set.at_1.bins["15"]!.ece, accuracy: 1e-12)
        XCTAssertEqual(fit.after.expectedCalibrationError, set.at_fitted.bins["15"]!.ece, accuracy: 1e-6)
        // An over-confident set: T > 1 and the NLL falls (here the ECE rises: NLL is what is fitted).
        XCTAssertGreaterThan(fit.temperature, 1)
        XCTAssertLessThan(fit.after.negativeLogLikelihood, fit.before.negativeLogLikelihood)
    }

    /// Four confidence levels, each with exactly that fraction of right predictions.
    func testPerfectlyCalibratedSetsHaveZeroECE() throws {
        var labels = [Int](), probabilities = [[Double]]()
        for (confidence, total, right) in [(0.5, 2, 1), (0.7, 10, 7), (0.9, 10, 9), (1.0, 3, 3)] {
            for i in 0..<total {
                probabilities.append([confidence, 1 - confidence])
                labels.append(i < right ? 0 : 1)
            }
        }
        // Class 1 of a [0.5, 0.5] row is a miss (the first maximum is predicted); its p is still 0.5.
        let report = try CalibrationReport(labels: labels, probabilities: probabilities)
        XCTAssertEqual(report.expectedCalibrationError, 0, accuracy: 1e-15)
        XCTAssertEqual(report.maximumCalibrationError, 0, accuracy: 1e-15)
        XCTAssertEqual(report.bins.map(\.count).reduce(0, +), 25)
        XCTAssertEqual(report.accuracy, 20.0 / 25)
    }

    /// All confidences 0.9, 6 of 10 right: ECE = MCE = |0.6 − 0.9| = 0.3, in bin 13 of 15,
    /// (13/15, 14/15]. NLL and Brier by hand.
    func testConfidencePointNineWithAccuracyPointSixHasECEPointThree() throws {
        let labels = [0, 0, 0, 0, 0, 0, 1, 1, 2, 1]
        let report = try CalibrationReport(labels: labels, probabilities: Array(repeating: [0.9, 0.05, 0.05], count: 10))
        XCTAssertEqual(report.expectedCalibrationError, 0.3, accuracy: 1e-15)
        XCTAssertEqual(report.maximumCalibrationError, 0.3, accuracy: 1e-15)
        XCTAssertEqual(report.bins.map(\.count), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0])
        XCTAssertNil(report.bins[0].accuracy)
        XCTAssertEqual(report.negativeLogLikelihood, -(6 * log(0.9) + 4 * log(0.05)) / 10, accuracy: 1e-15)
        let right = 0.01 + 0.0025 + 0.0025, wrong = 0.81 + 0.9025 + 0.0025  // (p − y)² summed over classes
        XCTAssertEqual(report.brierScore, (6 * right + 4 * wrong) / 10, accuracy: 1e-15)
    }

    /// (lo, hi]: an edge belongs to the bin below it; 0 to the first bin, 1 to the last.
    func testBinEdgesBelongToTheLowerBinAndZeroToTheFirst() {
        XCTAssertEqual(CalibrationReport.binIndex(of: 0, binCount: 15), 0)
        XCTAssertEqual(CalibrationReport.binIndex(of: 1.0 / 15, binCount: 15), 0)
        XCTAssertEqual(CalibrationReport.binIndex(of: (1.0 / 15).nextUp, binCount: 15), 1)
        XCTAssertEqual(CalibrationReport.binIndex(of: 0.6, binCount: 15), 8)  // 9/15
        XCTAssertEqual(CalibrationReport.binIndex(of: 0.6.nextUp, binCount: 15), 9)
        XCTAssertEqual(CalibrationReport.binIndex(of: 1.0 / 3, binCount: 15), 4)  // 5/15
        XCTAssertEqual(CalibrationReport.binIndex(of: 0.6, binCount: 10), 5)
        XCTAssertEqual(CalibrationReport.binIndex(of: 1, binCount: 15), 14)
        XCTAssertEqual(CalibrationReport.binIndex(of: 0.5, binCount: 1), 0)
        // Every edge m/M of every M up to 50 goes to bin m − 1, the next double up to bin m.
        for bins in 1...50 {
            for m in 1...bins {
                let edge = Double(m) / Double(bins)
                XCTAssertEqual(CalibrationReport.binIndex(of: edge, binCount: bins), m - 1, "\(m)/\(bins)")
                if m < bins { XCTAssertEqual(CalibrationReport.binIndex(of: edge.nextUp, binCount: bins), m, "above \(m)/\(bins)") }
            }
        }
        let zero = CalibrationReport.reliabilityBins(confidences: [0, 0.05, 1], correct: [false, true, true], binCount: 10)
        XCTAssertEqual(zero.bins.map(\.count), [2, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(zero.bins[0].meanConfidence!, 0.025, accuracy: 1e-17)
        XCTAssertEqual(zero.bins[0].accuracy, 0.5)
        XCTAssertEqual(zero.expected, 2.0 / 3 * 0.475, accuracy: 1e-15)  // bin 9 is exact
        XCTAssertEqual(zero.maximum, 0.475, accuracy: 1e-15)
    }

    /// softmax(z / 1) has the bits of the library's softmax, and a report from logits at T = 1
    /// has the bins, ECE and Brier of the report from those probabilities.
    func testTemperatureOneLeavesProbabilitiesUnchanged() throws {
        let fixture = try CalibrationFixture.load(), set = fixture.logit_set
        let logits = fixture.rows(set.logits)
        for row in logits {
            XCTAssertEqual(TemperatureScaling.probabilities(row, temperature: 1), softmaxProbabilities(row.map { Float($0) }))
        }
        let fromLogits = try CalibrationReport(labels: set.labels, logits: logits, temperature: 1)
        let fromProbabilities = try CalibrationReport(labels: set.labels, probabilities: logits.map { softmaxProbabilities($0.map { Float($0) }) })
        XCTAssertEqual(fromLogits.bins, fromProbabilities.bins)
        XCTAssertEqual(fromLogits.expectedCalibrationError, fromProbabilities.expectedCalibrationError)
        XCTAssertEqual(fromLogits.brierScore, fromProbabilities.brierScore)
        XCTAssertEqual(fromLogits.negativeLogLikelihood, fromProbabilities.negativeLogLikelihood, accuracy: 1e-13)
    }

    /// Seeded sets, over- and under-confident: the fitted T never raises the NLL, and it is a
    /// minimum — the NLL at T·(1 ± 10⁻³) is not smaller.
    func testFittedTemperatureIsAMinimumOfTheNLL() throws {
        let fixture = try CalibrationFixture.load()
        var sets = [(labels: fixture.logit_set.labels, logits: fixture.rows(fixture.logit_set.logits))]
        var generator = SeededGenerator(seed: 11)
        for (scale, noise) in [(0.3, 1.0), (1.0, 2.0), (4.0, 0.5), (0.2, 3.0)] {
            var labels = [Int](), logits = [[Double]]()
            for _ in 0..<150 {
                let label = Int.random(in: 0..<4, using: &generator)
                var row = (0..<4).map { _ in noise * Double.random(in: -1...1, using: &generator) }
                row[Bool.random(using: &generator) ? label : (label + 1) % 4] += 2
                labels.append(label)
                logits.append(row.map { $0 * scale })
            }
            sets.append((labels, logits))
        }
        var temperatures = [Double]()
        for (index, set) in sets.enumerated() {
            let fit = try TemperatureScaling(labels: set.labels, logits: set.logits)
            XCTAssertFalse(fit.isAtSearchBound, "set \(index)")
            temperatures.append(fit.temperature)
            let nll = { (t: Double) in TemperatureScaling.negativeLogLikelihood(labels: set.labels, logits: set.logits, temperature: t) }
            XCTAssertEqual(fit.after.negativeLogLikelihood, nll(fit.temperature), "set \(index)")
            XCTAssertLessThanOrEqual(fit.after.negativeLogLikelihood, fit.before.negativeLogLikelihood, "set \(index)")
            XCTAssertGreaterThanOrEqual(nll(fit.temperature * (1 + 1e-3)), fit.after.negativeLogLikelihood, "set \(index)")
            XCTAssertGreaterThanOrEqual(nll(fit.temperature * (1 - 1e-3)), fit.after.negativeLogLikelihood, "set \(index)")
            // Deterministic: the same fit twice gives the same bits.
            XCTAssertEqual(try TemperatureScaling(labels: set.labels, logits: set.logits), fit)
        }
        XCTAssertLessThan(temperatures.min()!, 1, "an under-confident set needs T < 1")
        XCTAssertGreaterThan(temperatures.max()!, 1, "an over-confident set needs T > 1")
    }

    /// Every prediction right: sharper is always better, so the fit stops at T's lower end and
    /// says so. Rows of equal logits only: the NLL is the same at every T, and T = 1 is kept.
    func testFitStopsAtTheSearchRangeWhenTheNLLHasNoInteriorMinimum() throws {
        let separable = try TemperatureScaling(labels: [0, 1, 2], logits: [[3, 0, 0], [0, 2, 1], [-1, 0, 4]])
        XCTAssertTrue(separable.isAtSearchBound)
        XCTAssertEqual(separable.temperature, TemperatureScaling.searchRange.lowerBound)
        XCTAssertTrue(separable.text().contains("at the end of the search range"))
        let flat = try TemperatureScaling(labels: [0, 1], logits: [[1, 1], [0, 0]])
        XCTAssertFalse(flat.isAtSearchBound)
        XCTAssertEqual(flat.temperature, 1)
        XCTAssertEqual(flat.before, flat.after)
    }

    func testBadInputsAreTypedErrors() {
        XCTAssertThrowsError(try CalibrationReport(labels: [0, 1], probabilities: [[1, 0]])) {
            XCTAssertEqual($0 as? EvaluationError, .lengthMismatch("2 labels, 1 score rows"))
        }
        XCTAssertThrowsError(try CalibrationReport(labels: [2], probabilities: [[0.5, 0.5]])) {
            XCTAssertEqual($0 as? EvaluationError, .labelOutOfRange(label: 2, classCount: 2))
        }
        XCTAssertThrowsError(try CalibrationReport(labels: [0], probabilities: [[0.5, 0.6]])) {
            XCTAssertEqual($0 as? EvaluationError, .invalidScores("probability rows must sum to 1"))
        }
        XCTAssertThrowsError(try CalibrationReport(labels: [0], logits: [[.nan, 1]]))
        XCTAssertThrowsError(try CalibrationReport(labels: [0], logits: [[.infinity, 1]]))
        XCTAssertThrowsError(try CalibrationReport(labels: [], probabilities: []))
    }

    /// The text names the four measures; the JSON round-trips, empty bins without statistics.
    func testTextAndJSON() throws {
        let report = try CalibrationReport(labels: [0, 1, 1], logits: [[2, 0], [0.5, 0.2], [-1, 1]], binCount: 5)
        let text = report.text()
        for name in ["ECE", "MCE", "NLL", "Brier", "5 equal-width bins", "mean confidence"] {
            XCTAssertTrue(text.contains(name), "text lacks \(name)")
        }
        let decoded = try JSONDecoder().decode(CalibrationReport.self, from: report.jsonData())
        XCTAssertEqual(decoded, report)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        for key in ["expectedCalibrationError", "maximumCalibrationError", "negativeLogLikelihood", "brierScore", "bins"] {
            XCTAssertNotNil(json[key], key)
        }
    }
}
