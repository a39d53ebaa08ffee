import Dispatch
import Foundation

/// Wall-clock timing for benchmarks (monotonic clock).
public struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    public init() {}
    public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
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
