/// Running the eval transform: image → normalised [3, inputHeight, inputWidth] tensor.
///
/// Steps, mirroring the Python pipelines the checkpoints were trained with:
/// 1. RGB: gray replicated, alpha dropped (Pillow `convert("RGB")`). A gray image is resized
///    as one plane and replicated afterwards — the same numbers, a third of the work.
/// 2. Resize with `interpolation` (Pillow kernels, see `Resampler`):
///    - `.resizeThenCenterCrop` (timm `transforms_imagenet_eval`): scale size =
///      ⌊input / cropPercent⌋ per side. When both scale sides are equal, the shorter image side
///      becomes that size keeping the aspect ratio (torchvision `Resize(int)`, long side
///      truncated); otherwise the image is resized to exactly the scale size (timm's
///      `crop_mode="squash"`; note timm ≥ 0.9's default "center" mode uses `ResizeKeepRatio`
///      for non-square inputs instead). Then torchvision `CenterCrop` to the input size.
///    - `.exact` (Hugging Face `ViTImageProcessor`): resize straight to the input size.
/// 3. Normalise: (x − mean) / std per channel, in Float (torchvision `Normalize`).
///
/// Precision: Pillow resizes 8-bit images in fixed point and rounds to 8 bits after each
/// pass; this pipeline keeps floats throughout (it clamps to [0, 1] after each pass as
/// Pillow saturates). Before normalisation it agrees with PIL + torchvision to within
/// about 1.5/255 per sample (exactly for nearest and when no resize happens).
extension Preprocessing {
    /// The model input for one image: [3, inputHeight, inputWidth].
    public func apply(to image: Image) -> Tensor<Float> {
        var scalars = [Float](repeating: 0, count: 3 * inputHeight * inputWidth)
        scalars.withUnsafeMutableBufferPointer { write(image, into: $0, parallel: true) }
        return Tensor(shape: [3, inputHeight, inputWidth], scalars: scalars)
    }

    /// Model inputs for a batch: [B, 3, inputHeight, inputWidth], images in parallel.
    /// Each image is processed exactly as `apply(to:)` does, whatever the thread count.
    public func apply(batch images: [Image]) -> Tensor<Float> {
        let stride = 3 * inputHeight * inputWidth
        guard !images.isEmpty else { return Tensor(zeros: [0, 3, inputHeight, inputWidth]) }
        var scalars = [Float](repeating: 0, count: images.count * stride)
        scalars.withUnsafeMutableBufferPointer { all in
            let base = all.baseAddress!
            Parallel.forEachChunk(images.count) { range in
                for b in range {
                    write(images[b], into: UnsafeMutableBufferPointer(start: base + b * stride, count: stride), parallel: false)
                }
            }
        }
        return Tensor(shape: [images.count, 3, inputHeight, inputWidth], scalars: scalars)
    }

    /// The (height, width) the image is resized to before cropping.
    public func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        switch resizeMode {
        case .exact:
            return (inputHeight, inputWidth)
        case .resizeThenCenterCrop:
            let scaleHeight = Int((Double(inputHeight) / cropPercent).rounded(.down))
            let scaleWidth = Int((Double(inputWidth) / cropPercent).rounded(.down))
            if scaleHeight == scaleWidth {
                return Image.shorterSideSize(height: height, width: width, shorterSide: scaleHeight)
            }
            return (scaleHeight, scaleWidth)
        }
    }

    /// A one-line account of the transform, for verbose and JSON output.
    public var summary: String {
        let mode: String
        switch resizeMode {
        case .exact: mode = "resize to \(inputHeight)×\(inputWidth)"
        case .resizeThenCenterCrop:
            mode = "resize to ⌊\(inputHeight)×\(inputWidth) / \(cropPercent)⌋ (shorter side when square), centre crop \(inputHeight)×\(inputWidth)"
        }
        return "RGB, \(mode), \(interpolation.rawValue), normalise mean \(mean) std \(std)"
    }

    private func write(_ image: Image, into output: UnsafeMutableBufferPointer<Float>, parallel: Bool) {
        precondition(mean.count == 3 && std.count == 3, "mean/std need 3 channels, got \(mean.count)/\(std.count)")
        precondition(cropPercent > 0, "cropPercent must be positive, got \(cropPercent)")
        // 1. Colour planes: one for gray (replicated at the end), three for colour.
        let colourPlanes = image.channels >= 3 ? 3 : 1
        var planes = Array(image.pixels[0..<colourPlanes * image.width * image.height])
        var height = image.height, width = image.width

        // 2. Resize (skipped when the size already matches, as torchvision and Pillow do).
        let target = resizedSize(height: height, width: width)
        if target != (height, width) {
            planes = Resampler.resize(
                planes, channels: colourPlanes, height: height, width: width, toHeight: target.height,
                toWidth: target.width, filter: interpolation, clampTo: 0...1, parallel: parallel)
            (height, width) = target
        }
        var resized = Image(width: width, height: height, channels: colourPlanes, pixels: planes)
        if resizeMode == .resizeThenCenterCrop {
            resized = resized.centerCropped(height: inputHeight, width: inputWidth)
        }

        // 3. Normalise, replicating a gray plane into the three channels.
        let plane = inputHeight * inputWidth
        resized.pixels.withUnsafeBufferPointer { source in
            for c in 0..<3 {
                let from = source.baseAddress! + (colourPlanes == 3 ? c * plane : 0)
                let to = output.baseAddress! + c * plane
                let m = Float(mean[c]), s = Float(std[c])
                for i in 0..<plane { to[i] = (from[i] - m) / s }
            }
        }
    }
}
