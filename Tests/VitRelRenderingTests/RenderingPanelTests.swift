import XCTest
@testable import VitRelRendering

/// The figure panel's geometry: where tiles land and how big the figure is.
final class RenderingPanelTests: XCTestCase {
    func solid(_ color: RGBColor, width: Int = 8, height: Int = 6) -> Image {
        let plane = width * height
        return Image(
            width: width, height: height, channels: 3,
            pixels: [Float](repeating: color.red, count: plane) + [Float](repeating: color.green, count: plane)
                + [Float](repeating: color.blue, count: plane))
    }

    func color(of image: Image, x: Int, y: Int) -> RGBColor {
        let plane = image.width * image.height, i = y * image.width + x
        return RGBColor(red: image.pixels[i], green: image.pixels[plane + i], blue: image.pixels[2 * plane + i])
    }

    let red = RGBColor(red: 1, green: 0, blue: 0), green = RGBColor(red: 0, green: 1, blue: 0), blue = RGBColor(red: 0, green: 0, blue: 1)

    func testTilesLandWhereTheLayoutSaysAtTheirScaledSize() {
        let tiles = [red, green, blue].map { FigurePanel.Tile(title: "t", image: solid($0)) }
        let panel = FigurePanel(rows: [tiles], scale: 3)
        let layout = panel.layout
        let image = panel.render()
        XCTAssertEqual(layout.tileWidth, 24)
        XCTAssertEqual(layout.tileHeight, 18)
        // Titles one line at scale 2 (no subtitles), no header, no colour bar.
        let labelHeight = 2 * BitmapFont.cellHeight + 6
        XCTAssertEqual(image.width, 2 * FigurePanel.margin + 3 * 24 + 2 * FigurePanel.gap)
        XCTAssertEqual(image.height, 2 * FigurePanel.margin + labelHeight + 18)
        for (column, expected) in [red, green, blue].enumerated() {
            let origin = layout.tileOrigin(row: 0, column: column)
            XCTAssertEqual(origin.x, FigurePanel.margin + column * (24 + FigurePanel.gap))
            XCTAssertEqual(origin.y, FigurePanel.margin + labelHeight)
            XCTAssertEqual(color(of: image, x: origin.x, y: origin.y), expected)
            XCTAssertEqual(color(of: image, x: origin.x + 23, y: origin.y + 17), expected)
            XCTAssertNotEqual(color(of: image, x: origin.x + 24, y: origin.y), expected, "tile ends after 24 pixels")
            XCTAssertNotEqual(color(of: image, x: origin.x, y: origin.y + 18), expected, "tile ends after 18 rows")
        }
    }

    func testRowsStackWithAGapAndAnEmptyTileStaysBlank() {
        let rows = [
            [FigurePanel.Tile(title: "a", image: solid(red)), FigurePanel.Tile(title: "b", image: solid(green))],
            [FigurePanel.Tile(title: "", image: nil), FigurePanel.Tile(title: "c", image: solid(blue))],
        ]
        let panel = FigurePanel(rows: rows)
        let layout = panel.layout, image = panel.render()
        XCTAssertEqual(layout.rows, 2)
        XCTAssertEqual(image.height, 2 * FigurePanel.margin + 2 * (layout.labelHeight + 6) + FigurePanel.gap)
        let empty = layout.tileOrigin(row: 1, column: 0)
        XCTAssertEqual(color(of: image, x: empty.x + 3, y: empty.y + 3), .white)
        let filled = layout.tileOrigin(row: 1, column: 1)
        XCTAssertEqual(filled.y, layout.tileOrigin(row: 0, column: 1).y + layout.labelHeight + 6 + FigurePanel.gap)
        XCTAssertEqual(color(of: image, x: filled.x + 3, y: filled.y + 3), blue)
    }

    func testColourBarAndTitleEnlargeTheFigure() {
        let tiles = [FigurePanel.Tile(title: "x", subtitle: "p = 0.5", image: solid(red, width: 40, height: 40))]
        let plain = FigurePanel(rows: [tiles]).render()
        let bar = ColorBar(colorMap: .jet, range: 0...1, caption: "min–max")
        let withBar = FigurePanel(rows: [tiles], colorBar: bar)
        XCTAssertEqual(withBar.render().width, plain.width + 2 * FigurePanel.gap + bar.width)
        let titled = FigurePanel(title: "covid.png · chefer-lrp", rows: [tiles])
        XCTAssertEqual(titled.render().height, plain.height + titled.layout.headerHeight)
        XCTAssertEqual(titled.layout.headerHeight, 2 * BitmapFont.cellHeight + 4 + 8)
    }

    func testColourBarRunsFromTheTopColourDownToTheBottomColour() {
        let bar = ColorBar(colorMap: .jet, range: 0...1)
        var canvas = Canvas(width: bar.width + 4, height: 110)
        bar.draw(into: &canvas, x: 0, y: 0, height: 100)
        // Inside the 1-pixel frame: the top rows are jet(≈1), the bottom rows jet(≈0).
        XCTAssertEqual(canvas.color(x: 5, y: 1), ColorMap.jet.color(at: 1 - 1.5 / 100))
        XCTAssertEqual(canvas.color(x: 5, y: 98), ColorMap.jet.color(at: 1.5 / 100))
        XCTAssertEqual(bar.ticks, [0, 0.25, 0.5, 0.75, 1])
    }

    func testTickLabelsUseATrueMinusAndNoTrailingZeros() {
        XCTAssertEqual(ColorBar.label(-1), "−1")
        XCTAssertEqual(ColorBar.label(-0.5), "−0.5")
        XCTAssertEqual(ColorBar.label(0.25), "0.25")
        XCTAssertEqual(ColorBar.label(-0.0), "0")
        XCTAssertEqual(ColorBar.label(1), "1")
    }
}
