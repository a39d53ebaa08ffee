import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelRendering

/// The colour maps against matplotlib's (fixture: Tools/make_rendering_fixtures.py, which
/// records `cmap(x)` at 13 points and the whole 256-entry table of 'jet', 'bwr' and 'RdBu_r').
final class RenderingColorMapTests: XCTestCase {
    struct Fixture: Decodable {
        struct Map: Decodable {
            struct Points: Decodable {
                var x: [Double]
                var rgb: [[Double]]
            }
            var points: Points
            var lut: [[Double]]
        }
        var colormaps: [String: Map]
    }

    static let fixture: Fixture = {
        let url = TestPaths.fixture("rendering/colormaps.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// Float32 colours against matplotlib's float64: equal to Float rounding.
    func assertEqual(_ color: RGBColor, _ expected: [Double], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Double(color.red), expected[0], accuracy: 1e-6, message, file: file, line: line)
        XCTAssertEqual(Double(color.green), expected[1], accuracy: 1e-6, message, file: file, line: line)
        XCTAssertEqual(Double(color.blue), expected[2], accuracy: 1e-6, message, file: file, line: line)
    }

    func assertMatchesMatplotlib(_ map: ColorMap, name: String) {
        let reference = Self.fixture.colormaps[name]!
        for (x, rgb) in zip(reference.points.x, reference.points.rgb) {
            assertEqual(map.color(at: x), rgb, "\(name)(\(x))")
        }
        XCTAssertEqual(map.table.count, 256)
        for (i, rgb) in reference.lut.enumerated() {
            assertEqual(map.table[i], rgb, "\(name) table[\(i)]")
        }
    }

    func testJetEqualsMatplotlibJet() {
        assertMatchesMatplotlib(.jet, name: "jet")
    }

    func testBwrEqualsMatplotlibBwr() {
        assertMatchesMatplotlib(.bwr, name: "bwr")
    }

    func testRdBuReversedEqualsMatplotlibRdBuR() {
        assertMatchesMatplotlib(.rdBuReversed, name: "RdBu_r")
        XCTAssertEqual(ColorMap.rdBuReversed.name, "RdBu_r")
    }

    func testDivergingMapsAreNearWhiteAtTheCentreAndOppositeAtTheEnds() {
        for map in [ColorMap.bwr, .rdBuReversed] {
            let centre = map.color(at: 0.5), low = map.color(at: 0), high = map.color(at: 1)
            XCTAssertGreaterThan(min(centre.red, centre.green, centre.blue), 0.95, map.name)
            XCTAssertGreaterThan(low.blue, low.red, "\(map.name): negative end is blue")
            XCTAssertGreaterThan(high.red, high.blue, "\(map.name): positive end is red")
        }
    }

    func testValuesOutsideTheUnitIntervalTakeTheEndColoursAndNaNTheBadColour() {
        let map = ColorMap.jet
        XCTAssertEqual(map.color(at: -0.3), map.table[0])
        XCTAssertEqual(map.color(at: 1), map.table[255])
        XCTAssertEqual(map.color(at: 7), map.table[255])
        XCTAssertEqual(map.color(at: .nan), map.badColor)
        // x·256 truncated: 0.5 is the first entry of the upper half.
        XCTAssertEqual(map.color(at: 0.5), map.table[128])
        XCTAssertEqual(map.color(at: 0.4999), map.table[127])
    }

    func testReversingTwiceGivesTheSameColours() {
        let twice = ColorMap.jet.reversed().reversed()
        for (a, b) in zip(twice.table, ColorMap.jet.table) {
            XCTAssertEqual(a.red, b.red, accuracy: 1e-6)
            XCTAssertEqual(a.green, b.green, accuracy: 1e-6)
            XCTAssertEqual(a.blue, b.blue, accuracy: 1e-6)
        }
    }
}
