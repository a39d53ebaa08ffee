import Foundation
import XCTest
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

final class ImageSelectionTests: XCTestCase {
    /// 3 classes with 10, 6 and 2 items.
    let items: [LabelledImage] = [(0, 10), (1, 6), (2, 2)].flatMap { classIndex, count in
        (0..<count).map { i in
            LabelledImage(imageURL: URL(fileURLWithPath: "/d/\(classIndex)/\(i).png"), classIndex: classIndex, className: "c\(classIndex)", split: .test)
        }
    }

    func testPerClassQuotaTakesUpToNOfEachClassInDatasetOrder() throws {
        let chosen = try ImageSelection(quota: .perClass(4), seed: 7).select(items, classCount: 3)
        XCTAssertEqual(chosen.filter { $0.classIndex == 0 }.count, 4)
        XCTAssertEqual(chosen.filter { $0.classIndex == 1 }.count, 4)
        XCTAssertEqual(chosen.filter { $0.classIndex == 2 }.count, 2, "a class with fewer items gives all it has")
        let positions = chosen.map { items.firstIndex(of: $0)! }
        XCTAssertEqual(positions, positions.sorted(), "dataset order")
        XCTAssertEqual(try ImageSelection(quota: .perClass(4), seed: 7).select(items, classCount: 3), chosen, "same seed, same images")
        XCTAssertNotEqual(try ImageSelection(quota: .perClass(4), seed: 8).select(items, classCount: 3), chosen)
    }

    func testTotalQuotaIsASeededUniformDraw() throws {
        XCTAssertEqual(try ImageSelection(quota: .total(5), seed: 1).select(items, classCount: 3).count, 5)
        XCTAssertEqual(try ImageSelection(quota: .total(50), seed: 1).select(items, classCount: 3), items)
        XCTAssertEqual(try ImageSelection().select(items, classCount: 3), items)
        // Every item is equally likely: over many seeds each is drawn about 5/18 of the time.
        var counts = [LabelledImage: Int]()
        for seed in 0..<3600 { for item in try ImageSelection(quota: .total(5), seed: UInt64(seed)).select(items, classCount: 3) { counts[item, default: 0] += 1 } }
        for item in items { XCTAssertEqual(Double(counts[item] ?? 0) / 3600, 5.0 / 18, accuracy: 0.035, "\(item.imageURL.path)") }
    }

    func testRejectedCandidatesAreReplacedUntilTheQuotaIsMet() throws {
        var asked = 0
        // Accept only even-numbered files, as --only-correct accepts correct predictions.
        let chosen = try ImageSelection(quota: .perClass(3), seed: 3).select(items, classCount: 3, batchSize: 2) { batch in
            asked += batch.count
            return batch.map { Int($0.imageURL.deletingPathExtension().lastPathComponent)! % 2 == 0 }
        }
        XCTAssertTrue(chosen.allSatisfy { Int($0.imageURL.deletingPathExtension().lastPathComponent)! % 2 == 0 })
        XCTAssertEqual(chosen.map(\.classIndex), [0, 0, 0, 1, 1, 1, 2])
        XCTAssertLessThan(asked, items.count, "stops asking once each class has its quota")
    }
}
