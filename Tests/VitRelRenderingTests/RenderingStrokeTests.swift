import XCTest
@testable import VitRelRendering

/// Chart strokes: lines through their end points, dashes, circles, markers, blending, and
/// vertical text that is the horizontal text turned a quarter turn.
final class RenderingStrokeTests: XCTestCase {
    func inked(_ canvas: Canvas) -> [(x: Int, y: Int)] {
        var points = [(x: Int, y: Int)]()
        for y in 0..<canvas.height { for x in 0..<canvas.width where canvas.color(x: x, y: y) != .white { points.append((x, y)) } }
        return points
    }

    func testLinesIncludeBothEndsAndOnePixelPerStepOfTheLongerAxis() {
        for (x0, y0, x1, y1) in [(1, 1, 17, 6), (17, 6, 1, 1), (3, 15, 8, 0), (4, 4, 4, 12), (2, 9, 15, 9)] {
            var canvas = Canvas(width: 20, height: 20)
            canvas.drawLine(x0: x0, y0: y0, x1: x1, y1: y1, .black)
            XCTAssertEqual(canvas.color(x: x0, y: y0), .black)
            XCTAssertEqual(canvas.color(x: x1, y: y1), .black)
            XCTAssertEqual(inked(canvas).count, max(abs(x1 - x0), abs(y1 - y0)) + 1, "(\(x0),\(y0))–(\(x1),\(y1))")
        }
        var thick = Canvas(width: 10, height: 10)
        thick.drawLine(x0: 2, y0: 5, x1: 7, y1: 5, thickness: 2, .black)
        XCTAssertEqual(inked(thick).count, 14, "a 2×2 pen at x 2…7 covers rows 5, 6 and columns 2…8")
        XCTAssertEqual(thick.color(x: 2, y: 6), .black)
    }

    func testDashesAlternateInkAndGap() {
        var canvas = Canvas(width: 30, height: 3)
        canvas.drawDashedHorizontalLine(y: 1, x0: 0, x1: 24, dash: 6, gap: 4, .black)
        let row = (0..<30).map { canvas.color(x: $0, y: 1) == .black }
        let expected = (0..<30).map { $0 <= 24 && $0 % 10 < 6 }
        XCTAssertEqual(row, expected)
    }

    func testCirclesAreSymmetricThroughTheirRadiusPoints() {
        var canvas = Canvas(width: 21, height: 21)
        canvas.strokeCircle(centerX: 10, centerY: 10, radius: 6, .black)
        for (x, y) in [(16, 10), (4, 10), (10, 16), (10, 4)] { XCTAssertEqual(canvas.color(x: x, y: y), .black) }
        XCTAssertEqual(canvas.color(x: 10, y: 10), .white)
        for point in inked(canvas) {
            XCTAssertEqual(canvas.color(x: 20 - point.x, y: point.y), .black, "mirror of \(point)")
            XCTAssertEqual(canvas.color(x: point.y, y: point.x), .black, "transpose of \(point)")
            let distance = (Double((point.x - 10) * (point.x - 10) + (point.y - 10) * (point.y - 10))).squareRoot()
            XCTAssertEqual(distance, 6, accuracy: 0.75)
        }
    }

    func testTriangleRowsWidenFromAOnePixelApex() {
        var canvas = Canvas(width: 11, height: 11)
        canvas.fillTriangle(centerX: 5, centerY: 5, size: 7, .black)
        let widths = (2...8).map { y in (0..<11).filter { canvas.color(x: $0, y: y) == .black }.count }
        XCTAssertEqual(widths, [1, 1, 3, 3, 5, 5, 7])
        XCTAssertEqual(inked(canvas).count, 25)
    }

    func testBlendingMixesWithWhatIsThere() {
        var canvas = Canvas(width: 4, height: 1)
        canvas.fill(x: 0, y: 0, width: 2, height: 1, .black)
        canvas.blend(x: 1, y: 0, width: 2, height: 1, RGBColor(red: 1, green: 0, blue: 0), opacity: 0.25)
        XCTAssertEqual(canvas.color(x: 0, y: 0), .black)
        XCTAssertEqual(canvas.color(x: 1, y: 0), RGBColor(red: 0.25, green: 0, blue: 0))
        XCTAssertEqual(canvas.color(x: 2, y: 0), RGBColor(red: 1, green: 0.75, blue: 0.75))
        XCTAssertEqual(canvas.color(x: 3, y: 0), .white)
    }

    func testVerticalTextIsHorizontalTextTurnedAnticlockwise() {
        let text = "AOPC (MoRF)", width = BitmapFont.width(of: text, scale: 2)
        var horizontal = Canvas(width: width, height: BitmapFont.lineHeight(scale: 2))
        horizontal.drawText(text, x: 0, y: 0, scale: 2, color: .black)
        var vertical = Canvas(width: BitmapFont.lineHeight(scale: 2), height: width)
        vertical.drawVerticalText(text, x: 0, y: width - 1, scale: 2, color: .black)
        let points = inked(horizontal)
        XCTAssertEqual(inked(vertical).count, points.count)
        // (x, y) turned anticlockwise: column y, row counted up from the bottom by x.
        for point in points { XCTAssertEqual(vertical.color(x: point.y, y: width - 1 - point.x), .black, "\(point)") }
    }
}
