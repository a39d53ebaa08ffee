import Foundation

/// The draws of one augmentation: a similarity transform about the image centre followed by
/// a brightness/contrast change. `identity` leaves an image bit for bit unchanged.
public struct AugmentationParameters: Codable, Equatable, Sendable {
    /// Rotation in radians; positive turns the content clockwise as displayed (y points down).
    public var rotation: Double
    /// Zoom factor: > 1 enlarges the content.
    public var scale: Double
    /// Translation of the content in pixels (+x right, +y down).
    public var shiftX: Double
    public var shiftY: Double
    /// Added to every sample after the contrast change, in the units of the (normalised) input.
    public var brightness: Double
    /// Factor on each sample's distance from the image mean.
    public var contrast: Double

    public init(rotation: Double = 0, scale: Double = 1, shiftX: Double = 0, shiftY: Double = 0,
                brightness: Double = 0, contrast: Double = 1) {
        self.rotation = rotation
        self.scale = scale
        self.shiftX = shiftX
        self.shiftY = shiftY
        self.brightness = brightness
        self.contrast = contrast
    }

    public static let identity = AugmentationParameters()
}

/// Training-time augmentation of preprocessed [C, H, W] images, mild enough for chest X-rays
/// (which are always upright and never mirrored): small rotation, zoom and shift, applied as
/// ONE affine bilinear resampling (resampling once blurs less than chaining three transforms),
/// then brightness and contrast.
///
/// Geometry: pixel centres sit at integer coordinates and the transform is taken about the
/// centre c = ((W − 1)/2, (H − 1)/2): output(q) = input(c + R(−θ)·(q − c − shift)/scale),
/// sampled bilinearly. Where the source point falls outside the image, `border` decides:
/// `.replicate` (default) repeats the edge pixels, which keeps the dark border of an X-ray dark
/// instead of drawing a new straight edge; `.constant(v)` fills with v (in normalised units:
/// black after the usual (x − 0.5)/0.5 normalisation is −1).
///
/// Photometry: y = contrast·x + (1 − contrast)·mean + brightness, with the mean over the whole
/// image, so contrast 1 and brightness 0 are exactly the identity.
///
/// Every parameter comes from the caller's `SeededGenerator`, six draws per image in a fixed
/// order, so a seed fixes the augmentation.
public struct ImageAugmentation: Codable, Equatable, Sendable {
    public enum Border: Codable, Equatable, Sendable {
        case replicate
        case constant(Double)
    }

    /// Rotation is uniform in ±maximumRotationDegrees.
    public var maximumRotationDegrees: Double
    /// Zoom is uniform in this range.
    public var scaleRange: ClosedRange<Double>
    /// Shift is uniform in ±fraction·width (x) and ±fraction·height (y).
    public var maximumShiftFraction: Double
    /// Additive brightness is uniform in this range.
    public var brightnessRange: ClosedRange<Double>
    /// Contrast factor is uniform in this range.
    public var contrastRange: ClosedRange<Double>
    public var border: Border

    public init(
        maximumRotationDegrees: Double = 10, scaleRange: ClosedRange<Double> = 0.9...1.1,
        maximumShiftFraction: Double = 0.05, brightnessRange: ClosedRange<Double> = -0.1...0.1,
        contrastRange: ClosedRange<Double> = 0.9...1.1, border: Border = .replicate
    ) {
        self.maximumRotationDegrees = maximumRotationDegrees
        self.scaleRange = scaleRange
        self.maximumShiftFraction = maximumShiftFraction
        self.brightnessRange = brightnessRange
        self.contrastRange = contrastRange
        self.border = border
    }

    /// ±10°, zoom 0.9–1.1, shift ±5 %, brightness ±0.1, contrast 0.9–1.1, replicated border.
    public static let standard = ImageAugmentation()

    /// Draws one image's parameters (always six draws, in the order of the fields).
    public func sampleParameters(
        imageHeight: Int, imageWidth: Int, using generator: inout SeededGenerator
    ) -> AugmentationParameters {
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUnit()
        }
        let degrees = uniform(-maximumRotationDegrees...maximumRotationDegrees)
        return AugmentationParameters(
            rotation: degrees * Double.pi / 180, scale: uniform(scaleRange),
            shiftX: uniform(-maximumShiftFraction...maximumShiftFraction) * Double(imageWidth),
            shiftY: uniform(-maximumShiftFraction...maximumShiftFraction) * Double(imageHeight),
            brightness: uniform(brightnessRange), contrast: uniform(contrastRange))
    }

    /// Applies `parameters` to one image [C, H, W].
    public func apply<Scalar: TensorScalar>(_ parameters: AugmentationParameters, to image: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(image.rank == 3, "augmentation needs [C, H, W], got \(image.shape)")
        let channels = image.shape[0], height = image.shape[1], width = image.shape[2]
        var output = [Scalar].uninitialized(image.count)
        image.scalars.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                transform(
                    source.baseAddress!, into: destination.baseAddress!, channels: channels, height: height,
                    width: width, parameters)
            }
        }
        return Tensor(shape: image.shape, scalars: output)
    }

    /// Draws parameters and applies them to one image [C, H, W].
    public func callAsFunction<Scalar: TensorScalar>(
        _ image: Tensor<Scalar>, using generator: inout SeededGenerator
    ) -> Tensor<Scalar> {
        precondition(image.rank == 3, "augmentation needs [C, H, W], got \(image.shape)")
        let parameters = sampleParameters(imageHeight: image.shape[1], imageWidth: image.shape[2], using: &generator)
        return apply(parameters, to: image)
    }

    /// Augments every image of a batch [B, C, H, W]. One seed is drawn from `generator`;
    /// image b uses the stream `SeededGenerator(seed:stream: b)`, so images are processed in
    /// parallel and the result does not depend on the thread count.
    public func augmentBatch<Scalar: TensorScalar>(
        _ images: Tensor<Scalar>, using generator: inout SeededGenerator
    ) -> Tensor<Scalar> {
        precondition(images.rank == 4, "batch augmentation needs [B, C, H, W], got \(images.shape)")
        let batch = images.shape[0], channels = images.shape[1], height = images.shape[2], width = images.shape[3]
        let imageSize = channels * height * width
        let seed = generator.next()
        var output = [Scalar].uninitialized(images.count)
        images.scalars.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                let (sourceBase, destinationBase) = (source.baseAddress!, destination.baseAddress!)
                Parallel.forEachChunk(batch) { range in
                    for b in range {
                        var itemGenerator = SeededGenerator(seed: seed, stream: UInt64(b))
                        let parameters = sampleParameters(imageHeight: height, imageWidth: width, using: &itemGenerator)
                        transform(
                            sourceBase + b * imageSize, into: destinationBase + b * imageSize, channels: channels,
                            height: height, width: width, parameters)
                    }
                }
            }
        }
        return Tensor(shape: images.shape, scalars: output)
    }

    /// The resampling and photometric change of one image, pointer to pointer.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func transform<Scalar: TensorScalar>(
        _ source: UnsafePointer<Scalar>, into destination: UnsafeMutablePointer<Scalar>,
        channels: Int, height: Int, width: Int, _ parameters: AugmentationParameters
    ) {
        let plane = height * width
        let centreX = Double(width - 1) / 2, centreY = Double(height - 1) / 2
        // Inverse map: source = c + R(−θ)·(q − c − shift) / scale.
        let cosine = Foundation.cos(parameters.rotation) / parameters.scale
        let sine = Foundation.sin(parameters.rotation) / parameters.scale
        let fill: Scalar
        let replicate: Bool
        switch border {
        case .replicate: (replicate, fill) = (true, 0)
        case .constant(let value): (replicate, fill) = (false, Scalar(value))
        }
        var mean = 0.0
        for i in 0..<(channels * plane) { mean += Double(source[i]) }
        mean /= Double(max(1, channels * plane))
        let contrast = Scalar(parameters.contrast)
        let offset = Scalar((1 - parameters.contrast) * mean + parameters.brightness)
        let maxX = Double(width - 1), maxY = Double(height - 1)
        for y in 0..<height {
            let dy = Double(y) - centreY - parameters.shiftY
            for x in 0..<width {
                let dx = Double(x) - centreX - parameters.shiftX
                var sourceX = centreX + (cosine * dx + sine * dy)
                var sourceY = centreY + (-sine * dx + cosine * dy)
                if replicate {
                    sourceX = min(max(sourceX, 0), maxX)
                    sourceY = min(max(sourceY, 0), maxY)
                }
                let floorX = sourceX.rounded(.down), floorY = sourceY.rounded(.down)
                let fractionX = Scalar(sourceX - floorX), fractionY = Scalar(sourceY - floorY)
                let x0 = Int(floorX), y0 = Int(floorY)
                let inside0X = x0 >= 0 && x0 < width, inside1X = x0 + 1 >= 0 && x0 + 1 < width
                let inside0Y = y0 >= 0 && y0 < height, inside1Y = y0 + 1 >= 0 && y0 + 1 < height
                for c in 0..<channels {
                    let base = source + c * plane
                    // A neighbour outside the image is the fill value; with replicated borders the
                    // clamped point only reaches outside with weight 0.
                    @inline(__always) func sample(_ inY: Bool, _ row: Int, _ inX: Bool, _ column: Int) -> Scalar {
                        inY && inX ? base[row * width + column] : (replicate ? 0 : fill)
                    }
                    let top = sample(inside0Y, y0, inside0X, x0) * (1 - fractionX) + sample(inside0Y, y0, inside1X, x0 + 1) * fractionX
                    let bottom = sample(inside1Y, y0 + 1, inside0X, x0) * (1 - fractionX)
                        + sample(inside1Y, y0 + 1, inside1X, x0 + 1) * fractionX
                    let value = top * (1 - fractionY) + bottom * fractionY
                    destination[c * plane + y * width + x] = contrast * value + offset
                }
            }
        }
    }
}
