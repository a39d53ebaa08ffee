/// One resampling axis's tables borrowed as raw buffers for a pass's inner loops: output
/// position `i` reads input samples `starts[i] ..< starts[i] + counts[i]` with weights
/// `weights[i * window ..< i * window + counts[i]]`. The float passes (`Resampler`) and
/// Pillow's fixed-point passes (`PillowResampler`) share this shape and differ only in the
/// weight type.
struct ResamplingAxisTables<Weight> {
    let window: Int
    let starts: UnsafeBufferPointer<Int>
    let counts: UnsafeBufferPointer<Int>
    let weights: UnsafeBufferPointer<Weight>

    /// Runs `body` with the three arrays borrowed; the buffers are valid only inside it.
    static func borrowing<Result>(
        window: Int, starts: [Int], counts: [Int], weights: [Weight], _ body: (Self) throws -> Result
    ) rethrows -> Result {
        try starts.withUnsafeBufferPointer { starts in
            try counts.withUnsafeBufferPointer { counts in
                try weights.withUnsafeBufferPointer { weights in
                    try body(Self(window: window, starts: starts, counts: counts, weights: weights))
                }
            }
        }
    }
}

extension Resampler.AxisWeights {
    /// This axis's tables borrowed for the duration of `body`.
    func withTables<Result>(_ body: (ResamplingAxisTables<Scalar>) throws -> Result) rethrows -> Result {
        try ResamplingAxisTables.borrowing(window: window, starts: starts, counts: counts, weights: weights, body)
    }
}

extension PillowResampler.FixedPointAxis {
    /// This axis's tables (fixed-point coefficients as the weights) borrowed for `body`.
    func withTables<Result>(_ body: (ResamplingAxisTables<Int32>) throws -> Result) rethrows -> Result {
        try ResamplingAxisTables.borrowing(window: window, starts: starts, counts: counts, weights: coefficients, body)
    }
}
