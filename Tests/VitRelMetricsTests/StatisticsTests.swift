import XCTest
@testable import VitRelCore
@testable import VitRelMetrics

/// Correlations, areas, percentiles and bootstrap intervals against hand values and the
/// scipy/numpy values in Fixtures/metrics/statistics.json (Tools/make_metric_fixtures.py).
final class StatisticsTests: XCTestCase {
    func testCorrelationsByHand() {
        XCTAssertEqual(Statistics.pearson([1, 2, 3], [2, 4, 6]), 1, accuracy: 1e-15)
        XCTAssertEqual(Statistics.pearson([1, 2, 3], [3, 2, 1]), -1, accuracy: 1e-15)
        // x = (1,2,3,4), y = (1,3,2,4): Σdxdy = 4, Σdx² = Σdy² = 5 → r = 0.8.
        XCTAssertEqual(Statistics.pearson([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, accuracy: 1e-15)
        XCTAssertTrue(Statistics.pearson([1, 1, 1], [1, 2, 3]).isNaN, "constant input")
        XCTAssertTrue(Statistics.pearson([1], [2]).isNaN)
        XCTAssertEqual(Statistics.spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1, accuracy: 1e-15, "monotone, not linear")
        XCTAssertEqual(Statistics.averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4])
        XCTAssertEqual(Statistics.averageRanks([3, 3, 3]), [2, 2, 2])
        XCTAssertTrue(Statistics.spearman([1, .nan, 3], [1, 2, 3]).isNaN)
    }

    func testCorrelationsAndRanksMatchScipy() throws {
        let fixture = try StatisticsFixture.load()
        for testCase in fixture.correlations {
            XCTAssertEqual(Statistics.pearson(testCase.a, testCase.b), testCase.pearson, accuracy: 1e-12)
            XCTAssertEqual(Statistics.spearman(testCase.a, testCase.b), testCase.spearman, accuracy: 1e-12)
            XCTAssertEqual(Statistics.averageRanks(testCase.a), testCase.ranks_a)
        }
        XCTAssertTrue(fixture.correlations[1].ranks_a.contains(2.5), "the fixture has ties")
    }

    func testAreaAndPercentilesMatchNumpy() throws {
        let fixture = try StatisticsFixture.load()
        XCTAssertEqual(Statistics.trapezoidArea([0, 1, 2]), 2)
        XCTAssertEqual(Statistics.trapezoidArea([1, 3], dx: 0.5), 1)
        XCTAssertEqual(Statistics.trapezoidArea(fixture.trapz_values), fixture.trapz, accuracy: 1e-12)
        for (q, expected) in zip(fixture.percentiles, fixture.percentile_results) {
            XCTAssertEqual(Statistics.percentile(fixture.percentile_values, q), expected, accuracy: 1e-12, "q = \(q)")
        }
        XCTAssertEqual(Statistics.percentile([1, 2, 3, 4], 50), 2.5)
        XCTAssertEqual(InsertionDeletion.normalisedArea([1, 0.5, 0]), 0.5, "RISE auc of a straight line")
    }

    func testBootstrapIntervalIsSeededAndHasTheExpectedWidth() {
        var generator = SeededGenerator(seed: 4)
        let sample = (0..<200).map { _ in generator.nextGaussian() }
        let interval = Statistics.bootstrapInterval(sample, seed: 1)
        XCTAssertEqual(interval, Statistics.bootstrapInterval(sample, seed: 1))
        XCTAssertNotEqual(interval, Statistics.bootstrapInterval(sample, seed: 2))
        let mean = Statistics.mean(sample)
        XCTAssertTrue(interval.lower < mean && mean < interval.upper)
        // The normal-theory width 2·1.96·s/√n, within 20%.
        let expected = 2 * 1.96 * Statistics.standardDeviation(sample) / 200.0.squareRoot()
        XCTAssertEqual(interval.upper - interval.lower, expected, accuracy: 0.2 * expected)
        XCTAssertEqual(Statistics.bootstrapInterval([2.5, 2.5, 2.5], seed: 3), Statistics.Interval(lower: 2.5, upper: 2.5))
    }

    func testSummarySkipsNonFiniteValues() {
        let summary = Statistics.summary([1, 2, .nan, 3, .infinity], resamples: 200, seed: 1)
        XCTAssertEqual(summary.count, 3)
        XCTAssertEqual(summary.skipped, 2)
        XCTAssertEqual(summary.mean, 2)
        XCTAssertEqual(summary.median, 2)
        XCTAssertEqual(summary.standardDeviation, 1)
        XCTAssertTrue(summary.interval.lower >= 1 && summary.interval.upper <= 3)
    }

    func testSeededDrawsAreUniformAndDistinct() {
        var generator = SeededGenerator(seed: 9)
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<50_000 { counts[generator.index(below: 5)] += 1 }
        XCTAssertTrue(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")
        let subset = generator.subset(of: 1000, count: 300)
        XCTAssertEqual(Set(subset).count, 300)
        XCTAssertEqual(generator.permutation(20).sorted(), Array(0..<20))
    }
}
