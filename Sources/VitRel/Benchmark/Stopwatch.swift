import Dispatch
import Foundation

/// Wall-clock timing for benchmarks (monotonic clock).
public struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    public init() {}
    public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Runs `body` `repetitions` times and returns the median duration in seconds.
    public static func median(repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
        var times = [Double]()
        for _ in 0..<max(1, repetitions) {
            let watch = Stopwatch()
            try body()
            times.append(watch.seconds)
        }
        times.sort()
        return times[times.count / 2]
    }
}

/// CPU time of the whole process, all threads together. Against wall time it tells a slow run
/// from a starved one on a shared machine: a process that keeps 2 threads busy accrues 2 CPU
/// seconds per second, one time-sliced with other jobs accrues less.
public enum ProcessClock {
    public static var cpuSeconds: Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The machine's own single-precision GEMM rate, the yardstick for every benchmark ratio.
public enum GemmRate {
    /// GFLOP/s of one cblas_sgemm call on square n×n matrices (best of `repetitions`), with
    /// OpenBLAS's own threading at `Parallel.threadCount` threads: the library's best case,
    /// independent of how vitrel shares its products out.
    public static func measure(size n: Int = 2048, repetitions: Int = 5) -> Double {
        measureRates(size: n, repetitions: repetitions).wall
    }

    /// The wall-clock rate of `measure` and the same FLOPs per CPU second of the process times
    /// the thread count (equal when every thread is busy for the whole call; higher when the
    /// machine time-slices the process with other jobs). Both the best of `repetitions`.
    public static func measureRates(size n: Int = 2048, repetitions: Int = 5) -> (wall: Double, cpu: Double) {
        var generator = SeededGenerator(seed: 1)
        let a = (0..<(n * n)).map { _ in Float(generator.nextUnit()) }
        let b = (0..<(n * n)).map { _ in Float(generator.nextUnit()) }
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity, bestCPU = Double.infinity
        Parallel.withBLASThreading {
            for _ in 0..<repetitions {
                let watch = Stopwatch()
                let cpu = ProcessClock.cpuSeconds
                Float.blasGEMM(
                    transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                    beta: 0, c: &c, ldc: n)
                best = min(best, watch.seconds)
                bestCPU = min(bestCPU, ProcessClock.cpuSeconds - cpu)
            }
        }
        let flops = 2 * Double(n) * Double(n) * Double(n)
        return (flops / best / 1e9, flops / (bestCPU / Double(Parallel.threadCount)) / 1e9)
    }
}
