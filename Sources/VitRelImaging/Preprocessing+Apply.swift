import Foundation
import VitRelCore

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
        let (width, height) = (image.width, image.height)
        image.pixels.withUnsafeBufferPointer { pixels in
            write(width: width, height: height, channels: image.channels, into: output, parallel: parallel) { c, y, _ in
                pixels.baseAddress! + (c * height + y) * width
            }
        }
    }

    /// The transform on an image given a row at a time: `row(channel, y, scratch)` as in
    /// `Resampler.resize(…row:)`. Only the first 1 (gray) or 3 (colour) channels are read.
    private func write(
        width: Int, height: Int, channels: Int, into output: UnsafeMutableBufferPointer<Float>, parallel: Bool,
        row: (Int, Int, UnsafeMutablePointer<Float>) -> UnsafePointer<Float>
    ) {
        precondition(mean.count == 3 && std.count == 3, "mean/std need 3 channels, got \(mean.count)/\(std.count)")
        precondition(cropPercent > 0, "cropPercent must be positive, got \(cropPercent)")
        // 1. Colour planes: one for gray (replicated at the end), three for colour.
        let colourPlanes = channels >= 3 ? 3 : 1
        var planes: [Float]
        var height = height, width = width

        // 2. Resize (skipped when the size already matches, as torchvision and Pillow do).
        let target = resizedSize(height: height, width: width)
        if target != (height, width) {
            planes = Resampler.resize(
                channels: colourPlanes, height: height, width: width, toHeight: target.height,
                toWidth: target.width, filter: interpolation, clampTo: 0...1, parallel: parallel, row: row)
            (height, width) = target
        } else {
            planes = [Float](repeating: 0, count: colourPlanes * height * width)
            planes.withUnsafeMutableBufferPointer { out in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: width)
                defer { scratch.deallocate() }
                for c in 0..<colourPlanes {
                    for y in 0..<height { (out.baseAddress! + (c * height + y) * width).update(from: row(c, y, scratch), count: width) }
                }
            }
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

/// Images whose preprocessing would be absurd, refused before any pixel is resized, and the
/// model-input path that never holds a full-size float copy of the image.
extension Preprocessing {
    /// Most pixels a resize may produce, or read in its second pass (input rows × output
    /// width): the decoder's own limit. A 1,000,000 × 1 PNG is a 1 KB file, but resizing its
    /// shorter side to 146 would make it 146,000,000 × 146 — 85 GB of floats.
    public static var maximumResizedPixelCount: Int { ImageIO.maximumPixelCount }

    /// Throws `ImageError.tooLargeToResize` when the transform would resize a `width` ×
    /// `height` image past `maximumResizedPixelCount`.
    public func checkResize(width: Int, height: Int, file: String) throws {
        let target = resizedSize(height: height, width: width)
        guard target != (height, width) else { return }
        let limit = Self.maximumResizedPixelCount
        let (pixels, overflow) = target.height.multipliedReportingOverflow(by: target.width)
        let (firstPass, overflow2) = height.multipliedReportingOverflow(by: target.width)
        guard !overflow && !overflow2 && pixels <= limit && firstPass <= limit else {
            throw ImageError.tooLargeToResize(
                file: file, width: width, height: height, resizedWidth: target.width, resizedHeight: target.height)
        }
    }

    /// The model input [3, inputHeight, inputWidth] for an image file.
    ///
    /// The file is decoded to its 8- or 16-bit samples, the resize is checked
    /// (`checkResize`), and the samples are converted to floats a row at a time as the resize
    /// reads them: peak memory is the file's samples plus the width-resized rows, not the
    /// 4 bytes per sample of `ImageIO.read`. The numbers are `apply(to: ImageIO.read(url, options: options))`'s.
    public func input(reading url: URL, options: ImageReadOptions = .fileDefaults, parallel: Bool = true) throws -> Tensor<Float> {
        let samples = try ImageIO.readSamples(url, options: options)
        try checkResize(width: samples.width, height: samples.height, file: url.path)
        var scalars = [Float](repeating: 0, count: 3 * inputHeight * inputWidth)
        scalars.withUnsafeMutableBufferPointer { output in
            write(width: samples.width, height: samples.height, channels: samples.channels, into: output, parallel: parallel) { c, y, scratch in
                samples.row(channel: c, y: y, into: scratch)
                return UnsafePointer(scratch)
            }
        }
        return Tensor(shape: [3, inputHeight, inputWidth], scalars: scalars)
    }

    /// `apply(to:)` after `checkResize`: for an image decoded already (`file` names it in the error).
    public func checkedInput(for image: Image, file: String) throws -> Tensor<Float> {
        try checkResize(width: image.width, height: image.height, file: file)
        return apply(to: image)
    }
}
