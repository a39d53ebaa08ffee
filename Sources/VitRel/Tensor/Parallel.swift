import COpenBLAS
import Dispatch
import Foundation

/// Thread settings shared by BLAS and vitrel's own kernels.
///
/// Kernels split work only over independent rows, never inside a reduction, so results do
/// not depend on the thread count (the determinism contract).
public enum Parallel {
    /// Threads used by vitrel's kernels and OpenBLAS. Defaults to the number of cores.
    public private(set) static var threadCount: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Sets both vitrel's and OpenBLAS's thread counts (the CLI's `--threads`).
    public static func setThreadCount(_ count: Int) {
        threadCount = max(1, count)
        openblas_set_num_threads(Int32(threadCount))
    }

    /// Runs `body` over `0..<count` in contiguous chunks, in parallel when the work is
    /// large enough to pay for it. `grain` is the smallest chunk worth a thread.
    @inlinable
    public static func forEachChunk(
        _ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let workers = min(threadCount, max(1, count / max(1, grain)))
        if workers <= 1 {
            body(0..<count)
            return
        }
        let chunk = (count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }
}
