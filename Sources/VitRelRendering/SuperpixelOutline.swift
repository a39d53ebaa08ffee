/// Superpixels drawn over an image as coloured boundaries: every superpixel for a visual check
/// of a segmentation, or only the chosen ones for LIME's feature masks (lime_image's figures:
/// `mark_boundaries(image, mask)` in yellow around the top-k positive superpixels).
public struct SuperpixelOutline: Sendable {
    /// Boundary colour (skimage's default yellow).
    public var color: RGBColor
    /// Opacity of a tint of `color` inside the chosen superpixels (0: outlines only). A light
    /// tint makes a small highlighted region findable at a glance.
    public var fillOpacity: Float

    public init(color: RGBColor = .yellow, fillOpacity: Float = 0) {
        precondition(fillOpacity >= 0 && fillOpacity <= 1, "fill opacity \(fillOpacity) outside [0, 1]")
        self.color = color
        self.fillOpacity = fillOpacity
    }

    /// `image` (gray or colour, the segmentation's size) with the boundaries of `chosen`
    /// superpixels drawn, or of all of them when `chosen` is nil. Both sides of each boundary
    /// are marked (`Segmentation.boundaryMask`), so lines are two pixels wide.
    public func draw(_ segmentation: Segmentation, chosen: Set<Int>? = nil, over image: Image) -> Image {
        precondition(
            segmentation.width == image.width && segmentation.height == image.height,
            "segmentation \(segmentation.width)x\(segmentation.height) over image \(image.width)x\(image.height)")
        let boundaries: [Bool]
        if let chosen {
            // Everything not chosen becomes one background region, so only the chosen
            // superpixels' borders (with the rest and with each other) remain.
            let merged = segmentation.labels.map { chosen.contains(Int($0)) ? Int($0) : -1 }
            boundaries = Segmentation.relabelling(width: segmentation.width, height: segmentation.height, labels: merged).boundaryMask()
        } else {
            boundaries = segmentation.boundaryMask()
        }
        var out = image.rgb()
        let plane = image.width * image.height
        let channels = [color.red, color.green, color.blue]
        for i in 0..<plane {
            let inside = chosen.map { $0.contains(Int(segmentation.labels[i])) } ?? false
            for c in 0..<3 {
                let index = c * plane + i
                if boundaries[i] {
                    out.pixels[index] = channels[c]
                } else if inside && fillOpacity > 0 {
                    out.pixels[index] += fillOpacity * (channels[c] - out.pixels[index])
                }
            }
        }
        return out
    }
}
