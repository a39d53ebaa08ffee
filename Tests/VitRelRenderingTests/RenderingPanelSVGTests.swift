import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelRendering

/// The figure panel as SVG: each tile an embedded PNG of the tile's own pixels where the layout
/// puts it, titles and colour-bar labels as text, stacked panels nested in their own viewports.
final class RenderingPanelSVGTests: XCTestCase {
    func ramp(width: Int = 12, height: Int = 10, channels: Int = 3) -> Image {
        let plane = width * height
        return Image(width: width, height: height, channels: channels, pixels: (0..<channels * plane).map { Float($0 % 23) / 22 })
    }

    var panel: FigurePanel {
        FigurePanel(
            title: "covid_1579.png · chefer-lrp", subtitle: "model vit-tiny · maps min-max normalised",
            rows: [
                [FigurePanel.Tile(title: "Input", subtitle: "true COVID-19", image: ramp(channels: 1)),
                 FigurePanel.Tile(title: "COVID-19", subtitle: "p = 0.912, predicted", image: ramp())],
                [FigurePanel.Tile(title: "", image: nil), FigurePanel.Tile(title: "Normal", subtitle: "p = 0.031", image: ramp())],
            ],
            colorBar: ColorBar(colorMap: .rdBuReversed, range: -1...1, caption: "R/max|R|"), scale: 4)
    }

    /// The image an `<image>` element embeds.
    func embedded(_ element: SVGElement) throws -> Image {
        let link = try XCTUnwrap(element.attributes["xlink:href"])
        XCTAssertTrue(link.hasPrefix("data:image/png;base64,"))
        let png = try XCTUnwrap(Data(base64Encoded: String(link.dropFirst("data:image/png;base64,".count))))
        return try ImageIO.decode(png, name: "embedded")
    }

    func testTilesAreEmbeddedAtTheirPlacesAndTextIsText() throws {
        let panel = self.panel, layout = panel.layout
        let root = try XCTUnwrap(SVGReader.parse(try panel.svg().xml))
        XCTAssertEqual(root.attributes["viewBox"], "0 0 \(layout.width) \(layout.height)")
        let images = root.elements("image")
        XCTAssertEqual(images.count, 3 + 1, "three tiles and the colour bar")
        for (index, (row, column)) in [(0, 0), (0, 1), (1, 1)].enumerated() {
            let element = images[index], origin = layout.tileOrigin(row: row, column: column)
            XCTAssertEqual(element.number("x"), Double(origin.x))
            XCTAssertEqual(element.number("y"), Double(origin.y))
            XCTAssertEqual(element.number("width"), Double(layout.tileWidth), "enlarged by the panel's scale")
            XCTAssertEqual(element.number("height"), Double(layout.tileHeight))
            // The tile's own pixels, not the enlarged ones.
            let tile = try XCTUnwrap(panel.rows[row][column].image)
            let decoded = try embedded(element)
            XCTAssertEqual([decoded.width, decoded.height], [tile.width, tile.height])
            for (a, b) in zip(decoded.pixels, tile.pixels) { XCTAssertEqual(a, b, accuracy: 0.5 / 255 + 1e-6) }
        }
        let bar = images[3]
        XCTAssertEqual(bar.number("x"), Double(layout.colorBarX))
        XCTAssertEqual(bar.number("width"), Double(ColorBar.barWidth))
        // Whole strings, even where the 48-pixel tiles make the PNG cut them; the subtitle in
        // the lines the panel wraps it into.
        let subtitle = BitmapFont.wrapped(panel.subtitle, maxWidth: layout.width - 2 * FigurePanel.margin)
        XCTAssertGreaterThan(subtitle.count, 1)
        XCTAssertEqual(
            root.elements("text").map(\.text),
            ["covid_1579.png · chefer-lrp"] + subtitle + ["Input", "true COVID-19", "COVID-19", "p = 0.912, predicted", "Normal",
             "p = 0.031", "R/max|R|", "−1", "−0.5", "0", "0.5", "1"])
        XCTAssertEqual(root.elements("text").first { $0.text == "COVID-19" }?.attributes["text-anchor"], "middle")
    }

    func testTheSVGMatchesTheRasterLayoutAndIsDeterministic() throws {
        let panel = self.panel
        let drawing = panel.drawing()
        XCTAssertEqual(drawing.render(), panel.render())
        XCTAssertEqual([drawing.width, drawing.height], [panel.layout.width, panel.layout.height])
        XCTAssertEqual(try panel.svg().xml, try panel.svg().xml)
    }

    func testStackedDrawingsNestInTheirOwnViewports() throws {
        let top = panel.drawing()
        let bottom = FigurePanel(rows: [[FigurePanel.Tile(title: "b", image: ramp(width: 8, height: 8))]], scale: 2).drawing()
        let stack = FigureDrawing(
            width: max(top.width, bottom.width), height: top.height + bottom.height,
            marks: [.figure(top, x: 0, y: 0), .figure(bottom, x: 0, y: top.height)])
        // The raster draws each figure as its own image, so the stack's pixels are theirs.
        let image = stack.render(), topImage = top.render()
        XCTAssertEqual(ChartPixels.color(of: image, x: 20, y: 20), ChartPixels.color(of: topImage, x: 20, y: 20))
        let root = try XCTUnwrap(SVGReader.parse(try stack.svg().xml))
        let nested = root.children.filter { $0.name == "svg" }
        XCTAssertEqual(nested.map { $0.attributes["y"] }, ["0", "\(top.height)"])
        XCTAssertEqual(nested.map { $0.attributes["viewBox"] }, ["0 0 \(top.width) \(top.height)", "0 0 \(bottom.width) \(bottom.height)"])
        XCTAssertEqual(nested[1].elements("text").map(\.text), ["b"])
    }
}
