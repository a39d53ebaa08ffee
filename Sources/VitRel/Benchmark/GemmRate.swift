import Foundation

/// The machine's own single-precision GEMM rate, the yardstick for every benchmark ratio: one
/// cblas_sgemm on square n×n matrices with OpenBLAS's own threading at `Parallel.threadCount`
/// threads, the library's best case, independent of how vitrel shares its products out.
public final class GemmRate {
    public let size: Int
    private let a: [Float], b: [Float]
    private var c: [Float]

    /// FLOPs of one product (2n³).
    public var flops: Double { 2 * Double(size) * Double(size) * Double(size) }

    public init(size: Int = 2048) {
        self.size = size
        var generator = SeededGenerator(seed: 1)
        a = (0..<(size * size)).map { _ in Float(generator.nextUnit()) }
        b = (0..<(size * size)).map { _ in Float(generator.nextUnit()) }
        c = [Float](repeating: 0, count: size * size)
    }

    /// Wall and process CPU seconds of one product.
    public func time() -> (wall: Double, cpu: Double) {
        Parallel.withBLASThreading {
            let watch = Stopwatch()
            let cpu = ProcessClock.cpuSeconds
            Float.blasGEMM(
                transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1, a: a, lda: size, b: b,
                ldb: size, beta: 0, c: &c, ldc: size)
            return (watch.seconds, ProcessClock.cpuSeconds - cpu)
        }
    }

    /// GFLOP/s, the best of `repetitions` products.
    public static func measure(size n: Int = 2048, repetitions: Int = 5) -> Double {
        let yardstick = GemmRate(size: n)
        let best = (0..<max(1, repetitions)).map { _ in yardstick.time().wall }.min()!
        return yardstick.flops / best / 1e9
    }
}
