import XCTest
@testable import VitRelRendering

/// The raster the figures are drawn on.
final class RenderingCanvasTests: XCTestCase {
    func testDrawingOffTheEdgesIsClipped() {
        var canvas = Canvas(width: 6, height: 4, background: .white)
        canvas.fill(x: -3, y: -2, width: 5, height: 3, .black)      // overlaps the top-left corner
        canvas.fill(x: 10, y: -9, width: 2, height: 2, .black)      // entirely outside
        canvas.drawText("8", x: 4, y: -5, scale: 1, color: .black)  // mostly outside
        XCTAssertEqual(canvas.color(x: 0, y: 0), .black)
        XCTAssertEqual(canvas.color(x: 1, y: 0), .black)
        XCTAssertEqual(canvas.color(x: 2, y: 0), .white)
        XCTAssertEqual(canvas.color(x: 0, y: 1), .white)
    }

    func testImagesAreEnlargedByRepeatingPixels() {
        let image = Image(width: 2, height: 1, channels: 1, pixels: [0.25, 0.75])
        var canvas = Canvas(width: 8, height: 4)
        canvas.draw(image, x: 1, y: 1, scale: 3)
        for dx in 0..<3 {
            for dy in 0..<3 {
                XCTAssertEqual(canvas.color(x: 1 + dx, y: 1 + dy), RGBColor(gray: 0.25))
                XCTAssertEqual(canvas.color(x: 4 + dx, y: 1 + dy), RGBColor(gray: 0.75))
            }
        }
        XCTAssertEqual(canvas.color(x: 0, y: 1), .white)
        XCTAssertEqual(canvas.color(x: 7, y: 1), .white)
        XCTAssertEqual(canvas.image.channels, 3)
    }
}
