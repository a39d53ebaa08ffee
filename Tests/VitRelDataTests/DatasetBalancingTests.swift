import XCTest
@testable import VitRelData

/// Class balancing: seeded down-sampling to the smallest class, inverse-frequency weights.
final class DatasetBalancingTests: XCTestCase {
    /// An in-memory index with `counts[c]` items of class c (files need not exist).
    private func index(counts: [Int]) -> DatasetIndex {
        let names = (0..<counts.count).map { "class\($0)" }
        var items: [LabelledImage] = []
        for (classIndex, count) in counts.enumerated() {
            for i in 0..<count {
                items.append(LabelledImage(imageURL: URL(fileURLWithPath: "/data/\(names[classIndex])/\(i).png"),
                                           classIndex: classIndex, className: names[classIndex], split: .train))
            }
        }
        return DatasetIndex(root: URL(fileURLWithPath: "/data"), layout: .classFolders, classNames: names,
                            items: items, classDirectories: [:])
    }

    func testDownsamplingKeepsTheSmallestClassCountOfEachClassDeterministically() {
        let full = index(counts: [6, 3, 4])
        let balanced = full.downsampledToSmallestClass(seed: 1)
        XCTAssertEqual(balanced.classCounts, [3, 3, 3])
        XCTAssertEqual(balanced.items, full.downsampledToSmallestClass(seed: 1).items)
        XCTAssertTrue(Set(balanced.items).isSubset(of: Set(full.items)))
        let positions = balanced.items.map { full.items.firstIndex(of: $0)! }
        XCTAssertEqual(positions, positions.sorted(), "balanced items keep index order")
        // The smallest class is kept whole; seeds choose different subsets of the others.
        XCTAssertEqual(balanced.items.filter { $0.classIndex == 1 }, full.items.filter { $0.classIndex == 1 })
        let subsets = Set((0..<10).map { seed in full.downsampledToSmallestClass(seed: UInt64(seed)).items.map(\.imageURL.path) })
        XCTAssertGreaterThan(subsets.count, 1)
    }

    func testDownsamplingIgnoresEmptyClasses() {
        XCTAssertEqual(index(counts: [5, 0, 2]).downsampledToSmallestClass(seed: 3).classCounts, [2, 0, 2])
    }

    func testInverseFrequencyWeightsAreExactAndAverageToOne() {
        let weights = index(counts: [6, 3, 1]).inverseFrequencyWeights()
        XCTAssertEqual(weights, [10.0 / 18, 10.0 / 9, 10.0 / 3])
        let mean = zip(weights, [6.0, 3, 1]).map { $0 * $1 }.reduce(0, +) / 10
        XCTAssertEqual(mean, 1, accuracy: 1e-12)
        XCTAssertEqual(index(counts: [5, 0, 2]).inverseFrequencyWeights(), [7.0 / 10, 0, 7.0 / 4])
        XCTAssertEqual(index(counts: [4, 4]).inverseFrequencyWeights(), [1, 1])
    }
}
