/// Lines, dashes, circles, markers and translucent fills for charts.
///
/// Everything is drawn without antialiasing, on whole pixels: a chart's bytes are then the
/// same on every machine, and a test can check that a value lands on the very pixel row the
/// axis maps it to.
extension Canvas {
    /// A straight line from (x0, y0) to (x1, y1), both ends included (Bresenham 1965), with a
    /// square pen `thickness` pixels wide whose top-left corner is offset by −(thickness − 1)/2,
    /// so a 1-pixel pen covers exactly the Bresenham pixels.
    public mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, thickness: Int = 1, _ color: RGBColor) {
        precondition(thickness >= 1, "line thickness \(thickness) must be at least 1")
        let offset = (thickness - 1) / 2
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let stepX = x0 < x1 ? 1 : -1, stepY = y0 < y1 ? 1 : -1
        var x = x0, y = y0, error = dx + dy
        while true {
            fill(x: x - offset, y: y - offset, width: thickness, height: thickness, color)
            if x == x1 && y == y1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += stepX }
            if doubled <= dx { error += dx; y += stepY }
        }
    }

    /// A horizontal dashed line on row `y` from `x0` to `x1` (inclusive): `dash` pixels inked,
    /// `gap` pixels left, starting with a dash at `x0`.
    public mutating func drawDashedHorizontalLine(y: Int, x0: Int, x1: Int, dash: Int = 6, gap: Int = 4, _ color: RGBColor) {
        precondition(dash >= 1 && gap >= 0, "dash \(dash) and gap \(gap) must be positive")
        var x = x0
        while x <= x1 {
            fill(x: x, y: y, width: min(dash, x1 - x + 1), height: 1, color)
            x += dash + gap
        }
    }

    /// The outline of a circle of `radius` pixels around (centerX, centerY) (the midpoint
    /// circle algorithm), one pixel wide.
    public mutating func strokeCircle(centerX: Int, centerY: Int, radius: Int, _ color: RGBColor) {
        precondition(radius >= 0, "circle radius \(radius) must not be negative")
        var x = radius, y = 0, error = 1 - radius
        while x >= y {
            for (a, b) in [(x, y), (y, x), (-y, x), (-x, y), (-x, -y), (-y, -x), (y, -x), (x, -y)] {
                set(x: centerX + a, y: centerY + b, color)
            }
            y += 1
            if error < 0 {
                error += 2 * y + 1
            } else {
                x -= 1
                error += 2 * (y - x) + 1
            }
        }
    }

    /// A filled upward triangle (matplotlib's "^" marker) `size` pixels wide and high, centred on
    /// (centerX, centerY): row k from the top is 2·⌊k·⌊size/2⌋/(size − 1)⌋ + 1 pixels wide, from
    /// a one-pixel apex to a base `size` wide (for odd sizes).
    public mutating func fillTriangle(centerX: Int, centerY: Int, size: Int, _ color: RGBColor) {
        precondition(size >= 1, "marker size \(size) must be at least 1")
        let top = centerY - size / 2
        for row in 0..<size {
            let halfWidth = row * (size / 2) / max(size - 1, 1)
            fill(x: centerX - halfWidth, y: top + row, width: 2 * halfWidth + 1, height: 1, color)
        }
    }

    /// Paints the rectangle with `color` at `opacity` over what is there (alpha compositing,
    /// Porter & Duff 1984): matplotlib's translucent `fill_between` bands, whose overlaps stay
    /// visible.
    public mutating func blend(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBColor, opacity: Float) {
        precondition(opacity >= 0 && opacity <= 1, "opacity \(opacity) outside [0, 1]")
        let left = max(x, 0), right = min(x + w, width), top = max(y, 0), bottom = min(y + h, height)
        guard left < right && top < bottom else { return }
        for row in top..<bottom {
            for column in left..<right {
                set(x: column, y: row, self.color(x: column, y: row).mixed(with: color, opacity))
            }
        }
    }
}
