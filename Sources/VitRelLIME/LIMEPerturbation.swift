import VitRelCore
import VitRelImaging

/// What a hidden superpixel shows in a perturbed image (lime_image's `hide_color`).
public enum HiddenSegmentFill: Sendable, Equatable {
    /// Each hidden superpixel takes its own per-channel mean (lime's default, `hide_color=None`):
    /// the region's texture disappears but its overall brightness stays.
    case segmentMean
    /// A constant colour in the image's value range: one value per channel, or one value for
    /// all channels (lime's scalar `hide_color`, e.g. 0 for black).
    case color([Float])
}

/// Builds LIME's perturbed images straight into a batch tensor: pixel p of sample s is the
/// image's when s keeps p's superpixel, else the fill image's.
///
/// Superpixels cross each row in runs of equal label, so each output image is assembled from
/// block copies of those runs, from the image or from the fill (a few thousand `memcpy`s per
/// 224² image instead of a per-pixel gather). Parallel over the samples of the batch; each
/// output image is written by one thread, so the result does not depend on the thread count.
struct LIMEPerturbation {
    let width: Int
    let height: Int
    let channels: Int
    /// Planar [C, H, W] original.
    let image: [Float]
    /// Planar [C, H, W] what hidden pixels show.
    let fill: [Float]
    let labels: [Int32]
    /// Maximal runs of one label along the rows of the flat [H·W] plane.
    let runStarts: [Int]
    let runLengths: [Int]
    let runLabels: [Int]

    init(image: Image, segmentation: Segmentation, fill: HiddenSegmentFill) throws {
        precondition(image.width == segmentation.width && image.height == segmentation.height)
        width = image.width
        height = image.height
        channels = image.channels
        self.image = image.pixels
        labels = segmentation.labels
        let plane = width * height
        var starts = [Int](), lengths = [Int](), runLabels = [Int]()
        for y in 0..<height {
            var x = 0
            while x < width {
                let label = labels[y * width + x]
                var end = x + 1
                while end < width && labels[y * width + end] == label { end += 1 }
                starts.append(y * width + x)
                lengths.append(end - x)
                runLabels.append(Int(label))
                x = end
            }
        }
        runStarts = starts
        runLengths = lengths
        self.runLabels = runLabels
        switch fill {
        case .segmentMean:
            // Means accumulated in Double, in raster order.
            var sums = [Double](repeating: 0, count: segmentation.count * channels)
            let sizes = segmentation.segmentSizes
            for c in 0..<channels {
                for p in 0..<plane { sums[Int(labels[p]) * channels + c] += Double(image.pixels[c * plane + p]) }
            }
            var filled = [Float](repeating: 0, count: plane * channels)
            for c in 0..<channels {
                for p in 0..<plane {
                    let k = Int(labels[p])
                    filled[c * plane + p] = Float(sums[k * channels + c] / Double(sizes[k]))
                }
            }
            self.fill = filled
        case .color(let colour):
            guard colour.count == 1 || colour.count == channels else {
                throw LIMEError.hideColorChannels(given: colour.count, imageChannels: channels)
            }
            var filled = [Float](repeating: 0, count: plane * channels)
            for c in 0..<channels {
                let value = colour.count == 1 ? colour[0] : colour[c]
                for p in 0..<plane { filled[c * plane + p] = value }
            }
            self.fill = filled
        }
    }

    /// Perturbed images of samples `rows` as a [rows.count, C, H, W] tensor.
    func batch(_ samples: LIMESampleMatrix, rows: Range<Int>) -> Tensor<Float> {
        let plane = width * height
        let imageSize = channels * plane
        let featureCount = samples.featureCount
        let scalars = [Float](unsafeUninitializedCapacity: rows.count * imageSize) { buffer, initialised in
            let output = buffer.baseAddress!
            image.withUnsafeBufferPointer { image in
                fill.withUnsafeBufferPointer { fill in
                    samples.values.withUnsafeBufferPointer { keep in
                        Parallel.forEachChunk(rows.count) { chunk in
                            for b in chunk {
                                let z = keep.baseAddress! + (rows.lowerBound + b) * featureCount
                                let out = output + b * imageSize
                                for c in 0..<channels {
                                    let offset = c * plane
                                    for run in 0..<runStarts.count {
                                        let source = z[runLabels[run]] != 0 ? image.baseAddress! : fill.baseAddress!
                                        let at = offset + runStarts[run]
                                        (out + at).initialize(from: source + at, count: runLengths[run])
                                    }
                                }
                            }
                        }
                    }
                }
            }
            initialised = rows.count * imageSize
        }
        return Tensor(shape: [rows.count, channels, height, width], scalars: scalars)
    }
}
