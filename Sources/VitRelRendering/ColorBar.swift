import Foundation

/// A vertical colour bar with tick marks and labels, drawn beside the maps of a figure so a
/// reader can tell which colour means what (matplotlib's `colorbar`): the top of the bar is
/// the top of the range.
public struct ColorBar: Sendable {
    public var colorMap: ColorMap
    public var range: ClosedRange<Float>
    /// Values that get a tick and a label.
    public var ticks: [Float]
    /// A short caption above the bar (e.g. "R/max|R|"); empty for none.
    public var caption: String

    /// Width of the coloured bar in pixels.
    public static let barWidth = 14
    /// Length of a tick mark, and the gap between tick and label.
    public static let tickLength = 4
    public static let labelGap = 3

    public init(colorMap: ColorMap, range: ClosedRange<Float>, ticks: [Float]? = nil, caption: String = "") {
        precondition(range.upperBound > range.lowerBound, "colour bar range \(range) is empty")
        self.colorMap = colorMap
        self.range = range
        let span = range.upperBound - range.lowerBound
        self.ticks = ticks ?? (0...4).map { range.lowerBound + Float($0) * span / 4 }
        self.caption = caption
    }

    /// The colour bar of an overlay's colour map and scaling: ticks 0, ¼, ½, ¾, 1 of the range.
    public init(for overlay: Overlay, caption: String = "") {
        self.init(colorMap: overlay.colorMap, range: overlay.scaling.range, caption: caption)
    }

    /// A tick's label: at most two decimals, no trailing zeros, a true minus sign.
    public static func label(_ value: Float) -> String {
        let rounded = (Double(value) * 100).rounded() / 100
        if rounded == 0 { return "0" }
        var text = String(format: "%.2f", abs(rounded))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return (rounded < 0 ? "−" : "") + text
    }

    /// Pixels the bar, ticks and labels take across.
    public var width: Int {
        let labels = ticks.map { BitmapFont.width(of: Self.label($0)) }.max() ?? 0
        let body = Self.barWidth + Self.tickLength + Self.labelGap + labels
        return max(body, BitmapFont.width(of: caption))
    }

    /// Pixels the caption takes above the bar (0 without one).
    public var captionHeight: Int { caption.isEmpty ? 0 : BitmapFont.lineHeight() + 8 }

    /// The caption at `y` and the bar below it, `height` pixels in all, starting at `x`. The bar
    /// itself is an image (one colour per row, the top the top of the range) in both PNG and SVG;
    /// ticks and labels are marks of their own, so the SVG has them as lines and text.
    public func marks(x: Int, y: Int, height: Int) -> [FigureDrawing.Mark] {
        var marks = [FigureDrawing.Mark]()
        if !caption.isEmpty { marks.append(.text(.init(caption, x: x, y: y, color: .mutedInk))) }
        let top = y + captionHeight, barHeight = height - captionHeight
        guard barHeight >= 2 else { return marks }
        marks.append(.image(bar(height: barHeight), x: x, y: top, scale: 1))
        marks.append(.rectangle(x: x, y: top, width: Self.barWidth, height: barHeight, fill: nil, edge: .ink))
        let span = range.upperBound - range.lowerBound
        for tick in ticks {
            let fraction = (range.upperBound - tick) / span
            let row = top + min(Int((fraction * Float(barHeight - 1)).rounded()), barHeight - 1)
            marks.append(.rectangle(x: x + Self.barWidth, y: row, width: Self.tickLength, height: 1, fill: .ink, edge: nil))
            marks.append(.text(.init(
                Self.label(tick), x: x + Self.barWidth + Self.tickLength + Self.labelGap, y: row - BitmapFont.capHeight / 2)))
        }
        return marks
    }

    /// The coloured bar, `barWidth` × `height`: row centres from the top (maximum) down to the
    /// bottom (minimum).
    func bar(height: Int) -> Image {
        let span = range.upperBound - range.lowerBound
        var canvas = Canvas(width: Self.barWidth, height: height)
        for row in 0..<height {
            let value = range.upperBound - (Float(row) + 0.5) / Float(height) * span
            let position = Double((value - range.lowerBound) / span)
            canvas.fill(x: 0, y: row, width: Self.barWidth, height: 1, colorMap.color(at: position))
        }
        return canvas.image
    }

    /// Draws the caption at `y` and the bar below it, `height` pixels in all, starting at `x`.
    public func draw(into canvas: inout Canvas, x: Int, y: Int, height: Int) {
        for mark in marks(x: x, y: y, height: height) { canvas.draw(mark) }
    }
}
