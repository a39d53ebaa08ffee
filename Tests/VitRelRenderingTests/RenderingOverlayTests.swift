import XCTest
@testable import VitRelRendering

/// The α-blend of a coloured map over the grayscale X-ray.
final class RenderingOverlayTests: XCTestCase {
    func testBlendIsOneMinusAlphaGrayPlusAlphaColour() {
        let gray = Image(width: 3, height: 1, channels: 1, pixels: [0, 0.4, 1])
        let map = Heatmap(width: 3, height: 1, values: [0, 0.5, 1])
        let overlay = Overlay(colorMap: .jet, scaling: .minMax, alpha: 0.3)
        let out = overlay.blend(map, over: gray)
        XCTAssertEqual(out.channels, 3)
        for i in 0..<3 {
            let colour = ColorMap.jet.color(at: Double(map.values[i]))
            let expected = [colour.red, colour.green, colour.blue].map { 0.7 * gray.pixels[i] + 0.3 * $0 }
            for c in 0..<3 { XCTAssertEqual(out.pixels[c * 3 + i], expected[c], accuracy: 1e-6, "pixel \(i) channel \(c)") }
        }
    }

    func testAlphaZeroShowsTheImageAndAlphaOneTheColours() {
        let rgb = Image(width: 2, height: 1, channels: 3, pixels: [0.2, 0.6, 0.2, 0.6, 0.2, 0.6])
        let map = Heatmap(width: 2, height: 1, values: [0.1, 0.9])
        let none = Overlay(colorMap: .jet, scaling: .minMax, alpha: 0).blend(map, over: rgb)
        // A colour background is shown as its luma.
        let luma = rgb.gray().pixels
        XCTAssertEqual(Array(none.pixels[0..<2]), luma)
        XCTAssertEqual(Array(none.pixels[2..<4]), luma)
        let full = Overlay(colorMap: .jet, scaling: .minMax, alpha: 1)
        XCTAssertEqual(full.blend(map, over: rgb), full.colored(map))
    }

    func testSignedScalingPutsZeroAtTheCentreOfTheDivergingMap() {
        let overlay = Overlay(colorMap: .rdBuReversed, scaling: .symmetric)
        XCTAssertEqual(overlay.color(of: 0), ColorMap.rdBuReversed.color(at: 0.5))
        XCTAssertEqual(overlay.color(of: -1), ColorMap.rdBuReversed.table[0])
        XCTAssertEqual(overlay.color(of: 1), ColorMap.rdBuReversed.table[255])
        XCTAssertEqual(overlay.alpha, 0.5, "the papers' default opacity")
    }
}
