import Foundation
import XCTest
import VitRelTestSupport
@testable import VitRel

/// `vitrel compare` killed with SIGKILL mid-run and run again, alone and as one of three shards
/// running at once into one folder: what is on disk after the kill is finished rows only, and
/// the resumed (or assembled) run equals an uninterrupted one.
///
/// Why a process: a SIGKILL ends a process without any of its code running (no `defer`, no
/// flush, its locks released by the kernel), and shards are separate processes writing one
/// folder at once; neither can be staged inside the test process. The engine's resumption
/// from a truncated results.csv is tested in-process in VitRelCompareTests.
final class KilledRunTests: XCTestCase {
    static let metrics = "faithfulness-estimate,region-perturbation,relevance-mass,pointing-game"

    /// `vitrel synth --per-class 8 --size 64 --seed 3` (18 training phantoms with masks).
    func dataset() throws -> URL {
        let root = try TestPaths.temporaryDirectory(self).appendingPathComponent("phantoms")
        _ = try SyntheticDataset.write(to: root, perClass: 8, seed: 3, size: 64)
        return root
    }

    func arguments(data: URL, out: URL, samples: Int = 400) -> [String] {
        ["compare", "--model", CLI.tinyModel, "--data", data.path, "--split", "Train", "--metrics", Self.metrics,
         "--segmentation", "grid", "--samples", "\(samples)", "--grids", "1", "--out", out.path]
    }

    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = try CLI.executable()
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `file` has more than `lines` lines, then SIGKILLs `process`; whether it did.
    private func killWhen(_ process: Process, once file: URL, hasMoreThan lines: Int) -> Int? {
        for _ in 0..<20_000 {
            let count = ((try? Data(contentsOf: file)) ?? Data()).filter { $0 == UInt8(ascii: "\n") }.count
            if count > lines {
                kill(process.processIdentifier, SIGKILL)
                return count
            }
            if !process.isRunning { return nil }
            usleep(1000)
        }
        return nil
    }

    func testAKilledRunResumesWithoutLosingOrChangingARow() throws {
        let data = try dataset()
        let scratch = try TestPaths.temporaryDirectory(self)
        let reference = scratch.appendingPathComponent("reference"), interrupted = scratch.appendingPathComponent("interrupted")

        let complete = try CLI.run(arguments(data: data, out: reference))
        XCTAssertEqual(complete.status, 0, complete.stderr)
        let expected = ComparisonRows.timeless(try ComparisonRows.read(reference))
        XCTAssertEqual(expected.count, 18 * 2 * 4, "one row per image × method × metric")

        // Start the same run and SIGKILL it once some rows are on disk (LIME with more samples
        // makes each image take long enough to land between rows).
        let process = try start(arguments(data: data, out: interrupted, samples: 400))
        let killedAt = (killWhen(process, once: interrupted.appendingPathComponent("results.csv"), hasMoreThan: 12) ?? 1) - 1
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the run was killed before it finished")
        let survivors = try ComparisonRows.read(interrupted)
        XCTAssertGreaterThanOrEqual(survivors.count, killedAt)
        XCTAssertLessThan(survivors.count, expected.count)
        // Whatever a kill left, the rows on disk are finished rows, equal to the reference.
        for row in survivors { XCTAssertEqual(ComparisonRows.timeless([row])[row.key], expected[row.key]) }

        let resumed = try CLI.run(arguments(data: data, out: interrupted, samples: 400))
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("rows resumed from results.csv"), resumed.stderr)
        XCTAssertEqual(ComparisonRows.timeless(try ComparisonRows.read(interrupted)), expected, "resumed = uninterrupted, row for row")
        // The summaries come from the rows, so they agree too.
        let summaryA = try CLI.json(file: reference.appendingPathComponent("summary.json"))["summary"] as? [String: Any]
        let summaryB = try CLI.json(file: interrupted.appendingPathComponent("summary.json"))["summary"] as? [String: Any]
        XCTAssertEqual(summaryA.map { NSDictionary(dictionary: $0) }, summaryB.map { NSDictionary(dictionary: $0) })
    }

    func testShardsAtOnceOneKilledAndRerunAssembleToTheUnshardedRun() throws {
        let data = try dataset()
        let scratch = try TestPaths.temporaryDirectory(self)
        let reference = scratch.appendingPathComponent("reference"), sharded = scratch.appendingPathComponent("sharded")
        let whole = try CLI.run(arguments(data: data, out: reference))
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let expectedRows = try ComparisonRows.read(reference)

        // Three shards at once; shard 2 is killed once it has written a few rows.
        let shards = try (1...3).map { try start(arguments(data: data, out: sharded) + ["--shard", "\($0)/3", "--threads", "1"]) }
        let killed = killWhen(shards[1], once: sharded.appendingPathComponent("shards/2-of-3.csv"), hasMoreThan: 5) != nil
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
}
