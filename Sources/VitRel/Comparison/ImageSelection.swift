/// Which images a comparison measures: all of them, N per class, or N in total, drawn at
/// random with a seed, optionally only those the model classifies correctly (the AOPC protocol
/// of the COVID-19 Radiography study perturbs correctly predicted test images only).
///
/// The draw is a seeded permutation (per class, or of the whole list), walked in order until
/// the quota is met; `accept` decides in batches whether a candidate counts (e.g. whether the
/// model predicts it correctly), so only as many images are classified as the quota needs.
/// The result keeps the dataset's order, so the same seed always gives the same rows in the
/// same order.
public struct ImageSelection: Equatable, Sendable {
    public enum Quota: Equatable, Sendable {
        case all
        case perClass(Int)
        case total(Int)
    }

    public var quota: Quota
    public var seed: UInt64

    public init(quota: Quota = .all, seed: UInt64 = 0) {
        self.quota = quota
        self.seed = seed
    }

    /// The selected items of `items` (whose `classIndex` lies in 0..<classCount), in their
    /// original order. `accept` gets candidates in draw order, a batch at a time, and returns
    /// one flag per candidate.
    public func select(
        _ items: [LabelledImage], classCount: Int, batchSize: Int = 32,
        accept: ([LabelledImage]) throws -> [Bool] = { Array(repeating: true, count: $0.count) }
    ) throws -> [LabelledImage] {
        precondition(batchSize >= 1, "batch size \(batchSize)")
        var chosen = [Int]()
        /// Walks `order` (indices into items) and takes accepted ones until `quota` are taken.
        func take(_ order: [Int], quota: Int) throws {
            var taken = 0, next = 0
            while taken < quota && next < order.count {
                let end = min(order.count, next + min(batchSize, max(1, quota - taken)))
                let candidates = Array(order[next..<end])
                let flags = try accept(candidates.map { items[$0] })
                precondition(flags.count == candidates.count, "accept returned \(flags.count) flags for \(candidates.count) items")
                for (index, flag) in zip(candidates, flags) where flag && taken < quota {
                    chosen.append(index)
                    taken += 1
                }
                next = end
            }
        }
        switch quota {
        case .all:
            try take(Array(items.indices), quota: items.count)
        case .total(let count):
            var generator = SeededGenerator(seed: seed, stream: 0)
            try take(generator.subset(of: items.count, count: items.count), quota: count)
        case .perClass(let count):
            for classIndex in 0..<classCount {
                let members = items.indices.filter { items[$0].classIndex == classIndex }
                var generator = SeededGenerator(seed: seed, stream: UInt64(classIndex) + 1)
                let order = generator.subset(of: members.count, count: members.count).map { members[$0] }
                try take(order, quota: count)
            }
        }
        return chosen.sorted().map { items[$0] }
    }
}

extension ImageSelection {
    /// How many of `items` each class has (classes 0..<classCount): what a per-class quota
    /// could at most take, and what it took.
    public static func classCounts(_ items: [LabelledImage], classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for item in items where item.classIndex >= 0 && item.classIndex < classCount { counts[item.classIndex] += 1 }
        return counts
    }
}
