/// A relevance map laid over the X-ray it explains: the map coloured by a colour map and
/// α-blended with the grayscale image, out = (1 − α)·gray + α·colour per channel, the
/// `plt.imshow(xray, cmap="gray"); plt.imshow(map, cmap=..., alpha=0.5)` figures of the ViT
/// explainability papers (α = 0.5 by default).
///
/// ```swift
/// let shown = Heatmap(width: 14, height: 14, values: grid).prepared(forWidth: 224, height: 224, scaling: .minMax)
/// let overlay = Overlay(colorMap: .jet, scaling: .minMax).blend(shown, over: xray)   // RGB 224×224
/// ```
public struct Overlay: Sendable {
    public var colorMap: ColorMap
    /// The range the map's values were scaled into, spread over the colour map from end to end.
    public var scaling: Heatmap.Scaling
    /// Opacity of the colours, in [0, 1]: 0 shows the image alone, 1 the map alone.
    public var alpha: Float

    public init(colorMap: ColorMap, scaling: Heatmap.Scaling, alpha: Float = 0.5) {
        precondition(alpha >= 0 && alpha <= 1, "overlay alpha \(alpha) outside [0, 1]")
        self.colorMap = colorMap
        self.scaling = scaling
        self.alpha = alpha
    }

    /// The colour of a scaled map value: its position in `scaling.range` picks the colour.
    public func color(of value: Float) -> RGBColor {
        let range = scaling.range
        return colorMap.color(at: Double((value - range.lowerBound) / (range.upperBound - range.lowerBound)))
    }

    /// The map alone in colour (what α = 1 gives).
    public func colored(_ heatmap: Heatmap) -> Image {
        let plane = heatmap.width * heatmap.height
        var pixels = [Float](repeating: 0, count: 3 * plane)
        for (i, value) in heatmap.values.enumerated() {
            let c = color(of: value)
            pixels[i] = c.red
            pixels[plane + i] = c.green
            pixels[2 * plane + i] = c.blue
        }
        return Image(width: heatmap.width, height: heatmap.height, channels: 3, pixels: pixels)
    }

    /// The map (already scaled, see `Heatmap.prepared`) over `background` (same size; gray or
    /// colour, shown as its luma): (1 − α)·gray + α·colour.
    public func blend(_ heatmap: Heatmap, over background: Image) -> Image {
        precondition(
            heatmap.width == background.width && heatmap.height == background.height,
            "heatmap \(heatmap.width)x\(heatmap.height) over image \(background.width)x\(background.height)")
        let gray = background.gray().pixels
        let colours = colored(heatmap)
        let plane = heatmap.width * heatmap.height
        var pixels = [Float](repeating: 0, count: 3 * plane)
        for c in 0..<3 {
            for i in 0..<plane { pixels[c * plane + i] = (1 - alpha) * gray[i] + alpha * colours.pixels[c * plane + i] }
        }
        return Image(width: heatmap.width, height: heatmap.height, channels: 3, pixels: pixels)
    }
}
