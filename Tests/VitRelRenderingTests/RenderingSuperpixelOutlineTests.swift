import XCTest
import VitRelTestSupport
import VitRelLIME
@testable import VitRelRendering

/// Superpixel boundaries drawn over an image.
final class RenderingSuperpixelOutlineTests: XCTestCase {
    /// An 8×4 gray ramp.
    let image = Image(width: 8, height: 4, channels: 1, pixels: (0..<32).map { Float($0) / 31 })

    func rgb(_ image: Image, x: Int, y: Int) -> RGBColor {
        let plane = image.width * image.height, i = y * image.width + x
        return RGBColor(red: image.pixels[i], green: image.pixels[plane + i], blue: image.pixels[2 * plane + i])
    }

    func testAllBoundariesAreDrawnOnBothSidesAndInteriorsKeepTheImage() throws {
        let halves = try PatchGrid(patchSize: 4).segment(width: 8, height: 4)  // left and right 4×4 halves
        let out = SuperpixelOutline().draw(halves, over: image)
        XCTAssertEqual(out.channels, 3)
        for y in 0..<4 {
            XCTAssertEqual(rgb(out, x: 3, y: y), .yellow)
            XCTAssertEqual(rgb(out, x: 4, y: y), .yellow)
            XCTAssertEqual(rgb(out, x: 1, y: y), RGBColor(gray: image.pixels[y * 8 + 1]))
            XCTAssertEqual(rgb(out, x: 6, y: y), RGBColor(gray: image.pixels[y * 8 + 6]))
        }
    }

    func testOnlyTheChosenSuperpixelsAreOutlined() throws {
        let blocks = try PatchGrid(patchSize: 2).segment(width: 8, height: 4)  // 4 × 2 blocks of 2×2
        let out = SuperpixelOutline().draw(blocks, chosen: [0], over: image)
        // Block 0 (top left) borders blocks 1 and 4: its pixels and theirs next to it are marked …
        for (x, y) in [(1, 0), (1, 1), (0, 1), (2, 0), (2, 1), (0, 2), (1, 2)] { XCTAssertEqual(rgb(out, x: x, y: y), .yellow, "(\(x), \(y))") }
        // … but the border between two unchosen blocks (1 | 2 at x = 3 | 4) is not.
        XCTAssertEqual(rgb(out, x: 3, y: 0), RGBColor(gray: image.pixels[3]))
        XCTAssertEqual(rgb(out, x: 4, y: 0), RGBColor(gray: image.pixels[4]))
    }

    func testChosenInteriorsAreTintedAndTheRestIsNot() throws {
        let flat = Image(width: 12, height: 4, channels: 1, pixels: [Float](repeating: 0.2, count: 48))
        let thirds = try PatchGrid(patchSize: 4).segment(width: 12, height: 4)  // three 4×4 squares
        let out = SuperpixelOutline(fillOpacity: 0.5).draw(thirds, chosen: [1], over: flat)
        XCTAssertEqual(rgb(out, x: 4, y: 1), .yellow, "left border of the middle square")
        XCTAssertEqual(rgb(out, x: 5, y: 1), RGBColor(gray: 0.2).mixed(with: .yellow, 0.5), "interior tinted halfway")
        XCTAssertEqual(rgb(out, x: 1, y: 1), RGBColor(gray: 0.2), "unchosen interior untouched")
    }

    /// `vitrel segment --method grid --patch-size 8` on a 40 × 40 test X-ray: both sides of each
    /// patch border drawn yellow, the interiors keep the image.
    func testGridBoundariesOverAnImageFileAreYellowOnBothSides() throws {
        let url = try TestImages.write(in: try TestPaths.temporaryDirectory(self))
        let original = try ImageIO.read(url)
        let segmentation = try LIMEExplainer(segmenter: .patchGrid(PatchGrid(patchSize: 8))).segment(original, seed: 0)
        let drawn = SuperpixelOutline().draw(segmentation, over: original.rgb())
        XCTAssertEqual([drawn.width, drawn.height, drawn.channels], [40, 40, 3])
        let plane = 1600
        func rgb(_ x: Int, _ y: Int) -> [Float] { [drawn.pixels[y * 40 + x], drawn.pixels[plane + y * 40 + x], drawn.pixels[2 * plane + y * 40 + x]] }
        XCTAssertEqual(rgb(7, 3), [1, 1, 0], "both sides of the x = 7 | 8 border")
        XCTAssertEqual(rgb(8, 3), [1, 1, 0])
        XCTAssertEqual(rgb(3, 3), [Float](repeating: original.pixels[3 * 40 + 3], count: 3), "interiors keep the image")
    }
}
