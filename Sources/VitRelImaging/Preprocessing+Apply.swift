import Foundation
import VitRelCore

/// Running the eval transform: image → normalised [3, inputHeight, inputWidth] tensor, in two
/// steps that can be taken apart: `geometry(_:)` (image → image: channels, resize, crop; the
/// pixel image the model sees, which overlays, masks and LIME use) and `normalise(_:)` (that
/// image → tensor). `apply(to:)` is the two in one, bit for bit.
///
/// Steps, mirroring the Python pipelines the checkpoints were trained with:
/// 1. RGB: gray replicated, alpha dropped (Pillow `convert("RGB")`). A gray image is resized
///    as one plane and replicated afterwards — the same numbers, a third of the work.
/// 2. Resize with `interpolation` (Pillow's kernels), in `resizeArithmetic`:
///    - `.pillow` (default): images decoded from 8-bit files (`Image.sourceBitDepth == 8`)
///      are resized in Pillow's 8-bit fixed point (`PillowResampler`), as timm and
///      PIL-based processors resize the PIL image, then scaled by 1/255 (torchvision `ToTensor`).
///      16-bit files take the float path: timm's pipeline has no 8-bit equivalent for them
///      (Pillow's `convert("RGB")` clips I;16 gray to 255 and keeps the high byte of 16-bit
///      colour). An `Image` built in memory whose samples are not multiples of 1/255 is
///      rounded to the nearest code first, as saving it as an 8-bit PNG would.
///    - `.float`: `Resampler` on floats, clamped to [0, 1] after each pass.
///    - `.resizeThenCenterCrop` (timm `transforms_imagenet_eval`): scale size =
///      ⌊input / cropPercent⌋ per side. When both scale sides are equal, the shorter image side
///      becomes that size keeping the aspect ratio (torchvision `Resize(int)`, long side
///      truncated); otherwise the image is resized to exactly the scale size (timm's
///      `crop_mode="squash"`; note timm ≥ 0.9's default "center" mode uses `ResizeKeepRatio`
///      for non-square inputs instead). Then torchvision `CenterCrop` to the input size.
///    - `.exact` (Hugging Face `ViTImageProcessor`): resize straight to the input size.
///    - `.shortestEdgeThenCenterCrop` / `.exactThenCenterCrop` (Hugging Face `BitImageProcessor`
///      / `DeiTImageProcessor`, their PIL backends): the shorter side to `resizeHeight` (long
///      side truncated, as transformers' `get_resize_output_image_size`), or exactly
///      `resizeHeight` × `resizeWidth`; then transformers' `center_crop`, whose offsets floor
///      ((H − h) // 2) where torchvision's round half to even, and which pads a too-small
///      image with ⌈(h − H) / 2⌉ zero rows above where torchvision puts ⌊(h − H) / 2⌋.
/// 3. Normalise: (x − mean) / std per channel, in Float (torchvision `Normalize`).
///
/// Precision: with `.pillow` the tensor is timm's `transforms_imagenet_eval` output on the
/// same 8-bit file bit for bit (same codes, same float32 division and normalisation). The
/// float path agrees with it to within about 1.5/255 per sample before normalisation
/// (exactly for nearest and when no resize happens).
extension Preprocessing {
    /// The model input for one image: [3, inputHeight, inputWidth]; `normalise(geometry(image))`.
    public func apply(to image: Image) -> Tensor<Float> {
        normalise(image.pixels.withUnsafeBufferPointer { geometry(of: image, pixels: $0, parallel: true) })
    }

    /// Step 1 of the transform: the image as the model sees it, before normalisation: RGB
    /// (gray replicated), resized and cropped to inputHeight × inputWidth, samples in [0, 1].
    /// Every map vitrel draws is aligned with it pixel for pixel.
    public func geometry(_ image: Image) -> Image {
        let resized = image.pixels.withUnsafeBufferPointer { pixels in
            geometry(of: image, pixels: pixels, parallel: true)
        }
        return resized.rgb()
    }

    /// Step 2 of the transform: an image at the input size (`geometry`'s output; gray or RGB)
    /// normalised, (x − mean)/std per channel, into the model input [3, inputHeight, inputWidth].
    public func normalise(_ image: Image) -> Tensor<Float> {
        precondition(image.width == inputWidth && image.height == inputHeight && (image.channels == 1 || image.channels >= 3),
                     "image \(image.width)×\(image.height)×\(image.channels); expected \(inputWidth)×\(inputHeight), gray or RGB")
        var scalars = [Float](repeating: 0, count: 3 * inputHeight * inputWidth)
        scalars.withUnsafeMutableBufferPointer { normalise(image, into: $0) }
        return Tensor(shape: [3, inputHeight, inputWidth], scalars: scalars)
    }

    /// Step 2 for a batch: pictures at the input size (`geometry`'s outputs, gray or RGB, one
    /// plane or three each) normalised into [B, 3, inputHeight, inputWidth], in parallel;
    /// picture b's rows are `normalise(images[b])` bit for bit.
    public func normalise(batch images: [Image]) -> Tensor<Float> {
        let stride = 3 * inputHeight * inputWidth
        for image in images {
            precondition(image.width == inputWidth && image.height == inputHeight && (image.channels == 1 || image.channels >= 3),
                         "image \(image.width)×\(image.height)×\(image.channels); expected \(inputWidth)×\(inputHeight), gray or RGB")
        }
        var scalars = [Float](repeating: 0, count: images.count * stride)
        scalars.withUnsafeMutableBufferPointer { all in
            let base = all.baseAddress
            Parallel.forEachChunk(images.count) { range in
                for b in range { normalise(images[b], into: UnsafeMutableBufferPointer(start: base! + b * stride, count: stride)) }
            }
        }
        return Tensor(shape: [images.count, 3, inputHeight, inputWidth], scalars: scalars)
    }

    /// Both steps at once for a decoded image, after `checkResize` (`file` names it in the
    /// error): the pixel image and the model input made from it.
    public func prepare(_ image: Image, file: String) throws -> PreparedImage {
        try checkResize(width: image.width, height: image.height, file: file)
        let pixels = geometry(image)
        return PreparedImage(pixels: pixels, input: normalise(pixels))
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
        case .shortestEdgeThenCenterCrop:
            return Image.shorterSideSize(height: height, width: width, shorterSide: resizeHeight ?? inputHeight)
        case .exactThenCenterCrop:
            return (resizeHeight ?? inputHeight, resizeWidth ?? inputWidth)
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
        case .shortestEdgeThenCenterCrop:
            mode = "resize the shorter side to \(resizeHeight ?? inputHeight), centre crop \(inputHeight)×\(inputWidth) (transformers' offsets)"
        case .exactThenCenterCrop:
            mode = "resize to \((resizeHeight ?? inputHeight))×\((resizeWidth ?? inputWidth)), centre crop \(inputHeight)×\(inputWidth) (transformers' offsets)"
        }
        let arithmetic = resizeArithmetic == .pillow ? "Pillow 8-bit arithmetic (8-bit files)" : "float arithmetic"
        return "RGB, \(mode), \(interpolation.rawValue) in \(arithmetic), normalise mean \(mean) std \(std)"
    }

    private func write(_ image: Image, into output: UnsafeMutableBufferPointer<Float>, parallel: Bool) {
        image.pixels.withUnsafeBufferPointer { pixels in
            normalise(geometry(of: image, pixels: pixels, parallel: parallel), into: output)
        }
    }

    /// `geometry` on an image's samples, before a gray plane is replicated.
    private func geometry(of image: Image, pixels: UnsafeBufferPointer<Float>, parallel: Bool) -> Image {
        let (width, height) = (image.width, image.height)
        let plane = { (c: Int, y: Int) in pixels.baseAddress! + (c * height + y) * width }
        return geometry(width: width, height: height, channels: image.channels, parallel: parallel,
                        eightBit: image.sourceBitDepth == 8) { c, y, _ in
            UnsafePointer(plane(c, y))
        } codes: { c, y, scratch in
            let row = plane(c, y)
            for x in 0..<width {
                let v = row[x]  // NaN → 0, as the float path's clamp leaves it harmless
                scratch[x] = v > 0 ? (v < 1 ? UInt8((v * 255).rounded()) : 255) : 0
            }
            return UnsafePointer(scratch)
        }
    }

    /// The transform's geometry on an image given a row at a time: `row(channel, y, scratch)`
    /// as floats in [0, 1] and `codes(channel, y, scratch)` as 8-bit codes (read only when
    /// `eightBit`), both as in `Resampler.resize(…row:)`. Only the first 1 (gray) or 3 (colour)
    /// channels are read; the result has 1 or 3 planes at the input size.
    private func geometry(
        width: Int, height: Int, channels: Int, parallel: Bool, eightBit: Bool,
        row: (Int, Int, UnsafeMutablePointer<Float>) -> UnsafePointer<Float>,
        codes: (Int, Int, UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8>
    ) -> Image {
        precondition(cropPercent > 0, "cropPercent must be positive, got \(cropPercent)")
        // 1. Colour planes: one for gray (replicated at the end), three for colour.
        let colourPlanes = channels >= 3 ? 3 : 1
        var planes: [Float]
        var height = height, width = width

        // 2. Resize (skipped when the size already matches, as torchvision and Pillow do).
        let target = resizedSize(height: height, width: width)
        if target != (height, width) && eightBit && resizeArithmetic == .pillow {
            // torchvision ToTensor: code / 255 in float32.
            planes = PillowResampler.resize(
                channels: colourPlanes, height: height, width: width, toHeight: target.height, toWidth: target.width,
                filter: interpolation, parallel: parallel, row: codes
            ).map { Float($0) / 255 }
            (height, width) = target
        } else if target != (height, width) {
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
        if let rounding = resizeMode.centerCrop {
            resized = resized.centerCropped(height: inputHeight, width: inputWidth, rounding: rounding)
        }
        return resized
    }

    /// 3. Normalise an image at the input size into `output` [3, H, W], replicating a gray
    /// plane into the three channels.
    private func normalise(_ image: Image, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(mean.count == 3 && std.count == 3, "mean/std need 3 channels, got \(mean.count)/\(std.count)")
        let plane = inputHeight * inputWidth
        let colourPlanes = image.channels >= 3 ? 3 : 1
        image.pixels.withUnsafeBufferPointer { source in
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
    /// (`checkResize`), and the samples are read a row at a time as the resize reads them
    /// (8-bit codes for Pillow's arithmetic, floats otherwise): peak memory is the file's samples
    /// plus the width-resized rows, not the 4 bytes per sample of `ImageIO.read`. The numbers
    /// are `apply(to: ImageIO.read(url, options: options))`'s.
    public func input(reading url: URL, options: ImageReadOptions = .fileDefaults, parallel: Bool = true) throws -> Tensor<Float> {
        let samples = try ImageIO.readSamples(url, options: options)
        try checkResize(width: samples.width, height: samples.height, file: url.path)
        let pixels = geometry(width: samples.width, height: samples.height, channels: samples.channels, parallel: parallel,
                              eightBit: samples.bitDepth == 8) { c, y, scratch in
            samples.row(channel: c, y: y, into: scratch)
            return UnsafePointer(scratch)
        } codes: { c, y, scratch in
            samples.codes(channel: c, y: y, into: scratch)
            return UnsafePointer(scratch)
        }
        return normalise(pixels)
    }

    /// `apply(to:)` after `checkResize`: for an image decoded already (`file` names it in the error).
    public func checkedInput(for image: Image, file: String) throws -> Tensor<Float> {
        try checkResize(width: image.width, height: image.height, file: file)
        return apply(to: image)
    }
}
