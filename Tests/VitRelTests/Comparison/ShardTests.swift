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
import VitRelTestSupport

/// `--shard K/N`: the partition covers the selection exactly once, shards write apart and
/// exclude whole runs (and copies of themselves), and their state can be read while they run.
final class ShardTests: XCTestCase {
    private func record(_ image: String, metric: String = "pixel-flipping", checksum: String = "11", score: Double = 1) -> ComparisonRecord {
        ComparisonRecord(image: image, imageChecksum: checksum, label: "Normal", predicted: "Normal", target: "Normal",
                         probability: 0.5, method: "chefer-lrp", metric: metric, score: score)
    }

    func testKOverNParsesAndEverythingElseIsRefusedNamingTheFlag() throws {
        let shard = try Shard(parsing: " 3 / 8")
        XCTAssertEqual([shard.index, shard.count], [3, 8])
        XCTAssertEqual(shard.description, "3/8")
        XCTAssertEqual(shard.fileStem, "3-of-8")
        for bad in ["0/4", "5/4", "1/0", "-1/3", "a/b", "3", "3/", "/3", "1/2/3", ""] {
            XCTAssertThrowsError(try Shard(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("--shard \(bad):"), "\(error)")
            }
        }
    }

    func testTheShardsCoverEveryItemOnceRoundRobinInOrder() throws {
        let items = Array(0..<13)
        for count in 1...6 {
            let parts = try (1...count).map { try Shard(index: $0, count: count).members(of: items) }
            XCTAssertEqual(parts.flatMap { $0 }.sorted(), items, "N = \(count): each item exactly once")
            for (k, part) in parts.enumerated() {
                XCTAssertEqual(part, part.sorted(), "a shard keeps the selection's order")
                XCTAssertTrue(part.allSatisfy { $0 % count == k })
                XCTAssertTrue(part.allSatisfy { try! Shard(index: k + 1, count: count).contains(position: $0) })
            }
            XCTAssertLessThanOrEqual(parts.map(\.count).max()! - parts.map(\.count).min()!, 1, "sizes differ by at most one")
        }
        XCTAssertEqual(try Shard(parsing: "2/3").members(of: Array(0..<7)), [1, 4])
        XCTAssertEqual(try Shard(parsing: "4/4").members(of: Array(0..<2)), [], "more shards than images: the extra ones are empty")
    }

    func testShardsShareTheFolderButExcludeAWholeRunAndCopiesOfThemselves() throws {
        let folder = try TestPaths.temporaryDirectory(self)
        var first: OutputFolderLock? = try OutputFolderLock(folder: folder, mode: .shared)
        var second: OutputFolderLock? = try OutputFolderLock(folder: folder, mode: .shared)
        XCTAssertThrowsError(try OutputFolderLock(folder: folder)) { error in
            XCTAssertEqual(error as? OutputFolderLock.Failure, .shardsRunning(folder: folder.path))
            XCTAssertTrue("\(error)".contains("vitrel shards \(folder.path)"), "\(error)")
        }
        var shardLock: OutputFolderLock? = try OutputFolderLock(folder: folder, fileName: "1-of-2.lock")
        XCTAssertTrue(OutputFolderLock.isHeldExclusively(folder.appendingPathComponent("1-of-2.lock")))
        XCTAssertThrowsError(try OutputFolderLock(folder: folder, fileName: "1-of-2.lock")) { error in
            guard case .busy(_, let pid)? = error as? OutputFolderLock.Failure else { return XCTFail("\(error)") }
            XCTAssertEqual(pid, "\(getpid())")
        }
        XCTAssertNotNil(first)
        first = nil
        XCTAssertThrowsError(try OutputFolderLock(folder: folder), "one shard still runs")
        XCTAssertNotNil(second.map { _ in shardLock })
        (second, shardLock) = (nil, nil)
        var whole: OutputFolderLock? = try OutputFolderLock(folder: folder)
        XCTAssertThrowsError(try OutputFolderLock(folder: folder, mode: .shared)) { error in
            guard case .busy? = error as? OutputFolderLock.Failure else { return XCTFail("\(error)") }
        }
        XCTAssertNotNil(whole)
        whole = nil
        XCTAssertFalse(OutputFolderLock.isHeldExclusively(folder.appendingPathComponent("1-of-2.lock")), "released with its owner")
        XCTAssertFalse(OutputFolderLock.isHeldExclusively(folder.appendingPathComponent("missing.lock")))
    }

    func testFinishedRecordsReadsWholeRowsAndLeavesAFileBeingWrittenAlone() throws {
        let url = try TestPaths.temporaryDirectory(self).appendingPathComponent("rows.csv")
        do {
            let file = try ResultsFile(url: url)
            try file.append(record("a.png"))
            try file.append(record("b.png"))
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("c.png,11,Nor".utf8))  // a row being written right now
        try handle.close()
        let before = try Data(contentsOf: url)
        XCTAssertEqual(try ResultsFile.finishedRecords(at: url), [record("a.png"), record("b.png")])
        XCTAssertEqual(try Data(contentsOf: url), before, "a reader must not cut another process's row")
        XCTAssertEqual(try ResultsFile.finishedRecords(at: url.deletingLastPathComponent().appendingPathComponent("none.csv")), [])
    }

    func testTheStatusSaysWhichShardsRanWhichRunAndHowManyRowsEachHas() throws {
        let output = try TestPaths.temporaryDirectory(self)
        let folder = ShardFolder(output: output)
        try folder.create()
        let (one, two, three) = (try Shard(parsing: "1/3"), try Shard(parsing: "2/3"), try Shard(parsing: "3/3"))
        XCTAssertEqual(try folder.status(), [], "no shard has run")

        let rowsOne = try ResultsFile(url: folder.rowsURL(one))
        try rowsOne.append(record("a.png"))
        try rowsOne.append(record("a.png", metric: "aopc"))
        try folder.write(ShardRecord(shard: one, images: 1, expectedRows: 2, complete: true,
                                     failures: [.init(image: "x.png", problem: "x.png: not a PNG")]))
        let rowsTwo = try ResultsFile(url: folder.rowsURL(two))
        try rowsTwo.append(record("b.png"))
        try rowsTwo.append(record("b.png", checksum: "22"))  // the same row measured again: one distinct row
        try folder.write(ShardRecord(shard: two, images: 1, expectedRows: 2, complete: false, failures: []))

        let status = try folder.status()
        XCTAssertEqual(status.map(\.shard), [one, two, three])
        XCTAssertEqual(status.map(\.state), [.complete, .stopped, .notStarted])
        XCTAssertEqual(status.map(\.rows), [2, 1, 0])
        XCTAssertEqual(status.map(\.expectedRows), [2, 2, nil])
        XCTAssertEqual(status.map(\.failures), [1, 0, 0])

        var running: OutputFolderLock? = try OutputFolderLock(folder: folder.url, fileName: folder.lockFileName(two))
        XCTAssertEqual(try folder.status()[1].state, .running)
        XCTAssertNotNil(running)
        running = nil
        XCTAssertEqual(try folder.status()[1].state, .stopped, "its process is gone")

        let adoptable = try folder.finishedRecords()
        XCTAssertEqual(adoptable.count, 3, "three keys over two shards")
        XCTAssertEqual(adoptable[record("b.png").key]?.map(\.imageChecksum), ["11", "22"], "every version, in file order")
    }
}

/// The image lists `explain` takes: folders expanded in a fixed order, list files read.
final class ImageListTests: XCTestCase {
    func testFoldersExpandSortedDepthFirstAndListFilesAddTheirLines() throws {
        let root = try TestPaths.temporaryDirectory(self)
        let manager = FileManager.default
        for path in ["b/2.png", "b/10.PNG", "a.jpg", "c/d/x.dcm", "c/notes.txt", ".hidden/y.png", "b/.z.png", "e/notes.txt", "e/.w.png"] {
            let url = root.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            XCTAssertTrue(manager.createFile(atPath: url.path, contents: Data()))
        }
        XCTAssertEqual(try ImageList.expand([root.path]), ["a.jpg", "b/10.PNG", "b/2.png", "c/d/x.dcm"].map { root.path + "/" + $0 })
        let list = root.appendingPathComponent("list.txt")
        try "# films\n\n  one.png \nsub/two.dcm\n".write(to: list, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ImageList.expand(["first.png"], listFile: list.path), ["first.png", "one.png", "sub/two.dcm"])
        XCTAssertThrowsError(try ImageList.expand([root.appendingPathComponent("e").path]), "only a text file and a hidden image") { error in
            XCTAssertTrue("\(error)".contains("no PNG, JPEG or DICOM file"), "\(error)")
        }
        XCTAssertThrowsError(try ImageList.expand([], listFile: root.appendingPathComponent("missing.txt").path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(root.appendingPathComponent("missing.txt").path + ": cannot read the image list"), "\(error)")
        }
    }

    func testTextChecksumsAreFNV1a() {
        // Published FNV-1a 64 test vectors: "" and "a", as for files.
        XCTAssertEqual(ContentChecksum.of(text: ""), "cbf29ce484222325")
        XCTAssertEqual(ContentChecksum.of(text: "a"), "af63dc4c8601ec8c")
    }
}
