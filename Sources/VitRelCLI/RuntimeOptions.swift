import ArgumentParser
import VitRel

/// Options every command shares.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Threads for matrix products and vitrel's kernels (default: all cores). Results do not depend on it.")
    var threads: Int?

    func apply() {
        MemoryTuning.retainLargeFreedBlocks()
        if let threads { Parallel.setThreadCount(threads) }
    }
}
