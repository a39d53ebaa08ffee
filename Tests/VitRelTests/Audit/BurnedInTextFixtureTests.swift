import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// The text detector against the independent scipy.ndimage computation of the same steps
/// (`Tools/make_audit_fixtures.py`): every mask equal pixel for pixel.
final class BurnedInTextFixtureTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Settings: Decodable {
            var minimum_brightness, minimum_contrast, window_fraction, band_fraction: Double
            var minimum_pixels: Int
            var maximum_area_fraction, maximum_extent_fraction, minimum_ring_contrast: Double
            var dilation: Int
        }
        struct Case: Decodable {
            var seed, height, width: Int
            var pixels_255: [Int]
            var mask: [Int]
        }
        var settings: Settings
        var cases: [Case]
    }

    func testMasksEqualScipysOnSyntheticFilms() throws {
        let data = try Data(contentsOf: TestPaths.fixture("audit/text_detector.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let s = fixture.settings
        let detector = BurnedInTextDetector(
            minimumBrightness: s.minimum_brightness, minimumContrast: s.minimum_contrast, windowFraction: s.window_fraction,
            bandFraction: s.band_fraction, minimumPixels: s.minimum_pixels, maximumAreaFraction: s.maximum_area_fraction,
            maximumExtentFraction: s.maximum_extent_fraction, minimumRingContrast: s.minimum_ring_contrast, dilation: s.dilation)
        XCTAssertEqual(detector, BurnedInTextDetector(), "the fixture's settings are the defaults")
        XCTAssertEqual(fixture.cases.count, 4)
        for film in fixture.cases {
            let pixels = film.pixels_255.map { Float($0) / 255 }
            let mask = detector.detect(pixels, height: film.height, width: film.width)
            XCTAssertEqual(mask.map { $0 ? 1 : 0 }, film.mask, "seed \(film.seed)")
            // The glyph and the bar are found; the bone, the edge line and the speck are not.
            XCTAssertEqual(mask.filter { $0 }.count, film.mask.reduce(0, +))
            XCTAssertGreaterThan(film.mask.reduce(0, +), 20, "seed \(film.seed): the fixture has text to find")
        }
    }

    func testBoxMeanReplicatesTheEdgesLikeScipysNearestMode() {
        // 3×4 film, window 3: the corner mean includes the corner pixel replicated.
        let pixels: [Float] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        let means = BurnedInTextDetector.boxMean(pixels, height: 3, width: 4, side: 3)
        // Corner (0, 0): rows {0, 0, 1} × columns {0, 0, 1} → (0+0+1 + 0+0+1 + 4+4+5) / 9.
        XCTAssertEqual(means[0], 15.0 / 9, accuracy: 1e-12)
        // Centre (1, 1): the plain 3 × 3 mean of 0,1,2,4,5,6,8,9,10.
        XCTAssertEqual(means[5], 45.0 / 9, accuracy: 1e-12)
        XCTAssertEqual(BurnedInTextDetector().windowSide(forShorterSide: 128), 21)
        XCTAssertEqual(BurnedInTextDetector().windowSide(forShorterSide: 64), 11)
    }
}
