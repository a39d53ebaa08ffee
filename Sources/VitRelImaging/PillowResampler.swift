import VitRelCore

/// Pillow's `Image.resize` on 8-bit images, bit for bit: what timm's eval pipeline (and any
/// processor that resizes through PIL) does to a PNG before the model sees it.
///
/// Pillow resizes modes L and RGB in fixed point (`src/libImaging/Resample.c`):
/// - weights: the double kernel weights of `precompute_coeffs` (the ones `Resampler` uses,
///   `Resampler.AxisWeights<Double>`), scaled by 2^`precisionBits` and rounded half away from
///   zero (`normalize_coeffs_8bpc`); they need not sum to exactly 2^22 any more.
/// - each output sample: ss = 2^21 + Σ code · weight in 32-bit integers, then
///   clamp(ss >> 22, 0, 255) (`clip8`): rounded half up and saturated, **after each pass**.
/// - passes (`ImagingResampleInner`): a pass whose size does not change is skipped
///   (`need_horizontal` / `need_vertical` without a `box`), so a one-axis resize rounds once.
///   With both, Pillow 13.0.0 runs the vertical pass first when the height shrinks by more
///   than twice what the width shrinks by (h − H > 0 and h − H > 2 · (w − W)), else the
///   horizontal one first. The order changes the codes (the intermediate image is rounded),
///   so it is reproduced; the rule was read from the installed wheel's `ImagingResampleInner`
///   (its `second_pass`), as the public source snapshot at hand always goes horizontal first.
///   The first pass computes only the rows (or all columns) the second reads; that saves work
///   and changes no value.
/// - `Image.resize` itself: an image already at the size is copied.
/// - nearest does not go through `Resample.c` at all: `_resize` calls `ImagingTransform`
///   (`ImagingScaleAffine` in `Geometry.c`), which picks samples by index — the indices of
///   `Resampler.AxisWeights` for `.nearest`, so no rounding happens.
///
/// RGB is three independent channels with the same arithmetic as L, so a gray image resized
/// as one plane and replicated equals Pillow's resize of its `convert("RGB")`. Samples are
/// planar [channels, height, width] codes.
///
///     let codes: [UInt8] = ...                                   // [1, 29, 37]
///     let out = PillowResampler.resize(codes, channels: 1, height: 29, width: 37,
///                                      toHeight: 20, toWidth: 25, filter: .bicubic)  // [1, 20, 25]
public enum PillowResampler {
    /// Pillow's `PRECISION_BITS = 32 − 8 − 2`: 8 bits for the result, 2 for the overshoot of
    /// negative-lobed kernels, in a 32-bit accumulator.
    public static let precisionBits = 22

    /// One axis's weights in Pillow's fixed point: as `Resampler.AxisWeights`, with
    /// `coefficients[i * window + k]` = the weight × 2^22 rounded half away from zero.
    public struct FixedPointAxis: Sendable {
        public let outputSize: Int
        public let window: Int
        public let starts: [Int]
        public let counts: [Int]
        public let coefficients: [Int32]

        public init(inputSize: Int, outputSize: Int, filter: ResampleFilter) {
            precondition(filter != .nearest, "nearest resizes by index, not by weights")
            let weights = Resampler.AxisWeights<Double>(inputSize: inputSize, outputSize: outputSize, filter: filter)
            let one = Double(1 << PillowResampler.precisionBits)
            self.outputSize = outputSize
            self.window = weights.window
            self.starts = weights.starts
            self.counts = weights.counts
            // Int32(_: Double) truncates toward zero, as C's (int) cast does.
            self.coefficients = weights.weights.map { w in Int32(w < 0 ? -0.5 + w * one : 0.5 + w * one) }
        }
    }

    /// Pillow's `clip8` of an accumulated sum (which already holds the 2^21 rounding term):
    /// an arithmetic shift (floor), saturated to 0…255.
    @inline(__always)
    package static func clip8(_ sum: Int32) -> UInt8 {
        UInt8(truncatingIfNeeded: Swift.min(Swift.max(sum >> Int32(precisionBits), 0), 255))
    }

    /// `resize` on an array of planar codes.
    public static func resize(
        _ planes: [UInt8], channels: Int, height: Int, width: Int, toHeight: Int, toWidth: Int, filter: ResampleFilter,
        parallel: Bool = true
    ) -> [UInt8] {
        precondition(planes.count == channels * height * width,
                     "resize input has \(planes.count) samples, [\(channels), \(height), \(width)] needs \(channels * height * width)")
        return planes.withUnsafeBufferPointer { input in
            resize(channels: channels, height: height, width: width, toHeight: toHeight, toWidth: toWidth,
                   filter: filter, parallel: parallel) { c, y, _ in
                UnsafePointer(input.baseAddress! + (c * height + y) * width)
            }
        }
    }

    /// Resizes [channels, height, width] codes to [channels, toHeight, toWidth] as Pillow's
    /// `Image.resize(size, resample)` does (no `box`, no `reducing_gap`: what torchvision's
    /// `Resize` calls).
    ///
    /// `row(channel, y, scratch)` returns the `width` codes of row `y` of `channel`, either a
    /// pointer into storage of its own or `scratch` (room for `width` codes, one per thread)
    /// filled with them. Each output sample is computed the same way whatever the thread split.
    /// - Complexity: O(channels · (rows read · toWidth · taps_x + toHeight · toWidth · taps_y)).
    public static func resize(
        channels: Int, height: Int, width: Int, toHeight: Int, toWidth: Int, filter: ResampleFilter, parallel: Bool = true,
        row: (_ channel: Int, _ y: Int, _ scratch: UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8>
    ) -> [UInt8] {
        precondition(channels > 0 && height > 0 && width > 0 && toHeight > 0 && toWidth > 0,
                     "resize [\(channels), \(height), \(width)] → [\(toHeight), \(toWidth)]")
        if filter == .nearest || (toHeight == height && toWidth == width) {
            return select(channels: channels, height: height, width: width, toHeight: toHeight, toWidth: toWidth, row: row)
        }
        let vertical = toHeight != height ? FixedPointAxis(inputSize: height, outputSize: toHeight, filter: filter) : nil
        let horizontal = toWidth != width ? FixedPointAxis(inputSize: width, outputSize: toWidth, filter: filter) : nil

        // Rows the vertical pass reads (all of them when it is skipped).
        let firstRow = vertical?.starts[0] ?? 0
        let endRow = vertical.map { $0.starts[toHeight - 1] + $0.counts[toHeight - 1] } ?? height
        let rows = endRow - firstRow

        // Height first when it shrinks much more than the width (Pillow 13's pass order).
        if let vertical, let horizontal, height - toHeight > 0 && height - toHeight > 2 * (width - toWidth) {
            let read = copy(channels: channels, firstRow: firstRow, rows: rows, width: width, row: row)
            let heightPassed = resampleColumns(read, channels: channels, rows: rows, firstRow: firstRow, width: width,
                                               axis: vertical, parallel: parallel)
            return heightPassed.withUnsafeBufferPointer { source in
                resampleRows(channels: channels, firstRow: 0, rows: toHeight, width: width, axis: horizontal, parallel: parallel) { c, y, _ in
                    UnsafePointer(source.baseAddress! + (c * toHeight + y) * width)
                }
            }
        }

        let widthPassed = horizontal.map {
            resampleRows(channels: channels, firstRow: firstRow, rows: rows, width: width, axis: $0, parallel: parallel, row: row)
        } ?? copy(channels: channels, firstRow: firstRow, rows: rows, width: width, row: row)
        guard let vertical else { return widthPassed }
        return resampleColumns(widthPassed, channels: channels, rows: rows, firstRow: firstRow, width: toWidth, axis: vertical, parallel: parallel)
    }

    /// Rows `firstRow ..< firstRow + rows` of every channel, as [channels, rows, width].
    private static func copy(
        channels: Int, firstRow: Int, rows: Int, width: Int, row: (Int, Int, UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8>
    ) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: channels * rows * width)
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: width)
        defer { scratch.deallocate() }
        out.withUnsafeMutableBufferPointer { target in
            for c in 0..<channels {
                for r in 0..<rows {
                    (target.baseAddress! + (c * rows + r) * width).update(from: row(c, firstRow + r, scratch), count: width)
                }
            }
        }
        return out
    }

    /// Nearest (`ImagingScaleAffine`), and the copy of an unchanged size: out[c, y, x] =
    /// in[c, ys[y], xs[x]] with `Resampler.AxisWeights`' nearest indices (the identity at scale 1).
    private static func select(
        channels: Int, height: Int, width: Int, toHeight: Int, toWidth: Int,
        row: (Int, Int, UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8>
    ) -> [UInt8] {
        let ys = Resampler.AxisWeights<Double>(inputSize: height, outputSize: toHeight, filter: .nearest).starts
        let xs = Resampler.AxisWeights<Double>(inputSize: width, outputSize: toWidth, filter: .nearest).starts
        var out = [UInt8](repeating: 0, count: channels * toHeight * toWidth)
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: width)
        defer { scratch.deallocate() }
        out.withUnsafeMutableBufferPointer { target in
            for c in 0..<channels {
                for y in 0..<toHeight {
                    let source = row(c, ys[y], scratch)
                    let line = target.baseAddress! + (c * toHeight + y) * toWidth
                    for x in 0..<toWidth { line[x] = source[xs[x]] }
                }
            }
        }
        return out
    }

    /// The horizontal pass (`_ImagingResampleHorizontal_8bpc`): out[c, r, i] =
    /// clip8(2^21 + Σₖ in[c, firstRow + r, start[i] + k] · coefficient[i, k]).
    static func resampleRows(
        channels: Int, firstRow: Int, rows: Int, width: Int, axis: FixedPointAxis, parallel: Bool,
        row: (Int, Int, UnsafeMutablePointer<UInt8>) -> UnsafePointer<UInt8>
    ) -> [UInt8] {
        let toWidth = axis.outputSize, window = axis.window
        let half = Int32(1) << Int32(precisionBits - 1)
        var out = [UInt8](repeating: 0, count: channels * rows * toWidth)
        // `body` below is a stored closure, so the compiler counts `row` as escaping into it;
        // it does not outlive this call.
        withoutActuallyEscaping(row) { row in
            out.withUnsafeMutableBufferPointer { target in
                let output = target.baseAddress!
                axis.withTables { tables in
                    let body = { (range: Range<Int>) in
                        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: width)
                        defer { scratch.deallocate() }
                        for job in range {
                            let c = job / rows, r = job % rows
                            let source = row(c, firstRow + r, scratch)
                            let line = output + job * toWidth
                            for i in 0..<toWidth {
                                let from = source + tables.starts[i], k = tables.weights.baseAddress! + i * window
                                var sum = half
                                // Wrapping arithmetic, as Pillow's C ints (no sum of codes can reach 2^31).
                                for t in 0..<tables.counts[i] { sum &+= Int32(from[t]) &* k[t] }
                                line[i] = clip8(sum)
                            }
                        }
                    }
                    runResamplingJobs(channels * rows, samplesPerJob: toWidth * window, parallel: parallel, body)
                }
            }
        }
        return out
    }

    /// The vertical pass (`_ImagingResampleVertical_8bpc`) on [channels, rows, width] codes
    /// holding input rows `firstRow ..< firstRow + rows`: whole rows are accumulated at once
    /// in 32-bit integers, so the innermost loop runs over contiguous samples and vectorises.
    static func resampleColumns(
        _ input: [UInt8], channels: Int, rows: Int, firstRow: Int, width: Int, axis: FixedPointAxis, parallel: Bool
    ) -> [UInt8] {
        let toHeight = axis.outputSize, window = axis.window
        let half = Int32(1) << Int32(precisionBits - 1)
        var out = [UInt8](repeating: 0, count: channels * toHeight * width)
        input.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                let output = target.baseAddress!
                axis.withTables { tables in
                    let body = { (range: Range<Int>) in
                        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: width)
                        defer { sums.deallocate() }
                        for job in range {
                            let c = job / toHeight, i = job % toHeight
                            sums.update(repeating: half, count: width)
                            for t in 0..<tables.counts[i] {
                                let k = tables.weights[i * window + t]
                                let line = source.baseAddress! + (c * rows + tables.starts[i] + t - firstRow) * width
                                for x in 0..<width { sums[x] &+= Int32(line[x]) &* k }
                            }
                            let result = output + job * width
                            for x in 0..<width { result[x] = clip8(sums[x]) }
                        }
                    }
                    runResamplingJobs(channels * toHeight, samplesPerJob: width * window, parallel: parallel, body)
                }
            }
        }
        return out
    }
}
