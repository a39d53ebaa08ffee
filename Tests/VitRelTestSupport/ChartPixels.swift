import VitRelRendering

/// Pixel reading shared by the chart and figure tests.
public enum ChartPixels {
    public static func color(of image: Image, x: Int, y: Int) -> RGBColor {
        let plane = image.width * image.height, i = y * image.width + x
        return RGBColor(red: image.pixels[i], green: image.pixels[plane + i], blue: image.pixels[2 * plane + i])
    }

    /// The pixels `draw` inks on a blank canvas of the image's size: where a piece of text
    /// or a mark must appear in the chart.
    public static func inked(width: Int, height: Int, _ draw: (inout Canvas) -> Void) -> [(x: Int, y: Int)] {
        var canvas = Canvas(width: width, height: height, background: .white)
        draw(&canvas)
        var points = [(x: Int, y: Int)]()
        for y in 0..<height { for x in 0..<width where canvas.color(x: x, y: y) != .white { points.append((x, y)) } }
        return points
    }
}
