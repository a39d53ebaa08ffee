/// The raster back end of `FigureDrawing`: each mark is drawn with the canvas calls it stands for
/// (a polyline is its segments, a band its spans), so a figure drawn through its marks has the
/// pixels it had when it called the canvas itself.
extension Canvas {
    /// Draws one mark of a `FigureDrawing`.
    public mutating func draw(_ mark: FigureDrawing.Mark) {
        switch mark {
        case .rectangle(let x, let y, let width, let height, let fill, let edge):
            if let fill { self.fill(x: x, y: y, width: width, height: height, fill) }
            if let edge { strokeRectangle(x: x, y: y, width: width, height: height, edge) }
        case .translucentRectangle(let x, let y, let width, let height, let color, let opacity):
            blend(x: x, y: y, width: width, height: height, color, opacity: opacity)
        case .line(let from, let to, let thickness, let color):
            drawLine(x0: from.x, y0: from.y, x1: to.x, y1: to.y, thickness: thickness, color)
        case .dashedHorizontalLine(let y, let x0, let x1, let dash, let gap, let color):
            drawDashedHorizontalLine(y: y, x0: x0, x1: x1, dash: dash, gap: gap, color)
        case .polyline(let points, let thickness, let color):
            for (a, b) in zip(points, points.dropFirst()) {
                drawLine(x0: a.x, y0: a.y, x1: b.x, y1: b.y, thickness: thickness, color)
            }
        case .circle(let center, let radius, let color):
            strokeCircle(centerX: center.x, centerY: center.y, radius: radius, color)
        case .triangle(let center, let size, let color):
            fillTriangle(centerX: center.x, centerY: center.y, size: size, color)
        case .band(let band):
            for span in band.spans {
                blend(x: span.x, y: span.top, width: 1, height: span.bottom - span.top + 1, band.color, opacity: band.opacity)
            }
        case .text(let text):
            draw(text)
        case .image(let image, let x, let y, let scale):
            draw(image, x: x, y: y, scale: scale)
        case .group(_, let marks):
            for mark in marks { draw(mark) }
        case .figure(let drawing, let x, let y):
            draw(drawing.render(), x: x, y: y)
        }
    }

    private mutating func draw(_ text: FigureDrawing.Text) {
        let (string, scale) = text.fitted
        let width = BitmapFont.width(of: string, scale: scale)
        let start: Int
        switch text.anchor {
        case .start: start = 0
        case .middle: start = -(width / 2)
        case .end: start = -width
        }
        if text.isUpward {
            drawVerticalText(string, x: text.x, centeredAt: text.y, scale: scale, color: text.color)
        } else {
            drawText(string, x: text.x + start, y: text.y, scale: scale, color: text.color)
        }
    }
}
