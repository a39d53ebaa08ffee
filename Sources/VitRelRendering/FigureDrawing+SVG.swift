/// The vector back end of `FigureDrawing`: each mark becomes the SVG element that covers the
/// pixels the raster inks, so the SVG lies exactly over the PNG — but with antialiased edges,
/// real text and no pixels to see when enlarged.
///
/// A mark at a whole pixel covers the square from (x, y) to (x + 1, y + 1) in SVG units, so
/// strokes are drawn through pixel centres: a 1-pixel line at row y has its centre at y + 0.5,
/// a 2-pixel pen (which inks its pixel and the next) at y + 1.
extension FigureDrawing {
    /// Font size, in pixels, of text the raster draws at scale 1: DejaVu Sans' capitals are
    /// 0.73 em high, so 10 pixels gives capitals of 7.3 pixels over the bitmap font's 7.
    public static let fontSizePerScale = 10.0

    /// Offset from a pen's top-left pixel to its centre: the raster's square pen of `thickness`
    /// pixels starts (thickness − 1)/2 pixels up and left of the point it draws.
    public static func penCenter(thickness: Int) -> Double {
        Double(thickness) / 2 - Double((thickness - 1) / 2)
    }

    /// The drawing as an SVG document of the same size.
    public func svg() throws -> SVGDocument {
        var document = SVGDocument(width: width, height: height)
        document.rectangle(x: 0, y: 0, width: Double(width), height: Double(height), fill: background)
        for mark in marks { try Self.append(mark, to: &document) }
        return document
    }

    private static func append(_ mark: Mark, to svg: inout SVGDocument) throws {
        switch mark {
        case .rectangle(let x, let y, let width, let height, let fill, let edge):
            let (x, y, w, h) = (Double(x), Double(y), Double(width), Double(height))
            if let edge, width >= 2 && height >= 2 {
                // The raster's outline lies inside the bounds: a 1-pixel stroke centred half a
                // pixel in.
                svg.rectangle(x: x + 0.5, y: y + 0.5, width: w - 1, height: h - 1, fill: fill, stroke: edge)
            } else {
                svg.rectangle(x: x, y: y, width: w, height: h, fill: edge ?? fill)
            }
        case .translucentRectangle(let x, let y, let width, let height, let color, let opacity):
            svg.rectangle(x: Double(x), y: Double(y), width: Double(width), height: Double(height), fill: color, opacity: Double(opacity))
        case .line(let from, let to, let thickness, let color):
            let c = penCenter(thickness: thickness)
            svg.line(
                x1: Double(from.x) + c, y1: Double(from.y) + c, x2: Double(to.x) + c, y2: Double(to.y) + c, stroke: color,
                width: Double(thickness), cap: .square)
        case .dashedHorizontalLine(let y, let x0, let x1, let dash, let gap, let color):
            svg.line(x1: Double(x0), y1: Double(y) + 0.5, x2: Double(x1 + 1), y2: Double(y) + 0.5, stroke: color, dash: [dash, gap])
        case .polyline(let points, let thickness, let color):
            let c = penCenter(thickness: thickness)
            svg.polyline(points.map { (Double($0.x) + c, Double($0.y) + c) }, stroke: color, width: Double(thickness))
        case .circle(let center, let radius, let color):
            svg.circle(centerX: Double(center.x) + 0.5, centerY: Double(center.y) + 0.5, radius: Double(radius), fill: nil, stroke: color)
        case .triangle(let center, let size, let color):
            // Apex on the centre column's top edge, base under the last row, size/2 pixels each side.
            let top = Double(center.y - size / 2), bottom = top + Double(size)
            let half = Double(size / 2)
            svg.polygon(
                [(Double(center.x) + 0.5, top), (Double(center.x) + half + 1, bottom), (Double(center.x) - half, bottom)], fill: color)
        case .band(let band):
            for outline in band.outlines {
                svg.polygon(outline.map { (Double($0.x) + 0.5, Double($0.y) + 0.5) }, fill: band.color, opacity: Double(band.opacity))
            }
        case .text(let text):
            append(text, to: &svg)
        case .image(let image, let x, let y, let scale):
            try svg.image(
                image, x: Double(x), y: Double(y), width: Double(image.width * scale), height: Double(image.height * scale))
        case .group(let title, let marks):
            svg.beginGroup(title: title)
            for mark in marks { try append(mark, to: &svg) }
            svg.endGroup()
        case .figure(let drawing, let x, let y):
            svg.nest(try drawing.svg(), x: Double(x), y: Double(y))
        }
    }

    /// The whole text at the size the raster draws it, its baseline where the bitmap glyphs
    /// stand (the cell's top plus the cap height).
    private static func append(_ text: Text, to svg: inout SVGDocument) {
        let fitted = text.fitted
        let fontSize = fontSizePerScale * Double(fitted.scale)
        let baseline = Double(BitmapFont.capHeight * fitted.scale)
        let squeezed = fitted.text != text.string ? text.maxWidth.map(Double.init) : nil
        if text.isUpward {
            // Turned about the baseline's anchor point: glyph tops face left, towards x.
            svg.text(
                text.string, x: Double(text.x) + baseline, y: Double(text.y), fontSize: fontSize, anchor: .middle, color: text.color,
                rotation: -90, textLength: squeezed)
        } else {
            let anchor: SVGDocument.TextAnchor
            switch text.anchor {
            case .start: anchor = .start
            case .middle: anchor = .middle
            case .end: anchor = .end
            }
            svg.text(
                text.string, x: Double(text.x), y: Double(text.y) + baseline, fontSize: fontSize, anchor: anchor, color: text.color,
                textLength: squeezed)
        }
    }
}
