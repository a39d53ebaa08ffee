extension Canvas {
    /// Draws `text` turned a quarter turn anticlockwise, reading from bottom to top as the
    /// y-axis labels of matplotlib's figures do: the baseline runs upwards at the right of
    /// the glyph cells, the first glyph's lower-left corner is at (x, y) — `x` is the left edge
    /// of the text column (glyph tops face left), `y` its lowest row.
    public mutating func drawVerticalText(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGBColor = .ink) {
        precondition(scale >= 1, "text scale \(scale) must be at least 1")
        var cursor = 0
        for character in text {
            let glyph = BitmapFont.glyph(for: character)
            for row in 0..<BitmapFont.cellHeight {
                for column in 0..<glyph.width where glyph.isInked(column: column, row: row) {
                    // Turning anticlockwise: the glyph's row becomes the column, its column the
                    // height above `y`.
                    fill(x: x + row * scale, y: y - (cursor + column + 1) * scale + 1, width: scale, height: scale, color)
                }
            }
            cursor += glyph.width + BitmapFont.letterSpacing
        }
    }

    /// Draws `text` vertically (as `drawVerticalText`) centred on row `centerY`.
    public mutating func drawVerticalText(_ text: String, x: Int, centeredAt centerY: Int, scale: Int = 1, color: RGBColor = .ink) {
        drawVerticalText(text, x: x, y: centerY + BitmapFont.width(of: text, scale: scale) / 2, scale: scale, color: color)
    }
}
