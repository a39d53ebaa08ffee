import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Shares of positive relevance in the border band, corners and centre, by hand.
final class AuditRegionSharesTests: XCTestCase {
    /// 10 × 10: a band of 0.1 is one pixel deep; corners of 0.1 are the four corner pixels.
    func testSharesOfPositiveRelevanceOnASmallMap() throws {
        let side = 10
        let border = try XCTUnwrap(GroundTruthMask.border(fraction: 0.1).region(height: side, width: side))
        let corners = try XCTUnwrap(GroundTruthMask.corners(fraction: 0.1).region(height: side, width: side))
        var map = [Float](repeating: 0, count: side * side)
        map[0 * side + 0] = 2    // corner (and so border)
        map[0 * side + 5] = 1    // border, not corner
        map[5 * side + 5] = 3    // centre
        map[5 * side + 6] = -4   // negative: ignored
        map[9 * side + 9] = -1   // negative in a corner: ignored
        let shares = RegionShares(map: map, border: border, corners: corners)
        XCTAssertEqual(shares.border, 3.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(shares.corners, 2.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(shares.centre, 3.0 / 6.0, accuracy: 1e-15)
        XCTAssertEqual(shares.border + shares.centre, 1, accuracy: 1e-15)
        // Corners no deeper than the band lie inside it, so their share is at most the border's.
        XCTAssertTrue(zip(corners, border).allSatisfy { !$0 || $1 })
        XCTAssertLessThanOrEqual(shares.corners, shares.border)

        // Random maps of both signs: border + centre = 1, corners ≤ border, and the shares
        // equal the sums of positive values counted directly.
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<20 {
            let random = (0..<(side * side)).map { _ in Float(generator.nextUnit() * 2 - 1) }
            let s = RegionShares(map: random, border: border, corners: corners)
            let positive = random.map { Double(max($0, 0)) }
            let total = positive.reduce(0, +)
            let inBorder = zip(positive, border).filter(\.1).map(\.0).reduce(0, +)
            XCTAssertEqual(s.border, inBorder / total, accuracy: 1e-12)
            XCTAssertEqual(s.border + s.centre, 1, accuracy: 1e-12)
            XCTAssertLessThanOrEqual(s.corners, s.border + 1e-12)
        }
    }

    /// The audit's defaults (band 0.1, corners 0.2) do not nest: the inner part of each corner
    /// rectangle lies in the centre, so the corner share can exceed the border share.
    func testDefaultCornersReachPastTheBand() throws {
        let side = 10
        let border = try XCTUnwrap(GroundTruthMask.border(fraction: 0.1).region(height: side, width: side))
        let corners = try XCTUnwrap(GroundTruthMask.corners(fraction: 0.2).region(height: side, width: side))
        var map = [Float](repeating: 0, count: side * side)
        map[1 * side + 1] = 1  // in the 2 × 2 top-left corner rectangle, inside the one-pixel band
        let shares = RegionShares(map: map, border: border, corners: corners)
        XCTAssertEqual(shares, RegionShares(border: 0, corners: 1, centre: 1))
    }

    func testNoPositiveRelevanceGivesNaN() throws {
        let border = try XCTUnwrap(GroundTruthMask.border(fraction: 0.1).region(height: 8, width: 8))
        let corners = try XCTUnwrap(GroundTruthMask.corners(fraction: 0.2).region(height: 8, width: 8))
        for map in [[Float](repeating: 0, count: 64), (0..<64).map { -Float($0) - 1 }] {
            let shares = RegionShares(map: map, border: border, corners: corners)
            XCTAssertTrue(shares.border.isNaN && shares.corners.isNaN && shares.centre.isNaN, "\(shares)")
        }
    }

    func testAreaSharesAreTheCountedFractions() throws {
        // A 10% band of a 100 × 100 film: 1 − 0.8² = 0.36; 20% corners: 4 · 0.2² = 0.16.
        let border = try XCTUnwrap(GroundTruthMask.border(fraction: 0.1).region(height: 100, width: 100))
        let corners = try XCTUnwrap(GroundTruthMask.corners(fraction: 0.2).region(height: 100, width: 100))
        let area = RegionShares(areaOf: border, corners: corners)
        XCTAssertEqual(area.border, 0.36, accuracy: 1e-12)
        XCTAssertEqual(area.corners, 0.16, accuracy: 1e-12)
        XCTAssertEqual(area.centre, 0.64, accuracy: 1e-12)
        // A map spread evenly gives the area's shares.
        XCTAssertEqual(RegionShares(map: [Float](repeating: 0.5, count: 100 * 100), border: border, corners: corners), area)
        // 37 × 50 at 0.1: 4 rows and 5 columns deep, 1 − 29 · 40 / 1850.
        let odd = try XCTUnwrap(GroundTruthMask.border(fraction: 0.1).region(height: 37, width: 50))
        let oddCorners = try XCTUnwrap(GroundTruthMask.corners(fraction: 0.2).region(height: 37, width: 50))
        let oddArea = RegionShares(areaOf: odd, corners: oddCorners)
        XCTAssertEqual(oddArea.border, 1 - 29.0 * 40.0 / 1850.0, accuracy: 1e-12)
        XCTAssertEqual(oddArea.corners, 4 * 7.0 * 10.0 / 1850.0, accuracy: 1e-12)  // round(7.4) = 7 rows, 10 columns
    }
}
