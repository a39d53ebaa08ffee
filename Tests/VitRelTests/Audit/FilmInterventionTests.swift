import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Each intervention changes exactly what it says, in the model's own pixels.
final class AuditFilmInterventionTests: XCTestCase {
    // Not square and odd, so that rows and columns of the band differ.
    let height = 37, width = 50

    func bits(_ pixels: [Float]) -> [UInt32] { pixels.map(\.bitPattern) }

    func testNoneReturnsTheInputBits() {
        var film = AuditFixtures.noise(height: height, width: width, in: 0...1, seed: 1)
        film[3] = -0.0  // even the sign of a zero survives
        XCTAssertEqual(bits(FilmIntervention.none.apply(film, height: height, width: width)), bits(film))
    }

    func testBlankBorderZeroesExactlyTheBandAndKeepsEveryOtherPixelBitForBit() throws {
        let film = AuditFixtures.noise(height: height, width: width, in: 0.01...1, seed: 2)
        for fraction in [0.1, 0.13, 0.25, 0.001] {
            let band = try XCTUnwrap(GroundTruthMask.border(fraction: fraction).region(height: height, width: width))
            let blanked = FilmIntervention.blankBorder(fraction: fraction).apply(film, height: height, width: width)
            XCTAssertEqual(blanked.count, film.count)
            for i in film.indices {
                XCTAssertEqual(blanked[i].bitPattern, band[i] ? Float(0).bitPattern : film[i].bitPattern, "pixel \(i), fraction \(fraction)")
            }
            // round(f · side) rows and columns (at least one): 0.13 → 5 rows, 6 columns.
            let rows = max(1, Int((fraction * Double(height)).rounded())), columns = max(1, Int((fraction * Double(width)).rounded()))
            XCTAssertEqual(blanked.filter { $0 == 0 }.count, height * width - (height - 2 * rows) * (width - 2 * columns), "fraction \(fraction)")
        }
    }

    func testCropCentreIsTheCropInsideTheBandEnlargedBicubically() {
        let film = AuditFixtures.noise(height: height, width: width, in: 0...1, seed: 3)
        for fraction in [0.1, 0.13, 0.25] {
            let rows = max(1, Int((fraction * Double(height)).rounded())), columns = max(1, Int((fraction * Double(width)).rounded()))
            let expected = Image(width: width, height: height, channels: 1, pixels: film)
                .cropped(top: rows, left: columns, height: height - 2 * rows, width: width - 2 * columns)
                .resized(width: width, height: height, filter: .bicubic).pixels
            XCTAssertEqual(bits(FilmIntervention.cropCentre(fraction: fraction).apply(film, height: height, width: width)), bits(expected),
                           "fraction \(fraction)")
        }
        // Noise in the band, 0.4 inside it: the enlarged centre is 0.4 everywhere.
        var framed = AuditFixtures.noise(height: height, width: width, in: 0...1, seed: 4)
        let band = GroundTruthMask.border(fraction: 0.1).region(height: height, width: width)!
        for i in framed.indices where !band[i] { framed[i] = 0.4 }
        for value in FilmIntervention.cropCentre(fraction: 0.1).apply(framed, height: height, width: width) {
            XCTAssertEqual(value, 0.4, accuracy: 1e-6)
        }
    }

    /// Painted-over text: only detected pixels change, and each detected component takes the
    /// median of the undetected pixels within 4 pixels of its bounding box.
    func testMaskTextPaintsEachComponentWithTheMedianOfItsSurroundings() throws {
        var film = AuditFixtures.Film(height: 96, width: 96, background: 0)
        film.pixels = AuditFixtures.noise(height: 96, width: 96, in: 0.1...0.4, seed: 5)
        film.drawText("R", x: 1, y: 1, scale: 2, value: 1)     // touches the edge: its window is clipped
        film.drawText("L7", x: 70, y: 80, scale: 2, value: 1)  // two letters whose dilated masks may merge
        film.fill(top: 30, left: 2, height: 2, width: 2, 1)   // a 4-pixel dot
        let detector = BurnedInTextDetector()
        let mask = detector.detect(film.pixels, height: 96, width: 96)
        let painted = FilmIntervention.maskText(detector).apply(film.pixels, height: 96, width: 96)

        for i in film.pixels.indices where !mask[i] {
            XCTAssertEqual(painted[i].bitPattern, film.pixels[i].bitPattern, "undetected pixel \(i) changed")
        }
        let components = AuditFixtures.components(mask, height: 96, width: 96)
        XCTAssertGreaterThanOrEqual(components.count, 3)
        for component in components {
            let ys = component.map { $0 / 96 }, xs = component.map { $0 % 96 }
            var surroundings = [Float]()
            for y in max(0, ys.min()! - 4)...min(95, ys.max()! + 4) {
                for x in max(0, xs.min()! - 4)...min(95, xs.max()! + 4) where !mask[y * 96 + x] { surroundings.append(film[y, x]) }
            }
            let sorted = surroundings.sorted()
            // Any value between the two middle order statistics is a median (one value when the count is odd).
            let lower = sorted[(sorted.count - 1) / 2], upper = sorted[sorted.count / 2]
            let fill = painted[component[0]]
            XCTAssertTrue(component.allSatisfy { painted[$0] == fill }, "one fill per component")
            XCTAssertTrue(fill >= lower && fill <= upper, "fill \(fill) not a median of \(sorted.count) values [\(lower), \(upper)]")
            XCTAssertTrue(surroundings.contains(fill), "the fill is a pixel of the surroundings")
        }
    }

    func testNamesAndDescriptions() {
        XCTAssertEqual(FilmIntervention.none.name, "none")
        XCTAssertEqual(FilmIntervention.blankBorder(fraction: 0.1).name, "blank-border")
        XCTAssertEqual(FilmIntervention.cropCentre(fraction: 0.1).description, "crop centre 0.1")
        XCTAssertEqual(FilmIntervention.maskText(BurnedInTextDetector()).name, "mask-text")
    }
}
