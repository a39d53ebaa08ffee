import VitRelCore

/// The resampling kernels vitrel knows: the names timm configs and Hugging Face
/// preprocessor configs use.
public typealias ResampleFilter = Preprocessing.Interpolation

/// Separable image resizing with Pillow's kernels, on floating-point planes.
///
/// Pillow `Image.resize` / `ImagingResample` (`src/libImaging/Resample.c`): each output
/// sample is a normalised weighted sum of the input samples under a kernel centred at
/// `(i + 0.5) · scale` in input coordinates (pixel centres, "align_corners=False"). When
/// downscaling, the kernel is stretched by the scale factor, so it averages every input
/// sample it covers (antialiasing); weights are renormalised at the borders instead of
/// padding. Width is resampled first, then height. The kernels are Pillow's
/// (`ResampleFilter+Kernel.swift`: box, bilinear, hamming, bicubic with a = −0.5, lanczos). torch's
/// `F.interpolate(mode="bicubic"/"bilinear", antialias=True, align_corners=False)` uses the
/// same construction (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`, `_compute_weights_aa`),
/// which is how timm resamples position embeddings, so one implementation serves both.
///
/// Nearest follows Pillow too (`ImagingScaleAffine` in `Geometry.c`): source index =
/// ⌊position⌋ where the position starts at scale/2 and advances by `scale` per output sample.
///
/// Unlike Pillow's 8-bit path, nothing is rounded between or after the passes; Pillow's
/// mode "F" path matches this one to float precision. `PillowResampler` is the 8-bit path,
/// bit for bit, on the same weights.
///
///     // timm `resample_abs_pos_embed`: a 14×14 grid of D-dim embeddings, transposed to
///     // planar [D, 14, 14], to 16×16 — in Double, as torch does for the reference.
///     let resampled = Resampler.resize(grid, channels: D, height: 14, width: 14,
///                                      toHeight: 16, toWidth: 16, filter: .bicubic)  // [D, 16, 16]
public enum Resampler {
    /// The weights of one axis: for output position `i`, input samples
    /// `starts[i] ..< starts[i] + counts[i]` with weights `weights[i * window ..< i * window + counts[i]]`.
    /// Computed once per resize (Pillow `precompute_coeffs`) and shared by every row/column.
    public struct AxisWeights<Scalar: TensorScalar>: Sendable {
        public let inputSize: Int
        public let outputSize: Int
        /// Upper bound on the taps of one output position (Pillow's `ksize`): the row stride of `weights`.
        public let window: Int
        public let starts: [Int]
        public let counts: [Int]
        public let weights: [Scalar]

        public init(inputSize: Int, outputSize: Int, filter: ResampleFilter) {
            precondition(inputSize > 0 && outputSize > 0, "resample \(inputSize) → \(outputSize)")
            self.inputSize = inputSize
            self.outputSize = outputSize
            let scale = Double(inputSize) / Double(outputSize)
            if filter == .nearest {
                // Pillow accumulates the position (xo += a[0]) rather than multiplying; kept
                // so the index at exact-integer boundaries is Pillow's.
                var position = scale * 0.5
                var starts = [Int](repeating: 0, count: outputSize)
                for i in 0..<outputSize {
                    starts[i] = min(max(Int(position), 0), inputSize - 1)
                    position += scale
                }
                self.window = 1
                self.starts = starts
                self.counts = [Int](repeating: 1, count: outputSize)
                self.weights = [Scalar](repeating: 1, count: outputSize)
                return
            }
            let filterScale = max(scale, 1)  // > 1 when downscaling: the kernel widens (antialiasing)
            let support = filter.support * filterScale
            // Pillow (and torch's `_compute_weights_aa`) multiply by the inverse scale rather
            // than divide: the same doubles, so `PillowResampler` rounds the very weights Pillow does.
            let inverseFilterScale = 1 / filterScale
            let window = Int(support.rounded(.up)) * 2 + 1
            var starts = [Int](repeating: 0, count: outputSize)
            var counts = [Int](repeating: 0, count: outputSize)
            var weights = [Scalar](repeating: 0, count: outputSize * window)
            var taps = [Double](repeating: 0, count: window)
            for i in 0..<outputSize {
                let center = (Double(i) + 0.5) * scale
                // C's (int) cast truncates toward zero; both bounds are clamped to the image.
                let first = max(Int(center - support + 0.5), 0)
                let end = min(Int(center + support + 0.5), inputSize)
                let count = max(end - first, 0)
                var total = 0.0
                for k in 0..<count {
                    let w = filter.kernel((Double(first + k) - center + 0.5) * inverseFilterScale)
                    taps[k] = w
                    total += w
                }
                for k in 0..<count {
                    weights[i * window + k] = Scalar(total != 0 ? taps[k] / total : taps[k])
                }
                starts[i] = first
                counts[i] = count
            }
            self.window = window
            self.starts = starts
            self.counts = counts
            self.weights = weights
        }
    }

    /// Resizes planar [channels, height, width] samples to [channels, toHeight, toWidth].
    ///
    /// - Parameters:
    ///   - clampTo: when given, every sample is clamped into this range after each pass,
    ///     as Pillow's 8-bit path saturates to 0…255 after each pass (bicubic overshoots at
    ///     sharp edges). Leave nil to match Pillow's mode "F" and torch.
    ///   - parallel: split rows over `Parallel.threadCount` threads. Each output sample is
    ///     computed the same way whatever the split, so the result does not depend on it.
    /// - Complexity: O(channels · (height · toWidth · ⌈taps_x⌉ + toHeight · toWidth · ⌈taps_y⌉)).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func resize<Scalar: TensorScalar>(
        _ planes: UnsafeBufferPointer<Scalar>, channels: Int, height: Int, width: Int,
        toHeight: Int, toWidth: Int, filter: ResampleFilter,
        clampTo: ClosedRange<Scalar>? = nil, parallel: Bool = true
    ) -> [Scalar] {
        precondition(channels > 0 && height > 0 && width > 0 && toHeight > 0 && toWidth > 0,
                     "resize [\(channels), \(height), \(width)] → [\(toHeight), \(toWidth)]")
        precondition(planes.count == channels * height * width,
                     "resize input has \(planes.count) samples, [\(channels), \(height), \(width)] needs \(channels * height * width)")
        guard let input = planes.baseAddress else { return [] }
        return resize(channels: channels, height: height, width: width, toHeight: toHeight, toWidth: toWidth,
                      filter: filter, clampTo: clampTo, parallel: parallel) { c, y, _ in
            UnsafePointer(input + (c * height + y) * width)
        }
    }

    /// `resize` reading its input a row at a time: `row(channel, y, scratch)` returns the
    /// `width` samples of row `y` of `channel`, either a pointer into storage of its own or
    /// `scratch` (room for `width` samples, one buffer per thread) filled with them.
    ///
    /// Only the rows the height pass needs are asked for, each once, so an image kept in its
    /// 8- or 16-bit codes is converted a row at a time and never held as full-size floats
    /// (`Preprocessing.input(reading:)`). The numbers are those of the planar `resize`.
    @_specialize(where Scalar == Float)
    public static func resize<Scalar: TensorScalar>(
        channels: Int, height: Int, width: Int, toHeight: Int, toWidth: Int, filter: ResampleFilter,
        clampTo: ClosedRange<Scalar>? = nil, parallel: Bool = true,
        row: (_ channel: Int, _ y: Int, _ scratch: UnsafeMutablePointer<Scalar>) -> UnsafePointer<Scalar>
    ) -> [Scalar] {
        precondition(channels > 0 && height > 0 && width > 0 && toHeight > 0 && toWidth > 0,
                     "resize [\(channels), \(height), \(width)] → [\(toHeight), \(toWidth)]")

        // The height weights come first only to tell which input rows the height pass reads,
        // so the width pass skips the others (Pillow's ybox_first / ybox_last).
        let vertical = toHeight != height ? AxisWeights<Scalar>(inputSize: height, outputSize: toHeight, filter: filter) : nil
        let firstRow = vertical.map { $0.starts[0] } ?? 0
        let endRow = vertical.map { v in (0..<toHeight).map { v.starts[$0] + v.counts[$0] }.max()! } ?? height
        let rowsUsed = endRow - firstRow

        // Pass 1: along the width, for the rows the height pass reads (Pillow `ResampleHorizontal`).
        var widthPassed: [Scalar]
        if toWidth != width {
            let horizontal = AxisWeights<Scalar>(inputSize: width, outputSize: toWidth, filter: filter)
            widthPassed = [Scalar](repeating: 0, count: channels * rowsUsed * toWidth)
            widthPassed.withUnsafeMutableBufferPointer { out in
                resampleRows(row, out.baseAddress!, channels: channels, firstRow: firstRow,
                             rows: rowsUsed, width: width, axis: horizontal, clampTo: clampTo, parallel: parallel)
            }
        } else {
            widthPassed = [Scalar](repeating: 0, count: channels * rowsUsed * width)
            let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: width)
            defer { scratch.deallocate() }
            widthPassed.withUnsafeMutableBufferPointer { out in
                for c in 0..<channels {
                    for r in 0..<rowsUsed {
                        (out.baseAddress! + (c * rowsUsed + r) * width).update(from: row(c, firstRow + r, scratch), count: width)
                    }
                }
            }
        }
        guard let vertical else { return widthPassed }

        // Pass 2: along the height (Pillow `ResampleVertical`), whole rows at a time.
        var out = [Scalar](repeating: 0, count: channels * toHeight * toWidth)
        widthPassed.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                resampleColumns(source.baseAddress!, target.baseAddress!, channels: channels, rows: rowsUsed,
                                firstRow: firstRow, width: toWidth, axis: vertical, clampTo: clampTo, parallel: parallel)
            }
        }
        return out
    }

    /// `resize` on an array.
    public static func resize<Scalar: TensorScalar>(
        _ planes: [Scalar], channels: Int, height: Int, width: Int,
        toHeight: Int, toWidth: Int, filter: ResampleFilter,
        clampTo: ClosedRange<Scalar>? = nil, parallel: Bool = true
    ) -> [Scalar] {
        planes.withUnsafeBufferPointer {
            resize($0, channels: channels, height: height, width: width, toHeight: toHeight, toWidth: toWidth,
                   filter: filter, clampTo: clampTo, parallel: parallel)
        }
    }

    /// out[c, r, i] = Σₖ w[i, k] · in[c, firstRow + r, start[i] + k].
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func resampleRows<Scalar: TensorScalar>(
        _ row: (Int, Int, UnsafeMutablePointer<Scalar>) -> UnsafePointer<Scalar>, _ output: UnsafeMutablePointer<Scalar>,
        channels: Int, firstRow: Int, rows: Int, width: Int, axis: AxisWeights<Scalar>, clampTo: ClosedRange<Scalar>?,
        parallel: Bool
    ) {
        // `body` below is a stored closure, so the compiler counts `row` as escaping into it;
        // it does not outlive this call.
        withoutActuallyEscaping(row) { row in
            resampleRows(escaping: row, output, channels: channels, firstRow: firstRow, rows: rows, width: width,
                         axis: axis, clampTo: clampTo, parallel: parallel)
        }
    }

    private static func resampleRows<Scalar: TensorScalar>(
        escaping row: @escaping (Int, Int, UnsafeMutablePointer<Scalar>) -> UnsafePointer<Scalar>,
        _ output: UnsafeMutablePointer<Scalar>, channels: Int, firstRow: Int, rows: Int, width: Int,
        axis: AxisWeights<Scalar>, clampTo: ClosedRange<Scalar>?, parallel: Bool
    ) {
        let toWidth = axis.outputSize
        let window = axis.window
        axis.withTables { tables in
            let body = { (range: Range<Int>) in
                let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: width)
                defer { scratch.deallocate() }
                for job in range {
                    let c = job / rows, r = job % rows
                    let source = row(c, firstRow + r, scratch)
                    let target = output + job * toWidth
                    for i in 0..<toWidth {
                        let start = tables.starts[i], w = tables.weights.baseAddress! + i * window
                        var sum: Scalar = 0
                        for k in 0..<tables.counts[i] { sum += source[start + k] * w[k] }
                        target[i] = clampTo.map { Swift.min(Swift.max(sum, $0.lowerBound), $0.upperBound) } ?? sum
                    }
                }
            }
            runResamplingJobs(channels * rows, samplesPerJob: toWidth * window, parallel: parallel, body)
        }
    }

    /// out[c, i, :] = Σₖ w[i, k] · in[c, start[i] + k − firstRow, :] — a sum of whole rows, so
    /// the innermost loop runs over contiguous samples and vectorises.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func resampleColumns<Scalar: TensorScalar>(
        _ input: UnsafePointer<Scalar>, _ output: UnsafeMutablePointer<Scalar>, channels: Int, rows: Int,
        firstRow: Int, width: Int, axis: AxisWeights<Scalar>, clampTo: ClosedRange<Scalar>?, parallel: Bool
    ) {
        let toHeight = axis.outputSize
        let window = axis.window
        axis.withTables { tables in
            let body = { (range: Range<Int>) in
                for job in range {
                    let c = job / toHeight, i = job % toHeight
                    let target = output + job * width
                    for x in 0..<width { target[x] = 0 }
                    for k in 0..<tables.counts[i] {
                        let w = tables.weights[i * window + k]
                        let source = input + (c * rows + tables.starts[i] + k - firstRow) * width
                        for x in 0..<width { target[x] += w * source[x] }
                    }
                    if let range = clampTo {
                        for x in 0..<width { target[x] = Swift.min(Swift.max(target[x], range.lowerBound), range.upperBound) }
                    }
                }
            }
            runResamplingJobs(channels * toHeight, samplesPerJob: width * window, parallel: parallel, body)
        }
    }
}

/// Runs a resampling pass's `jobs` (one output row or column each, `samplesPerJob` multiply-adds
/// apiece) on the thread pool in chunks of about 32k multiply-adds, or on the calling thread.
func runResamplingJobs(_ jobs: Int, samplesPerJob: Int, parallel: Bool, _ body: (Range<Int>) -> Void) {
    if parallel {
        Parallel.forEachChunk(jobs, grain: max(1, 32768 / max(1, samplesPerJob)), body)
    } else {
        body(0..<jobs)
    }
}
