import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelReporting

/// Box-plot statistics against matplotlib's `cbook.boxplot_stats` (fixture:
/// Tools/make_report_fixtures.py → Fixtures/report/boxplot_stats.json).
final class ReportBoxPlotStatisticsTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var values: [Double]
            var whisker: Double
            var dropped: Int
            var count: Int
            var mean: Double
            var med: Double
            var q1: Double
            var q3: Double
            var iqr: Double
            var whislo: Double
            var whishi: Double
            var cilo: Double
            var cihi: Double
            var fliers: [Double]
        }
        var cases: [Case]

        static func load() throws -> Fixture {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            return try decoder.decode(Fixture.self, from: Data(contentsOf: TestPaths.fixture("report/boxplot_stats.json")))
        }
    }

    func assertEqual(_ value: Double, _ expected: Double, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        if expected.isNaN {
            XCTAssertTrue(value.isNaN, "\(message): \(value), matplotlib NaN", file: file, line: line)
        } else {
            XCTAssertEqual(value, expected, accuracy: 1e-12, message, file: file, line: line)
        }
    }

    func testEveryCaseMatchesMatplotlibBoxplotStats() throws {
        let fixture = try Fixture.load()
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 12)
        for c in fixture.cases {
            let box = BoxPlotStatistics(c.values, whisker: c.whisker)
            XCTAssertEqual(box.count, c.count, c.name)
            XCTAssertEqual(box.droppedCount, c.dropped, c.name)
            XCTAssertEqual(box.isEmpty, c.count == 0, c.name)
            assertEqual(box.mean, c.mean, "\(c.name): mean")
            assertEqual(box.median, c.med, "\(c.name): median")
            assertEqual(box.firstQuartile, c.q1, "\(c.name): q1")
            assertEqual(box.thirdQuartile, c.q3, "\(c.name): q3")
            assertEqual(box.interquartileRange, c.iqr, "\(c.name): IQR")
            assertEqual(box.lowerWhisker, c.whislo, "\(c.name): lower whisker")
            assertEqual(box.upperWhisker, c.whishi, "\(c.name): upper whisker")
            assertEqual(box.medianConfidenceInterval?.lowerBound ?? .nan, c.cilo, "\(c.name): notch low")
            assertEqual(box.medianConfidenceInterval?.upperBound ?? .nan, c.cihi, "\(c.name): notch high")
            XCTAssertEqual(box.fliers.count, c.fliers.count, "\(c.name): fliers \(box.fliers) vs \(c.fliers)")
            for (flier, expected) in zip(box.fliers, c.fliers) { assertEqual(flier, expected, "\(c.name): flier") }
        }
    }

    func testTheFixtureCoversTheCornersItClaims() throws {
        let cases = try Fixture.load().cases
        XCTAssertTrue(cases.contains { $0.count == 1 }, "n = 1")
        XCTAssertTrue(cases.contains { $0.count > 1 && $0.q1 == $0.q3 }, "all equal")
        XCTAssertTrue(cases.contains { c in c.fliers.contains { $0 < c.q1 } && c.fliers.contains { $0 > c.q3 } }, "fliers both sides")
        XCTAssertTrue(cases.contains { $0.dropped > 0 && $0.count > 0 }, "non-finite dropped")
        XCTAssertTrue(cases.contains { $0.count == 0 && $0.dropped > 0 }, "nothing finite")
        XCTAssertTrue(cases.contains { c in c.whishi == c.q3 && c.fliers.contains { $0 > c.q3 } }, "whisker falls back to q3")
        XCTAssertTrue(cases.contains { $0.count % 2 == 0 } && cases.contains { $0.count % 2 == 1 }, "even and odd counts")
    }

    func testTukeysRuleByHand() {
        // 1…9 and 30: q1 = 3.25, q3 = 7.75, IQR = 4.5, upper fence 14.5 → whisker 9, flier 30.
        let box = BoxPlotStatistics([1, 2, 3, 4, 5, 6, 7, 8, 9, 30])
        XCTAssertEqual(box.firstQuartile, 3.25)
        XCTAssertEqual(box.median, 5.5)
        XCTAssertEqual(box.thirdQuartile, 7.75)
        XCTAssertEqual(box.lowerWhisker, 1)
        XCTAssertEqual(box.upperWhisker, 9)
        XCTAssertEqual(box.fliers, [30])
        XCTAssertEqual(box.mean, 7.5)
        XCTAssertEqual(box.drawnRange, 1...30)
        XCTAssertNil(BoxPlotStatistics([.nan]).drawnRange)
    }
}
