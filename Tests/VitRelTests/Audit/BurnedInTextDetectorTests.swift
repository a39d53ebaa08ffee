import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// The burned-in text heuristic on drawn films: which components it takes for text, exactly.
final class AuditBurnedInTextDetectorTests: XCTestCase {
    func testMarksEveryGlyphPixelAndNothingOfTheBodyOrTheBarThatLeavesTheBand() {
        let (film, body, bar, glyphs) = AuditFixtures.radiograph()
        XCTAssertGreaterThan(glyphs.count, 60, "the letters were drawn")
        let expected = (0..<(128 * 128)).map { glyphs.contains($0) }

        // Without dilation the mask is the glyphs exactly: recall 1, and nothing else.
        let undilated = BurnedInTextDetector(dilation: 0).detect(film.pixels, height: 128, width: 128)
        XCTAssertEqual(undilated, expected)

        let calcification = Set((60..<63).flatMap { y in (63..<66).map { y * 128 + $0 } })
        // The default detector (dilation 1) marks no pixel of the body or of the bar.
        let mask = BurnedInTextDetector().detect(film.pixels, height: 128, width: 128)
        XCTAssertTrue(glyphs.allSatisfy { mask[$0] }, "every glyph pixel")
        XCTAssertFalse(body.contains { mask[$0] }, "a body pixel marked")
        XCTAssertFalse(bar.contains { mask[$0] }, "a bar pixel marked")
        XCTAssertFalse(calcification.contains { mask[$0] }, "the calcification marked")
    }

    func testDilationGrowsTheMaskByExactlyTheSquareStructuringElement() {
        let (film, _, _, _) = AuditFixtures.radiograph()
        let undilated = BurnedInTextDetector(dilation: 0).detect(film.pixels, height: 128, width: 128)
        for radius in [1, 2, 5] {
            let grown = BurnedInTextDetector(dilation: radius).detect(film.pixels, height: 128, width: 128)
            XCTAssertEqual(grown, AuditFixtures.dilated(undilated, height: 128, width: 128, radius: radius), "radius \(radius)")
        }
        // The "R" at (4, 4) grown by 5 reaches the film's edge: clipped, not wrapped.
        let grown = BurnedInTextDetector(dilation: 5).detect(film.pixels, height: 128, width: 128)
        XCTAssertTrue(grown[0], "top-left corner covered")
        XCTAssertFalse(grown[127], "nothing wrapped to the top-right corner")
    }

    func testComponentsOutsideTheSizeLimitsOrOnTheFilmsEdgeAreNotText() {
        // 100 × 100, band 20 pixels, maximum area 0.5% = 50 pixels, maximum extent 15 pixels.
        var film = AuditFixtures.Film(height: 100, width: 100, background: 0.1)
        let atLimit = film.fill(top: 2, left: 2, height: 5, width: 10, 1)        // 50 pixels: text
        let tooLarge = film.fill(top: 2, left: 80, height: 6, width: 9, 1)       // 54 pixels: not text
        let triple = film.fill(top: 90, left: 5, height: 1, width: 3, 1)         // 3 pixels: below minimumPixels 4
        let quad = film.fill(top: 90, left: 20, height: 1, width: 4, 1)          // 4 pixels: text
        let tooLong = film.fill(top: 95, left: 40, height: 1, width: 16, 1)      // extent 16 > 15: not text
        let onEdge = film.fill(top: 0, left: 50, height: 3, width: 3, 1)         // touches row 0: the film's edge
        func detected(_ detector: BurnedInTextDetector) -> Set<Int> {
            let mask = detector.detect(film.pixels, height: 100, width: 100)
            return Set(mask.indices.filter { mask[$0] })
        }
        XCTAssertEqual(detected(BurnedInTextDetector(dilation: 0)), atLimit.union(quad))
        XCTAssertEqual(detected(BurnedInTextDetector(maximumAreaFraction: 0.0055, dilation: 0)), atLimit.union(quad).union(tooLarge),
                       "54 pixels are under 0.55% of the film")
        XCTAssertEqual(detected(BurnedInTextDetector(minimumPixels: 3, dilation: 0)), atLimit.union(quad).union(triple))
        XCTAssertEqual(detected(BurnedInTextDetector(minimumPixels: 5, dilation: 0)), atLimit)
        XCTAssertEqual(detected(BurnedInTextDetector(maximumExtentFraction: 0.17, dilation: 0)), atLimit.union(quad).union(tooLong))
        XCTAssertTrue(onEdge.isDisjoint(with: detected(BurnedInTextDetector(minimumPixels: 1, dilation: 0))))
    }

    func testTextMustBeBrightAndStandOutFromItsWindowAndItsRing() throws {
        func detected(_ film: AuditFixtures.Film, _ detector: BurnedInTextDetector = BurnedInTextDetector(dilation: 0)) -> Set<Int> {
            let mask = detector.detect(film.pixels, height: film.height, width: film.width)
            return Set(mask.indices.filter { mask[$0] })
        }
        // A 0.5 mark on a 0.1 film: bright enough (≥ 0.45), 0.15 over its window's mean, 0.4 over its ring.
        var plain = AuditFixtures.Film(height: 100, width: 100, background: 0.1)
        let mark = plain.fill(top: 5, left: 5, height: 3, width: 4, 0.5)
        XCTAssertEqual(detected(plain), mark)
        // The same mark on a 0.45 film stands out by 0.05 only: no candidate.
        var flat = AuditFixtures.Film(height: 100, width: 100, background: 0.45)
        flat.fill(top: 5, left: 5, height: 3, width: 4, 0.5)
        XCTAssertTrue(detected(flat).isEmpty)
        // A 0.4 mark on black: contrast enough, but below the minimum brightness.
        var dim = AuditFixtures.Film(height: 100, width: 100, background: 0)
        dim.fill(top: 5, left: 5, height: 3, width: 4, 0.4)
        XCTAssertTrue(detected(dim).isEmpty)
        XCTAssertFalse(detected(dim, BurnedInTextDetector(minimumBrightness: 0.35, dilation: 0)).isEmpty)
        // A 0.55 mark on 0.35 surroundings: 0.2 over its ring, under the 0.25 the ring test asks.
        var grey = AuditFixtures.Film(height: 100, width: 100, background: 0.35)
        let greyMark = grey.fill(top: 5, left: 5, height: 3, width: 4, 0.55)
        XCTAssertTrue(detected(grey).isEmpty)
        XCTAssertEqual(detected(grey, BurnedInTextDetector(minimumRingContrast: 0.15, dilation: 0)), greyMark)
    }
}
