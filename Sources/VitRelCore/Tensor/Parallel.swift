import COpenBLAS
import Dispatch
import Foundation

/// The one thread pool vitrel runs on, shared by its kernels and its matrix products.
///
/// OpenBLAS is kept single-threaded: large GEMMs are cut into a fixed set of blocks
/// (`GEMMBlocks`) that vitrel's threads share out. Two pools on two cores (OpenBLAS's
/// workers spin in `sched_yield` between calls while Dispatch's workers run the softmax,
/// LayerNorm and GELU) took ~20% of a ViT-B forward in `perf`; one pool does not
/// oversubscribe. It also makes results independent of the thread count: OpenBLAS's own
/// threading changes the bits of a 197×2304×768 product between 1 and 2 threads, while the
/// block partition depends only on the shape.
///
/// Kernels split work only over independent rows (or output blocks), never inside a
/// reduction, so results do not depend on the thread count (the determinism contract).
public enum Parallel {
    /// Threads used by vitrel's kernels and matrix products. Defaults to the number of cores.
    public private(set) static var threadCount: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Sets vitrel's thread count (the CLI's `--threads`). OpenBLAS stays single-threaded.
    public static func setThreadCount(_ count: Int) {
        threadCount = max(1, count)
    }

    /// Pins OpenBLAS to one thread the first time a matrix product runs (once per process).
    @usableFromInline
    package static let blasIsSingleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Runs `body` with OpenBLAS's own threading at `threadCount` threads, then pins it back
    /// to one. Only for measuring OpenBLAS itself (`GemmRate`), the yardstick of the benchmarks.
    public static func withBLASThreading<T>(_ body: () throws -> T) rethrows -> T {
        _ = blasIsSingleThreaded
        openblas_set_num_threads(Int32(threadCount))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// Marks threads that are running the body of a parallel region; nested regions then run
    /// serially on the thread that meets them instead of oversubscribing the cores.
    @usableFromInline
    static let regionKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    /// True on a thread that is running a chunk of a parallel region.
    @inlinable
    public static var isInsideParallelRegion: Bool { pthread_getspecific(regionKey) != nil }

    @inlinable
    static func asRegionMember(_ body: () -> Void) {
        let previous = pthread_getspecific(regionKey)
        pthread_setspecific(regionKey, UnsafeRawPointer(bitPattern: 1))
        body()
        pthread_setspecific(regionKey, previous)
    }

    /// Runs `body` over `0..<count` in contiguous chunks, in parallel when the work is
    /// large enough to pay for it. `grain` is the smallest chunk worth a thread. Inside
    /// another parallel region the whole range runs on the calling thread.
    @inlinable
    public static func forEachChunk(
        _ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let workers = isInsideParallelRegion ? 1 : min(threadCount, max(1, count / max(1, grain)))
        if workers <= 1 {
            body(0..<count)
            return
        }
        let chunk = (count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * chunk
            let end = min(count, start + chunk)
            if start < end { asRegionMember { body(start..<end) } }
        }
    }

    /// `(0..<count).map(transform)` with the elements made in parallel chunks (`forEachChunk`):
    /// element i is `transform(i)` whatever the thread count. For independent elements that
    /// each cost enough to share out (an image decoded, a picture changed, a phantom drawn).
    @inlinable
    public static func map<T>(_ count: Int, _ transform: (Int) -> T) -> [T] {
        var slots = [T?](repeating: nil, count: count)
        slots.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress
            forEachChunk(count) { range in
                for i in range { base![i] = transform(i) }
            }
        }
        return slots.map { $0! }
    }

    /// Runs `body(task)` for every task in `0..<count`, tasks dealt round-robin to up to
    /// `threadCount` threads (serially inside another parallel region). For a fixed set of
    /// independent tasks whose split must not depend on the thread count.
    @inlinable
    public static func forEachTask(_ count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = isInsideParallelRegion ? 1 : min(threadCount, count)
        if workers <= 1 {
            for task in 0..<count { body(task) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            asRegionMember {
                for task in stride(from: worker, to: count, by: workers) { body(task) }
            }
        }
    }
}
