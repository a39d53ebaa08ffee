/// A decoded raster image: planar samples in [0, 1], laid out [channels, height, width].
///
/// Channels are kept as the file stores them (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; palettes
/// are expanded). 8- and 16-bit sources both map to [0, 1]; `sourceBitDepth` remembers which.
public struct Image: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// Planar [channels, height, width], each sample in [0, 1].
    public var pixels: [Float]
    public var sourceBitDepth: Int

    public init(width: Int, height: Int, channels: Int, pixels: [Float], sourceBitDepth: Int = 8) {
        precondition(width > 0 && height > 0 && channels > 0, "empty image \(width)x\(height)x\(channels)")
        precondition(pixels.count == width * height * channels, "pixel count \(pixels.count) ≠ \(channels)×\(height)×\(width)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
        self.sourceBitDepth = sourceBitDepth
    }
}
