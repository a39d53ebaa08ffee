/// How a training run evens out unequal classes (`vitrel train --balance`).
public enum ClassBalancing: String, CaseIterable, Codable, Sendable {
    /// Every training image, the loss unweighted.
    case none
    /// Each class drawn down (with the seed) to the size of the smallest
    /// (`DatasetIndex.downsampledToSmallestClass`).
    case downsample
    /// Every image, each class's loss weighted by its inverse frequency
    /// (`DatasetIndex.inverseFrequencyWeights`).
    case weights
}

/// Two remedies for class imbalance: fewer samples of the big classes, or heavier losses on
/// the small ones.
extension DatasetIndex {
    /// The index with every class cut to the size of the smallest (non-empty) class, keeping
    /// a seeded random subset of each (Fisher–Yates with one `SeededGenerator` stream per
    /// class) in index order. Classes with no items stay empty. Apply it to one split
    /// (`restricted(to: .train)`) to balance training without shrinking the test set.
    public func downsampledToSmallestClass(seed: UInt64) -> DatasetIndex {
        let counts = classCounts
        guard let smallest = counts.filter({ $0 > 0 }).min() else { return self }
        var positionsByClass = [[Int]](repeating: [], count: classNames.count)
        for (position, item) in items.enumerated() { positionsByClass[item.classIndex].append(position) }
        var kept: [Int] = []
        for (classIndex, positions) in positionsByClass.enumerated() where !positions.isEmpty {
            var shuffled = positions
            var generator = SeededGenerator(seed: seed, stream: UInt64(classIndex))
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
                let j = Int(generator.next() % UInt64(i + 1))
                shuffled.swapAt(i, j)
            }
            kept += shuffled.prefix(smallest)
        }
        var copy = self
        copy.items = kept.sorted().map { items[$0] }
        return copy
    }

    /// Inverse-frequency loss weights, one per class: N / (K · n_c) for the K classes present
    /// (n_c > 0), 0 for absent classes — the "balanced" weighting of King & Zeng (2001), as in
    /// scikit-learn. The item-weighted mean weight is 1, so the loss scale is unchanged.
    public func inverseFrequencyWeights() -> [Double] {
        let counts = classCounts
        let present = counts.filter { $0 > 0 }.count
        let total = counts.reduce(0, +)
        return counts.map { $0 > 0 ? Double(total) / (Double(present) * Double($0)) : 0 }
    }
}
