/// An RGB raster the figures are composed on: rectangles, images, text (`BitmapFont`), then
/// `image` for `ImageIO.writePNG`.
///
/// Coordinates are pixels, x to the right and y down from the top-left corner; everything
/// drawn is clipped to the canvas, so layouts need not guard their edges.
///
/// ```swift
/// var canvas = Canvas(width: 200, height: 100, background: .white)
/// canvas.draw(xray, x: 10, y: 10)
/// canvas.drawText("COVID-19", x: 10, y: 80, color: .ink)
/// try ImageIO.writePNG(canvas.image, to: url)
/// ```
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// Planar [3, height, width] in [0, 1], the layout of `Image`.
    public private(set) var pixels: [Float]

    public init(width: Int, height: Int, background: RGBColor = .white) {
        precondition(width > 0 && height > 0, "empty canvas \(width)x\(height)")
        self.width = width
        self.height = height
        let plane = width * height
        pixels = [Float](repeating: background.red, count: plane)
            + [Float](repeating: background.green, count: plane)
            + [Float](repeating: background.blue, count: plane)
    }

    /// The canvas as a 3-channel image.
    public var image: Image { Image(width: width, height: height, channels: 3, pixels: pixels) }

    /// The colour at (x, y).
    public func color(x: Int, y: Int) -> RGBColor {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        let plane = width * height, i = y * width + x
        return RGBColor(red: pixels[i], green: pixels[plane + i], blue: pixels[2 * plane + i])
    }

    /// Paints (x, y) when it lies on the canvas.
    public mutating func set(x: Int, y: Int, _ color: RGBColor) {
        guard x >= 0 && x < width && y >= 0 && y < height else { return }
        let plane = width * height, i = y * width + x
        pixels[i] = color.red
        pixels[plane + i] = color.green
        pixels[2 * plane + i] = color.blue
    }

    /// Fills the `w` × `h` rectangle whose top-left corner is (x, y).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBColor) {
        let left = max(x, 0), right = min(x + w, width), top = max(y, 0), bottom = min(y + h, height)
        guard left < right && top < bottom else { return }  // entirely off the canvas
        let columns = left..<right, rows = top..<bottom
        let plane = width * height
        for (c, value) in [color.red, color.green, color.blue].enumerated() {
            for row in rows {
                let start = c * plane + row * width
                for column in columns { pixels[start + column] = value }
            }
        }
    }

    /// Draws the outline of a rectangle, `thickness` pixels wide, inside its bounds.
    public mutating func strokeRectangle(x: Int, y: Int, width w: Int, height h: Int, thickness: Int = 1, _ color: RGBColor) {
        fill(x: x, y: y, width: w, height: thickness, color)
        fill(x: x, y: y + h - thickness, width: w, height: thickness, color)
        fill(x: x, y: y, width: thickness, height: h, color)
        fill(x: x + w - thickness, y: y, width: thickness, height: h, color)
    }

    /// Draws `image` with its top-left corner at (x, y), each pixel as a `scale` × `scale`
    /// block (nearest neighbour: a small model input is enlarged without inventing detail).
    /// Gray is shown as gray; alpha is dropped.
    public mutating func draw(_ image: Image, x: Int, y: Int, scale: Int = 1) {
        precondition(scale >= 1, "scale \(scale) must be at least 1")
        let source = image.channels == 3 ? image : image.rgb()
        let sourcePlane = source.width * source.height, plane = width * height
        for sy in 0..<source.height {
            for dy in 0..<scale {
                let row = y + sy * scale + dy
                guard row >= 0 && row < height else { continue }
                for sx in 0..<source.width {
                    let s = sy * source.width + sx
                    for dx in 0..<scale {
                        let column = x + sx * scale + dx
                        guard column >= 0 && column < width else { continue }
                        let i = row * width + column
                        pixels[i] = source.pixels[s]
                        pixels[plane + i] = source.pixels[sourcePlane + s]
                        pixels[2 * plane + i] = source.pixels[2 * sourcePlane + s]
                    }
                }
            }
        }
    }
}
