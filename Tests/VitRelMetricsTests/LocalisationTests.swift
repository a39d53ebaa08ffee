import XCTest
@testable import VitRelMetrics

/// Hand-made maps and masks for the localisation metrics.
final class LocalisationTests: XCTestCase {
    // A 4×4 image with a 2×2 mask in the top-left corner.
    let mask: [Bool] = (0..<16).map { ($0 / 4) < 2 && ($0 % 4) < 2 }

    func map(_ values: [Int: Float]) -> [Float] {
        (0..<16).map { values[$0] ?? 0 }
    }

    func testRelevanceMassOfAMapEntirelyInsideTheMaskIsOne() throws {
        let inside = map([0: 0.3, 1: 2, 5: 0.7])
        XCTAssertEqual(try RelevanceMassAccuracy().evaluate(attribution: inside, mask: mask).score, 1)
        // Half the mass outside: 0.5.
        let half = map([0: 1, 1: 1, 10: 1, 15: 1])
        XCTAssertEqual(try RelevanceMassAccuracy().evaluate(attribution: half, mask: mask).score, 0.5, accuracy: 1e-12)
        // Signed values count with their sign unless abs is asked for.
        let signed = map([0: 2, 15: -1])
        XCTAssertEqual(try RelevanceMassAccuracy().evaluate(attribution: signed, mask: mask).score, 2, accuracy: 1e-12)
        let absolute = RelevanceMassAccuracy(preprocessing: AttributionPreprocessing(absolute: true))
        XCTAssertEqual(try absolute.evaluate(attribution: signed, mask: mask).score, 2.0 / 3, accuracy: 1e-7)
    }

    func testRelevanceRankCountsTheTopMaskSizePixelsInsideTheMask() throws {
        // |S| = 4; top 4 are 0, 1, 4 (inside) and 15 (outside): 3/4.
        let attribution = map([0: 9, 1: 8, 4: 7, 15: 6.5, 5: 6])
        XCTAssertEqual(try RelevanceRankAccuracy().evaluate(attribution: attribution, mask: mask).score, 0.75)
        let perfect = map([0: 4, 1: 3, 4: 2, 5: 1])
        XCTAssertEqual(try RelevanceRankAccuracy().evaluate(attribution: perfect, mask: mask).score, 1)
        let miss = map([12: 4, 13: 3, 14: 2, 15: 1, 0: -1, 1: -1, 4: -1, 5: -1])
        XCTAssertEqual(try RelevanceRankAccuracy().evaluate(attribution: miss, mask: mask).score, 0)
    }

    func testPointingGameHitMissTieAndWeighting() throws {
        XCTAssertEqual(try PointingGame().evaluate(attribution: map([5: 3, 10: 2]), mask: mask).score, 1, "maximum inside: hit")
        XCTAssertEqual(try PointingGame().evaluate(attribution: map([5: 2, 10: 3]), mask: mask).score, 0, "maximum outside: miss")
        XCTAssertEqual(try PointingGame().evaluate(attribution: map([5: 3, 10: 3]), mask: mask).score, 1, "a maximum inside counts")
        XCTAssertEqual(try PointingGame(weighted: true).evaluate(attribution: map([5: 3]), mask: mask).score, 1 - 4.0 / 16)
        // Negative maps: the maximum is the least negative value.
        let negative: [Float] = (0..<16).map { $0 == 0 ? -0.5 : -1 }
        XCTAssertEqual(try PointingGame().evaluate(attribution: negative, mask: mask).score, 1)
    }

    func testBatchedEvaluationEqualsOneImageAtATime() throws {
        let maps = [map([0: 1, 9: 2]), map([5: 3]), map([15: 1])]
        let masks = [mask, mask, [Bool](repeating: false, count: 16)]
        let metrics: [any LocalisationMetric] = [RelevanceMassAccuracy(), RelevanceRankAccuracy(), PointingGame()]
        for metric in metrics {
            let batched = try metric.evaluate(attributions: maps, masks: masks)
            XCTAssertEqual(batched, try (0..<3).map { try metric.evaluate(attribution: maps[$0], mask: masks[$0]) })
            XCTAssertTrue(batched[2].score.isNaN)
        }
    }

    func testEmptyMasksGiveNaNAndWrongShapesThrow() throws {
        let empty = [Bool](repeating: false, count: 16)
        let attribution = map([0: 1])
        XCTAssertTrue(try RelevanceMassAccuracy().evaluate(attribution: attribution, mask: empty).score.isNaN)
        XCTAssertTrue(try RelevanceRankAccuracy().evaluate(attribution: attribution, mask: empty).score.isNaN)
        XCTAssertTrue(try PointingGame().evaluate(attribution: attribution, mask: empty).score.isNaN)
        XCTAssertThrowsError(try PointingGame().evaluate(attribution: attribution + attribution + attribution, mask: mask)) { error in
            XCTAssertEqual(error as? MetricError, .maskShape(count: 16, expected: 48))
        }
    }

    /// Signed maps: Quantus's ratio uses the net sum; with positive relevance only (Arras et
    /// al. 2022) the mass is the share of the positive relevance inside the mask.
    func testPositiveOnlyRelevanceMassIgnoresNegativeRelevance() throws {
        let attribution: [Float] = [0.8, -0.7, 0.2, -0.25]
        let mask = [true, false, false, true]
        let signed = try RelevanceMassAccuracy().evaluate(attribution: attribution, mask: mask).score
        // Normalised by max|a| = 0.8: (1 − 0.3125) / (1 − 0.875 + 0.25 − 0.3125) = 11.
        XCTAssertEqual(signed, 11, accuracy: 1e-5, "the net sum 0.05 makes the signed ratio meaningless")
        let positive = RelevanceMassAccuracy(preprocessing: AttributionPreprocessing(positiveOnly: true))
        XCTAssertEqual(try positive.evaluate(attribution: attribution, mask: mask).score, 0.8 / 1.0, accuracy: 1e-6)
        XCTAssertEqual(AttributionPreprocessing(positiveOnly: true).apply(attribution), [1, 0, 0.25, 0])
    }
}
