import Foundation
import VitRelCore
import VitRelImaging

/// SLIC superpixels: k-means on (colour, position) restricted to a window around each centre
/// (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods",
/// TPAMI 2012), step for step as scikit-image 0.26's `slic` with its defaults
/// (`start_label = 0`, no mask, no SLIC-zero, unit spacing).
///
/// 1. All samples are min–max stretched to [0, 1]; 3 channels are converted to CIELAB
///    (`colorSpace` nil picks Lab for 3 channels, plain intensities otherwise, as scikit-image
///    does for `channel_axis=None` gray); optional Gaussian blur σ; colours × 1/compactness.
/// 2. Seeds on scikit-image's `regular_grid`: step s = sqrt(HW/N), first seed at ⌊s/2⌋,
///    spacing round-half-even(s). Spatial weight 1/S², S the largest step. Seed colours start
///    at 0, so the first assignment is purely spatial.
/// 3. `maxIterations` rounds: each seed k, in order, claims the pixels within ±2·step whose
///    distance D = (Δy² + Δx²)/S² + ‖Δc‖² is strictly smaller than their best so far (ties stay
///    with the lower k); centres move to the means of their pixels.
/// 4. Connectivity: 4-connected pieces are flood-filled in raster order; a piece smaller than
///    ⌊minSizeFactor·HW/K⌋ joins the last labelled neighbour met by the fill.
///
/// ```swift
/// let segmentation = try SLIC(segmentCount: 50).segment(image)
/// ```
///
/// Complexity O(iterations · HW · C): each pixel lies in about 16 seed windows. The
/// assignment runs in parallel over row bands, each band visiting seeds in the same order,
/// so labels do not depend on the thread count.
public struct SLIC: Sendable, Equatable {
    /// scikit-image's `n_segments`: the approximate number of superpixels.
    public var segmentCount: Int
    /// Weight of space against colour; higher gives squarer superpixels.
    public var compactness: Double
    /// scikit-image's `max_num_iter`.
    public var maxIterations: Int
    /// Gaussian pre-smoothing (pixels); 0 means none.
    public var sigma: Double
    /// nil: Lab for 3-channel images, intensities otherwise (scikit-image's `convert2lab=None`).
    public var colorSpace: SuperpixelColorSpace?
    public var enforceConnectivity: Bool
    /// Pieces smaller than this fraction of the expected size HW/K are merged away.
    public var minSizeFactor: Double
    /// Flood fills stop at this multiple of HW/K (scikit-image's buffer size); larger pieces
    /// are split into several labels.
    public var maxSizeFactor: Double

    public init(
        segmentCount: Int = 100, compactness: Double = 10, maxIterations: Int = 10, sigma: Double = 0,
        colorSpace: SuperpixelColorSpace? = nil, enforceConnectivity: Bool = true,
        minSizeFactor: Double = 0.5, maxSizeFactor: Double = 3
    ) {
        self.segmentCount = segmentCount
        self.compactness = compactness
        self.maxIterations = maxIterations
        self.sigma = sigma
        self.colorSpace = colorSpace
        self.enforceConnectivity = enforceConnectivity
        self.minSizeFactor = minSizeFactor
        self.maxSizeFactor = maxSizeFactor
    }

    /// Segments `image` (any channel count; values as `Image` holds them).
    public func segment(_ image: Image) throws -> Segmentation {
        try validate()
        let space = colorSpace ?? (image.channels == 3 ? .lab : .intensity)
        var features = PixelFeatures(image: image, colorSpace: space, stretch: true)
        features.blur(sigma: sigma)
        features.scale(by: 1.0 / compactness)
        let labels = cluster(features)
        guard enforceConnectivity else { return Segmentation.relabelling(width: image.width, height: image.height, labels: labels) }
        let expectedSize = Double(image.width * image.height) / Double(seedCount(width: image.width, height: image.height))
        let connected = SLIC.enforceConnectivity(
            labels, width: image.width, height: image.height,
            minSize: Int(minSizeFactor * expectedSize), maxSize: Int(maxSizeFactor * expectedSize))
        return Segmentation.relabelling(width: image.width, height: image.height, labels: connected)
    }

    private func validate() throws {
        func fail(_ name: String, _ value: Any, _ requirement: String) -> SuperpixelError {
            .invalidParameter(name: "SLIC.\(name)", value: "\(value)", requirement: requirement)
        }
        guard segmentCount >= 1 else { throw fail("segmentCount", segmentCount, "at least 1") }
        guard compactness > 0, compactness.isFinite else { throw fail("compactness", compactness, "positive") }
        guard maxIterations >= 1 else { throw fail("maxIterations", maxIterations, "at least 1") }
        guard sigma >= 0, sigma.isFinite else { throw fail("sigma", sigma, "0 or positive") }
        guard minSizeFactor >= 0 else { throw fail("minSizeFactor", minSizeFactor, "0 or positive") }
        guard maxSizeFactor > 0 else { throw fail("maxSizeFactor", maxSizeFactor, "positive") }
    }

    // MARK: Seeds

    /// scikit-image's `regular_grid(shape, n)`: per axis a start and a step such that about
    /// `n` points are spaced as evenly as possible. Axes too short for the step are given a
    /// step equal to their length (one point), and the rest re-spaced.
    static func regularGrid(shape: [Int], pointCount: Int) -> (starts: [Int], steps: [Int]) {
        let rank = shape.count
        var spaceSize = Double(shape.reduce(1, *))
        if spaceSize <= Double(pointCount) {
            return ([Int](repeating: 0, count: rank), [Int](repeating: 1, count: rank))
        }
        // Stable sort of the axes by length (numpy's argsort of three values is stable).
        let order = shape.indices.sorted { shape[$0] < shape[$1] || (shape[$0] == shape[$1] && $0 < $1) }
        let sorted = order.map { Double(shape[$0]) }
        var stepSizes = [Double](repeating: pow(spaceSize / Double(pointCount), 1.0 / Double(rank)), count: rank)
        if zip(sorted, stepSizes).contains(where: { $0 < $1 }) {
            for dim in 0..<rank {
                stepSizes[dim] = sorted[dim]
                spaceSize = sorted[(dim + 1)...].reduce(1, *)
                let remaining = rank - dim - 1
                for later in (dim + 1)..<rank {
                    stepSizes[later] = pow(spaceSize / Double(pointCount), 1.0 / Double(remaining))
                }
                if zip(sorted, stepSizes).allSatisfy({ $0 >= $1 }) { break }
            }
        }
        var starts = [Int](repeating: 0, count: rank)
        var steps = [Int](repeating: 1, count: rank)
        for (position, axis) in order.enumerated() {
            starts[axis] = Int((stepSizes[position] / 2).rounded(.down))
            steps[axis] = Int(stepSizes[position].rounded(.toNearestOrEven))
        }
        return (starts, steps)
    }

    /// Seed positions (y, x) in raster order, and the spatial normaliser S (largest step).
    private func seeds(width: Int, height: Int) -> (positions: [(y: Int, x: Int)], step: Double) {
        let grid = SLIC.regularGrid(shape: [1, height, width], pointCount: segmentCount)
        var positions = [(y: Int, x: Int)]()
        for y in stride(from: grid.starts[1], to: height, by: grid.steps[1]) {
            for x in stride(from: grid.starts[2], to: width, by: grid.steps[2]) {
                positions.append((y, x))
            }
        }
        return (positions, Double(grid.steps.max()!))
    }

    private func seedCount(width: Int, height: Int) -> Int { seeds(width: width, height: height).positions.count }

    // MARK: k-means

    /// The SLIC iterations; returns row-major labels 0..<seedCount (some may be unused).
    private func cluster(_ features: PixelFeatures) -> [Int] {
        let width = features.width, height = features.height, channels = features.channels
        let (positions, step) = seeds(width: width, height: height)
        let seedCount = positions.count
        // scikit-image recomputes the window steps from the actual seed count.
        let window = SLIC.regularGrid(shape: [1, height, width], pointCount: seedCount).steps
        let windowY = Double(window[1]), windowX = Double(window[2])
        // scikit-image passes the step as float32 and squares it in float32.
        let step32 = Float(step)
        let spatialWeight = 1.0 / Double(step32 * step32)

        // Centres: [y, x, colour…] per seed; colours start at 0.
        let stride = 2 + channels
        var centres = [Double](repeating: 0, count: seedCount * stride)
        for (k, position) in positions.enumerated() {
            centres[k * stride] = Double(position.y)
            centres[k * stride + 1] = Double(position.x)
        }
        var labels = [Int](repeating: 0, count: width * height)
        var distance = [Double](repeating: .greatestFiniteMagnitude, count: width * height)
        var members = [Int](repeating: 0, count: seedCount)
        var alive = [Bool](repeating: true, count: seedCount)

        for _ in 0..<maxIterations {
            for i in distance.indices { distance[i] = .greatestFiniteMagnitude }
            // Windows of the live centres, in seed order.
            var windows = [(k: Int, y0: Int, y1: Int, x0: Int, x1: Int)]()
            windows.reserveCapacity(seedCount)
            for k in 0..<seedCount where alive[k] {
                let cy = centres[k * stride], cx = centres[k * stride + 1]
                windows.append((k,
                                Int(max(cy - 2 * windowY, 0)), Int(min(cy + 2 * windowY + 1, Double(height))),
                                Int(max(cx - 2 * windowX, 0)), Int(min(cx + 2 * windowX + 1, Double(width)))))
            }
            let bands = max(1, min(Parallel.threadCount, height))
            var changedPerBand = [Bool](repeating: false, count: bands)
            centres.withUnsafeBufferPointer { centre in
                features.values.withUnsafeBufferPointer { colour in
                    labels.withUnsafeMutableBufferPointer { label in
                        distance.withUnsafeMutableBufferPointer { best in
                            changedPerBand.withUnsafeMutableBufferPointer { changed in
                                let bandHeight = (height + bands - 1) / bands
                                Parallel.forEachChunk(bands) { bandRange in
                                    for band in bandRange {
                                        let rowStart = band * bandHeight, rowEnd = min(height, rowStart + bandHeight)
                                        var anyChange = false
                                        for w in windows {
                                            let y0 = max(w.y0, rowStart), y1 = min(w.y1, rowEnd)
                                            if y0 >= y1 { continue }
                                            let base = w.k * stride
                                            let cy = centre[base], cx = centre[base + 1]
                                            for y in y0..<y1 {
                                                var dy = cy - Double(y)
                                                dy *= dy
                                                for x in w.x0..<w.x1 {
                                                    var dx = cx - Double(x)
                                                    dx *= dx
                                                    var d = (0 + dy + dx) * spatialWeight
                                                    var colourDistance = 0.0
                                                    let pixel = (y * width + x) * channels
                                                    for c in 0..<channels {
                                                        let t = colour[pixel + c] - centre[base + 2 + c]
                                                        colourDistance += t * t
                                                    }
                                                    d += colourDistance
                                                    if best[y * width + x] > d {
                                                        label[y * width + x] = w.k
                                                        best[y * width + x] = d
                                                        anyChange = true
                                                    }
                                                }
                                            }
                                        }
                                        changed[band] = anyChange
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if !changedPerBand.contains(true) { break }

            // New centres: means in raster order (serial, so sums never depend on threads).
            for i in centres.indices { centres[i] = 0 }
            for k in members.indices { members[k] = 0 }
            for y in 0..<height {
                for x in 0..<width {
                    let k = labels[y * width + x]
                    members[k] += 1
                    centres[k * stride] += Double(y)
                    centres[k * stride + 1] += Double(x)
                    let pixel = (y * width + x) * channels
                    for c in 0..<channels { centres[k * stride + 2 + c] += features.values[pixel + c] }
                }
            }
            for k in 0..<seedCount {
                // An empty cluster's centre is 0/0 in scikit-image and never wins a pixel again.
                alive[k] = members[k] > 0
                guard alive[k] else { continue }
                let n = Double(members[k])
                for c in 0..<stride { centres[k * stride + c] /= n }
            }
        }
        return labels
    }

    // MARK: Connectivity

    /// scikit-image's `_enforce_label_connectivity_cython` for one plane: breadth-first fills in
    /// raster order with neighbours visited as x+1, x−1, y+1, y−1; a fill that stops below
    /// `minSize` pixels takes the label of the last already-labelled neighbour it met (or
    /// keeps the next fresh label when it met none, which the next piece then shares); a fill
    /// that reaches `maxSize` stops and the rest of that piece starts new fills.
    static func enforceConnectivity(_ labels: [Int], width: Int, height: Int, minSize: Int, maxSize: Int) -> [Int] {
        let unlabelled = -1
        var connected = [Int](repeating: unlabelled, count: labels.count)
        var queue = [Int](repeating: 0, count: max(1, maxSize))
        var nextLabel = 0
        for start in 0..<labels.count where connected[start] == unlabelled {
            let label = labels[start]
            var adjacent = nextLabel
            connected[start] = nextLabel
            queue[0] = start
            var size = 1
            var visited = 0
            fill: while visited < size && size < maxSize {
                let pixel = queue[visited]
                let x = pixel % width, y = pixel / width
                for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                    let xx = x + dx, yy = y + dy
                    guard xx >= 0, xx < width, yy >= 0, yy < height else { continue }
                    let neighbour = yy * width + xx
                    if labels[neighbour] == label && connected[neighbour] == unlabelled {
                        connected[neighbour] = nextLabel
                        queue[size] = neighbour
                        size += 1
                        if size >= maxSize {
                            visited += 1
                            break fill
                        }
                    } else if connected[neighbour] > unlabelled && connected[neighbour] != nextLabel {
                        adjacent = connected[neighbour]
                    }
                }
                visited += 1
            }
            if size < minSize {
                for i in 0..<size { connected[queue[i]] = adjacent }
            } else {
                nextLabel += 1
            }
        }
        return connected
    }
}
