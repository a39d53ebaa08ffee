/// Colour conversions with Pillow's `Image.convert` semantics, on float samples.
extension Image {
    /// Three colour channels: gray is replicated, alpha is dropped (not composited), as
    /// Pillow's `convert("RGB")` does for L, LA and RGBA.
    public func rgb() -> Image {
        let plane = width * height
        switch channels {
        case 3:
            return self
        case 4:
            return Image(width: width, height: height, channels: 3, pixels: Array(pixels[0..<3 * plane]), sourceBitDepth: sourceBitDepth)
        default:
            let gray = pixels[0..<plane]
            return Image(width: width, height: height, channels: 3, pixels: Array(gray) + Array(gray) + Array(gray), sourceBitDepth: sourceBitDepth)
        }
    }

    /// One plane when the image is gray: one channel, or three colour planes equal bit for bit
    /// (a gray film replicated by `rgb()`, as `Preprocessing.geometry` returns it); the image
    /// as it is otherwise. `Preprocessing.normalise` replicates the plane again, so a gray
    /// picture kept this way costs a third of its three planes and normalises to the same bits.
    public func collapsingReplicatedGray() -> Image {
        guard channels == 3 else { return self }
        let plane = width * height
        let equal = pixels.withUnsafeBufferPointer { p in
            (0..<plane).allSatisfy { p[$0].bitPattern == p[plane + $0].bitPattern && p[$0].bitPattern == p[2 * plane + $0].bitPattern }
        }
        return equal ? Image(width: width, height: height, channels: 1, pixels: Array(pixels[0..<plane]), sourceBitDepth: sourceBitDepth) : self
    }

    /// One luma channel, ITU-R 601-2: L = R·299/1000 + G·587/1000 + B·114/1000 (Pillow
    /// `convert("L")`; Pillow rounds to 8 bits, this does not). Alpha is dropped.
    public func gray() -> Image {
        let plane = width * height
        if channels < 3 {
            return channels == 1 ? self : Image(width: width, height: height, channels: 1, pixels: Array(pixels[0..<plane]), sourceBitDepth: sourceBitDepth)
        }
        var luma = [Float](repeating: 0, count: plane)
        pixels.withUnsafeBufferPointer { p in
            luma.withUnsafeMutableBufferPointer { l in
                for i in 0..<plane {
                    l[i] = p[i] * 0.299 + p[plane + i] * 0.587 + p[2 * plane + i] * 0.114
                }
            }
        }
        return Image(width: width, height: height, channels: 1, pixels: luma, sourceBitDepth: sourceBitDepth)
    }

    /// Channel `channel` as a [height, width] row-major array.
    public func plane(_ channel: Int) -> ArraySlice<Float> {
        precondition(channel >= 0 && channel < channels, "channel \(channel) of \(channels)")
        return pixels[channel * width * height..<(channel + 1) * width * height]
    }
}
