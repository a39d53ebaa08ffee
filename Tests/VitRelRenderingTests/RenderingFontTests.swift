import XCTest
@testable import VitRelRendering

/// The built-in bitmap font: metrics, inking, fitting and wrapping.
final class RenderingFontTests: XCTestCase {
    func inkedPixels(_ canvas: Canvas) -> Int {
        var count = 0
        for y in 0..<canvas.height { for x in 0..<canvas.width where canvas.color(x: x, y: y) != .white { count += 1 } }
        return count
    }

    func testEveryCharacterTheFiguresUseHasItsOwnGlyph() {
        let text = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;!?'\"-−–+=_()[]/|%#*&<>×·…±≤≥°Σαγε"
        for character in text {
            XCTAssertNotEqual(BitmapFont.glyph(for: character), BitmapFont.missing, "\(character)")
            XCTAssertEqual(BitmapFont.glyph(for: character).rows.count, BitmapFont.cellHeight)
        }
        XCTAssertEqual(BitmapFont.glyph(for: "€"), BitmapFont.missing)
    }

    func testWidthIsTheGlyphsPlusOneColumnBetweenThemTimesTheScale() {
        let a = BitmapFont.glyph(for: "A").width, i = BitmapFont.glyph(for: "i").width
        XCTAssertEqual(BitmapFont.width(of: "Ai"), a + 1 + i)
        XCTAssertEqual(BitmapFont.width(of: "Ai", scale: 3), 3 * (a + 1 + i))
        XCTAssertEqual(BitmapFont.width(of: ""), 0)
    }

    func testDrawingInksExactlyTheGlyphsDotsAtTheScale() {
        let glyph = BitmapFont.glyph(for: "8")
        var dots = 0
        for row in 0..<BitmapFont.cellHeight { for column in 0..<glyph.width where glyph.isInked(column: column, row: row) { dots += 1 } }
        var canvas = Canvas(width: 30, height: 30)
        canvas.drawText("8", x: 2, y: 2, scale: 2, color: .black)
        XCTAssertEqual(inkedPixels(canvas), 4 * dots)
        // The glyph's top-left dot ("8" starts with .###.): column 1, row 0 → pixels (4…5, 2…3).
        XCTAssertEqual(canvas.color(x: 4, y: 2), .black)
        XCTAssertEqual(canvas.color(x: 2, y: 2), .white)
    }

    func testFittingShrinksThenCutsWithAnEllipsis() {
        let text = "Non-COVID"
        let wide = BitmapFont.fitting(text, maxWidth: 1000, scale: 2)
        XCTAssertEqual(wide.text, text)
        XCTAssertEqual(wide.scale, 2)
        let narrower = BitmapFont.fitting(text, maxWidth: BitmapFont.width(of: text), scale: 2)
        XCTAssertEqual(narrower.scale, 1)
        let cut = BitmapFont.fitting(text, maxWidth: 30, scale: 2)
        XCTAssertTrue(cut.text.hasSuffix("…"))
        XCTAssertLessThanOrEqual(BitmapFont.width(of: cut.text), 30)
    }

    func testWrappingKeepsEveryWordAndEachLineFits() {
        let text = "model tiny_vit · start-layer 0 · maps min-max normalised (Chefer et al. 2021) · alpha 0.5"
        let lines = BitmapFont.wrapped(text, maxWidth: 150)
        XCTAssertGreaterThan(lines.count, 1)
        XCTAssertTrue(lines.allSatisfy { BitmapFont.width(of: $0) <= 150 })
        XCTAssertEqual(lines.joined(separator: " "), text)
    }
}
