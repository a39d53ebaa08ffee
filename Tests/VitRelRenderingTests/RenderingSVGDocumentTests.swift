import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRelRendering

/// The SVG writer: well-formed documents of the declared size, text escaped so any string
/// survives, numbers and colours written the same way everywhere, images embedded losslessly.
final class RenderingSVGDocumentTests: XCTestCase {
    func testTheDocumentIsWellFormedWithItsSizeAndViewBox() throws {
        var svg = SVGDocument(width: 320, height: 180)
        svg.rectangle(x: 1, y: 2, width: 3, height: 4, fill: .ink, stroke: .white)
        svg.line(x1: 0, y1: 0.5, x2: 10, y2: 0.5, stroke: .mutedInk, dash: [6, 4])
        svg.beginGroup(title: "a group")
        svg.circle(centerX: 5.5, centerY: 5.5, radius: 2, fill: nil, stroke: .black)
        svg.endGroup()
        let root = try XCTUnwrap(SVGReader.parse(svg.xml))
        XCTAssertTrue(svg.xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        XCTAssertEqual(root.name, "svg")
        XCTAssertEqual(root.attributes["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertEqual(root.attributes["width"], "320")
        XCTAssertEqual(root.attributes["height"], "180")
        XCTAssertEqual(root.attributes["viewBox"], "0 0 320 180")
        XCTAssertEqual(root.children.map(\.name), ["rect", "line", "g"])
        XCTAssertEqual(root.elements("line")[0].attributes["stroke-dasharray"], "6 4")
        XCTAssertEqual(root.elements("g")[0].title, "a group")
        XCTAssertEqual(root.elements("circle").count, 1)
    }

    func testTextKeepsMarkupCharactersAsText() throws {
        let nasty = "AOPC <MoRF> & \"LIME\" 'top-k' − α ≤ 0.5"
        var svg = SVGDocument(width: 100, height: 50)
        svg.text(nasty, x: 10, y: 20, fontSize: 10, anchor: .middle, rotation: -90)
        svg.beginGroup(title: "a < b & c")
        svg.endGroup()
        XCTAssertTrue(svg.xml.contains("AOPC &lt;MoRF&gt; &amp; &quot;LIME&quot; &#39;top-k&#39; − α ≤ 0.5"))
        let root = try XCTUnwrap(SVGReader.parse(svg.xml))
        let text = try XCTUnwrap(root.elements("text").first)
        XCTAssertEqual(text.text, nasty, "an XML reader gets the string back")
        XCTAssertEqual(text.attributes["font-family"], "DejaVu Sans, Helvetica, Arial, sans-serif")
        XCTAssertEqual(text.attributes["font-size"], "10")
        XCTAssertEqual(text.attributes["text-anchor"], "middle")
        XCTAssertEqual(text.attributes["transform"], "translate(10 20) rotate(-90)")
        XCTAssertEqual(root.elements("g")[0].title, "a < b & c")
        // Control characters XML 1.0 forbids cannot break the document.
        XCTAssertEqual(SVGDocument.escape("a\u{1}b\tc"), "a\u{FFFD}b\tc")
    }

    func testNumbersHaveAtMostTwoDecimalsAndNoNegativeZero() {
        let cases: [(Double, String)] = [
            (0, "0"), (12, "12"), (12.5, "12.5"), (0.25, "0.25"), (3.14159, "3.14"), (2.006, "2.01"), (0.04, "0.04"),
            (-0.001, "0"), (-7.5, "-7.5"), (1e6, "1000000"), (0.999, "1"), (-0.07, "-0.07"), (100.10, "100.1"),
        ]
        for (value, text) in cases { XCTAssertEqual(SVGDocument.number(value), text, "\(value)") }
        XCTAssertEqual(SVGDocument.hex(RGBColor(red: 31 / 255, green: 119 / 255, blue: 180 / 255)), "#1f77b4")
        XCTAssertEqual(SVGDocument.hex(.white), "#ffffff")
        XCTAssertEqual(SVGDocument.hex(RGBColor(red: 1.2, green: -0.1, blue: 0.5)), "#ff0080", "clamped and rounded as in the PNG")
    }

    func testAnEmbeddedImageDecodesBackToTheImage() throws {
        let plane = 6 * 4
        let image = Image(width: 6, height: 4, channels: 3, pixels: (0..<3 * plane).map { Float($0 % 17) / 16 })
        var svg = SVGDocument(width: 60, height: 40)
        try svg.image(image, x: 0, y: 0, width: 60, height: 40)
        let element = try XCTUnwrap(SVGReader.parse(svg.xml)?.elements("image").first)
        XCTAssertEqual(element.number("width"), 60)
        XCTAssertEqual(element.number("height"), 40)
        let link = try XCTUnwrap(element.attributes["xlink:href"])
        let prefix = "data:image/png;base64,"
        XCTAssertTrue(link.hasPrefix(prefix))
        let png = try XCTUnwrap(Data(base64Encoded: String(link.dropFirst(prefix.count))))
        XCTAssertEqual(png, try ImageIO.encodePNG(image))
        let decoded = try ImageIO.decode(png, name: "embedded")
        XCTAssertEqual(decoded.width, 6)
        XCTAssertEqual(decoded.height, 4)
        for (a, b) in zip(decoded.pixels, image.pixels) { XCTAssertEqual(a, b, accuracy: 0.5 / 255 + 1e-6) }
    }

    func testNestedDocumentsClipToTheirOwnViewport() throws {
        var inner = SVGDocument(width: 30, height: 20)
        inner.rectangle(x: 0, y: 0, width: 50, height: 50, fill: .ink)
        var outer = SVGDocument(width: 100, height: 100)
        outer.nest(inner, x: 5, y: 40)
        let root = try XCTUnwrap(SVGReader.parse(outer.xml))
        let nested = try XCTUnwrap(root.children.first)
        XCTAssertEqual(nested.name, "svg")
        XCTAssertEqual(nested.attributes["x"], "5")
        XCTAssertEqual(nested.attributes["y"], "40")
        XCTAssertEqual(nested.attributes["viewBox"], "0 0 30 20")
        XCTAssertEqual(nested.children.map(\.name), ["rect"])
    }

    func testWritingGivesTheSameBytesAndAnUnwritablePathNamesTheFile() throws {
        var svg = SVGDocument(width: 10, height: 10)
        svg.text("x", x: 1.234, y: 5.678, fontSize: 10)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrel-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("a.svg")
        try svg.write(to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data(svg.xml.utf8))
        XCTAssertTrue(svg.xml.contains("x=\"1.23\" y=\"5.68\""))
        let missing = folder.appendingPathComponent("no/such/folder/b.svg")
        XCTAssertThrowsError(try svg.write(to: missing)) { error in
            XCTAssertTrue("\(error)".contains(missing.path), "\(error)")
        }
    }
}
