import XCTest
@testable import VitRel

/// The burned-in text heuristic on drawn films: which components it takes for text, exactly.
final class AuditBurnedInTextDetectorTests: XCTestCase {
    func testMarksEveryGlyphPixelAndNothingOfTheBodyOrTheBarThatLeavesTheBand() {
        let (film, body, bar, glyphs) = AuditFixtures.radiograph()
        XCTAssertGreaterThan(glyphs.count, 60, "the letters were drawn")
        let expected = (0..<(128 * 128)).map { glyphs.contains($0) }

        // Without dilation the mask is the glyphs exactly: recall 1, and nothing else.
        let undilated = BurnedInTextDetector(dilation: 0).detect(film.pixels, height: 128, width: 128)
        XCTAssertEqual(undilated, expected)

        // With every pixel from 0.85 up a candidate, the bar and the brightest body are
        // candidates too, and still refused: both leave the edge band.
        let lowThreshold = BurnedInTextDetector(brightnessPercentile: 0, dilation: 0)
        XCTAssertGreaterThan(body.filter { film.pixels[$0] >= 0.85 }.count, 0, "part of the body is a candidate")
        XCTAssertEqual(lowThreshold.detect(film.pixels, height: 128, width: 128), expected)

        // What rules the bar and the calcification out is the band: with a band covering the
        // whole film (0.5 of each side) both are text.
        // (At threshold 0.85 the calcification joins the body's bright core, so it is looked at
        // with the default threshold, 1.)
        let everywhere = BurnedInTextDetector(brightnessPercentile: 0, bandFraction: 0.5, dilation: 0)
            .detect(film.pixels, height: 128, width: 128)
        XCTAssertTrue(bar.allSatisfy { everywhere[$0] }, "the bar passes every size limit")
        let calcification = Set((60..<63).flatMap { y in (63..<66).map { y * 128 + $0 } })
        let defaultEverywhere = BurnedInTextDetector(bandFraction: 0.5, dilation: 0).detect(film.pixels, height: 128, width: 128)
        XCTAssertEqual(Set(defaultEverywhere.indices.filter { defaultEverywhere[$0] }), glyphs.union(calcification))

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

    func testComponentsOutsideTheSizeLimitsAreNotText() {
        // 100 × 100, band 25 pixels, maximum area 1% = 100 pixels, maximum extent 20 pixels.
        var film = AuditFixtures.Film(height: 100, width: 100, background: 0.1)
        let atLimit = film.fill(top: 2, left: 2, height: 10, width: 10, 1)       // 100 pixels: text
        let tooLarge = film.fill(top: 2, left: 80, height: 11, width: 11, 1)     // 121 pixels: not text
        let pair = film.fill(top: 90, left: 5, height: 1, width: 2, 1)           // 2 pixels: below minimumPixels 3
        let triple = film.fill(top: 90, left: 20, height: 1, width: 3, 1)        // 3 pixels: text
        let tooLong = film.fill(top: 95, left: 40, height: 1, width: 21, 1)      // extent 21 > 20: not text
        func detected(_ detector: BurnedInTextDetector) -> Set<Int> {
            let mask = detector.detect(film.pixels, height: 100, width: 100)
            return Set(mask.indices.filter { mask[$0] })
        }
        XCTAssertEqual(detected(BurnedInTextDetector(dilation: 0)), atLimit.union(triple))
        XCTAssertEqual(detected(BurnedInTextDetector(maximumAreaFraction: 0.0125, dilation: 0)), atLimit.union(triple).union(tooLarge),
                       "121 pixels are under 1.25% of the film")
        XCTAssertEqual(detected(BurnedInTextDetector(minimumPixels: 2, dilation: 0)), atLimit.union(triple).union(pair))
        XCTAssertEqual(detected(BurnedInTextDetector(minimumPixels: 4, dilation: 0)), atLimit)
        XCTAssertEqual(detected(BurnedInTextDetector(maximumExtentFraction: 0.22, dilation: 0)), atLimit.union(triple).union(tooLong))
    }

    func testThresholdIsTheLargerOfMinimumBrightnessAndThePercentile() throws {
        // 4% of the film at 0.97 (a bright centre) puts the 99th percentile at 0.97.
        var film = AuditFixtures.Film(height: 100, width: 100, background: 0.1)
        film.fill(top: 40, left: 40, height: 20, width: 20, 0.97)
        let dim = film.fill(top: 3, left: 3, height: 3, width: 4, 0.9)
        let bright = film.fill(top: 3, left: 90, height: 3, width: 4, 0.97)
        XCTAssertEqual(Statistics.percentile(film.pixels.map(Double.init), 99), Double(Float(0.97)))
        func detected(_ detector: BurnedInTextDetector) -> Set<Int> {
            let mask = detector.detect(film.pixels, height: 100, width: 100)
            return Set(mask.indices.filter { mask[$0] })
        }
        // max(0.85, 0.97) = 0.97: the 0.9 mark is below it, the mark at the percentile is not.
        XCTAssertEqual(detected(BurnedInTextDetector(dilation: 0)), bright)
        // max(0.85, median 0.1) = 0.85: both marks.
        XCTAssertEqual(detected(BurnedInTextDetector(brightnessPercentile: 50, dilation: 0)), bright.union(dim))
        // max(0.95, 0.1) = 0.95: the minimum brightness decides.
        XCTAssertEqual(detected(BurnedInTextDetector(minimumBrightness: 0.95, brightnessPercentile: 50, dilation: 0)), bright)
    }
}
