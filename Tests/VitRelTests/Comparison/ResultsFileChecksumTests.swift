import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelRendering
@testable import VitRelExplain
@testable import VitRelMetrics
@testable import VitRelTraining
@testable import VitRelReporting

/// Rows are resumed only for unchanged images: each carries its image's checksum, a row with
/// another checksum is measured again and supersedes the stale one, and files written before
/// checksums existed are refused rather than trusted.
final class ResultsFileChecksumTests: XCTestCase {
    private func record(_ image: String, checksum: String, score: Double) -> ComparisonRecord {
        ComparisonRecord(image: image, imageChecksum: checksum, label: "Normal", predicted: "Normal", target: "Normal",
                         probability: 0.5, method: "chefer-lrp", metric: "pixel-flipping", score: score)
    }

    private let key = ComparisonRecord.Key(image: "a.png", method: "chefer-lrp", metric: "pixel-flipping")

    func testARowOfAChangedImageIsNotPresentAndIsSupersededOnAppend() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("results.csv")
        do {
            let file = try ResultsFile(url: url)
            try file.append(record("a.png", checksum: "1111", score: 1))
            XCTAssertTrue(file.contains(key, checksum: "1111"))
            XCTAssertFalse(file.contains(key, checksum: "2222"), "the image changed: its row is stale")
            try file.append(record("a.png", checksum: "1111", score: 9))  // same image: a no-op
            try file.append(record("a.png", checksum: "2222", score: 2))
            XCTAssertEqual(file.records, [record("a.png", checksum: "2222", score: 2)])
        }
        let reopened = try ResultsFile(url: url)
        XCTAssertEqual(reopened.records, [record("a.png", checksum: "2222", score: 2)], "the newest row of a key wins on reading back")
        XCTAssertEqual(try CSVFormat.records(String(contentsOf: url, encoding: .utf8)).count, 3, "header and both rows: the file keeps its history")
    }

    func testAResultsFileWithoutChecksumsIsRefusedSayingHowToGoOn() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("results.csv")
        let old = record("a.png", checksum: "", score: 1).fields.enumerated().filter { $0.offset != 1 }.map(\.element)
        try (CSVFormat.line(ComparisonRecord.headerWithoutChecksum) + "\n" + CSVFormat.line(old) + "\n")
            .write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFile(url: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(url.path) && message.contains("checksum") && message.contains("--fresh"), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }

    func testTheChecksumIsFNV1aAndSeesEveryByteAndFileBoundary() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        func file(_ name: String, _ bytes: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try Data(bytes.utf8).write(to: url)
            return url
        }
        // Published FNV-1a 64 test vectors (Fowler, Noll, Vo): "" and "a".
        XCTAssertEqual(try ContentChecksum.of([try file("empty", "")]), "cbf29ce484222325")
        XCTAssertEqual(try ContentChecksum.of([try file("a", "a")]), "af63dc4c8601ec8c")
        XCTAssertNotEqual(try ContentChecksum.of([try file("b", "b")]), try ContentChecksum.of([try file("a2", "a")]))
        let (ab, c) = (try file("ab", "ab"), try file("c", "c"))
        let (a, bc) = (try file("a3", "a"), try file("bc", "bc"))
        XCTAssertNotEqual(try ContentChecksum.of([ab, c]), try ContentChecksum.of([a, bc]), "image + mask is not just their bytes run together")
        XCTAssertThrowsError(try ContentChecksum.of([directory.appendingPathComponent("missing.png")])) { error in
            XCTAssertTrue("\(error)".contains("missing.png"))
        }
    }
}
