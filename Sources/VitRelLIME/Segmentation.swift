import VitRelCore

/// A partition of an image into superpixels: one label per pixel, numbered 0..<count, every
/// label used.
///
/// LIME switches superpixels on and off by label, so it needs labels 0…n−1 with none missing.
/// lime_image counts `np.unique(segments)` features but indexes them by label value, which
/// breaks with scikit-image's default `start_label = 1` (one segment is never hidden); keeping
/// the contiguity invariant in this type rules that bug out. Build one with a segmenter
/// (`SLIC`, `Quickshift`, `PatchGrid`) or from arbitrary labels with `relabelling`.
public struct Segmentation: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Row-major [height, width] labels in 0..<count.
    public let labels: [Int32]
    /// Number of superpixels; every label in 0..<count occurs at least once.
    public let count: Int

    /// Wraps labels that already satisfy the invariant (checked: a violation is a programming
    /// error of the segmenter that produced them).
    public init(width: Int, height: Int, labels: [Int32], count: Int) {
        precondition(width > 0 && height > 0, "empty segmentation \(width)x\(height)")
        precondition(labels.count == width * height, "labels \(labels.count) ≠ \(height)×\(width)")
        var used = [Bool](repeating: false, count: count)
        for label in labels {
            precondition(label >= 0 && Int(label) < count, "label \(label) outside 0..<\(count)")
            used[Int(label)] = true
        }
        precondition(used.allSatisfy { $0 }, "labels 0..<\(count) are not all used")
        self.width = width
        self.height = height
        self.labels = labels
        self.count = count
    }

    /// Renumbers arbitrary labels (e.g. scikit-image's, starting at 1) to 0..<count, keeping
    /// their order: the smallest value becomes 0 (what `np.unique(..., return_inverse=True)` does).
    public static func relabelling(width: Int, height: Int, labels: [Int]) -> Segmentation {
        precondition(labels.count == width * height, "labels \(labels.count) ≠ \(height)×\(width)")
        let values = Array(Set(labels)).sorted()
        var index = [Int: Int32](minimumCapacity: values.count)
        for (i, value) in values.enumerated() { index[value] = Int32(i) }
        return Segmentation(width: width, height: height, labels: labels.map { index[$0]! }, count: values.count)
    }

    /// The labels as an int32 NPY array [height, width], as `vitrel segment --labels` and
    /// `explain --method lime` write them (numpy reads them as scikit-image's segments, 0-based).
    public var labelArray: NPYArray { NPYArray(shape: [height, width], values: labels) }

    /// The label of the pixel at column `x`, row `y`.
    public func label(x: Int, y: Int) -> Int { Int(labels[y * width + x]) }

    /// Number of pixels in each superpixel, indexed by label.
    public var segmentSizes: [Int] {
        var sizes = [Int](repeating: 0, count: count)
        for label in labels { sizes[Int(label)] += 1 }
        return sizes
    }

    /// Flat pixel indices (y·width + x) of each superpixel, in raster order.
    public var pixelIndices: [[Int]] {
        var members = segmentSizes.map { size -> [Int] in
            var list = [Int]()
            list.reserveCapacity(size)
            return list
        }
        for (pixel, label) in labels.enumerated() { members[Int(label)].append(pixel) }
        return members
    }

    /// Row-major [height, width] mask of the pixels that touch another superpixel (one of their
    /// 4-neighbours has a different label): both sides of every border are marked, like
    /// scikit-image's `find_boundaries(mode='thick')` restricted to 4-connectivity. Draw it
    /// over the image to show the superpixels.
    public func boundaryMask() -> [Bool] {
        var mask = [Bool](repeating: false, count: labels.count)
        for y in 0..<height {
            for x in 0..<width {
                let here = labels[y * width + x]
                if x + 1 < width, labels[y * width + x + 1] != here {
                    mask[y * width + x] = true
                    mask[y * width + x + 1] = true
                }
                if y + 1 < height, labels[(y + 1) * width + x] != here {
                    mask[y * width + x] = true
                    mask[(y + 1) * width + x] = true
                }
            }
        }
        return mask
    }

    /// Spreads one value per superpixel over its pixels: a row-major [height, width] map
    /// (LIME's superpixel weights become a relevance heatmap this way).
    public func paint<Scalar: BinaryFloatingPoint>(_ valuePerSegment: [Scalar]) -> [Scalar] {
        precondition(valuePerSegment.count == count, "\(valuePerSegment.count) values for \(count) superpixels")
        return labels.map { valuePerSegment[Int($0)] }
    }
}
