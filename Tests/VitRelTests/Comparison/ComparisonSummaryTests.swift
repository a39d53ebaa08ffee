import Foundation
import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

final class ComparisonSummaryTests: XCTestCase {
    func row(_ image: String, _ label: String, _ method: String, _ metric: String, _ score: Double, curve: [Double] = []) -> ComparisonRecord {
        ComparisonRecord(
            image: image, label: label, predicted: label, target: label, probability: 1, method: method, metric: metric,
            score: score, curve: curve)
    }

    func testCellsHoldMeansPerClassAndCountNaNAsSkipped() throws {
        let records = [
            row("a", "COVID-19", "lrp", "relevance-mass", 0.2), row("b", "COVID-19", "lrp", "relevance-mass", 0.4),
            row("c", "Normal", "lrp", "relevance-mass", .nan), row("a", "COVID-19", "lime", "relevance-mass", 0.1),
            row("b", "COVID-19", "lime", "relevance-mass", 0.3), row("c", "Normal", "lime", "relevance-mass", .nan),
        ]
        let summary = ComparisonSummary(records: records, methods: ["lrp", "lime"], metrics: ["relevance-mass"], classes: ["COVID-19", "Normal"])
        XCTAssertEqual(summary.groups, ["all", "COVID-19", "Normal"])
        XCTAssertEqual(summary.images, 3)
        let table = try XCTUnwrap(summary.table("relevance-mass"))
        XCTAssertEqual(table.higherIsBetter, true)
        let all = try XCTUnwrap(table.row("lrp")?.cell("all")?.statistics)
        XCTAssertEqual(all.mean, 0.3, accuracy: 1e-15)
        XCTAssertEqual(all.count, 2)
        XCTAssertEqual(all.skipped, 1)
        XCTAssertTrue(all.interval.lower >= 0.2 && all.interval.upper <= 0.4 && all.interval.lower <= 0.3)
        let normal = try XCTUnwrap(table.row("lime")?.cell("Normal")?.statistics)
        XCTAssertEqual(normal.count, 0)
        XCTAssertEqual(normal.skipped, 1)
        XCTAssertEqual(try XCTUnwrap(table.row("lime")?.cell("COVID-19")?.statistics.mean), 0.2, accuracy: 1e-15)
        // Row order does not matter (compared as JSON: NaN is not equal to itself).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let reversed = ComparisonSummary(records: records.reversed(), methods: ["lrp", "lime"], metrics: ["relevance-mass"], classes: ["COVID-19", "Normal"])
        XCTAssertEqual(try encoder.encode(summary), try encoder.encode(reversed))
    }

    func testMeanCurvesAveragePointwiseWithABootstrapBand() throws {
        let records = [
            row("a", "Normal", "lrp", "pixel-flipping", 0, curve: [1, 2, 3]),
            row("b", "Normal", "lrp", "pixel-flipping", 0, curve: [3, 4, 5]),
            row("c", "Normal", "lrp", "pixel-flipping", 0, curve: [2, 3, 4]),
        ]
        let summary = ComparisonSummary(records: records, methods: ["lrp"], metrics: ["pixel-flipping"], classes: ["Normal"])
        let curve = try XCTUnwrap(summary.table("pixel-flipping")?.curves.first)
        XCTAssertEqual(curve.mean, [2, 3, 4])
        XCTAssertEqual(curve.count, 3)
        for k in 0..<3 {
            XCTAssertLessThanOrEqual(curve.lower[k], curve.mean[k])
            XCTAssertGreaterThanOrEqual(curve.upper[k], curve.mean[k])
            // The curves differ by constant offsets, so the band is the same shape at every step.
            XCTAssertEqual(curve.upper[k] - curve.mean[k], curve.upper[0] - curve.mean[0], accuracy: 1e-12)
        }
        XCTAssertGreaterThanOrEqual(curve.lower[0], 1)
        XCTAssertLessThanOrEqual(curve.upper[0], 3)
    }

    /// Region perturbation stores the drops D_1…D_L; its curve is Samek's running AOPC, which
    /// ends at the image's score (1/(L+1)) Σ D_k.
    func testTheAOPCCurveIsTheRunningMeanOfTheDropsAndEndsAtTheScore() throws {
        let drops = [[0.4, 0.2, 0.6], [0.1, 0.1, 0.1]]
        let records = drops.enumerated().map { i, curve in
            row("\(i)", "Normal", "lrp", "region-perturbation", curve.reduce(0, +) / Double(curve.count + 1), curve: curve)
        }
        let summary = ComparisonSummary(records: records, methods: ["lrp"], metrics: ["region-perturbation"], classes: ["Normal"])
        let table = try XCTUnwrap(summary.table("region-perturbation"))
        let curve = try XCTUnwrap(table.curves.first)
        // Image 0: 0, 0.4/2, 0.6/3, 1.2/4; image 1: 0, 0.1/2, 0.2/3, 0.3/4.
        let expected = [0, (0.2 + 0.05) / 2, (0.2 + 0.2 / 3) / 2, (0.3 + 0.075) / 2]
        for (value, reference) in zip(curve.mean, expected) { XCTAssertEqual(value, reference, accuracy: 1e-15) }
        XCTAssertEqual(curve.mean.last!, try XCTUnwrap(table.row("lrp")?.cell("all")?.statistics.mean), accuracy: 1e-15)
    }
}
