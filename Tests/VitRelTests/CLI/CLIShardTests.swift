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

/// `--shard K/N`: shards run at once into one folder, one killed with SIGKILL and run again,
/// and the assembly equals an unsharded run; what shards refuse; `explain` over a folder.
extension CLICompareTests {
    private func startShard(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try CLI.executable()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func testShardsAtOnceOneKilledAndRerunAssembleToTheUnshardedRun() throws {
        let data = try dataset()
        let scratch = try TestPaths.temporaryDirectory(self)
        let reference = scratch.appendingPathComponent("reference"), sharded = scratch.appendingPathComponent("sharded")
        let whole = try CLI.run(arguments(data: data, out: reference))
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let expectedRows = try ComparisonRows.read(reference)

        // Three shards at once; shard 2 is killed once it has written a few rows.
        let shards = try (1...3).map { try startShard(arguments(data: data, out: sharded) + ["--shard", "\($0)/3", "--threads", "1"]) }
        let rowsFile = sharded.appendingPathComponent("shards/2-of-3.csv")
        var killed = false
        for _ in 0..<20_000 {
            let lines = ((try? Data(contentsOf: rowsFile)) ?? Data()).filter { $0 == UInt8(ascii: "\n") }.count
            if lines > 5 { kill(shards[1].processIdentifier, SIGKILL); killed = true; break }
            if !shards[1].isRunning { break }
            usleep(1000)
        }
        for process in shards { process.waitUntilExit() }
        XCTAssertTrue(killed, "shard 2 ended before it could be killed")
        XCTAssertEqual(shards[0].terminationStatus, 0)
        XCTAssertEqual(shards[2].terminationStatus, 0)

        let status = try CLI.run(["shards", sharded.path, "--json"])
        XCTAssertEqual(status.status, 0, status.stderr)
        let listed = try CLI.json(Data(status.stdout.utf8))["shards"] as? [[String: Any]] ?? []
        XCTAssertEqual(listed.map { $0["state"] as? String }, ["complete", "stopped", "complete"])

        // An assembly now would leave shard 2's images to itself; rerun the shard first, as a requeue would.
        let rerun = try CLI.run(arguments(data: data, out: sharded) + ["--shard", "2/3"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("rows resumed"), rerun.stderr)
        let after = try CLI.json(Data(try CLI.run(["shards", sharded.path, "--json"]).stdout.utf8))
        XCTAssertEqual(after["complete"] as? Bool, true)

        let assembled = try CLI.run(arguments(data: data, out: sharded))
        XCTAssertEqual(assembled.status, 0, assembled.stderr)
        XCTAssertTrue(assembled.stderr.contains("\(expectedRows.count) rows assembled from shards"), assembled.stderr)
        let assembledRows = try ComparisonRows.read(sharded)
        XCTAssertEqual(assembledRows.map(\.key), expectedRows.map(\.key), "the unsharded run's rows, in its order")
        XCTAssertEqual(ComparisonRows.timeless(assembledRows), ComparisonRows.timeless(expectedRows), "and values (timing aside)")
        let summaryA = try CLI.json(file: reference.appendingPathComponent("summary.json"))["summary"] as? [String: Any]
        let summaryB = try CLI.json(file: sharded.appendingPathComponent("summary.json"))["summary"] as? [String: Any]
        XCTAssertEqual(summaryA.map { NSDictionary(dictionary: $0) }, summaryB.map { NSDictionary(dictionary: $0) })
    }

    func testShardsRefuseFreshOtherSettingsAndAWholeRunWhileTheyRun() throws {
        let data = try dataset()
        let out = try TestPaths.temporaryDirectory(self).appendingPathComponent("out")
        let base = arguments(data: data, out: out, samples: 50) + ["--methods", "attention-rollout,lime", "--limit", "4"]

        let fresh = try CLI.run(base + ["--shard", "1/2", "--fresh"])
        XCTAssertEqual(fresh.status, 1, fresh.stderr)
        XCTAssertEqual(fresh.errorLines.count, 1, fresh.stderr)
        XCTAssertTrue(fresh.stderr.contains("--fresh cannot be combined with --shard 1/2"), fresh.stderr)

        for bad in ["0/2", "3/2", "two"] {
            let run = try CLI.run(base + ["--shard", bad])
            XCTAssertEqual(run.status, 64, "--shard \(bad): \(run.stderr)")
        }

        let first = try CLI.run(base + ["--shard", "1/2"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let other = try CLI.run(base + ["--shard", "2/2", "--selection-seed", "9"])
        XCTAssertEqual(other.status, 1, other.stderr)
        XCTAssertTrue(other.stderr.contains("records a run with other settings"), other.stderr)

        // A shard still running (its locks held by this process) keeps a whole run out.
        var folderLock: OutputFolderLock? = try OutputFolderLock(folder: out, mode: .shared)
        var shardLock: OutputFolderLock? = try OutputFolderLock(folder: out.appendingPathComponent("shards"), fileName: "2-of-2.lock")
        let whole = try CLI.run(base)
        XCTAssertEqual(whole.status, 1, whole.stderr)
        XCTAssertTrue(whole.stderr.contains("shards of a run (--shard) are still writing this folder"), whole.stderr)
        let twice = try CLI.run(base + ["--shard", "2/2"])
        XCTAssertEqual(twice.status, 1, twice.stderr)
        XCTAssertTrue(twice.stderr.contains("another vitrel run (pid \(getpid()))"), twice.stderr)
        XCTAssertNotNil(folderLock.map { _ in shardLock })
        (folderLock, shardLock) = (nil, nil)
    }

    func testExplainShardsOverAFolderWriteTheUnshardedFilesAndSkipWhatIsDone() throws {
        let data = try dataset()
        let folder = data.appendingPathComponent("Infection Segmentation Data/Train/Normal/images")
        let scratch = try TestPaths.temporaryDirectory(self)
        let whole = scratch.appendingPathComponent("whole"), sharded = scratch.appendingPathComponent("sharded")
        let common = ["explain", "--model", CLI.tinyModel, "--image", folder.path, "--method", "attention-rollout"]
        let reference = try CLI.run(common + ["--out", whole.path])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        for k in 1...2 {
            let run = try CLI.run(common + ["--out", sharded.path, "--shard", "\(k)/2"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let manager = FileManager.default
        let expected = try manager.contentsOfDirectory(atPath: whole.path).filter { $0.hasSuffix(".png") || $0.hasSuffix(".npy") }.sorted()
        XCTAssertFalse(expected.isEmpty)
        let got = try manager.contentsOfDirectory(atPath: sharded.path).filter { $0.hasSuffix(".png") || $0.hasSuffix(".npy") }.sorted()
        XCTAssertEqual(got, expected, "the two shards wrote every file of the unsharded run, under the same names")
        for name in expected where name.hasSuffix(".npy") {
            XCTAssertEqual(try Data(contentsOf: sharded.appendingPathComponent(name)), try Data(contentsOf: whole.appendingPathComponent(name)), name)
        }
        let progress = try CLI.run(["shards", sharded.path])
        XCTAssertEqual(progress.status, 0, progress.stderr)
        let expectedImages = try ImageList.expand([folder.path]).count
        let counts = progress.stdout.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: " ").last ?? "") }
        XCTAssertEqual(counts.reduce(0, +), expectedImages, "the two ledgers list every image once: \(progress.stdout)")
        let again = try CLI.run(common + ["--out", sharded.path, "--shard", "1/2", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("were skipped"), again.stderr)
        XCTAssertEqual((try CLI.json(Data(again.stdout.utf8))["images"] as? [Any])?.count, 0, "nothing left to explain")
        let changed = try CLI.run(common + ["--out", sharded.path, "--shard", "1/2", "--alpha", "0.3", "--json"])
        XCTAssertGreaterThan((try CLI.json(Data(changed.stdout.utf8))["images"] as? [Any])?.count ?? 0, 0, "other settings: explained again")

        let refused = try CLI.run(common + ["--out", sharded.path, "--shard", "1/2", "--save-relevance", scratch.appendingPathComponent("r.npy").path])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        let empty = scratch.appendingPathComponent("empty")
        try manager.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try CLI.run(["explain", "--model", CLI.tinyModel, "--image", empty.path, "--out", sharded.path])
        XCTAssertEqual(none.status, 1, none.stderr)
        XCTAssertTrue(none.stderr.contains("no PNG, JPEG or DICOM file"), none.stderr)
    }
}
