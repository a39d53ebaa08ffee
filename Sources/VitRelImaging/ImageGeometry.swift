/// Cropping and resizing with Pillow / torchvision semantics.
extension Image {
    /// The `height × width` window whose top-left corner is (`top`, `left`); parts outside
    /// the image are filled with 0, as Pillow's `crop` and torchvision's padding `CenterCrop` do.
    public func cropped(top: Int, left: Int, height cropHeight: Int, width cropWidth: Int) -> Image {
        precondition(cropHeight > 0 && cropWidth > 0, "crop of \(cropHeight)×\(cropWidth)")
        var out = [Float](repeating: 0, count: channels * cropHeight * cropWidth)
        let rows = max(top, 0)..<min(top + cropHeight, height)
        let columns = max(left, 0)..<min(left + cropWidth, width)
        if !rows.isEmpty && !columns.isEmpty {
            for c in 0..<channels {
                for y in rows {
                    let from = (c * height + y) * width
                    let to = (c * cropHeight + y - top) * cropWidth - left
                    for x in columns { out[to + x] = pixels[from + x] }
                }
            }
        }
        return Image(width: cropWidth, height: cropHeight, channels: channels, pixels: out, sourceBitDepth: sourceBitDepth)
    }

    /// Whose centre crop: the offsets differ when the margin is odd.
    public enum CenterCropRounding: String, Codable, Sendable {
        /// torchvision `CenterCrop` (timm's eval transform): top = round((H − h) / 2) with
        /// Python's round half to even; a crop larger than the image pads ⌊(h − H) / 2⌋ zero
        /// rows above and the rest below.
        case torchvision
        /// transformers `image_transforms.center_crop` (its PIL image processors): top =
        /// (H − h) // 2; a crop larger than the image pads ⌈(h − H) / 2⌉ zero rows above.
        case transformers
    }

    /// Centre crop (or zero pad) to `cropHeight` × `cropWidth`, with `rounding`'s offsets
    /// (likewise for columns).
    public func centerCropped(height cropHeight: Int, width cropWidth: Int, rounding: CenterCropRounding = .torchvision) -> Image {
        func offset(_ size: Int, _ crop: Int) -> Int {
            switch rounding {
            case .torchvision:
                return crop > size ? -((crop - size) / 2) : Int((Double(size - crop) / 2).rounded(.toNearestOrEven))
            case .transformers:
                return crop > size ? -((crop - size + 1) / 2) : (size - crop) / 2
            }
        }
        return cropped(top: offset(height, cropHeight), left: offset(width, cropWidth), height: cropHeight, width: cropWidth)
    }

    /// Resized to `width × height` with Pillow's `Image.resize` kernels (see `Resampler`).
    ///
    /// Samples stay in [0, 1]: each pass clamps, as Pillow's 8-bit images saturate, which
    /// matters for bicubic overshoot at sharp edges (burned-in markers). With alpha (2 or 4
    /// channels) colours are premultiplied by alpha during resampling and divided back
    /// after, as Pillow does (LA → La, RGBA → RGBa), so transparent pixels' colours do not
    /// bleed into visible ones.
    public func resized(width newWidth: Int, height newHeight: Int, filter: ResampleFilter) -> Image {
        if newWidth == width && newHeight == height { return self }
        let plane = width * height
        let hasAlpha = channels == 2 || channels == 4
        let premultiply = hasAlpha && filter != .nearest
        var source = pixels
        if premultiply {
            let alpha = (channels - 1) * plane
            for c in 0..<channels - 1 {
                for i in 0..<plane { source[c * plane + i] *= pixels[alpha + i] }
            }
        }
        var out = Resampler.resize(source, channels: channels, height: height, width: width,
                                   toHeight: newHeight, toWidth: newWidth, filter: filter, clampTo: 0...1)
        if premultiply {
            let newPlane = newWidth * newHeight
            let alpha = (channels - 1) * newPlane
            for c in 0..<channels - 1 {
                for i in 0..<newPlane {
                    let a = out[alpha + i]
                    out[c * newPlane + i] = a > 0 ? min(out[c * newPlane + i] / a, 1) : 0
                }
            }
        }
        return Image(width: newWidth, height: newHeight, channels: channels, pixels: out, sourceBitDepth: sourceBitDepth)
    }

    /// torchvision `Resize(size: Int)`: the shorter side becomes `shorterSide`, the longer
    /// one `int(shorterSide · long / short)` (truncated); an image already that size is
    /// returned unchanged (torchvision returns it without resampling).
    public func resized(shorterSide: Int, filter: ResampleFilter) -> Image {
        let (newHeight, newWidth) = Image.shorterSideSize(height: height, width: width, shorterSide: shorterSide)
        return resized(width: newWidth, height: newHeight, filter: filter)
    }

    /// The (height, width) torchvision's `_compute_resized_output_size` gives for `Resize(int)`.
    static func shorterSideSize(height: Int, width: Int, shorterSide: Int) -> (height: Int, width: Int) {
        let short = min(height, width), long = max(height, width)
        let newLong = Int(Double(shorterSide * long) / Double(short))
        return width <= height ? (newLong, shorterSide) : (shorterSide, newLong)
    }
}
