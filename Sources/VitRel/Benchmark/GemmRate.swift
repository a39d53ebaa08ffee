import Foundation

/// A single-precision GEMM rate of this machine, the yardstick for every benchmark ratio: one
/// product of square n×n matrices by one library (oneDNN's `dnnl_sgemm` or OpenBLAS's
/// `cblas_sgemm`) with that library's own threading at `Parallel.threadCount` threads, its
/// best case, independent of how vitrel shares its products out.
///
/// The honest yardstick is the faster of the two (`fastest`): measured against OpenBLAS held
/// to its AVX2 kernels, a forward pass on an AVX-512 machine can look more efficient than it is.
public final class GemmRate {
    public let size: Int
    public let library: MatrixLibrary
    private let a: [Float], b: [Float]
    private var c: [Float]

    /// FLOPs of one product (2n³).
    public var flops: Double { 2 * Double(size) * Double(size) * Double(size) }

    public init(size: Int = 2048, library: MatrixLibrary = .oneDNN) {
        self.size = size
        self.library = library
        var generator = SeededGenerator(seed: 1)
        a = (0..<(size * size)).map { _ in Float(generator.nextUnit()) }
        b = (0..<(size * size)).map { _ in Float(generator.nextUnit()) }
        c = [Float](repeating: 0, count: size * size)
    }

    /// Wall and process CPU seconds of one product.
    public func time() -> (wall: Double, cpu: Double) {
        let n = size
        let watch = Stopwatch()
        let cpu = ProcessClock.cpuSeconds
        switch library {
        case .oneDNN:
            OneDNNGEMM.squareProductWithOwnThreads(Parallel.threadCount, n: n, a: a, b: b, c: &c)
        case .openBLAS:
            Parallel.withBLASThreading {
                OpenBLASGEMM.sgemm(transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n,
                                   b: b, ldb: n, beta: 0, c: &c, ldc: n)
            }
        }
        return (watch.seconds, ProcessClock.cpuSeconds - cpu)
    }

    /// GFLOP/s, the best of `repetitions` products.
    public func rate(repetitions: Int = 5) -> Double {
        bestRate(repetitions: repetitions) { time().wall }
    }

    /// 2n³ over the fastest of `repetitions` timed runs of `product` (wall seconds), after one
    /// untimed run: the first call is where oneDNN generates its kernels and pages are touched.
    private func bestRate(repetitions: Int, _ product: () -> Double) -> Double {
        _ = product()
        let best = (0..<max(1, repetitions)).map { _ in product() }.min()!
        return flops / best / 1e9
    }

    /// GFLOP/s of `library`, the best of `repetitions` products.
    public static func measure(size n: Int = 2048, library: MatrixLibrary = .oneDNN, repetitions: Int = 5) -> Double {
        GemmRate(size: n, library: library).rate(repetitions: repetitions)
    }

    /// Every library's rate, measured back to back, and the faster one: the yardstick.
    public static func fastest(size n: Int = 2048, repetitions: Int = 3) -> (yardstick: GemmRate, rates: [MatrixLibrary: Double]) {
        var rates: [MatrixLibrary: Double] = [:]
        var best: GemmRate?
        for library in MatrixLibrary.allCases {
            let candidate = GemmRate(size: n, library: library)
            rates[library] = candidate.rate(repetitions: repetitions)
            if best.map({ rates[library]! > rates[$0.library]! }) ?? true { best = candidate }
        }
        return (best!, rates)
    }

    /// One line for benchmark output: each library's rate, the yardstick marked.
    public static func describe(_ rates: [MatrixLibrary: Double], yardstick: MatrixLibrary, size: Int) -> String {
        MatrixLibrary.allCases.compactMap { library in
            rates[library].map { String(format: "%@ %.1f", library.displayName, $0) + (library == yardstick ? " (yardstick)" : "") }
        }.joined(separator: ", ") + "  (sgemm \(size)³, each with its own \(Parallel.threadCount) threads, best of a few)"
    }

    /// GFLOP/s of vitrel's bfloat16 product (`BFloat16Products.linear`, oneDNN's bfloat16 matmul
    /// in vitrel's fixed blocks on its threads) on the same n×n×n operands, the best of
    /// `repetitions`: the yardstick of a `--precision bf16` run, beside the fp32 one. Nil where
    /// oneDNN has none.
    public static func bfloat16Rate(size n: Int = 2048, repetitions: Int = 3) -> Double? {
        guard BFloat16Matrix.isSupported else { return nil }
        return GemmRate(size: n).bfloat16Rate(repetitions: repetitions)
    }

    private func bfloat16Rate(repetitions: Int) -> Double {
        let n = size
        let reduced = b.withUnsafeBufferPointer { BFloat16Matrix(rows: n, columns: n, floats: $0) }
        return bestRate(repetitions: repetitions) {
            let watch = Stopwatch()
            a.withUnsafeBufferPointer { x in
                c.withUnsafeMutableBufferPointer { y in
                    BFloat16Products.linear(x: x.baseAddress!, rows: n, weight: reduced, bias: nil, y: y.baseAddress!)
                }
            }
            return watch.seconds
        }
    }
}
