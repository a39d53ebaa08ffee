import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel
@testable import VitRelModel
@testable import VitRelData
@testable import VitRelCompare

/// A comparison's output folder across runs: an image changed in place, a run.json written
/// before `--resize` existed, a folder another run holds, and what shards refuse.
final class ComparisonFolderTests: XCTestCase {
    /// Resuming after an image was changed in place: that image's rows are measured again
    /// (with its new checksum), the others are kept as they were.
    func testAChangedImageIsRecomputedAndTheOthersResume() throws {
        let directory = try TestPaths.temporaryDirectory(self)
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("val/COVID-19"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data.appendingPathComponent("val/Normal"), withIntermediateDirectories: true)
        let changing = try TestImages.write(in: data.appendingPathComponent("val/COVID-19"), name: "a.png", brightness: 0.9)
        _ = try TestImages.write(in: data.appendingPathComponent("val/Normal"), name: "b.png", brightness: 0.3)
        let out = directory.appendingPathComponent("report")
        let request = try CompareFixtures.request(
            data: data, out: out, split: "val", methods: [.attentionRollout], metrics: [.faithfulnessEstimate, .pixelFlipping], grids: 0)
        func rows() throws -> [[String]] {
            Array(try CSVFormat.records(String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)).dropFirst())
        }
        _ = try ComparisonRun(request).run(observer: QuietRunObserver())
        let before = try rows()
        XCTAssertEqual(before.count, 4)

        let unchanged = try ComparisonRun(request).run(observer: QuietRunObserver())
        XCTAssertEqual(unchanged.resumedRows, 4)
        XCTAssertEqual(try rows(), before, "nothing changed: nothing recomputed")

        // The same file name, other pixels.
        _ = try TestImages.write(in: changing.deletingLastPathComponent(), name: "a.png", brightness: 0.1)
        let rerun = try ComparisonRun(request).run(observer: QuietRunObserver())
        let after = try rows()
        XCTAssertEqual(after.count, 6, "two new rows for the changed image, appended")
        let newA = after.suffix(2)
        XCTAssertTrue(newA.allSatisfy { $0[0] == "val/COVID-19/a.png" })
        let oldChecksum = before.first { $0[0] == "val/COVID-19/a.png" }![1]
        XCTAssertTrue(newA.allSatisfy { $0[1] != oldChecksum && $0[1] == (try? ContentChecksum.of([changing])) })
        XCTAssertNotEqual(newA.first![5], before.first { $0[0] == "val/COVID-19/a.png" }![5], "a new probability: the row was measured again")
        // The headline's n column: two images per metric, the stale rows of a.png not counted beside the new ones.
        let metricLines = rerun.headline.split(separator: "\n").filter { $0.hasPrefix("faithfulness-estimate") || $0.hasPrefix("pixel-flipping") }
        XCTAssertEqual(metricLines.count, 2, rerun.headline)
        XCTAssertTrue(metricLines.allSatisfy { $0.split(separator: " ").last == "2" }, rerun.headline)
    }

    /// A folder recorded before `--resize` existed resumes only as the float run it was.
    func testACompareFolderFromBeforeTheResizeSettingResumesOnlyAsFloat() throws {
        let data = try CompareFixtures.phantoms(self, perClass: 4)
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report")
        func request(_ resize: Preprocessing.ResizeArithmetic) throws -> ComparisonRequest {
            try CompareFixtures.request(
                data: data, out: out, methods: [.attentionRollout], metrics: [.pointingGame], grids: 0,
                selection: ImageSelection(quota: .perClass(1), seed: 0), resize: resize)
        }
        _ = try ComparisonRun(try request(.float)).run(observer: QuietRunObserver())
        // A run.json as vitrel wrote it before --resize existed: no "resize" in its settings.
        let runFile = out.appendingPathComponent("run.json")
        var record = try CompareFixtures.json(file: runFile)
        var settings = try XCTUnwrap(record["settings"] as? [String: Any])
        XCTAssertEqual(settings["resize"] as? String, "float")
        settings["resize"] = nil
        record["settings"] = settings
        try JSONSerialization.data(withJSONObject: record).write(to: runFile)

        XCTAssertThrowsError(try ComparisonRun(try request(.pillow)).run(observer: QuietRunObserver()), "rows resized in float are not mixed with Pillow's") { error in
            XCTAssertTrue("\(error)".contains("resize: float before (recorded before --resize existed; --resize float resumes it), pillow now"), "\(error)")
        }
        let float = try ComparisonRun(try request(.float)).run(observer: QuietRunObserver())
        XCTAssertGreaterThan(float.resumedRows, 0, "rows resumed")
    }

    /// Two runs into one output folder: the second stops with one error, touching nothing (not
    /// even with `fresh`); once the first is gone the folder is free again. This process holds
    /// the first run's lock (an `flock` on another descriptor, which conflicts within a process too).
    func testASecondRunIntoABusyFolderIsRefusedAndTouchesNothing() throws {
        let data = try CompareFixtures.phantoms(self)
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let sentinel = out.appendingPathComponent("results.csv")
        try Data("the first run's rows\n".utf8).write(to: sentinel)
        var held: OutputFolderLock? = try OutputFolderLock(folder: out)  // this process plays the first run
        XCTAssertNotNil(held)
        func request(fresh: Bool) throws -> ComparisonRequest {
            try CompareFixtures.request(
                data: data, out: out, methods: [.attentionRollout, .lime], selection: ImageSelection(quota: .total(2), seed: 0), fresh: fresh)
        }
        XCTAssertThrowsError(try ComparisonRun(try request(fresh: true)).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".contains("another vitrel run (pid \(getpid()))"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"), "one line: \(error)")
        }
        XCTAssertEqual(try String(contentsOf: sentinel, encoding: .utf8), "the first run's rows\n", "--fresh removed a busy folder's rows")
        held = nil
        try FileManager.default.removeItem(at: sentinel)
        _ = try ComparisonRun(try request(fresh: false)).run(observer: QuietRunObserver())
        XCTAssertEqual(try ComparisonRows.read(out).count, 2 * 2 * CompareFixtures.metrics.count)
    }

    func testShardsRefuseFreshOtherSettingsAndAWholeRunWhileTheyRun() throws {
        let data = try CompareFixtures.phantoms(self)
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        func request(shard: Shard?, fresh: Bool = false, selectionSeed: UInt64 = 0) throws -> ComparisonRequest {
            try CompareFixtures.request(
                data: data, out: out, methods: [.attentionRollout, .lime], samples: 50,
                selection: ImageSelection(quota: .total(4), seed: selectionSeed), fresh: fresh, shard: shard)
        }
        let one = try Shard(index: 1, count: 2), two = try Shard(index: 2, count: 2)

        XCTAssertThrowsError(try ComparisonRun(try request(shard: one, fresh: true)).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".contains("--fresh cannot be combined with --shard 1/2"), "\(error)")
        }
        for (index, count) in [(0, 2), (3, 2)] { XCTAssertThrowsError(try Shard(index: index, count: count), "\(index)/\(count)") }
        XCTAssertThrowsError(try Shard(parsing: "two"))

        _ = try ComparisonRun(try request(shard: one)).run(observer: QuietRunObserver())
        XCTAssertThrowsError(try ComparisonRun(try request(shard: two, selectionSeed: 9)).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".contains("records a run with other settings"), "\(error)")
        }

        // A shard still running (its locks held by this process) keeps a whole run out.
        var folderLock: OutputFolderLock? = try OutputFolderLock(folder: out, mode: .shared)
        var shardLock: OutputFolderLock? = try OutputFolderLock(folder: out.appendingPathComponent("shards"), fileName: "2-of-2.lock")
        XCTAssertThrowsError(try ComparisonRun(try request(shard: nil)).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".contains("shards of a run (--shard) are still writing this folder"), "\(error)")
        }
        XCTAssertThrowsError(try ComparisonRun(try request(shard: two)).run(observer: QuietRunObserver())) { error in
            XCTAssertTrue("\(error)".contains("another vitrel run (pid \(getpid()))"), "\(error)")
        }
        XCTAssertNotNil(folderLock)  // both held until here
        XCTAssertNotNil(shardLock)
        (folderLock, shardLock) = (nil, nil)
    }

    /// `--limit N` and `--per-class K` that get fewer images than asked say so through the
    /// observer, with the counts, and the run still succeeds.
    func testAQuotaBeyondTheSplitOrAClassIsAWarningWithTheCounts() throws {
        let data = try TestPaths.temporaryDirectory(self).appendingPathComponent("data")
        try DatasetTestTrees.writeImages(data, ["val/COVID-19/a.png", "val/COVID-19/b.png", "val/COVID-19/c.png",
                                                "val/Non-COVID/d.png", "val/Normal/e.png", "val/Normal/f.png"])
        func compare(_ quota: ImageSelection.Quota) throws -> (ComparisonOutcome, [String]) {
            let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("report-\(UUID().uuidString)")
            let observer = QuietRunObserver()
            let outcome = try ComparisonRun(try CompareFixtures.request(
                data: data, out: out, split: "val", methods: [.attentionRollout], metrics: [.faithfulnessEstimate], grids: 0,
                selection: ImageSelection(quota: quota, seed: 0))).run(observer: observer)
            return (outcome, observer.messages)
        }
        let (beyond, beyondMessages) = try compare(.total(20))
        XCTAssertEqual(beyondMessages, ["--limit 20: the val split has 6 images; comparing 6"])
        XCTAssertEqual(beyond.compared, 6)
        let (_, withinMessages) = try compare(.total(4))
        XCTAssertEqual(withinMessages, [], "a quota that is met says nothing")
        let (perClass, perClassMessages) = try compare(.perClass(2))
        XCTAssertEqual(
            perClassMessages,
            ["--per-class 2: the val split has fewer in some classes; images per class: COVID-19 2, Non-COVID 1, Normal 2"])
        XCTAssertEqual(perClass.compared, 5)
    }
}
