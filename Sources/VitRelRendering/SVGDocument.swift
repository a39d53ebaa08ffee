import Foundation

/// An SVG 1.1 document written as text, element by element: shapes, `<text>` in a common sans
/// font, and raster images embedded as base64 PNG, so a figure can go into a paper with its
/// text selectable and editable and no library beyond vitrel (no cairo, no font files).
///
/// Output is deterministic: numbers are written with at most two decimals and a "." whatever
/// the locale, attributes in a fixed order, so the same figure gives the same bytes. Text and
/// attribute values are XML-escaped (`& < > " '`).
///
/// ```swift
/// var svg = SVGDocument(width: 200, height: 100)
/// svg.rectangle(x: 10, y: 10, width: 50, height: 20, fill: .ink)
/// svg.text("AOPC < 0.5 & rising", x: 10, y: 50, fontSize: 10)
/// try svg.write(to: URL(fileURLWithPath: "figure.svg"))
/// ```
public struct SVGDocument: Sendable {
    public let width: Int
    public let height: Int
    /// The elements inside the root `<svg>`, one per line.
    public private(set) var elements: [String] = []

    /// Fonts for `<text>`: DejaVu Sans where it is installed (most Linux systems, and the
    /// matplotlib default), else the usual sans serifs.
    public static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "empty SVG \(width)x\(height)")
        self.width = width
        self.height = height
    }

    // MARK: Elements

    /// `<rect>`; an outline `strokeWidth` wide centred on the rectangle's edge when `stroke` is set.
    public mutating func rectangle(
        x: Double, y: Double, width: Double, height: Double, fill: RGBColor?, stroke: RGBColor? = nil, strokeWidth: Double = 1,
        opacity: Double = 1
    ) {
        var attributes = [("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(width)), ("height", Self.number(height))]
        attributes += paint(fill: fill, opacity: opacity, stroke: stroke, strokeWidth: strokeWidth)
        append("rect", attributes)
    }

    /// `<line>` from (x1, y1) to (x2, y2); `dash` gives the lengths of dashes and gaps.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: RGBColor, width: Double = 1, cap: LineCap = .butt,
        dash: [Int] = []
    ) {
        var attributes = [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2))]
        attributes += paint(fill: nil, stroke: stroke, strokeWidth: width)
        if cap != .butt { attributes.append(("stroke-linecap", cap.rawValue)) }
        if !dash.isEmpty { attributes.append(("stroke-dasharray", dash.map(String.init).joined(separator: " "))) }
        append("line", attributes)
    }

    public enum LineCap: String, Sendable {
        case butt, round, square
    }

    /// `<polyline>` through `points`, with round joins and caps (a curve, not a frame).
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: RGBColor, width: Double) {
        var attributes = [("points", Self.points(points))]
        attributes += paint(fill: nil, stroke: stroke, strokeWidth: width)
        attributes += [("stroke-linejoin", "round"), ("stroke-linecap", "round")]
        append("polyline", attributes)
    }

    /// `<polygon>` filled with `fill` at `opacity`, or outlined.
    public mutating func polygon(_ points: [(x: Double, y: Double)], fill: RGBColor?, opacity: Double = 1, stroke: RGBColor? = nil) {
        append("polygon", [("points", Self.points(points))] + paint(fill: fill, opacity: opacity, stroke: stroke, strokeWidth: 1))
    }

    public mutating func circle(centerX: Double, centerY: Double, radius: Double, fill: RGBColor?, stroke: RGBColor? = nil) {
        let attributes = [("cx", Self.number(centerX)), ("cy", Self.number(centerY)), ("r", Self.number(radius))]
        append("circle", attributes + paint(fill: fill, stroke: stroke, strokeWidth: 1))
    }

    public enum TextAnchor: String, Sendable {
        case start, middle, end
    }

    /// `<text>` with its baseline at `y` and its anchor at `x`; `rotation` in degrees turns it
    /// about (x, y) (−90 reads upwards). `textLength` squeezes or stretches it to that many
    /// pixels (glyphs and spacing), for text that must stay within a given room.
    public mutating func text(
        _ string: String, x: Double, y: Double, fontSize: Double, anchor: TextAnchor = .start, color: RGBColor = .ink,
        rotation: Double = 0, textLength: Double? = nil
    ) {
        var attributes = [(String, String)]()
        if rotation == 0 {
            attributes += [("x", Self.number(x)), ("y", Self.number(y))]
        } else {
            attributes.append(("transform", "translate(\(Self.number(x)) \(Self.number(y))) rotate(\(Self.number(rotation)))"))
        }
        attributes += [("font-family", Self.fontFamily), ("font-size", Self.number(fontSize))]
        if anchor != .start { attributes.append(("text-anchor", anchor.rawValue)) }
        attributes.append(("fill", Self.hex(color)))
        if let textLength { attributes += [("textLength", Self.number(textLength)), ("lengthAdjust", "spacingAndGlyphs")] }
        elements.append("<text" + Self.attributes(attributes) + ">" + Self.escape(string) + "</text>")
    }

    /// `<image>` of `image` as an embedded PNG (`data:image/png;base64,…`), drawn `width` ×
    /// `height` pixels at (x, y) and enlarged without smoothing (as the raster enlarges tiles).
    /// The link is SVG 1.1's `xlink:href`, which every converter reads (SVG 2's bare `href` is
    /// missing from older rsvg and Inkscape releases).
    public mutating func image(_ image: Image, x: Double, y: Double, width: Double, height: Double) throws {
        let png = try ImageIO.encodePNG(image)
        append("image", [
            ("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(width)), ("height", Self.number(height)),
            ("preserveAspectRatio", "none"), ("image-rendering", "optimizeSpeed"), ("style", "image-rendering:pixelated"),
            ("xlink:href", "data:image/png;base64," + png.base64EncodedString()),
        ])
    }

    /// Opens a `<g>` whose `<title>` names what it holds (a tooltip in browsers, a label in
    /// editors); close it with `endGroup()`.
    public mutating func beginGroup(title: String) {
        elements.append("<g>")
        if !title.isEmpty { elements.append("<title>" + Self.escape(title) + "</title>") }
    }

    public mutating func endGroup() { elements.append("</g>") }

    /// Another document nested at (x, y): an `<svg>` element with its own viewport, which
    /// clips what it holds to its size.
    public mutating func nest(_ document: SVGDocument, x: Double, y: Double) {
        elements.append(
            "<svg" + Self.attributes([
                ("x", Self.number(x)), ("y", Self.number(y)), ("width", String(document.width)), ("height", String(document.height)),
                ("viewBox", "0 0 \(document.width) \(document.height)"),
            ]) + ">")
        elements += document.elements
        elements.append("</svg>")
    }

    // MARK: Output

    /// The document: XML declaration, root `<svg>` with width, height and viewBox in pixels.
    public var xml: String {
        let root = "<svg" + Self.attributes([
            ("xmlns", "http://www.w3.org/2000/svg"), ("xmlns:xlink", "http://www.w3.org/1999/xlink"), ("version", "1.1"), ("width", String(width)), ("height", String(height)),
            ("viewBox", "0 0 \(width) \(height)"),
        ]) + ">"
        return (["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", root] + elements + ["</svg>", ""]).joined(separator: "\n")
    }

    /// Writes the document as UTF-8; a failure is a one-line `ReportError` naming the file.
    public func write(to url: URL) throws {
        try ReportError.write(Data(xml.utf8), to: url)
    }

    // MARK: Formatting

    /// `text` with `& < > " '` replaced by entities: safe in element content and in quoted
    /// attribute values. Characters XML 1.0 forbids (control characters other than tab and
    /// line breaks) become U+FFFD, so an odd file name cannot make the document unreadable.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                let forbidden = scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value)
                escaped.unicodeScalars.append(forbidden ? "\u{FFFD}" : scalar)
            }
        }
        return escaped
    }

    /// `value` with at most two decimals, trailing zeros dropped, "." as the point and no
    /// "-0": the same text on every machine and in every locale.
    public static func number(_ value: Double) -> String {
        precondition(value.isFinite, "SVG number \(value) is not finite")
        let hundredths = Int64((value * 100).rounded())
        if hundredths == 0 { return "0" }
        let magnitude = hundredths.magnitude
        var text = (hundredths < 0 ? "-" : "") + String(magnitude / 100)
        let fraction = magnitude % 100
        if fraction != 0 {
            text += fraction % 10 == 0 ? ".\(fraction / 10)" : (fraction < 10 ? ".0\(fraction)" : ".\(fraction)")
        }
        return text
    }

    /// "#rrggbb" of a colour, channels rounded to 8 bits as in the PNG.
    public static func hex(_ color: RGBColor) -> String {
        let digits = Array("0123456789abcdef")
        return "#" + [color.red, color.green, color.blue].map { channel -> String in
            let byte = Int((min(max(channel, 0), 1) * 255).rounded())
            return String([digits[byte / 16], digits[byte % 16]])
        }.joined()
    }

    static func points(_ points: [(x: Double, y: Double)]) -> String {
        points.map { number($0.x) + "," + number($0.y) }.joined(separator: " ")
    }

    private func paint(fill: RGBColor?, opacity: Double = 1, stroke: RGBColor?, strokeWidth: Double) -> [(String, String)] {
        var attributes = [("fill", fill.map(Self.hex) ?? "none")]
        if fill != nil && opacity < 1 { attributes.append(("fill-opacity", Self.number(opacity))) }
        if let stroke { attributes += [("stroke", Self.hex(stroke)), ("stroke-width", Self.number(strokeWidth))] }
        return attributes
    }

    private mutating func append(_ name: String, _ attributes: [(String, String)]) {
        elements.append("<" + name + Self.attributes(attributes) + "/>")
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }
}
